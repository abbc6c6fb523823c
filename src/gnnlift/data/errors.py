"""Errors of the data layer; each renders as one line that names the file (and line)."""

from __future__ import annotations

import os


class DataError(Exception):
    """A dataset could not be obtained or read; the message is one line for the user."""


class DataFormatError(DataError):
    """A data file is malformed: ``<file>:<line>: <what is wrong>``."""

    def __init__(self, path: str | os.PathLike[str], message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.reason = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")
