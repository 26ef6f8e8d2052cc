"""The result store of sweeps: entries are checked when read, the key covers what determines the numbers."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.input import scenario as sc
from sim.run.store import Store, scenario_key

ROOT = Path(__file__).resolve().parents[1]
SECONDS_PER_DAY = 86_400


def small(tmp_path: Path, hours: int = 12, extra: str = "") -> Path:
    text = (ROOT / "scenarios" / "erlang-a-check.yaml").read_text().replace("horizon_hours: 168",
                                                                           f"horizon_hours: {hours}")
    path = tmp_path / "s.yaml"
    path.write_text(extra + text)
    return path


def run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def sweep(path: Path, out: Path) -> bytes:
    run("sweep", path, "--vary", "pools.general.seats=50,54", "-r", "2", "--workers", "1", "--out", out)
    return (out / "sweep.json").read_bytes()


@pytest.fixture
def stored(tmp_path):
    """A finished sweep: its scenario, output folder, sweep.json and entries (key folder -> files)."""
    path = small(tmp_path)
    out = tmp_path / "sw"
    reference = sweep(path, out)
    entries = sorted((out / "store").glob("*/r*.npz"))
    assert len(entries) == 4
    return path, out, reference, entries


def same_figures(a, b) -> bool:
    """Two stored replications hold the same sums."""
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def foreign_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a replication")


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),          # truncated
    lambda p: p.write_bytes(b""),                                                 # empty
    foreign_zip,                                                                  # a zip that is not ours
    lambda p: p.write_text("{\"whole\": []}"),                                    # not a zip at all
    lambda p: np.save(p.with_suffix(""), np.zeros(3)) or p.with_suffix(".npy").replace(p),   # a bare .npy
], ids=["truncated", "empty", "foreign zip", "text", "npy"])
def test_damaged_entries_are_recomputed_and_give_the_same_numbers(stored, damage):
    path, out, reference, entries = stored
    for entry in entries[::2]:
        damage(entry)
        assert Store(out / "store").load(entry.parent.name, int(entry.stem[1:])) is None
    assert sweep(path, out) == reference
    for entry in entries:                                   # rewritten whole
        assert Store(out / "store").load(entry.parent.name, int(entry.stem[1:])) is not None


def test_a_flipped_byte_anywhere_never_gives_other_numbers(stored):
    _, out, _, entries = stored
    entry = entries[0]
    key, r = entry.parent.name, int(entry.stem[1:])
    store = Store(out / "store")
    original = store.load(key, r)
    data = entry.read_bytes()
    rejected, positions = 0, range(0, len(data), max(1, len(data) // 200))
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 0x5A
        entry.write_bytes(bytes(flipped))
        loaded = store.load(key, r)
        rejected += loaded is None
        assert loaded is None or same_figures(loaded, original), position   # a byte of metadata may not matter
    assert rejected > 0.7 * len(positions)                 # the CRC and the header catch the rest


def test_an_entry_under_the_wrong_name_is_not_used(stored):
    path, out, reference, entries = stored
    a, b = entries[0], entries[2]                          # r0 of two different variants
    assert a.parent != b.parent and a.name == b.name == "r0.npz"
    shutil.copy(a, b)
    assert Store(out / "store").load(b.parent.name, 0) is None
    shutil.copy(entries[1], entries[0])                    # r1 copied onto r0 of the same variant
    assert Store(out / "store").load(entries[0].parent.name, 0) is None
    assert sweep(path, out) == reference


def test_a_changed_empirical_file_changes_the_key_and_the_numbers(tmp_path):
    talk = tmp_path / "talk.txt"
    talk.write_text("\n".join(str(v) for v in np.linspace(100, 500, 50)) + "\n")
    path = small(tmp_path)
    path.write_text(path.read_text().replace("handle_seconds: {dist: exponential, mean: 300}",
                                             "handle_seconds: {dist: empirical, file: talk.txt}"))
    assert "file: talk.txt" in path.read_text()
    key = scenario_key(sc.load(path), 1)
    before = sweep(path, tmp_path / "sw")
    talk.write_text("\n".join(str(v) for v in np.linspace(100, 300, 50)) + "\n")   # shorter calls, same YAML
    assert scenario_key(sc.load(path), 1) != key
    after = sweep(path, tmp_path / "sw")
    assert after != before and after == sweep(path, tmp_path / "fresh")


def test_the_key_ignores_what_changes_no_number_and_sees_what_does(tmp_path):
    path = small(tmp_path)
    base = sc.load(path)
    key = scenario_key(base, 1)
    renamed = tmp_path / "other.yaml"
    renamed.write_text("# a comment\nx-anchors: {a: &a 1}\n" + path.read_text().replace("name: erlang-a-check",
                                                                                         "name: renamed"))
    assert scenario_key(sc.load(renamed), 1) == key
    assert scenario_key(base, 2) != key
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(path.read_text().replace("seats: 52", "seats: 51"))
    assert scenario_key(sc.load(fewer), 1) != key


def test_an_alias_bomb_in_an_x_field_hashes_in_well_under_a_second(tmp_path):
    levels = "abcdefghi"
    bomb = f"x-bomb:\n  a: &a [{', '.join(['lol'] * 9)}]\n"
    for previous, level in zip(levels, levels[1:]):
        bomb += f"  {level}: &{level} [{', '.join([f'*{previous}'] * 9)}]\n"     # 9^9 strings once expanded
    path = small(tmp_path, extra=bomb)
    s = sc.load(path)
    started = time.perf_counter()
    key = scenario_key(s, 1)
    assert time.perf_counter() - started < 0.25
    plain = tmp_path / "plain"
    plain.mkdir()
    assert key == scenario_key(sc.load(small(plain)), 1)          # the x- field changes no number


def dead_pid() -> int:
    """A process id no process has: Linux hands out ids below pid_max only."""
    return int(Path("/proc/sys/kernel/pid_max").read_text())


def test_prune_removes_leftovers_unreadable_and_old_entries_and_nothing_else(stored):
    _, out, _, entries = stored
    store = out / "store"
    leftover = entries[0].parent / f".r9.npz.{dead_pid()}.0123abcd.tmp"
    leftover.write_bytes(b"half")
    live = entries[0].parent / f".r8.npz.{os.getpid()}.0123abcd.tmp"       # a run still writing
    live.write_bytes(b"half")
    entries[1].write_bytes(b"")                                              # unreadable
    old = time.time() - 10 * SECONDS_PER_DAY
    os.utime(entries[2], (old, old))
    notes = store / "notes.txt"
    notes.write_text("mine\n")
    output = run("prune", out, "--older-than", "5")
    assert f"removed {leftover} (left by a killed run)" in output
    assert f"removed {entries[1]} (unreadable or not this entry)" in output
    assert f"removed {entries[2]} (older than --older-than)" in output
    assert "removed 3 file(s)" in output
    assert live.exists() and notes.exists() and entries[0].exists() and entries[3].exists()
    output = run("prune", store, "--all")
    assert not list(store.glob("*/r*.npz")) and notes.exists() and live.exists()
    assert "removed 2 file(s)" in output
    live.unlink()
    run("prune", store)
    assert sorted(p.name for p in store.iterdir()) == ["notes.txt"]            # empty key folders go too


def test_prune_leaves_a_link_in_the_store_and_its_target_alone(stored, tmp_path):
    """Found by an outside hunt (2026-12-05): a link named like an entry, to a file elsewhere, was removed as
    "unreadable": the store never writes links, and files the tool did not write are never touched."""
    _, out, _, entries = stored
    target = tmp_path / "elsewhere.txt"
    target.write_text("someone's\n")
    link = entries[0].parent / "r9.npz"
    link.symlink_to(target)
    output = run("prune", out, "--all")
    assert link.is_symlink() and target.read_text() == "someone's\n" and str(link) not in output


def test_a_stored_entry_that_is_a_pipe_is_computed_again_not_waited_for(tmp_path):
    from sim.run.store import Store
    store = Store(tmp_path / "store")
    store.save("k", 0, {"a": np.arange(3.0)})
    path = next((tmp_path / "store").rglob("*.npz"))
    path.unlink()
    os.mkfifo(path)
    assert store.load("k", 0) is None
    assert not path.exists()                # the store's own name: the next save writes a file there
    store.save("k", 0, {"a": np.arange(3.0)})
    assert (store.load("k", 0)["a"] == np.arange(3.0)).all()


@pytest.mark.parametrize("in_the_way", ["entry is a folder", "key folder is a file"])
def test_something_in_the_way_of_an_entry_is_named_before_any_work(stored, in_the_way, monkeypatch):
    """An entry's place taken by a folder (or its key's folder by a file) is found before anything runs: found
    when the replication is saved, its work would be lost."""
    path, out, _, entries = stored
    entry = entries[1]
    if in_the_way == "entry is a folder":
        entry.unlink()
        entry.mkdir()
        blocked = entry
    else:
        blocked = entry.parent
        shutil.rmtree(blocked)
        blocked.write_text("not the store's\n")
    from sim.run import runs
    monkeypatch.setattr(runs, "simulate_many", lambda *a, **k: pytest.fail("the sweep ran before the check"))
    result = CliRunner().invoke(main, ["sweep", str(path), "--vary", "pools.general.seats=50,54", "-r", "2",
                                       "--workers", "1", "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(blocked) in lines[0] and "move it away" in lines[0], lines
