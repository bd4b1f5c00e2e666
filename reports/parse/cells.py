"""One printed cell → ``Cell``: a figure, a blank (0), not applicable, or unreadable text."""

from __future__ import annotations

import re

from reports.model import Cell, CellStatus, Number
from reports.templates import Column

from .rows import NA_TOKENS

_COUNT = re.compile(r"\+?(\d{1,3}(?:,\d{3})+|\d+)(?:\s?(?:件|条|个|项))?")
_SIGNED = re.compile(r"(-)(\d+)|([减增])\s?(\d+)")
_DECIMAL = re.compile(r"(\d+\.\d+|\d+)\s?(万元|元)?")


def number_of(raw: str, column: Column) -> Number | None:
    """The figure in ``raw`` as this column reads it, or None when it is not a figure."""
    raw = raw.strip()
    if raw.isdecimal():
        return int(raw)
    m = _COUNT.fullmatch(raw)
    if m:
        return int(m.group(1).replace(",", ""))
    if column.signed:
        m = _SIGNED.fullmatch(raw)
        if m:
            if m.group(1):
                return -int(m.group(2))
            return -int(m.group(4)) if m.group(3) == "减" else int(m.group(4))
    m = _DECIMAL.fullmatch(raw.replace(",", ""))
    if m and (column.decimal or column.text or m.group(2)):
        return float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return None


# Every printed cell passes through ``make_cell``: the statuses are bound once (looking a member up
# on an Enum class is slow), and cells are built with positional arguments (status, raw, number,
# text, candidates, line), which a dataclass __init__ takes at half the cost of keywords.
_VALUE, _BLANK, _NA, _UNREADABLE = CellStatus.VALUE, CellStatus.BLANK, CellStatus.NA, CellStatus.UNREADABLE


def make_cell(raw: str, column: Column, line: int) -> Cell:
    raw = raw.strip()
    if raw.isdecimal():
        # Bare digits, the commonest cell: what ``number_of`` reads from them is int(raw).
        return Cell(_VALUE, raw, int(raw), raw if column.text else None, (), line)
    if raw == "":
        return Cell(_BLANK, None, 0, None, (), line)
    if raw in NA_TOKENS:
        return Cell(_NA, raw, None, None, (), line)
    value = number_of(raw, column)
    if column.text:
        # The amount stays as printed ("251000元"); its number is kept for arithmetic when clear.
        return Cell(_VALUE, raw, value, raw, (), line)
    if value is None:
        return Cell(_UNREADABLE, raw, None, None, (), line)
    return Cell(_VALUE, raw, value, None, (), line)


def reading_cell(value: Number, raw: str, column: Column, line: int,
                 alternatives: tuple[tuple[Number, ...], ...] = (), printed: str | None = None) -> Cell:
    """A cell whose figure came from cutting a glued run ``raw`` (``printed``: its own characters)."""
    if column.text:
        return Cell(CellStatus.VALUE, raw, value, text=printed or str(value), candidates=alternatives, line=line)
    return Cell(CellStatus.VALUE, raw, value, candidates=alternatives, line=line)


def ambiguous_cell(raw: str, candidates: tuple[tuple[Number, ...], ...], line: int) -> Cell:
    return Cell(CellStatus.AMBIGUOUS, raw, None, candidates=candidates, line=line)
