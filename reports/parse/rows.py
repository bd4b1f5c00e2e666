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
from itertools import islice

NA_TOKENS = frozenset({"/", "\\", "-", "--", "—", "——", "–", "无", "-/-", "—/—"})

# A figure: a count (maybe with thousands separators), a signed change ("-18", "减4", "增4"), an
# amount with its unit, or a standalone not-applicable sign.
_FIGURE = re.compile(
    r"(?:[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?\s?(?:万元|元|件|条|个|项)?"
    r"|[减增]\s?\d+"
    r"|(?<![^\s|])(?:-/-|—/—|——|--|[/\\\-—–无])(?![^\s|]))"
)
# The characters a figure can begin with. Finding the first of them before trying _FIGURE spares the
# regex engine from trying the whole figure pattern at every character of a long label.
_FIGURE_START = re.compile(r"[-+\d减增/\\—–无]")
# The next figure of a run: the separators after a figure, then the figure (group 1). No figure
# begins with a separator, so the possessive run of separators gives up nothing a figure could use.
_NEXT_FIGURE = re.compile(r"[ \t\n,;]*+(" + _FIGURE.pattern + ")")


# Not frozen: a parse makes hundreds of tokens, and a frozen dataclass pays object.__setattr__ per field.
@dataclass(slots=True)
class Token:
    raw: str        # the cell as printed ('' for an empty pipe cell)
    pos: int        # offset in the flattened text


def is_figure(raw: str) -> bool:
    raw = raw.strip()
    # Bare digits, the commonest cell, are a figure without asking the regex.
    return raw.isdecimal() or raw == "" or raw in NA_TOKENS or bool(_FIGURE.fullmatch(raw))


def all_pipe_cells(text: str, start: int, end: int) -> list[Token]:
    """Every cell of a pipe region: each '|' closes the cell that began after the previous '|'.

    The text before the first '|' (the rest of the label cell) is not a cell; a figure after the
    last '|' is (a last line without its closing pipe).
    """
    first = text.find("|", start, end)
    if first < 0:
        return []
    out: list[Token] = []
    pieces = text[first + 1:end].split("|")     # the cells, then what follows the last '|'
    cell_start = first + 1
    for raw in islice(pieces, len(pieces) - 1):
        stripped = raw.strip()
        if stripped:
            out.append(Token(stripped, cell_start + raw.find(stripped)))
        elif "\n" not in raw or not _opens_row(text, cell_start + raw.rfind("\n") + 1, end):
            out.append(Token(stripped, cell_start))
        cell_start += len(raw) + 1
    tail = pieces[-1].strip()
    if tail and is_figure(tail):
        out.append(Token(tail, text.find(tail, cell_start, end)))
    return out


def _opens_row(text: str, line_start: int, end: int) -> bool:
    """A line like "| 行政许可 | 0 |": its first '|' opens a row, it does not close an empty cell.

    In the other pipe shape ("0 |" then "||" on the next line) every '|' closes a cell; a line of
    bare pipes belongs to that shape.
    """
    line_end = text.find("\n", line_start, end)
    if line_end < 0:
        line_end = end
    # The line, left-stripped, starts with '|', and holds something besides pipes, spaces and tabs.
    return (_LINE_OPENS.match(text, line_start, line_end) is not None
            and _NOT_BARE.search(text, line_start, line_end) is not None)


_LINE_OPENS = re.compile(r"\s*\|")       # \s is what str.strip strips
_NOT_BARE = re.compile(r"[^| \t]")


def pipe_cells(text: str, start: int, end: int) -> list[Token]:
    """The value cells of a row in pipe form."""
    out = all_pipe_cells(text, start, end)
    # Leading cells that are text (copies of a merged label, the label's wrapped rest) are not values.
    n = len(out)
    k = 0
    while k < n and out[k].raw and not is_figure(out[k].raw):
        k += 1
    # The row's values end where text that is not a figure begins (a block's next header); out[k]
    # itself is blank or a figure.
    for j in range(k + 1, n):
        raw = out[j].raw
        if raw and not is_figure(raw):
            return out[k:j]
    return out[k:]


def figure_run(text: str, start: int, end: int) -> list[Token]:
    """The first run of figures in text[start:end], separated only by whitespace."""
    m = _FIGURE_START.search(text, start, end)
    m = m and _FIGURE.search(text, m.start(), end)
    if m is None:
        return []
    out = [Token(m.group().replace(" ", ""), m.start())]
    m = _NEXT_FIGURE.match(text, m.end(), end)
    while m:
        out.append(Token(m.group(1).replace(" ", ""), m.start(1)))
        m = _NEXT_FIGURE.match(text, m.end(), end)
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
