"""How every bad input must end: exit code 2, one line on stderr, no traceback, nothing lost.

Used by the corpora of bad inputs (``test_bad_*.py``).  The command runs as a
real process, as a user runs it, with a time limit so that a hang fails the
test instead of stalling the suite.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

TIME_LIMIT_SECONDS = 60


def snapshot(folder: Path | None) -> dict[str, str]:
    """Digest of every file under ``folder``: what must still be there, unchanged, after a refusal."""
    if folder is None or not Path(folder).exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def run_hotline(*args, cwd: Path | None = None, env: dict | None = None,
                timeout: float = TIME_LIMIT_SECONDS) -> subprocess.CompletedProcess:
    """``hotline ARGS`` as a separate process (the installed package's entry point)."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=timeout)


def assert_refused(proc: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2, exactly one line on stderr starting with 'error:', containing ``words``; returns it."""
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def run_here(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``hotline ARGS`` in this process (Click's test runner, in ``cwd``): the same checks, without the start-up."""
    from click.testing import CliRunner

    from sim.cli import main
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = CliRunner().invoke(main, list(map(str, args)))
    finally:
        os.chdir(old)
    if not isinstance(result.exception, (SystemExit, type(None))):
        import traceback
        trace = "".join(traceback.format_exception(result.exception))
        return subprocess.CompletedProcess(args, 1, result.stdout, result.stderr + trace)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def refuse_and_keep(args, folder: Path | None, *words: str, cwd: Path | None = None, env=None,
                    in_process: bool = False) -> str:
    """Run ``hotline ARGS`` (in this process with ``in_process``); it must refuse (see assert_refused) and leave
    ``folder`` as it was."""
    before = snapshot(folder)
    proc = run_here(*args, cwd=cwd) if in_process else run_hotline(*args, cwd=cwd, env=env)
    line = assert_refused(proc, *words)
    after = snapshot(folder)
    lost = {k for k in before if after.get(k) != before[k]}
    assert not lost, f"changed or lost by a refused command: {sorted(lost)}"
    return line


def log_rows(days: int = 3, per_day: int = 80, first=None, line: str = "12345") -> list[str]:
    """A clean generic log's rows: ``per_day`` calls a day from 08:00, one in five abandoned."""
    from datetime import datetime, timedelta
    first = first or datetime(2024, 1, 1, 8)
    out = []
    for d in range(days):
        for i in range(per_day):
            t = first + timedelta(days=d, seconds=400 * i)
            n = d * per_day + i
            if n % 5 == 4:
                out.append(f"{t:%Y-%m-%d %H:%M:%S},{line},abandoned,{30 + n % 50},,,{n % 41}")
            else:
                out.append(f"{t:%Y-%m-%d %H:%M:%S},{line},answered,{n % 25},{60 + (n * 37) % 400},A{n % 4},{n % 41}")
    return out
