"""Every registered file is in the mirror, verifies, and parses to the documented counts."""

import subprocess
import sys

import pytest

from gnnlift.data.download import fetch
from gnnlift.data.load import load_dataset, prepare
from gnnlift.data.registry import registry


def test_registry_covers_the_mirror():
    entries = registry()
    kinds = [e.kind for e in entries.values()]
    assert sum(len(e.files) for e in entries.values()) == 82
    assert kinds.count("nci_gi50") == 70
    assert {
        "mutag",
        "ptc_mr",
        "nci1",
        "kinships",
        "nations",
        "umls",
        "kinships_conve",
        "nations_conve",
        "umls_conve",
    } <= set(entries)


def test_every_mirror_file_verifies_and_parses(mirror, tmp_path):
    """All 82 files: fetched from the mirror (sha256 checked), parsed, counted."""
    totals = {"molecules": 0}
    for entry in registry().values():
        files = [fetch(r, tmp_path / entry.name / r.filename, mirror=mirror, dataset=entry.name) for r in entry.files]
        _, stats = prepare(entry.name, files=files, out=tmp_path / f"{entry.name}.npz")
        if entry.kind == "nci_gi50":
            totals["molecules"] += stats["graphs"]
        totals[entry.name] = stats
    assert totals["molecules"] == 213_612
    assert totals["nci_gi50_786_0"]["graphs"] == 3504
    assert (totals["mutag"]["graphs"], totals["ptc_mr"]["graphs"], totals["nci1"]["graphs"]) == (188, 344, 4110)
    kin = totals["kinships"]
    assert (kin["facts"], kin["positive_queries"], kin["negative_queries"]) == (10_686, 10_686, 10_243)
    assert (totals["umls"]["positive_queries"], totals["umls"]["negative_queries"]) == (6_529, 6_998)
    assert (totals["nations"]["positive_queries"], totals["nations"]["negative_queries"]) == (2_565, 2_782)
    assert (totals["nations_conve"]["entities"], totals["nations_conve"]["relations"]) == (14, 55)
    assert (totals["umls_conve"]["entities"], totals["kinships_conve"]["relations"]) == (135, 25)


def test_cli_reports_786_0(mirror, resources):
    out = subprocess.run(
        [sys.executable, "-m", "gnnlift", "datasets", "nci_gi50_786_0", "--mirror", str(mirror)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "graphs: 3504" in out
    # the files it fetched stay, so a second look needs no mirror
    assert load_dataset("nci_gi50_786_0", download=False).num_graphs == 3504


def test_cli_error_is_one_line(resources):
    result = subprocess.run(
        [sys.executable, "-m", "gnnlift", "datasets", "no_such_set"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "unknown dataset 'no_such_set'" in result.stderr


def test_cli_lists_registry(resources):
    out = subprocess.run(
        [sys.executable, "-m", "gnnlift", "datasets"], capture_output=True, text=True, check=True
    ).stdout
    assert "79 datasets, 82 files" in out


@pytest.mark.parametrize("name", ["mutag", "nations_conve"])
def test_prepared_cache_loads_by_name(mirror, resources, name):
    prepare(name, mirror=mirror)
    assert load_dataset(name).stats()["name"] == name
