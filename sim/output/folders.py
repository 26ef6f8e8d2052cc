"""Output folders: checked before any work, nothing stale left behind.

- ``check_folder`` and ``check_file`` refuse, with one line naming the option,
  an output path that cannot be used, before anything runs or is written.
- ``record``: a small manifest in each output folder lists what each command
  last wrote there; a rerun removes what its previous run wrote and this one
  did not (``trace-r2.csv`` after a rerun with fewer replications) and never
  touches a file the tool did not write: a file is removed only if it still
  holds what the tool wrote (its fingerprint is in the manifest: the SHA-1 of
  its content, or for a file over 16 MiB, a year's trace, of its size, time of
  writing and first and last 64 KiB), so neither an analyst's edit nor a
  hand-made manifest can make it remove one.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sim import files
from sim.errors import OptionError
from sim.files import remove_if_empty, remove_leftovers, temp_name, write_text

# the laws whose samples ``hotline calibrate`` writes beside its scenario, one file a line and law
SAMPLE_LAWS = ("handle_seconds", "wrapup_seconds")

MANIFEST = ".hotline-manifest.json"
MANIFEST_VERSION = 1
MARK_BYTES = 4096           # a file the tool wrote holds its mark within its first bytes
MANIFEST_BYTES = 1 << 20    # far more than the list of any folder's written files; beyond it, not a manifest
WHOLE_FINGERPRINT_BYTES = 16 << 20    # files up to this size are fingerprinted by all their content
FINGERPRINT_BYTES = 64 << 10          # read from each end of a larger file
NAME_BYTES = 200            # longest name of a file or folder given (255 less room for temporary names)


# ---- checks before any work ------------------------------------------------------------------------------------

# commands whose results fill a folder: a folder holds one of theirs (``report`` reads one kind from it)
FOLDER_COMMANDS = ("simulate", "compare", "plan", "decide", "sweep", "replay")


def check_folder(value, option: str, default: Path, inputs: Iterable[Path] = (), command: str | None = None,
                 results: Iterable[str] = ()) -> Path:
    """The output folder to use (``value``, else ``default``), refused with an OptionError if it cannot be.

    Refused: an empty value; a path that is a file or lies under a file; a
    place this user cannot write to; a folder that holds one of ``inputs``
    (directly or below), since a run rewrites and prunes its folder; with
    ``command``, a folder that holds another command's results (its manifest says so); a folder where one of
    ``results`` (the paths, relative to it, of files the command writes) is a folder or anything but a file, or
    (with ``command``) a file the manifest does not list under that command, which a run would write over.
    All before any work: a run would otherwise fail only once it is done.
    """
    path = _given(value, option, default, "a folder")
    if _exists(path, option) and not path.is_dir():
        raise OptionError(option, "", f"{path} is a file, not a folder; give a folder (it is made if missing)")
    _check_writable(path, option)
    inside = resolved(path)
    for item in inputs:
        item = resolved(Path(item))
        if inside == item.parent or inside in item.parents:
            raise OptionError(option, "", f"{path} holds the input {item}, which a run there could overwrite "
                              "or remove; give another folder with --out")
    if (path / MANIFEST).is_dir():      # found before any work: the run's files would replace the last ones first
        raise OptionError(option, "", f"{path / MANIFEST} is a folder: this tool keeps there the list of what it "
                          "wrote; remove it or give another folder with --out")
    if command is not None and path.is_dir():
        others = [c for c, written in _read_manifest(path).items()
                  if c in FOLDER_COMMANDS and c != command and written]
        if others:
            raise OptionError(option, "", f"{path} holds the results of `hotline {others[0]}`; a folder holds one "
                              f"command's results (a briefing reads one kind from it): give another folder")
    _refuse_in_store(path, option)
    if command is not None:
        owner = _written_above(path, command)
        if owner is not None:
            raise OptionError(option, "", f"{path} holds part of the results of `hotline {owner[1]}` in {owner[0]}; "
                              "writing other results there would make them disagree: give another folder")
    for name in results:
        target = path / name
        if (target.exists() or target.is_symlink()) and not target.is_file():
            raise OptionError(option, "", f"{target} is {'a folder' if target.is_dir() else 'not a file'} where a "
                              "result file goes; remove it or give another folder with --out")
        for above in target.relative_to(path).parents:
            if str(above) != "." and (path / above).exists() and not (path / above).is_dir():
                raise OptionError(option, "", f"{path / above} is a file where a folder of results goes; remove it "
                                  "or give another folder with --out")
    special = _special_inside(path)
    if special is not None:
        # found before any work: writing a result over it would fail after the run, or replace a device
        raise OptionError(option, "", f"{path} holds {special}, a pipe, socket or device where this tool writes "
                          "files; remove it or give another folder with --out")
    if command is not None and path.is_dir():
        ours = set(_read_manifest(path).get(command, []))
        for name in results:
            if name not in ours and (path / name).is_file():
                # a run writes over its own results only: this is someone's own file (or a run's from before
                # this tool kept its list), and writing over it would lose it
                raise OptionError(option, "", f"{path / name} is not a file `hotline {command}` wrote there (the "
                                  f"folder's {MANIFEST}, its list of what it wrote, does not name it), and a run "
                                  "would write over it: move it away, or give another folder with --out")
    return path


def _refuse_in_store(path: Path, option: str) -> None:
    """A sweep's ``store/`` (or a folder in it) is refused as a place for results: it holds the sweep's
    replications, which ``prune`` cleans, and nothing else."""
    inside = resolved(path)
    for folder in (inside, *inside.parents):
        if folder.name == "store" and _read_manifest(folder.parent).get("sweep"):
            where = "is the folder" if folder == inside else f"is inside {folder},"
            raise OptionError(option, "", f"{path} {where} where the sweep in {folder.parent} keeps its "
                              "replications; give a folder outside it")


def _written_above(path: Path, command: str) -> tuple[Path, str] | None:
    """(folder, command) when a folder above ``path`` lists, in its manifest, files that another command wrote
    inside ``path`` (``today/`` of a decision, a scenario's folder of a comparison), else None."""
    inside = resolved(path)
    for above in inside.parents:
        rel = inside.relative_to(above).as_posix() + "/"
        for other, written in _read_manifest(above).items():
            if other != command and any(name.startswith(rel) for name in written):
                return above, other.split(" ")[0]
    return None


def _special_inside(folder: Path) -> Path | None:
    """The first pipe, socket or device (or link to one) in ``folder`` or below it (links to folders are not
    followed), or None."""
    if not folder.is_dir():
        return None
    for root, _, names in os.walk(folder):
        for name in names:
            if files.is_special(Path(root) / name):
                return Path(root) / name
    return None


def check_file(value, option: str, default: Path, inputs: Iterable[Path] = (), companions: bool = False,
               mark: str | None = None, command: str = "") -> Path:
    """The output file to use (``value``, else ``default``), refused with an OptionError if it cannot be.

    Refused: an empty value; an existing folder; a path under a file; a place
    this user cannot write to; one of ``inputs`` or, with ``companions``, an
    input beside it named like the files written with it (``<stem>.fit.json``,
    ``<stem>.<line>.<law>.txt``); with ``mark``, an existing file whose first ``MARK_BYTES``
    lack it (not written by ``command``: a scenario, someone else's page).
    """
    path = _given(value, option, default, "a file name")
    # ``out/`` names a folder even before it exists (Path drops the slash: a file called ``out`` was written)
    if (_exists(path, option) and path.is_dir()) or str(value).endswith(("/", os.sep)):
        raise OptionError(option, "", f"{path} is a folder; give a file name inside it, e.g. {path / default.name}")
    if files.is_special(path):
        raise OptionError(option, "", f"{path} is a pipe, socket or device, not a file; give a file name, e.g. "
                          f"{default}")
    _check_writable(path.parent, option)
    _refuse_in_store(path.parent, option)
    target = resolved(path)
    for item in inputs:
        item = resolved(Path(item))
        companion = item.parent == target.parent and _is_companion(item.name, target.stem)
        if item == target or (companions and companion):
            raise OptionError(option, "", f"{path} would overwrite the input {item}; give another file name")
    if mark is not None and path.is_file() and not _starts_with_mark(path, mark):
        raise OptionError(option, "", f"{path} exists and was not written by `{command}`; give another file name, "
                          "or move that file away first")
    return path


def check_companions(path: Path, option: str, mark: str, command: str, recorded_as: str) -> None:
    """Refuse (OptionError) when a file that would be written beside ``path`` (``<stem>.fit.json``,
    ``<stem>.*.txt``) exists and was not written there by ``command``: neither listed in the folder's manifest
    under ``recorded_as`` nor holding ``mark``.  Such files are named after what is written (the lines of a log),
    so every file of that form is checked, before any work."""
    listed = set(_read_manifest(path.parent).get(recorded_as, []))
    try:
        beside = sorted(path.parent.iterdir()) if path.parent.is_dir() else []
    except OSError:
        return                  # unreadable: writing there says why
    for item in beside:
        if not _is_companion(item.name, path.stem):
            continue
        if item.is_file() and item.name not in listed and not _starts_with_mark(item, mark):
            raise OptionError(option, "", f"{item} exists and was not written by `{command}` beside {path.name}; "
                              "give another file name, or move that file away first")


def _is_companion(name: str, stem: str) -> bool:
    """Is ``name`` one of the files written beside ``<stem>.yaml``: ``<stem>.fit.json``, or a law's samples,
    ``<stem>.<line>.<law>.txt`` (``SAMPLE_LAWS``)?  The log itself (``june.txt`` beside ``june.yaml``) is not."""
    return name == f"{stem}.fit.json" or (name.startswith(f"{stem}.")
                                          and any(name.endswith(f".{law}.txt") for law in SAMPLE_LAWS))


def _starts_with_mark(path: Path, mark: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return mark.encode("utf-8") in handle.read(MARK_BYTES)
    except OSError:
        return True             # unreadable: writing it says why, as before


def _given(value, option: str, default: Path, what: str) -> Path:
    if value is None:
        return Path(default)
    if not str(value).strip():
        raise OptionError(option, "", f"is empty; give {what}, e.g. {option} {default} (the default when "
                          f"{option} is left out)")
    for part in Path(value).parts:
        # file systems take names of at most 255 bytes; the temporary names of atomic writes add ~30
        if len(os.fsencode(part)) > NAME_BYTES:
            raise OptionError(option, "", f"a name in {value} is {len(os.fsencode(part))} bytes long, more than "
                              f"the {NAME_BYTES} a file or folder name may have here; give a shorter one")
    return Path(value)


def _exists(path: Path, option: str) -> bool:
    try:
        return path.exists()
    except OSError as exc:
        raise OptionError(option, "", f"cannot look at {path}: {exc.strerror}") from None


def resolved(path: Path) -> Path:
    """``path`` with its links and ``..`` followed: two names of one file compare equal."""
    return Path(os.path.realpath(path))


def _check_writable(path: Path, option: str) -> None:
    """The nearest existing folder at or above ``path`` must be a folder this user can create files in."""
    existing = Path(os.path.abspath(path))
    while not _exists(existing, option):
        if existing.is_symlink():           # a link to nowhere (or a loop of links): nothing can be made there
            raise OptionError(option, "", f"{path}: {existing} is a symbolic link to {os.readlink(existing)}, "
                              "which does not exist or loops; give a real folder, or fix the link")
        existing = existing.parent
    if not existing.is_dir():
        raise OptionError(option, "", f"{path}: {existing} is a file, so no folder can be made under it; "
                          "give a path in a folder")
    probe = temp_name(existing / "probe")
    try:
        # a real write, not os.access: it sees read-only file systems, and root ignores permission bits
        probe.open("xb").close()
        probe.unlink()
    except OSError as exc:
        raise OptionError(option, "", f"cannot write in {existing} ({exc.strerror}); choose a folder you may "
                          "write to") from None


# ---- what each command wrote ------------------------------------------------------------------------------------

@dataclass
class Tidied:
    """What ``record`` did with the previous run's files that this run did not write again."""
    removed: list[Path]         # removed (with the temporary files of killed runs)
    kept: list[Path]            # kept: changed since the tool wrote them, so someone's work now


def record(folder: Path, command: str, written: Iterable[Path]) -> Tidied:
    """Note that ``command`` wrote ``written`` into ``folder`` and remove what its previous run wrote there
    that this run did not (empty subfolders left by that go too).

    Only files listed in the manifest under the same command, still holding what it wrote, are ever removed,
    and the temporary files killed runs of this tool left in the folders written.
    """
    folder = Path(folder)
    root = resolved(folder)
    manifest, digests = _read_manifest(folder), _read_manifest(folder, "fingerprints")
    now = sorted({rel for rel in (_relative(root, p) for p in written) if rel is not None})
    removed, kept = [], []
    for rel, target, recorded in _recorded(folder, command):
        try:
            if rel in now or not target.is_file() or files.is_special(target):
                continue                    # written again, or already gone
            if recorded != fingerprint(target):
                kept.append(target)         # not what the tool wrote: edited since, or never written by it
                continue
            target.unlink()
        except OSError:
            continue                        # a name no file can have (too long): not the tool's
        removed.append(target)
        for parent in target.parents:
            if resolved(parent) == root:
                break
            remove_if_empty(parent)
    manifest[command] = now
    digests[command] = {rel: fingerprint(folder / rel) for rel in now}
    body = {"about": "files hotline-sim wrote here, by command; a rerun removes what it wrote before and no "
                     "longer writes, if it still holds what was written (its fingerprint: the SHA-1 of its content, "
                     "or beyond 16 MiB of its size, time of writing and ends), and never another file",
            "version": MANIFEST_VERSION, "written": manifest, "fingerprints": digests}
    write_text(folder / MANIFEST, json.dumps(body, indent=1, sort_keys=True) + "\n")
    for place in sorted({folder} | {(folder / rel).parent for rel in now}):
        removed += remove_leftovers(place)
    return Tidied(removed, kept)


def changed_since_written(folder: Path, command: str) -> list[Path]:
    """The files ``command`` last wrote in ``folder`` (by its manifest) that no longer hold what it wrote:
    edited, or copied in from another run.  Files it wrote before digests were kept are not judged."""
    changed = []
    for _, path, recorded in _recorded(Path(folder), command):
        try:
            if recorded is not None and (path.exists() or path.is_symlink()) and fingerprint(path) != recorded:
                changed.append(path)
        except OSError:
            continue                        # a name no file can have (too long): not the tool's
    return changed


def manifest_unreadable(folder: Path) -> bool:
    """Is the folder's manifest there but unreadable (edited, damaged, foreign)?  Edits to the files it lists
    then go unseen (``changed_since_written`` finds none), which the user should be told."""
    path = Path(folder) / MANIFEST
    return (path.exists() or path.is_symlink()) and not _read_manifest(Path(folder))


def _recorded(folder: Path, command: str):
    """(name in the folder, path, fingerprint when written or None) of each file the folder's manifest lists
    under ``command``; names that lead outside the folder, or that no file can have, are left out."""
    root = resolved(folder)
    digests = _read_manifest(folder, "fingerprints").get(command, {})
    for rel in _read_manifest(folder).get(command, []):
        try:
            inside = _relative(root, folder / rel) == rel
        except (OSError, ValueError):       # a zero byte in it
            inside = False
        if inside:
            yield rel, folder / rel, digests.get(rel)


def _relative(root: Path, path: Path) -> str | None:
    """``path`` relative to ``root`` (POSIX separators), or None if it is not inside it."""
    full = Path(os.path.realpath(Path(path).parent)) / Path(path).name
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return None


def fingerprint(path: Path) -> str | None:
    """What identifies a file this tool wrote: the SHA-1 of its content, or for a file over
    ``WHOLE_FINGERPRINT_BYTES`` (a long trace), of its size, its time of writing and its first and last
    ``FINGERPRINT_BYTES`` (an edit changes the time; reading a whole trace at every rerun would not pay).  None
    for what the tool never writes (a link, a pipe, a folder) or cannot read; reading is bounded, so a link to
    /proc or to a huge file costs nothing."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        digest = hashlib.sha1()
        with open(path, "rb") as handle:
            whole = handle.read(WHOLE_FINGERPRINT_BYTES + 1)
            if len(whole) <= WHOLE_FINGERPRINT_BYTES:
                digest.update(whole)
            else:
                digest.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
                digest.update(whole[:FINGERPRINT_BYTES])
                handle.seek(max(0, info.st_size - FINGERPRINT_BYTES))
                digest.update(handle.read(FINGERPRINT_BYTES))
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _read_manifest(folder: Path, part: str = "written") -> dict:
    """The manifest's lists of files by command (``part="fingerprints"``: theirs by command and file); an
    unreadable or foreign manifest counts as empty (nothing is removed)."""
    path = folder / MANIFEST
    try:
        # only a plain file of a manifest's size is read: a pipe would wait forever, /dev/zero never ends
        if files.is_special(path) or path.stat().st_size > MANIFEST_BYTES:
            return {}
        body = json.loads(path.read_text(encoding="utf-8"))
        entries = body[part]
        if body.get("version") != MANIFEST_VERSION or not isinstance(entries, dict):
            return {}
        values = [v if part == "written" else list(v.values()) for v in entries.values()
                  if isinstance(v, list if part == "written" else dict)]
        if len(values) == len(entries) and all(isinstance(x, str) for v in values for x in v):
            return dict(entries)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        pass
    return {}


def default_dir(name: str, prefix: str = "") -> Path:
    """results/<prefix><scenario name>, with the name made safe for a folder."""
    # dots only inside a name: "." and ".." would be results/ itself or the folder above it
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-.") or "scenario"
    return Path("results") / f"{prefix}{short_name(safe)}"


def short_name(safe: str, most_bytes: int = 120) -> str:
    """``safe`` as it is, or cut with a digest of the whole when it is longer than a file name may be
    (255 bytes, less room for prefixes and the temporary names of atomic writes)."""
    if len(safe.encode("utf-8")) <= most_bytes:
        return safe
    import hashlib
    head = safe.encode("utf-8")[:most_bytes - 9].decode("utf-8", "ignore")
    return f"{head}-{hashlib.sha256(safe.encode('utf-8')).hexdigest()[:8]}"

