"""Local worker processes never outlive the run that started them, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GONE_WITHIN_SECONDS = 5


def alive_in_session(session: int) -> list[int]:
    """Processes of a session that are still running (zombies waiting to be reaped do not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def wait_until_gone(session: int) -> list[int]:
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while alive_in_session(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive_in_session(session)


def test_sigkill_of_the_parent_leaves_no_orphan_workers(tmp_path):
    week = (ROOT / "scenarios" / "erlang-a-check.yaml").read_text()
    (tmp_path / "week.yaml").write_text(week)
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "simulate", "week.yaml", "-r", "40", "--workers", "2",
                             "--out", "run"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(alive_in_session(proc.pid)) < 3 and time.monotonic() < deadline:   # the run and two workers
            time.sleep(0.05)
        assert len(alive_in_session(proc.pid)) >= 3
        os.kill(proc.pid, signal.SIGKILL)                   # the parent alone: no chance to clean up
        proc.wait()
        assert wait_until_gone(proc.pid) == []
    finally:
        for pid in alive_in_session(proc.pid):
            os.kill(pid, signal.SIGKILL)
    assert not (tmp_path / "run").exists()


WATCHED = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import os, time; from sim.run.executors import _watch; parent = os.getppid(); "
    "import threading; threading.Thread(target=_watch, args=(parent,), daemon=True).start(); time.sleep(600)"])
print(child.pid, flush=True)
time.sleep(600)
"""


def test_the_watchdog_ends_a_worker_whose_parent_died():
    """Where PR_SET_PDEATHSIG does not exist, the watchdog thread alone must notice."""
    middle = subprocess.Popen([sys.executable, "-c", WATCHED], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        worker = int(middle.stdout.readline())
        time.sleep(0.5)
        assert worker in alive_in_session(middle.pid)
        os.kill(middle.pid, signal.SIGKILL)
        middle.wait()
        assert wait_until_gone(middle.pid) == []
    finally:
        for pid in alive_in_session(middle.pid):
            os.kill(pid, signal.SIGKILL)


def test_stopping_the_workers_returns_even_if_one_was_stopped_halfway_through_sending_a_result():
    """Ctrl-C hung about one run in eight: a worker terminated while sending its result left half a message in
    the result pipe, and the executor's thread waited for the rest for ever.  Half a message, put there by hand."""
    import struct
    import threading

    from sim.run.executors import Runner

    runner = Runner(workers=2)
    tasks = runner.map([(30,), (30,)], function=time.sleep)

    def consume():
        try:
            next(tasks, None)
        except Exception:       # noqa: BLE001 - the aborted pool fails its futures; that is expected here
            pass
    threading.Thread(target=consume, daemon=True).start()
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while (runner._pool is None or len(runner._pool._processes) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner._pool is not None and len(runner._pool._processes) == 2
    declared, sent = 1000, 10
    os.write(runner._pool._result_queue._writer.fileno(), struct.pack("!i", declared) + b"x" * sent)
    closing = threading.Thread(target=runner.close, kwargs={"abort": True}, daemon=True)
    closing.start()
    closing.join(4 * GONE_WITHIN_SECONDS)
    assert not closing.is_alive(), "Runner.close(abort=True) hangs on a half-sent result"
