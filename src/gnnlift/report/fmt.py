"""Numbers as a reader reads them: counts with thousands separators, the rest to 3 significant digits."""

from __future__ import annotations

import html as _html
import math
import re

import pandas as pd

DASH = "–"
MISSING_NOTE = f"{DASH}: not measured in this run."
# Columns that hold measurements, never counts: shown to 3 digits even when a value is whole.
MEASURE = re.compile(r"ratio|speedup|compression|accuracy|auc|mrr|gap|second|epoch s|\bs\b|µs|ns per|r2|scope")
NUMBERISH = re.compile(r"^[\d.,±\s–-]+x?$")


def missing(value) -> bool:
    """True for None, NaN and pandas' missing markers."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def count(value) -> str:
    """An integer with thousands separators (``39,600``); a dash when missing."""
    return DASH if missing(value) else f"{int(round(float(value))):,}"


def sig(value, digits: int = 3) -> str:
    """``digits`` significant digits, never in exponent notation; whole digits are kept (``1,234``)."""
    if missing(value):
        return DASH
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - exponent, 0)
    if math.floor(math.log10(abs(round(value, decimals)))) > exponent:  # 0.99999 rounds up to 1.00
        decimals = max(decimals - 1, 0)
    return f"{round(value, decimals):,.{decimals}f}"


def times(value, digits: int = 3) -> str:
    """A ratio as ``3.16x``."""
    return DASH if missing(value) else f"{sig(value, digits)}x"


def faster(value, digits: int = 3) -> str:
    """A speedup as words: ``3.16x faster``, or below 1 the inverse, ``1.14x slower``."""
    if missing(value):
        return DASH
    value = float(value)
    return f"{sig(value, digits)}x faster" if value >= 1 else f"{sig(1 / value, digits)}x slower"


def cell(value) -> str:
    """One table cell: booleans as yes/no, integral numbers as counts, other numbers to 3 digits."""
    if missing(value):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return count(value) if float(value).is_integer() else sig(value)
    return str(value)


def numeric(values: pd.Series) -> bool:
    """True for a column of numbers (missing values allowed), not booleans or text."""
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = [v for v in values if not missing(v)]
    return bool(present) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)


def _column(values: pd.Series) -> list[str]:
    """A column's cells: counts where every value is whole (and the column is not a measurement),
    3 significant digits otherwise."""
    if not numeric(values):
        return [cell(v) for v in values]
    numbers = pd.to_numeric(values, errors="coerce")
    present = numbers.dropna()
    integral = bool((present == present.round()).all()) and not MEASURE.search(str(values.name))
    return [count(v) if integral else sig(v) for v in numbers]


def _right(values: pd.Series, shown: list[str]) -> bool:
    """Numbers, and text that is only numbers (``0.250 ± 0.01``), align right."""
    return numeric(values) or all(NUMBERISH.match(c) for c in shown)


def table(frame: pd.DataFrame, note: str = MISSING_NOTE) -> str:
    """A markdown table of readable cells; a footnote explains the dash when any cell is missing."""
    if frame.empty:
        return ""
    shown = pd.DataFrame({c: _column(frame[c]) for c in frame.columns}, columns=frame.columns)
    align = ["right" if _right(frame[c], list(shown[c])) else "left" for c in frame.columns]
    text = shown.to_markdown(index=False, disable_numparse=True, colalign=align)
    if (shown == DASH).to_numpy().any() and note:
        text += f"\n\n{note}"
    return text


_HTML_STYLE = """
body { margin: 0; padding: 0.75rem; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1e293b; }
table { border-collapse: collapse; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e2e8f0; white-space: nowrap; }
th { position: sticky; top: 0; background: #f1f5f9; text-align: left; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #f8fafc; }
p { color: #475569; }
"""


NUMBER_LIST = re.compile(r"^\[\s*-?[\d.]+(?:[eE][-+]?\d+)?(?:\s*,\s*-?[\d.]+(?:[eE][-+]?\d+)?)*\s*\]$")


def _listed(text: str) -> str:
    """A list of numbers written as text (a loss curve: ``[0.6263881431023279, 0.58873]``) with each
    number as :func:`cell` shows it (``[0.626, 0.589]``); any other text as it is."""
    if not isinstance(text, str) or not NUMBER_LIST.match(text):
        return text
    return "[" + ", ".join(cell(float(v)) for v in text.strip("[] ").split(",")) + "]"


def html(frame: pd.DataFrame, title: str, note: str = MISSING_NOTE) -> str:
    """A standalone HTML page of the table, cells as in :func:`table`, lists of numbers too
    (for the Snakemake report)."""
    shown = pd.DataFrame({c: [_listed(v) for v in _column(frame[c])] for c in frame.columns}, columns=frame.columns)
    number = {c: _right(frame[c], list(shown[c])) for c in frame.columns}

    def row(tag: str, cells) -> str:
        marked = [(' class="number"' if number[c] else "", _html.escape(str(v))) for c, v in cells]
        return "<tr>" + "".join(f"<{tag}{cls}>{text}</{tag}>" for cls, text in marked) + "</tr>"

    head = row("th", [(c, c) for c in frame.columns])
    rows = shown.itertuples(index=False, name=None)
    body = "\n".join(row("td", zip(frame.columns, values, strict=True)) for values in rows)
    footnote = f"<p>{_html.escape(note)}</p>\n" if note and (shown == DASH).to_numpy().any() else ""
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{_html.escape(title)}</title>\n'
        f"<style>{_HTML_STYLE}</style>\n</head>\n<body>\n<table>\n<thead>{head}</thead>\n<tbody>\n{body}\n</tbody>\n"
        f"</table>\n{footnote}</body>\n</html>\n"
    )
