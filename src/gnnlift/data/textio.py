"""Reading text sources: plain or gzip files, and members of zip and tar archives."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

from gnnlift.data.errors import DataFormatError

GZIP_MAGIC = b"\x1f\x8b"


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a file, gunzipped when it ends in ``.gz`` (UTF-8, BOM dropped, CRLF kept)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, f"cannot read ({exc.strerror or exc})") from None
    if path.suffix == ".gz":
        data = gunzip(data, path)
    return decode(data, path)


def gunzip(data: bytes, path: str | os.PathLike[str]) -> bytes:
    """Decompressed gzip bytes; a truncated or damaged stream is a one-line error naming the file."""
    if not data.startswith(GZIP_MAGIC):
        raise DataFormatError(path, "not a gzip file (it does not start with the gzip magic bytes)")
    try:
        return gzip.decompress(data)
    except EOFError:
        raise DataFormatError(path, "truncated gzip file (the compressed stream ends early)") from None
    except (OSError, zlib.error) as exc:
        reason = one_line(exc)
        if reason.startswith("CRC check failed"):
            reason = "CRC check failed"  # Python before 3.11 appends the two values
        raise DataFormatError(path, f"damaged gzip file ({reason})") from None


def decode(data: bytes, path: str | os.PathLike[str]) -> str:
    """Bytes to text (a leading UTF-8 BOM is dropped); a non-UTF-8 file is a one-line error naming it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(path, "not UTF-8 text", line) from None


def one_line(exc: BaseException) -> str:
    """An exception's message with its line breaks folded into spaces."""
    return " ".join(str(exc).split()) or type(exc).__name__
