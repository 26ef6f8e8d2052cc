"""Files written whole: a unique temporary name in the same folder, then a rename.

``atomic`` (and ``write_text``, ``copy_file``, ``save_figure``): every file the
tool writes is made under a unique temporary name in its own folder, then
renamed, so a reader sees the old file or the new one, never half of one.
Temporary names carry the writer's process id, so ``remove_leftovers`` can tell
what a killed run left behind from what a live one is writing.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

# ".<name>.<pid>.<8 hex>.tmp": unique per writer, and the pid tells a live writer from a killed one
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<tag>[0-9a-f]{8})\.tmp$")
_TAG_BYTES = 4


def temp_name(path: Path) -> Path:
    """A fresh temporary name beside ``path`` (same folder, so a rename makes it appear at once)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(_TAG_BYTES).hex()}.tmp")


def is_special(path: Path) -> bool:
    """Is ``path`` (followed through links) a pipe, socket or device: neither a file nor a folder?  Reading one
    may wait forever or never end, and renaming a file over one would replace, say, /dev/null itself."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def first_repeat(paths) -> tuple[Path, Path] | None:
    """The first of ``paths`` that names the same file or folder as an earlier one (links and ``..`` followed),
    with that earlier one; None when each is given once."""
    seen: dict[str, Path] = {}
    for path in paths:
        same = seen.setdefault(os.path.realpath(path), path)
        if same is not path:
            return path, same
    return None


# (temporary file, final path) of the files written inside ``together``: renamed when the block succeeds
_together: list[tuple[Path, Path]] | None = None
_staged: list[Path] = []       # staging folders whose files ``together`` renames: removed after it


@contextmanager
def together() -> Iterator[None]:
    """The files written inside the block (through ``atomic``) replace the old ones only once all are written.

    A command's results are one set: if the run stops half way (a full disk, a folder where a file goes), the
    folder keeps the previous run's files, all of them, not a mix of both runs.  Every target is checked before
    the first rename, so the renames themselves do not stop half way.  A block inside another joins it.
    """
    global _together
    if _together is not None:
        yield
        return
    _together = batch = []
    try:
        yield
        for _, path in batch:
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "is a folder where a result file goes", str(path))
        for tmp, path in batch:
            os.replace(tmp, path)
    finally:
        _together = None
        for tmp, _ in batch:
            tmp.unlink(missing_ok=True)         # after the renames, nothing is left to remove
        while _staged:
            shutil.rmtree(_staged.pop(), ignore_errors=True)


@contextmanager
def atomic(path: Path, binary: bool = False, newline: str | None = None) -> Iterator[IO]:
    """Open ``path`` for writing through a temporary file that replaces it only when the block succeeds.

    On any error (or Ctrl-C) the temporary file is removed and ``path`` keeps
    its previous content.  Text is UTF-8.
    """
    path = Path(path)
    if is_special(path):
        raise OSError(errno.EINVAL, "is a pipe, socket or device, which a written file would replace", str(path))
    tmp = temp_name(path)
    try:
        if binary:
            handle = open(tmp, "xb")
        else:
            handle = open(tmp, "x", encoding="utf-8", newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())      # the rename must not expose a file whose data is not on disk
        if _together is not None:
            _together.append((tmp, path))
        else:
            os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None and exc.errno is not None:     # a write or fsync (a full disk): name the file
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic(path) as handle:
        handle.write(text)
    return Path(path)


def copy_file(source: Path, path: Path) -> Path:
    """Copy ``source`` byte for byte to ``path`` atomically; returns the path."""
    with open(source, "rb") as src, atomic(path, binary=True) as handle:
        shutil.copyfileobj(src, handle)
    return Path(path)


def save_figure(fig, path: Path) -> Path:
    """Save a matplotlib figure atomically (format from the suffix) and close it; returns the path."""
    import matplotlib.pyplot as plt

    try:
        with atomic(path, binary=True) as handle:
            fig.savefig(handle, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)
    return Path(path)


def is_leftover(path: Path) -> bool:
    """Whether ``path`` is a temporary file (or folder) of this tool whose writer is no longer running."""
    match = _TEMP.match(Path(path).name)
    return match is not None and not _alive(int(match["pid"]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:             # someone else's live process
        return True
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files and folders that killed runs left directly in ``folder``; returns them."""
    removed = []
    if not Path(folder).is_dir():
        return removed
    for entry in sorted(Path(folder).iterdir()):
        if is_leftover(entry):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


@contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A temporary folder inside ``folder`` for files written piece by piece during a run.

    When the block succeeds, each file moves into ``folder`` by a rename (so it
    appears whole), or inside ``together`` with the command's other results;
    on failure they are dropped, and ``folder`` too if this created it and it
    is left empty.
    """
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(folder / "staging")
    tmp.mkdir()
    deferred = False
    try:
        yield tmp
        if _together is not None:
            _together.extend((entry, folder / entry.name) for entry in sorted(tmp.iterdir()))
            _staged.append(tmp)
            deferred = True
        else:
            for entry in sorted(tmp.iterdir()):
                os.replace(entry, folder / entry.name)
    except BaseException:
        if created:
            shutil.rmtree(tmp, ignore_errors=True)
            remove_if_empty(folder)
        raise
    finally:
        if not deferred:
            shutil.rmtree(tmp, ignore_errors=True)


def remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
