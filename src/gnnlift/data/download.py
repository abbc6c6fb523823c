"""Get a dataset file: from the offline mirror when one is given, else from its URL.

Every file is hashed while it is written to a temporary file beside its destination and only
renamed into place when the sha256 matches, so a failed or interrupted fetch leaves nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from urllib.parse import urlparse

from gnnlift.atomic import atomic_path
from gnnlift.data.errors import DataError
from gnnlift.data.registry import RemoteFile
from gnnlift.data.textio import one_line

CHUNK = 1 << 20


class ChecksumError(DataError):
    """The bytes obtained do not hash to the registry's sha256."""


def find_in_mirror(mirror: str | os.PathLike[str], url: str) -> Path:
    """The mirror file for ``url``: its basename, or basename + ``.gz``, anywhere in ``mirror``.

    When several files carry that name, the one whose folders match the URL's trailing
    path segments best wins (``kbs/kinships/examples`` -> ``.../kinships/examples``).
    """
    mirror = Path(mirror)
    if not mirror.is_dir():
        raise DataError(f"mirror folder {mirror} does not exist")
    segments = [s for s in urlparse(url).path.split("/") if s]
    base = segments[-1]
    candidates = [p for name in (base, base + ".gz") for p in mirror.rglob(name) if p.is_file()]
    if not candidates:
        raise DataError(f"{url}: neither {base} nor {base}.gz is in the mirror {mirror}")

    def shared_suffix(p: Path) -> int:
        parts = p.relative_to(mirror).parts[:-1]
        n = 0
        while n < min(len(parts), len(segments) - 1) and parts[-1 - n] == segments[-2 - n]:
            n += 1
        return n

    scores = sorted(((shared_suffix(p), p.name == base, p) for p in candidates), reverse=True)
    if len(scores) > 1 and scores[0][:2] == scores[1][:2]:
        names = ", ".join(str(s[2]) for s in scores[:2])
        raise DataError(f"{url}: the mirror {mirror} holds several matching files ({names})")
    return scores[0][2]


def fetch(
    remote: RemoteFile, dest: str | os.PathLike[str], mirror: str | os.PathLike[str] | None = None, dataset: str = ""
) -> Path:
    """Put the bytes behind ``remote.url`` at ``dest``, verified against ``remote.sha256``."""
    dest = Path(dest)
    label = f"dataset {dataset!r}: " if dataset else ""
    if mirror:
        try:
            source = find_in_mirror(mirror, remote.url)
        except DataError as exc:
            raise DataError(f"{label}{exc}; copy the file there, or run without a mirror to download it") from None
        gunzip = source.name == remote.filename + ".gz"
        opener = (lambda: gzip.open(source, "rb")) if gunzip else (lambda: open(source, "rb"))
        where = str(source)
    else:
        opener = lambda: urllib.request.urlopen(remote.url, timeout=60)  # noqa: E731
        where = remote.url

    with atomic_path(dest) as tmp:
        digest = hashlib.sha256()
        try:
            with opener() as src, open(tmp, "wb") as out:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, urllib.error.URLError, EOFError, zlib.error) as exc:
            hint = "" if mirror else "; offline, give a mirror folder (--mirror, config mirror=, or GNNLIFT_MIRROR)"
            raise DataError(f"{label}cannot read {where} ({one_line(exc)}){hint}") from None
        if digest.hexdigest() != remote.sha256:
            raise ChecksumError(
                f"{label}sha256 mismatch for {remote.url} (read from {where}): expected {remote.sha256}, "
                f"got {digest.hexdigest()}; the file is corrupt or changed upstream: fetch it again, "
                "or update config/datasets.yaml if the change is intended"
            )
    return dest


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["ChecksumError", "fetch", "find_in_mirror", "sha256_of"]
