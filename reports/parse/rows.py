"""The printed cells in a row's region of text.

Two shapes:
- pipe rows ("| 规章 | 2 | 0 | 2 |", or one "0 |" per line): every "|" ends a cell, so empty cells
  are kept as blanks; the text up to the first "|" is the rest of the label cell;
- anything else (one cell per line, columns separated by spaces, collapsed text): the first run of
  figures after the label, separated by whitespace, up to the first text that is not a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NA_TOKENS = frozenset({"/", "\\", "-", "--", "—", "——", "–", "无", "-/-", "—/—"})

# A figure: a count (maybe with thousands separators), a signed change ("-18", "减4", "增4"), an
# amount with its unit, or a standalone not-applicable sign.
_FIGURE = re.compile(
    r"(?:[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?\s?(?:万元|元|件|条|个|项)?"
    r"|[减增]\s?\d+"
    r"|(?<![^\s|])(?:-/-|—/—|——|--|[/\\\-—–无])(?![^\s|]))"
)
_SPACE = re.compile(r"[ \t\n,;]*")


@dataclass(frozen=True, slots=True)
class Token:
    raw: str        # the cell as printed ('' for an empty pipe cell)
    pos: int        # offset in the flattened text


def is_figure(raw: str) -> bool:
    raw = raw.strip()
    return raw == "" or raw in NA_TOKENS or bool(_FIGURE.fullmatch(raw))


def all_pipe_cells(text: str, start: int, end: int) -> list[Token]:
    """Every cell of a pipe region: each '|' closes the cell that began after the previous '|'.

    The text before the first '|' (the rest of the label cell) is not a cell; a figure after the
    last '|' is (a last line without its closing pipe).
    """
    first = text.find("|", start, end)
    if first < 0:
        return []
    out: list[Token] = []
    cell_start = first + 1
    i = text.find("|", cell_start, end)
    while i >= 0:
        raw = text[cell_start:i]
        stripped = raw.strip()
        if stripped or "\n" not in raw or not _opens_row(text, cell_start + raw.rfind("\n") + 1, end):
            offset = cell_start + (raw.find(stripped) if stripped else 0)
            out.append(Token(stripped, offset))
        cell_start = i + 1
        i = text.find("|", cell_start, end)
    tail = text[cell_start:end].strip()
    if tail and is_figure(tail):
        out.append(Token(tail, text.find(tail, cell_start, end)))
    return out


def _opens_row(text: str, line_start: int, end: int) -> bool:
    """A line like "| 行政许可 | 0 |": its first '|' opens a row, it does not close an empty cell.

    In the other pipe shape ("0 |" then "||" on the next line) every '|' closes a cell; a line of
    bare pipes belongs to that shape.
    """
    line_end = text.find("\n", line_start, end)
    line = text[line_start:line_end if line_end >= 0 else end]
    return line.lstrip().startswith("|") and any(ch not in "| \t" for ch in line)


def pipe_cells(text: str, start: int, end: int) -> list[Token]:
    """The value cells of a row in pipe form."""
    out = all_pipe_cells(text, start, end)
    # Leading cells that are text (copies of a merged label, the label's wrapped rest) are not values.
    k = 0
    while k < len(out) and out[k].raw and not is_figure(out[k].raw):
        k += 1
    out = out[k:]
    # The row's values end where text that is not a figure begins (a block's next header).
    for j, tok in enumerate(out):
        if tok.raw and not is_figure(tok.raw):
            return out[:j]
    return out


def figure_run(text: str, start: int, end: int) -> list[Token]:
    """The first run of figures in text[start:end], separated only by whitespace."""
    m = _FIGURE.search(text, start, end)
    out: list[Token] = []
    while m:
        raw = m.group(0)
        out.append(Token(raw.replace(" ", ""), m.start()))
        pos = _SPACE.match(text, m.end(), end).end()
        if pos >= end:
            break
        m = _FIGURE.match(text, pos, end)
        if m and m.start() == m.end():
            break
    return out


def region_tokens(text: str, start: int, end: int) -> tuple[list[Token], bool]:
    """The cells printed in text[start:end] and whether they came from pipe rows."""
    first_pipe = text.find("|", start, end)
    if first_pipe >= 0:
        first_digit = _first_digit(text, start, end)
        if first_digit is None or first_pipe < first_digit:
            return pipe_cells(text, start, end), True
    return figure_run(text, start, end), False


_DIGIT = re.compile(r"\d")


def _first_digit(text: str, start: int, end: int) -> int | None:
    m = _DIGIT.search(text, start, end)
    return m.start() if m else None
