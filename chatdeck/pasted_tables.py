"""Tables a copy of a chat page turned into tab-split rows, rebuilt as Markdown tables.

Selecting a chat page and copying it (or an exporter that saves the page's text) turns each
table of a reply into one line per row, its cells split by tabs: Markdown shows such rows as one
paragraph of words run together. Two or more such lines in a row, each with the same number of
cells (two or more), are a table. The first is its header, which may open with a tab (the
table's empty corner cell) or, where the copy dropped that tab, have one cell fewer. A line that
opens with a tab under it is code indented by a tab, and ends the table. Lines in a fence are
code and stay. As with pasted code, the field's text is kept as written everywhere else
(`--dry-run`, the note's identity); only its card's Markdown gets the table.
"""

from __future__ import annotations

import re

from chatdeck.columns import outside_fences

#: A list item's marker or a quote's at a row's start: a list or a quote, no table's row.
#: (`-`, `*`, `+`, `>` alone are an operator table's cells: a list's or a quote's only before text.)
LIST_OR_QUOTE = re.compile(r"^(?:[-*+>][ \t]++\S|(?:[•·◦▪‣]|\d{1,9}+[.)])(?:[ \t]|$))")
#: The longest cell a row may have: a longer run between tabs is no table's cell.
MAX_CELL = 200


def tables_from_tabs(text: str) -> str:
    """The text with each run of tab-split rows written as a Markdown table; the text itself
    (the same string) when it has none."""
    if "\t" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    rows: list[tuple[str, list[str]]] = []  # each row's line and cells
    for line, prose in zip([*lines, ""], [*outside_fences(lines), True], strict=True):
        cells = _cells(line, header=not rows) if prose else None
        if cells is not None and (not rows or _fits(rows, cells)):
            rows.append((line, cells))
            continue
        _flush(rows, out, line)
        rows = [] if cells is None else [(line, cells)]
        if cells is None:
            out.append(line)
    _flush(rows, out, "")
    rebuilt = "\n".join(out[:-1])  # (less the line added to end the last run)
    return rebuilt if rebuilt != text else text


def _cells(line: str, header: bool) -> list[str] | None:
    """A row's cells, or None: two or more, each short; the first empty (a line that opens
    with a tab) only in a header row with two more cells after it."""
    if "\t" not in line.strip() or line.startswith("    "):
        return None  # (indented four spaces: code, whatever it holds)
    cells = [cell.strip() for cell in line.rstrip().split("\t")]
    if LIST_OR_QUOTE.match(cells[0]):
        return None  # (`1.<tab>Install`, `•<tab>Tent`: a list a word processor copied; `> a`)
    if len(cells) < 2 or any(len(cell) > MAX_CELL for cell in cells):
        return None
    if not cells[0] and not (header and len(cells) >= 3 and all(cells[1:])):
        return None
    return cells


def _fits(rows: list[tuple[str, list[str]]], cells: list[str]) -> bool:
    """The row has as many cells as the rows above it; or, under the header alone, one more
    (a copy may drop the empty corner cell's tab: the header then lacks its first cell)."""
    width = len(rows[-1][1])
    return len(cells) == width or (len(rows) == 1 and len(cells) == width + 1 and cells[0] != "")


def _flush(rows: list[tuple[str, list[str]]], out: list[str], below: str) -> None:
    """Write `rows` to `out`: as a table when there are two or more, set off by blank lines
    from the lines around it (a table runs on into a line right under it); else as they were."""
    if len(rows) < 2:
        out.extend(line for line, _ in rows)
        return
    if out and out[-1].strip():
        out.append("")
    width = len(rows[-1][1])
    for n, (_, cells) in enumerate(rows):
        cells = [""] * (width - len(cells)) + cells  # (the header's lost corner)
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        if n == 0:
            out.append("|" + " --- |" * len(cells))
    if below.strip():
        out.append("")
