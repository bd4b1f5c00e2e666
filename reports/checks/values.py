"""The numbers the rules may use: known cells only, with blank 总计 cells resolved.

A blank cell normally means 0. A blank *total* whose parts are not all zero means the total was
left out (MISSING_TOTAL), so it must not enter any sum as 0; and when its parts are not all known,
nobody can tell, so it is unknown too. Every rule reads numbers through ``Values``; a rule whose
inputs are not all known is simply not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import CellStatus, Grid, Number, Report
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


    def numbers(self, keys: tuple[Key, ...]) -> list[Number] | None:
        """``all`` for cells given by their keys (``Sums``): the numbers, or None when one is unknown."""
        out = list(map(self.known.get, keys))
        return None if None in out else out  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Sum:
    """A total cell and the cells that add up to it, as keys of ``Values.known``."""

    total: Key
    parts: tuple[Key, ...]
    ids: tuple[str, ...]        # the parts' column ids (a row's sum) or row ids (a column's sum)


@dataclass(frozen=True, slots=True)
class Sums:
    rows: tuple[tuple[str, Sum], ...]       # row id → 总计 column = the row's other columns
    columns: tuple[tuple[str, Sum], ...]    # column id → 总计 row = the leaf rows (table 三)


_SUMS: dict[int, tuple[TableSpec, Sums]] = {}


def sums(spec: TableSpec) -> Sums:
    """The totals of a table 三 or 四 and their parts, built once per table (cached by identity, like
    ``layout``)."""
    hit = _SUMS.get(id(spec))
    if hit is None or hit[0] is not spec:
        t = spec.id
        cols = tuple(c.id for c in spec.columns if c.id != "total")
        leaves = tuple(r.id for r in spec.leaves)
        hit = (spec, Sums(
            tuple((r.id, Sum((t, r.id, "total"), tuple((t, r.id, c) for c in cols), cols)) for r in spec.rows),
            tuple((c.id, Sum((t, "total", c.id), tuple((t, r, c.id) for r in leaves), leaves))
                  for c in spec.columns)))
        _SUMS[id(spec)] = hit
    return hit[1]


_BLANK = CellStatus.BLANK       # bound once: looking a member up on an Enum class is slow


def _resolve(v: Values, spec: TableSpec, grid: Grid, row: str, column: str, parts: tuple[Key, ...], along: str,
             raw: dict[Key, Number]) -> None:
    cell = grid.get(row, {}).get(column)
    if cell is None or cell.status is not _BLANK:
        return
    numbers = [raw.get(k) for k in parts]
    key = (spec.id, row, column)
    if any(n is None for n in numbers):
        v.known.pop(key, None)
    elif any(numbers):
        v.known.pop(key, None)
        if all((m.table, m.row, m.column) != key for m in v.missing):
            v.missing.append(MissingTotal(spec.id, row, column, sum(numbers), along))  # type: ignore[arg-type]


_KNOWN = (CellStatus.VALUE, CellStatus.BLANK)


def values(report: Report) -> Values:
    v = Values(report)
    known = v.known
    for table in ("disclosure", "requests", "appeals"):
        for r, cols in report.grid(table).items():  # type: ignore[arg-type]
            for c, cell in cols.items():
                # ``cell.known``, spelled out: this runs for every cell of every report.
                if cell.number is not None and cell.status in _KNOWN:
                    known[(table, r, c)] = cell.number  # type: ignore[index,assignment]
    spec = report.spec
    if spec is None:
        return v
    raw = dict(v.known)      # blank totals are judged on the cells as printed
    req = spec.table("requests")
    req_sums = sums(req)
    for row, s in req_sums.rows:
        _resolve(v, req, report.requests, row, "total", s.parts, "row", raw)
    for col, s in req_sums.columns:
        _resolve(v, req, report.requests, "total", col, s.parts, "column", raw)
    app = spec.table("appeals")
    for row, s in sums(app).rows:
        _resolve(v, app, report.appeals, row, "total", s.parts, "row", raw)
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
