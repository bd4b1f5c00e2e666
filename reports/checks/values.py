"""The numbers the rules may use: known cells only, with blank 总计 cells resolved.

A blank cell normally means 0. A blank *total* whose parts are not all zero means the total was
left out (MISSING_TOTAL), so it must not enter any sum as 0; and when its parts are not all known,
nobody can tell, so it is unknown too. Every rule reads numbers through ``Values``; a rule whose
inputs are not all known is simply not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import CellStatus, Number, Report
from ..templates import TableId, TableSpec

Key = tuple[TableId, str, str]


@dataclass(slots=True)
class MissingTotal:
    """A blank total cell whose parts add up to ``expected`` (≠ 0)."""

    table: TableId
    row: str
    column: str
    expected: Number
    along: str          # "row": the parts are the row's other columns; "column": the column's leaf rows


@dataclass(slots=True)
class Values:
    report: Report
    missing: list[MissingTotal] = field(default_factory=list)
    known: dict[Key, Number] = field(default_factory=dict)    # every cell usable as a number

    def get(self, table: TableId, row: str, column: str) -> Number | None:
        return self.known.get((table, row, column))

    def all(self, table: TableId, cells: list[tuple[str, str]]) -> list[Number] | None:
        """The numbers of ``cells``, or None when any of them is unknown."""
        known = self.known
        out: list[Number] = []
        for r, c in cells:
            v = known.get((table, r, c))
            if v is None:
                return None
            out.append(v)
        return out


def _resolve(v: Values, spec: TableSpec, row: str, column: str, parts: list[tuple[str, str]], along: str,
             raw: dict[Key, Number]) -> None:
    cell = v.report.cell(spec.id, row, column)
    if cell.status is not CellStatus.BLANK:
        return
    numbers = [raw.get((spec.id, r, c)) for r, c in parts]
    key = (spec.id, row, column)
    if any(n is None for n in numbers):
        v.known.pop(key, None)
    elif any(numbers):
        v.known.pop(key, None)
        if all((m.table, m.row, m.column) != key for m in v.missing):
            v.missing.append(MissingTotal(spec.id, row, column, sum(numbers), along))  # type: ignore[arg-type]


def values(report: Report) -> Values:
    v = Values(report)
    for table in ("disclosure", "requests", "appeals"):
        for r, cols in report.grid(table).items():  # type: ignore[arg-type]
            for c, cell in cols.items():
                if cell.known:
                    v.known[(table, r, c)] = cell.number  # type: ignore[index,assignment]
    spec = report.spec
    if spec is None:
        return v
    raw = dict(v.known)      # blank totals are judged on the cells as printed
    req = spec.table("requests")
    parts_cols = [c.id for c in req.columns if c.id != "total"]
    leaves = [r.id for r in req.leaves]
    for row in req.rows:
        _resolve(v, req, row.id, "total", [(row.id, c) for c in parts_cols], "row", raw)
    for col in req.columns:
        _resolve(v, req, "total", col.id, [(r, col.id) for r in leaves], "column", raw)
    app = spec.table("appeals")
    app_parts = [c.id for c in app.columns if c.id != "total"]
    for row in app.rows:
        _resolve(v, app, row.id, "total", [(row.id, c) for c in app_parts], "row", raw)
    return v


def row_figure(v: Values, spec: TableSpec, row: str) -> Number | None:
    """A table-三 row's total, or the sum of its columns when the total is blank or unknown."""
    total = v.get(spec.id, row, "total")
    if total is not None:
        return total
    parts = v.all(spec.id, [(row, c.id) for c in spec.columns if c.id != "total"])
    return sum(parts) if parts is not None else None


def headline(report: Report) -> dict[str, Number | None]:
    """The figures a summary leads with; None where the tables do not give them for certain."""
    keys = ("new", "carried_over", "handled", "granted", "carried_forward", "reviews", "lawsuits")
    spec = report.spec
    if spec is None:
        return dict.fromkeys(keys)
    v = values(report)
    req = spec.table("requests")
    out: dict[str, Number | None] = {k: row_figure(v, req, r) for k, r in (
        ("new", "new"), ("carried_over", "carried_over"), ("handled", "total"), ("granted", "granted"),
        ("carried_forward", "carried_forward"))}
    out["reviews"] = v.get("appeals", "review", "total")
    suits = v.all("appeals", [("suit_direct", "total"), ("suit_after_review", "total")])
    out["lawsuits"] = sum(suits) if suits is not None else None
    return out


_LAYOUTS: dict[int, tuple[TableSpec, tuple[tuple[str, tuple[str, ...]], ...]]] = {}


def layout(spec: TableSpec) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every row id of a table with the ids of the columns it has (table 二's blocks differ).

    Cached by identity: the specs are module constants, and hashing a frozen spec walks all of it."""
    hit = _LAYOUTS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = (spec, tuple((row.id, tuple(c.id for c in spec.columns_of(row))) for row in spec.rows))
        _LAYOUTS[id(spec)] = hit
    return hit[1]
