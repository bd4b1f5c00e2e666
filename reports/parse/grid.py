"""Table blocks as text rows the row locator can read.

A grid row becomes one pipe row, ``| a | b | c |``: copies of a merged cell (a rowspan or colspan
repeated by the reader) are dropped, so a label spanning three columns is read once and a value
spanning two columns is counted once; an empty cell stays an empty cell (a blank, which counts as 0).
Pipe rows are the same shape as the Markdown-like rows some web pages flatten to, so one reader
(``rows``) handles both.
"""

from __future__ import annotations

from reports.document import Table


def render_table(table: Table) -> list[str]:
    out: list[str] = []
    origin = table.origin
    for r, row in enumerate(table.rows):
        spans = origin[r] if r < len(origin) else ()
        if spans:
            # A copy of a merged cell was already read at its origin.
            row = [text for c, text in enumerate(row) if c >= len(spans) or spans[c] == (r, c)]
        # A cell's own line breaks ("本年新<br>制作数量") and pipes must not split the row.
        cells = [" ".join(text.replace("|", " ").split()) for text in row]
        if not origin:
            cells = _drop_repeats(cells)
        out.append("| " + " | ".join(cells) + " |" if cells else "|")
    return out


def _drop_repeats(cells: list[str]) -> list[str]:
    """Without span information a merged label shows up in several adjacent cells: keep it once.

    Only text that is not a figure is collapsed: two equal numbers side by side are two cells.
    """
    out: list[str] = []
    for cell in cells:
        if out and cell and cell == out[-1] and not any(ch.isdigit() for ch in cell):
            continue
        out.append(cell)
    return out
