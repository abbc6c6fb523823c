"""Reading text sources: plain or gzip files, and members of zip and tar archives."""

from __future__ import annotations

import gzip
import os
from pathlib import Path


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a file, gunzipped when it ends in ``.gz`` (UTF-8, CRLF kept)."""
    path = Path(path)
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return decode(data, path)


def decode(data: bytes, path: str | os.PathLike[str]) -> str:
    """Bytes to text; a non-UTF-8 file is a one-line error naming it."""
    from gnnlift.data.errors import DataFormatError

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(path, "not UTF-8 text", line) from None
