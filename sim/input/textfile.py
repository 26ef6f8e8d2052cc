"""Reading the text files users give us, whatever tool saved them.

Spreadsheet programs save CSV with a byte-order mark, some as UTF-16; people
hand over gzip archives, binary files and Latin-1 exports.  Every reader of a
user's file goes through here, so each of those gets one clear line naming
the file and what to do, or simply works (a UTF-8 byte-order mark; gzip where
the reader accepts it).
"""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from pathlib import Path
from typing import IO

from sim import files
from sim.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096


def _kind(head: bytes) -> str | None:
    """What the first bytes say the file is, when it is not plain UTF-8 text."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):     # before UTF-16: FF FE starts both
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "spreadsheet"
    if b"\x00" in head:
        # UTF-16 without a byte-order mark has a zero byte beside each ASCII character, and that character is
        # not zero: a file of zeros (a disk image, `truncate -s`) is no text at all
        odd, even = head[1::2].count(0), head[0::2].count(0)
        quarter, eighth = len(head) // 4, len(head) // 8
        return "utf-16" if (odd > quarter and even < eighth) or (even > quarter and odd < eighth) else "binary"
    return None


_ADVICE = {
    "utf-16": "it is UTF-16 text; save it as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: encoding UTF-8)",
    "utf-32": "it is UTF-32 text; save it as UTF-8 (in an editor: encoding UTF-8)",
    "spreadsheet": "it is a spreadsheet or archive, not text; export it as CSV (UTF-8) or plain text",
    "binary": "it is not a text file (it holds zero bytes); give the text file itself",
    "gzip": "it is a gzip archive; unpack it first (gunzip FILE) or give a file that is plain text",
}


def open_text(path: str | Path, error=InputError, allow_gzip: bool = False) -> IO[str]:
    """The file opened for reading as UTF-8 text (a byte-order mark is skipped).

    With ``allow_gzip`` a gzip file (by its first bytes, whatever its name) is
    read through gzip.  Other non-text files raise ``error`` naming the file.
    Lines that turn out not to be UTF-8 raise ``UnicodeDecodeError`` while
    reading; ``decode_problem`` turns that into a message.
    """
    path = Path(path)
    if files.is_special(path):
        # reading a pipe waits for a writer that may never come; a device may never end
        raise error(str(path), "", "is not a file but a pipe, socket or device; save what it holds to a file and "
                    "give that")
    try:
        raw = path.open("rb")
    except IsADirectoryError:
        raise error(str(path), "", "is a folder, not a file; give the file(s) inside it") from None
    except OSError as exc:
        raise error(str(path), "", f"cannot read the file: {exc.strerror}") from None
    head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(raw, "peek") else b""
    kind = _kind(head)
    if kind == "gzip" and allow_gzip:
        raw.close()
        stream = gzip.open(path, "rb")        # owns its file: closing the text closes it
        try:
            inner = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        except (OSError, EOFError, zlib.error) as exc:
            stream.close()
            raise error(str(path), "", f"is a damaged gzip archive ({exc}); unpack it again or copy it whole") from None
        inner_kind = _kind(inner)
        if inner_kind is not None:
            stream.close()
            raise error(str(path), "", f"inside the gzip archive: {_ADVICE[inner_kind]}")
        return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    if kind is not None:
        raw.close()
        raise error(str(path), "", _ADVICE[kind])
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def decode_problem(exc: UnicodeDecodeError, line: int | None = None) -> str:
    """A message for bytes that are not UTF-8, naming the line when known."""
    where = f" on line {line}" if line is not None else ""
    return (f"is not UTF-8 text: byte 0x{exc.object[exc.start]:02x}{where} (probably Latin-1, GBK or a "
            "Windows code page); save the file as UTF-8")


def read_text(path: str | Path, error=InputError, allow_gzip: bool = False, max_bytes: int | None = None,
              what: str = "such a file") -> str:
    """The whole file as UTF-8 text, or ``error`` with one line on what it is and what to do.  ``max_bytes``:
    a larger file (unpacked) is refused before it fills the memory, as more than ``what`` ever holds."""
    path = Path(path)
    with open_text(path, error, allow_gzip) as handle:
        try:
            data = handle.buffer.read(-1 if max_bytes is None else max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise error(str(path), "", f"cannot be read whole ({exc}); copy it again") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise error(str(path), "", f"holds more than {max_bytes / 1e6:g} MB, more than {what} ever holds: is it "
                    "the right file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(str(path), "", decode_problem(exc, data[:exc.start].count(b"\n") + 1)) from None
