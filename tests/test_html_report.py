"""The HTML report (``snakemake --report``) as a reader sees it, in a real headless Chromium.

The report of a small real workflow run (Table 1 and compression on MUTAG) is built with the
command the README gives, then opened at 1280x800 and 1920x1080. The browser is the system's
Chromium (Debian package ``chromium``, installed by .ci/run), driven by playwright; where it is
missing these tests skip, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gnnlift import experiments
from gnnlift.report import fmt
from test_workflow_guards import copy_repo  # the checkout copied file by file, as the other workflow tests do

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
WINDOWS = [(1280, 800), (1920, 1080)]
HEADING = "gnnlift: what this run found"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The system Chromium's executable; its absence skips, or fails in CI."""
    found = os.environ.get("GNNLIFT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "no chromium on PATH (apt-get install chromium; or set GNNLIFT_CHROMIUM)"
    if in_ci():
        pytest.fail(f"{reason}; CI requires it", pytrace=False)
    pytest.skip(reason)


def small_config(path: Path) -> Path:
    """Table 1 (gcn, lifted and plain) and the compression table on MUTAG: two tables, two figures each
    sorting the other way round by name than in the report's order."""
    off = {"enabled": False, "groups": [], "variants": ["plain"], "protocols": ["paper"], "seeds": [0], "folds": [0]}
    config = {
        "datasets": ["mutag"],
        "experiments": {name: dict(off) for name in ("lossless", "precision", "scaling")},
        "compression": {"groups": [{"models": ["gcn"], "datasets": ["mutag"]}], "scopes": ["sample"]},
        "clashes": None,
    }
    config["experiments"]["table1"] = {
        "groups": [{"models": ["gcn"], "datasets": ["mutag"]}],
        "variants": ["lifted", "plain"],
        "protocols": ["paper"],
        "seeds": [0],
        "folds": [0],
        "overrides": ["epochs=2", "warmup=1"],
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory, mirror) -> Path:
    """A copy of the repository in which the small workflow has run (report.md included)."""
    repo = copy_repo(tmp_path_factory.mktemp("html") / "repo")
    config = small_config(repo.parent / "small.yaml")
    command = [*SNAKEMAKE, "--cores", "2", "--configfile", str(config), "--config", f"mirror={mirror}"]
    done = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    (repo / "command").write_text(json.dumps(command))
    return repo


def build_report(repo: Path, out: str) -> Path:
    """``snakemake --report``, the README's command, with the run's config."""
    command = [*json.loads((repo / "command").read_text()), "--report", out]
    done = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return repo / out


@pytest.fixture(scope="module")
def report(run) -> Path:
    return build_report(run, "results/report/report.html")


@pytest.fixture(scope="module")
def long_report(run) -> Path:
    """The same report with a landing page of 40 more paragraphs, as a run with many long findings."""
    summary = run / "results/report/summary.rst"
    kept = summary.read_text()
    filler = "A finding of a run with many, each a long line of numbers beside the paper's. " * 6
    try:
        summary.write_text(kept + "".join(f"\n{filler}(paragraph {i})\n" for i in range(40)))
        return build_report(run, "results/report/long.html")
    finally:
        summary.write_text(kept)


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_report(browser, path: Path, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(path.as_uri())
    page.wait_for_selector("h1.title", timeout=30_000)
    return page


# The box of an element relative to the window, and whether the window shows all of it.
IN_VIEW = """element => {
    const box = element.getBoundingClientRect();
    return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            inside: box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth};
}"""


def landing(page) -> dict:
    """Where the landing page's heading and first finding are, as the page opens."""
    heading = page.locator("h1.title")
    assert heading.inner_text().strip() == HEADING
    return {
        "heading": heading.evaluate(IN_VIEW),
        "first finding": page.locator("h1.title ~ ul li").first.evaluate(IN_VIEW),
    }


@pytest.mark.parametrize(("width", "height"), WINDOWS)
def test_landing_page_opens_on_its_heading_and_first_finding(browser, report, width, height):
    page = open_report(browser, report, width, height)
    seen = landing(page)
    assert all(box["inside"] for box in seen.values()), f"{width}x{height}: {seen}"
    page.close()


@pytest.mark.parametrize(("width", "height"), WINDOWS)
def test_a_long_landing_page_opens_on_its_heading_and_scrolls_to_its_end(browser, long_report, width, height):
    page = open_report(browser, long_report, width, height)
    seen = landing(page)
    assert all(box["inside"] for box in seen.values()), f"{width}x{height}: {seen}"
    last = page.get_by_text("(paragraph 39)")
    assert not last.evaluate(IN_VIEW)["inside"], "the long page fits the window: it tests nothing"
    last.scroll_into_view_if_needed()
    assert last.evaluate(IN_VIEW)["inside"], f"{width}x{height}: the end of the page cannot be scrolled to"
    page.close()


def menu(page, category: str) -> list[str]:
    """The rows of one category of the report's menu, top to bottom."""
    page.get_by_role("link", name=category, exact=True).click()
    rows = page.locator("nav table tbody tr td:first-child")
    rows.first.wait_for()
    return [text.strip() for text in rows.all_inner_texts()]


def test_menus_list_figures_and_tables_in_the_report_order(browser, report):
    page = open_report(browser, report, *WINDOWS[0])
    figures = menu(page, "Figures")
    assert [re.sub(r"^\d+\. ", "", row) for row in figures] == ["table1", "speedup", "compression"]
    assert figures == [f"{experiments.names().index(n) + 1}. {n}" for n in ("table1", "speedup", "compression")]
    page.reload()
    page.wait_for_selector("h1.title")
    assert [re.sub(r"^\d+\. ", "", row) for row in menu(page, "Tables")] == ["table1", "compression"]
    page.close()


def embedded_results(report: Path) -> dict:
    """The report's results (path -> name, labels, caption, data URI), as Snakemake embeds them."""
    text = report.read_text()
    start = text.index("var results = ", text.index('<script id="results">')) + len("var results = ")
    return json.JSONDecoder().raw_decode(text, start)[0]


def plain(caption_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", caption_html)).split())


def test_each_figure_has_its_own_caption(report):
    figures = {Path(p).stem: r for p, r in embedded_results(report).items() if p.endswith(".png")}
    assert set(figures) == {"table1", "speedup", "compression"}
    for name, result in figures.items():
        assert plain(result["caption"]).startswith(experiments.get(name).caption), name
    assert "tables/lossless.csv" not in plain(figures["speedup"]["caption"])  # not run here: not drawn from
    assert "tables/table1.csv" in plain(figures["speedup"]["caption"])


def test_tables_show_numbers_as_report_md_does(browser, report, run):
    tables = {Path(p).stem: p for p in embedded_results(report) if p.endswith(".html")}
    assert set(tables) == {"table1", "compression"}
    frame = pd.read_csv(run / "results/tables/table1.csv")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto((run / tables["table1"]).as_uri())
    header = page.locator("thead th").all_inner_texts()
    assert header == list(frame.columns)
    shown = page.locator("tbody tr").first.locator("td").all_inner_texts()
    seconds = header.index("epoch_seconds_median")
    assert shown[seconds] == fmt.sig(frame["epoch_seconds_median"].iloc[0])
    neurons = header.index("neurons_executed")
    assert shown[neurons] == fmt.count(frame["neurons_executed"].iloc[0])
    decimals = [cell for cell in shown if re.fullmatch(r"-?[\d,]*\.\d+", cell)]
    assert decimals and all(len(re.sub(r"^[-0.,]+|[.,]", "", cell)) <= 3 for cell in decimals), decimals
    align = page.locator("tbody tr").first.locator("td").nth(seconds).evaluate("e => getComputedStyle(e).textAlign")
    assert align == "right"
    page.close()


def test_table_page_formats_cells_as_the_markdown_table():
    frame = pd.DataFrame(
        {
            "model": ["gcn", "gin"],
            "neurons": [39600.0, None],
            "epoch_seconds_median": [0.0335934, 12.0],
            "loss_curve": ["[0.6263881431023279, 0.5887301587065061]", "[2.0]"],
        }
    )
    page = fmt.html(frame, title="table1")
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    assert cells == ["gcn", "39,600", "0.0336", "[0.626, 0.589]", "gin", fmt.DASH, "12.0", "[2]"]
    assert '<td class="number">39,600</td>' in page and "<td>gcn</td>" in page
    assert fmt.MISSING_NOTE in page and "<title>table1</title>" in page
    assert fmt.MISSING_NOTE not in fmt.html(frame.dropna(), title="table1")
    assert "&lt;b&gt;" in fmt.html(pd.DataFrame({"model": ["<b>"]}), title="t")


def test_landing_page_opens_on_the_lead_findings_and_folds_the_others(tmp_path, monkeypatch):
    from docutils.core import publish_parts

    from gnnlift.report import markdown

    lines = [f"- **Finding {i}**: a number beside the paper's." for i in range(7)]
    monkeypatch.setattr(markdown.findings, "summary", lambda frames, paper: lines)
    rst = markdown.summary_rst(tmp_path, REPO / "config/paper.yaml")
    body = publish_parts(rst, writer="html", settings_overrides={"halt_level": 2})["html_body"]
    lead, folded = body.split("<details>")
    shown = markdown.LEAD_LINES
    assert 0 < shown < 7
    assert [f"Finding {i}" in lead for i in range(7)] == [True] * shown + [False] * (7 - shown)
    assert f"<summary>The other {7 - shown} findings</summary>" in folded
    assert "Finding 6" in folded.split("</details>")[0]
    assert "report.md" in folded.split("</details>")[1]
    monkeypatch.setattr(markdown.findings, "summary", lambda frames, paper: lines[:shown])
    assert "<details>" not in markdown.summary_rst(tmp_path, REPO / "config/paper.yaml")
