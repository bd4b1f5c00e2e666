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


def make_cell(raw: str, column: Column, line: int) -> Cell:
    raw = raw.strip()
    if raw == "":
        return Cell(CellStatus.BLANK, None, 0, line=line)
    if raw in NA_TOKENS:
        return Cell(CellStatus.NA, raw, None, line=line)
    value = number_of(raw, column)
    if column.text:
        # The amount stays as printed ("251000元"); its number is kept for arithmetic when clear.
        return Cell(CellStatus.VALUE, raw, value, text=raw, line=line)
    if value is None:
        return Cell(CellStatus.UNREADABLE, raw, None, line=line)
    return Cell(CellStatus.VALUE, raw, value, line=line)


def reading_cell(value: Number, raw: str, column: Column, line: int,
                 alternatives: tuple[tuple[Number, ...], ...] = (), printed: str | None = None) -> Cell:
    """A cell whose figure came from cutting a glued run ``raw`` (``printed``: its own characters)."""
    if column.text:
        return Cell(CellStatus.VALUE, raw, value, text=printed or str(value), candidates=alternatives, line=line)
    return Cell(CellStatus.VALUE, raw, value, candidates=alternatives, line=line)


def ambiguous_cell(raw: str, candidates: tuple[tuple[Number, ...], ...], line: int) -> Cell:
    return Cell(CellStatus.AMBIGUOUS, raw, None, candidates=candidates, line=line)
