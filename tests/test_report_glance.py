"""The report at a glance, on small fabricated tables: findings first, readable cells, provenance, same bytes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docutils.core import publish_parts

from gnnlift.report import breakeven, collect, findings, fmt, markdown, plots, provenance

REPO = Path(__file__).resolve().parents[1]
PAPER_FILE = REPO / "config" / "paper.yaml"
PAPER = yaml.safe_load(PAPER_FILE.read_text())
BATCH = {"paper": 1, "batched": 128, "fullbatch": None}
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def metrics(root: Path, experiment: str, model: str, dataset: str, variant: str, protocol: str, **kw) -> Path:
    """One metrics.json as the run app writes it, with environment, clock, loss curve and one-off costs."""
    fold, seed, seconds = kw.get("fold", 0), kw.get("seed", 0), kw["seconds"]
    ours = variant.split("-")[0] in ("plain", "lifted")
    graph = {"neurons": 1000, "edges": 3000, "executed": {"neurons": kw["size"][0], "edges": kw["size"][1]}}
    start = kw.get("start", 0)
    m = {
        "model": model,
        "dataset": dataset,
        "seed": seed,
        "fold": fold,
        "samples": {"train": 90, "test": 10},
        "epochs": 3,
        "timed_epochs": 2,
        "epoch_seconds": [seconds * 1.5, seconds, seconds],
        "epoch_seconds_median": seconds,
        "epoch_seconds_mean": seconds,
        "loss_curve": kw.get("loss", [0.7, 0.6, 0.5]),
        "one_off_seconds": {"load": 0.1, "prepare_samples": kw.get("one_off", 1.0), "lift": None},
        "evaluation": {"test": {"accuracy": kw.get("accuracy", 0.8), "auc": 0.9}, "train": {"accuracy": 0.85}},
        "graph": graph if ours else {},
        "lifting": None,
        "environment": {
            "threads": 1,
            "dtype": "float64",
            "cpu": "Test CPU",
            "versions": {"python": "3.11.7", "torch": "2.13.0+cpu", "torch_geometric": "2.8.1", "dgl": "2.1.0"}
            | {"numpy": "2.4.6", "hydra-core": "1.3.8", "neuralogic": "0.9.2", "numba": "0.68.1"}
            | {"snakemake": "9.27.1", "java": "17.0.15", "gnnlift": "0.1.0"},
            "git": {"commit": kw.get("commit", COMMIT), "dirty": []},
        },
        "clock": {"started": f"2026-01-01T00:{start:02d}:00+00:00", "finished": f"2026-01-01T00:{start:02d}:30+00:00"},
        "config": {"protocol": {"batch_size": BATCH[protocol]}},
        "backend": ("native" if variant.endswith("-native") else "torch") if ours else None,
        "labels": {"experiment": experiment, "variant": variant, "protocol": protocol},
    }
    if variant.startswith("neuralogic"):
        neurons = {"uncompressed": {"total": 900}, "built": {"total": 300}}
        m["neuralogic"] = {"neurons": neurons, "lifting": variant == "neuralogic"}
    path = root / experiment / model / dataset / variant / protocol / f"fold{fold}" / f"seed{seed}" / "metrics.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(m))
    return path


TABLE1 = {  # variant: (seconds at batch 1, executed neurons and edges)
    "lifted-native": (0.2, (100, 200)),
    "plain-native": (0.6, (1000, 3000)),
    "pyg": (2.0, (0, 0)),
    "dgl": (8.0, (0, 0)),
    "neuralogic": (0.3, (0, 0)),
    "neuralogic-off": (0.9, (0, 0)),
}


def fabricate(root: Path, plain_native: float = 0.6, flip: bool = False, commits: tuple = (COMMIT,)) -> Path:
    """Tables of every experiment in ``root/tables`` (runs under ``root/runs``); returns the tables folder."""
    runs, tables = root / "runs", root / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    clock = iter(range(60))
    paths = []
    for protocol, scale in (("paper", 1.0), ("batched", 0.5)):
        for variant, (seconds, size) in TABLE1.items():
            seconds = plain_native if variant == "plain-native" else seconds
            commit = commits[len(paths) % len(commits)]
            paths.append(
                metrics(
                    runs,
                    "table1",
                    "gcn",
                    "mutag",
                    variant,
                    protocol,
                    seconds=seconds * scale,
                    size=size,
                    start=next(clock),
                    commit=commit,
                )  # fmt: skip
            )
    collect.runs_table(paths).to_csv(tables / "table1.csv", index=False)
    paths = []
    for fold in (0, 1):
        for variant, seconds, one_off in (
            ("lifted", 0.4, 1.5), ("plain", 0.5, 1.0), ("lifted-native", 0.1, 1.2), ("plain-native", 0.3, 1.0),
            ("neuralogic", 0.2, 2.0), ("neuralogic-off", 0.6, 1.0),
        ):  # fmt: skip
            accuracy = 0.7 if flip and variant == "lifted-native" and fold == 1 else 0.8
            size = (100, 200) if variant.startswith("lifted") else (1000, 3000)
            paths.append(
                metrics(
                    runs,
                    "lossless",
                    "gnn_embed",
                    "mutag",
                    variant,
                    "batched",
                    seconds=seconds,
                    size=size,
                    fold=fold,
                    one_off=one_off,
                    accuracy=accuracy,
                    start=next(clock),
                )  # fmt: skip
            )
    collect.runs_table(paths).to_csv(tables / "lossless.csv", index=False)
    rows = [
        {"model": m, "dataset": d, "lifting_scope": s, "ratio_neurons": r, "ratio_paper": r, "paper_raw": 39600.0,
         "paper_lifted": 39600.0 / r}
        for m, d, s, r in (
            ("gcn", "mutag", "sample", 1.9), ("gcn", "ptc_mr", "sample", 2.1), ("gcn", "mutag", "dataset", 30.0),
            ("gnn_embed", "nci_gi50_786_0", "sample", 9.0), ("gnn_embed", "mutag", "sample", 4.0),
        )
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tables / "compression.csv", index=False)
    return tables


def datasets_csv(root: Path) -> Path:
    path = root / "summary.csv"
    pd.DataFrame(
        [
            {"name": "mutag", "kind": "graphs", "graphs": 188, "nodes": 3371, "entities": None},
            {"name": "nations", "kind": "kb", "graphs": None, "nodes": None, "entities": 14, "triples": 39600},
        ]
    ).to_csv(path, index=False)
    return path


def render(root: Path, tables: Path) -> str:
    return markdown.write_report(tables, root / "figures", datasets_csv(root), PAPER_FILE, root / "report.md")


def summary_of(text: str) -> str:
    return text.split("## What this run found")[1].split("\n## ")[0]


def test_report_opens_with_findings_with_numbers_and_no_nan(tmp_path):
    text = render(tmp_path, fabricate(tmp_path))
    assert text.index("## What this run found") < text.index("## Table 1")
    head = summary_of(text)
    lossless = "- **Lossless**: with lifting on and off, our engine's training losses differ by at most 0 at any epoch"
    assert lossless in head
    assert "test accuracy is the same in 4 of 4 model × dataset × fold cells (2 torch, 2 native), 0 mismatches" in head
    assert "- **Lossless, NeuraLogic**: its compression on and off gave the same test accuracy in 2 of 2 cells" in head
    assert "gcn 2.0x at scope sample, 30x at scope dataset" in head  # medians over datasets
    assert "counted as NeuraLogic counts: 39,600 → 4,400 neurons, 9.0x (paper 9.3x; not counted" in head
    line = next(x for x in head.splitlines() if x.startswith("- **Table 1, the paper's engines** (batch 1"))
    assert "over NeuraLogic off 3.0x faster [3.0, 3.0] (paper 3.0x), over PyG 6.7x faster [6.7, 6.7] (paper 13x)" in (
        line
    )
    assert "**below the paper**: without compression NeuraLogic is 2.2x faster than PyG here, 4.3x faster in" in line
    assert "The paper timed nci_gi50_786_0." in line
    ours = next(x for x in head.splitlines() if x.startswith("- **Our engine, beyond the paper** (batch 1"))
    assert "over plain 3.0x faster [3.0, 3.0], over PyG 10x faster [10, 10], over DGL 40x faster [40, 40]" in ours
    assert "over NeuraLogic 1.5x faster [1.5, 1.5]; runs×timed epochs 1×2 / 1×2; not counted against" in ours
    assert "below the paper" not in ours
    assert any(x.startswith("- **Our engine, beyond the paper** (batch 128") for x in head.splitlines())
    assert "in 1 of 19 timed comparisons" in head and "lifted against neuralogic" in head
    assert text.startswith("# gnnlift: lossless in 4 of 4 cells; the paper's numbers met in 1 of 3 like-for-like")
    assert re.search(r"- \*\*Against the paper\*\*: \d+ of \d+ like-for-like comparisons", head)
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert not re.search(r"\d\.\d+e[+-]\d", text)  # no exponent notation such as 3.96e+04
    assert "39,600" in text  # counts with thousands separators


def test_provenance_block_names_commit_versions_cpu_and_overlap(tmp_path):
    text = render(tmp_path, fabricate(tmp_path))
    block = text.split("## Provenance")[1]
    assert f"- code: commit {COMMIT[:12]}, clean tree in every run" in block
    for part in ("Python 3.11.7", "torch 2.13.0+cpu", "PyG 2.8.1", "DGL 2.1.0", "numpy 2.4.6", "Hydra 1.3.8",
                 "Snakemake 9.27.1", "numba 0.68.1", "NeuraLogic 0.9.2", "Java 17.0.15", "CPU Test CPU"):  # fmt: skip
        assert part in block
    assert "no two of the 24 timed runs overlapped" in block
    mixed = render(tmp_path / "mixed", fabricate(tmp_path / "mixed", commits=(COMMIT, "f" * 40)))
    assert "- code: commit: **runs disagree**: 0123456789ab (" in mixed and "ffffffffffff (6 runs)" in mixed


def test_changing_one_value_in_a_table_changes_the_summary(tmp_path):
    before = summary_of(render(tmp_path / "a", fabricate(tmp_path / "a")))
    tables = fabricate(tmp_path / "b")
    table1 = pd.read_csv(tables / "table1.csv")
    table1.loc[(table1.variant == "plain-native") & (table1.protocol == "paper"), "epoch_seconds_median"] = 1.0
    table1.to_csv(tables / "table1.csv", index=False)
    after = summary_of(render(tmp_path / "b", tables))
    assert "over plain 3.0x faster" in before and "over plain 5.0x faster" in after
    lossless = pd.read_csv(tables / "lossless.csv")
    lossless.loc[(lossless.variant == "lifted-native") & (lossless.fold == 1), "test_accuracy"] = 0.7
    lossless.to_csv(tables / "lossless.csv", index=False)
    flipped = summary_of(render(tmp_path / "b", tables))
    assert "the same in 3 of 4 model × dataset × fold cells (2 torch, 2 native), 1 mismatches" in flipped
    assert "**Not lossless**: gnn_embed/mutag fold 1 (native): 0.700 vs 0.800" in flipped


def test_two_renders_of_the_same_tables_are_byte_identical(tmp_path):
    tables = fabricate(tmp_path)
    first = render(tmp_path, tables)
    for name in ("table1", "lossless", "compression"):  # rewritten, same content
        pd.read_csv(tables / f"{name}.csv").to_csv(tables / f"{name}.csv", index=False)
    assert render(tmp_path, tables).encode() == first.encode()
    assert "Generated" not in first
    record = provenance.render_record(tables / "table1.csv", [tables / "lossless.csv"])
    assert record["generated"] and record["host"] and len(record["inputs"]) == 1


def test_table1_figure_draws_every_variant_of_the_table(tmp_path):
    tables = fabricate(tmp_path)
    runs = pd.read_csv(tables / "table1.csv")
    drawn = plots.table1(runs, tmp_path / "table1.png")
    assert set(drawn.variant) == set(runs.variant) and {"neuralogic", "neuralogic-off"} <= set(drawn.variant)
    assert set(zip(drawn.protocol, drawn.variant, strict=True)) == set(zip(runs.protocol, runs.variant, strict=True))
    assert (tmp_path / "table1.png").is_file() and (tmp_path / "table1.svg").is_file()


def test_loss_curves_pair_lifting_on_and_off_per_engine(tmp_path):
    runs = pd.read_csv(fabricate(tmp_path) / "lossless.csv")
    data = plots.curves(runs, tmp_path / "curves.png")
    assert set(data.engine) == {"ours", "ours-native", "neuralogic"}
    native = data[data.engine == "ours-native"].pivot(index="epoch", columns="lifting", values=["loss", "seconds"])
    assert (native["loss"]["on"] == native["loss"]["off"]).all()  # lossless: the same curve
    assert (native["seconds"]["on"] < native["seconds"]["off"]).all()  # the lifted one gets there sooner
    assert native["seconds"]["off"].iloc[-1] == pytest.approx(0.3 * 3.5)  # cumulative, warm-up included


def test_speedup_against_compression_one_point_per_cell_and_backend(tmp_path):
    tables = fabricate(tmp_path)
    runs = pd.concat([pd.read_csv(tables / f"{n}.csv") for n in ("table1", "lossless")], ignore_index=True)
    data = plots.speedup(runs, tmp_path / "speedup.png").set_index(["model", "protocol", "backend"])
    assert data.loc[("gcn", "paper", "native"), "speedup"] == pytest.approx(3.0)
    assert data.loc[("gcn", "paper", "native"), "compression"] == pytest.approx(4000 / 300)
    assert data.loc[("gnn_embed", "batched", "neuralogic"), "compression"] == pytest.approx(3.0)
    assert data.loc[("gnn_embed", "batched", "torch"), "scope"] == "sample"


def test_break_even_in_epochs_or_never(tmp_path):
    runs = pd.read_csv(fabricate(tmp_path) / "lossless.csv")
    table = breakeven.table(runs).set_index("lifted")
    assert table.loc["lifted", "pays off after"] == "5 epochs"  # 0.5 s more once, 0.1 s saved an epoch
    assert table.loc["lifted-native", "pays off after"] == "1 epoch"
    assert table.loc["neuralogic", "pays off after"] == "3 epochs"
    assert breakeven.label(breakeven.epochs_to_pay(1.0, 0.0)) == "never (saves nothing per epoch)"
    assert breakeven.label(breakeven.epochs_to_pay(-1.0, 0.1)) == "at once"
    text = markdown.section_speedup(runs)
    assert "lifting pays for itself in 3, after at most 5 epochs." in text


def test_summary_is_valid_restructuredtext_with_the_same_lines(tmp_path):
    tables = fabricate(tmp_path)
    rst = markdown.summary_rst(tables, PAPER_FILE, ["neuralogic (not installed)"])
    html = publish_parts(rst, writer="html", settings_overrides={"halt_level": 2, "report_level": 5})["html_body"]
    assert "gnnlift: what this run found" in html and "<strong>Lossless</strong>" in html
    assert "Left out of this run" in html
    lines = findings.summary(markdown.read_tables(tables), PAPER)
    assert all(line in rst for line in lines)


def test_tables_read_as_a_person_reads_them():
    frame = pd.DataFrame({"model": ["gcn", "gin"], "neurons": [39600.0, None], "ratio": [1.2345, 12.0]})
    text = fmt.table(frame, note="–: not run.")
    assert "| gcn     |    39,600 |    1.23 |" in text and "| gin     |         – |    12.0 |" in text
    assert text.endswith("–: not run.")
    assert fmt.sig(0.000123456) == "0.000123" and fmt.sig(1234.5) == "1,234" and fmt.count(3.96e4) == "39,600"
    assert fmt.times(None) == "–" and fmt.cell(True) == "yes"


def test_datasets_one_table_per_kind(tmp_path):
    text = markdown.section_datasets(datasets_csv(tmp_path))
    graphs, kbs = text.split("### Knowledge bases")
    assert "### Graph datasets" in graphs and "entities" not in graphs and "triples" not in graphs
    assert "graphs" not in kbs.split("\n\n")[1].split("\n")[0] and "39,600" in kbs


def test_datasets_of_one_kind_only(tmp_path):
    from gnnlift.report.markdown import section_datasets

    path = tmp_path / "summary.csv"
    path.write_text("name,kind,graphs,nodes\nmutag,graphs,188,3371\n")
    text = section_datasets(path)
    assert "### Graph datasets" in text and "Knowledge bases" not in text and "3,371" in text
