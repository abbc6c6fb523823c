"""The project's own files: its license as pyproject states it, and how to cite the paper."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_the_license_file_is_the_one_pyproject_names():
    declared = re.search(r'^license = \{ text = "([^"]+)" \}$', (REPO / "pyproject.toml").read_text(), re.M)
    assert declared and declared.group(1) == "MIT"
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")


def test_the_paper_can_be_cited_from_the_readme_and_citation_cff():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    paper = citation["preferred-citation"]
    assert paper["title"] == "Lossless Compression of Structured Convolutional Models via Lifting"
    assert [a["family-names"] for a in paper["authors"]] == ["Sourek", "Zelezny", "Kuzelka"]
    assert paper["year"] == 2021 and citation["license"] == "MIT"
    readme = (REPO / "README.md").read_text()
    assert paper["url"] in readme and "@inproceedings{sourek2021lossless," in readme
