"""Fetching: mirror lookup, gunzip, URL fetch, checksum, atomic output."""

import gzip
import hashlib

import pytest

from gnnlift.data import DataError
from gnnlift.data.download import ChecksumError, fetch, find_in_mirror
from gnnlift.data.registry import RemoteFile

PAYLOAD = b"+ car(1), c3(2), 1_bond(1, 2), 1_bond(2, 1)\n"
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def test_mirror_gz_is_decompressed_and_verified(tmp_path):
    mirror = tmp_path / "mirror" / "nci"
    mirror.mkdir(parents=True)
    (mirror / "set.txt.gz").write_bytes(gzip.compress(PAYLOAD))
    dest = tmp_path / "out" / "set.txt"
    fetch(RemoteFile("https://example.org/data/set.txt", SHA), dest, mirror=tmp_path / "mirror")
    assert dest.read_bytes() == PAYLOAD


def test_mirror_picks_the_file_whose_folders_match_the_url(tmp_path):
    for kb in ("kinships", "nations"):
        (tmp_path / "kbs" / kb).mkdir(parents=True)
        (tmp_path / "kbs" / kb / "examples").write_text(kb)
    found = find_in_mirror(tmp_path, "https://example.org/datasets/kbs/nations/examples")
    assert found == tmp_path / "kbs" / "nations" / "examples"


def test_url_fetch(tmp_path):
    source = tmp_path / "remote.txt"
    source.write_bytes(PAYLOAD)
    dest = tmp_path / "local.txt"
    fetch(RemoteFile(source.as_uri(), SHA), dest)
    assert dest.read_bytes() == PAYLOAD


def test_wrong_sha256_leaves_nothing(tmp_path):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "set.txt").write_bytes(PAYLOAD + b"tampered")
    dest = tmp_path / "out" / "set.txt"
    with pytest.raises(ChecksumError) as err:
        fetch(RemoteFile("https://example.org/set.txt", SHA), dest, mirror=tmp_path / "mirror", dataset="toy")
    message = str(err.value)
    assert "dataset 'toy'" in message and "https://example.org/set.txt" in message and "\n" not in message
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_mirror_file_names_dataset_url_and_remedy(tmp_path):
    (tmp_path / "mirror").mkdir()
    with pytest.raises(DataError) as err:
        fetch(RemoteFile("https://example.org/set.txt", SHA), tmp_path / "x", mirror=tmp_path / "mirror", dataset="toy")
    message = str(err.value)
    assert "dataset 'toy'" in message and "https://example.org/set.txt" in message
    assert "copy the file there" in message
    assert not (tmp_path / "x").exists()


def test_unreachable_url_suggests_the_mirror(tmp_path):
    with pytest.raises(DataError, match="give a mirror folder"):
        fetch(RemoteFile((tmp_path / "absent.txt").as_uri(), SHA), tmp_path / "x", dataset="toy")
    assert not (tmp_path / "x").exists()
