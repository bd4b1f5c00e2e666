"""Tables 二, 三 and 四 read into grids of ``Cell``s, driven by the template description.

Each row's region gives its printed cells. When a row prints fewer cells than the template has
columns and they are bare digits, the cells were glued together: the run is cut by ``digits``, with
the row's own arithmetic (table 三: six parts = 总计; table 四: four parts = 总计) and then the
column arithmetic of table 三 (SUBTOTAL, BALANCE) choosing among the cuts. Table 二 has no totals;
its cuts are ranked by what the figures mean (``plausible``), and a reading chosen that way keeps
the other readings in ``candidates`` so the choice stays visible. What no rule settles is AMBIGUOUS
with its candidate readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product

from reports.model import Cell, CellStatus, Grid, Number
from reports.templates import Column, Row, TableSpec

from .cells import ambiguous_cell, make_cell, reading_cell
from .digits import DEFAULT_BUDGET, BudgetExceeded, Total, readings
from .locate import Span, find_rows
from .rows import Token, all_pipe_cells, figure_run, is_figure, region_tokens
from .text import Flat, fuzzy

REQUEST_TOTAL = (Total((0, 1, 2, 3, 4, 5), 6),)
APPEAL_TOTALS = (Total((0, 1, 2, 3), 4), Total((5, 6, 7, 8), 9), Total((10, 11, 12, 13), 14))
MAX_COMBINATIONS = 20_000        # joint choices across ambiguous table-三 rows tried before giving up
TABLE_BUDGET = 60_000            # search steps for all the glued runs of one table (a fraction of a second)
MAX_LISTED = 24                 # more readings than this are not listed as candidates
GROUP = 5                       # table 四: five figures for each of review, direct suit, suit after review
_APPEAL_ROW = re.compile("|".join(fuzzy(x) for x in ("行政复议", "未经复议直接起诉", "复议后起诉", "行政诉讼")))


@dataclass(slots=True)
class TableRead:
    grid: Grid = field(default_factory=dict)
    found: bool = False
    truncated: bool = False


@dataclass(slots=True)
class _Glued:
    """A row whose cells were glued: its possible readings and where they were printed."""

    row: Row
    columns: tuple[Column, ...]
    raw: str
    line: int
    options: list[tuple[Number, ...]]


# ---- shared ------------------------------------------------------------------------------------

def _compact(tokens: list[Token]) -> str:
    return " ".join(t.raw for t in tokens)


def _gluable(tokens: list[Token], columns: tuple[Column, ...], flat: Flat) -> bool:
    """Fewer figures than columns, all bare digits on one line: cells glued together.

    Figures on separate lines are separate cells (one cell per line); fewer of them than columns
    means the row, or the excerpt, stops early.
    """
    if not tokens or len(tokens) >= len(columns):
        return False
    if flat.line_no(tokens[0].pos) != flat.line_no(tokens[-1].pos):
        return False
    last_text = columns[-1].text
    any_signed = any(c.signed for c in columns)
    for i, t in enumerate(tokens):
        if t.raw.isdigit() or (any_signed and t.raw.startswith("-") and t.raw[1:].isdigit()):
            continue
        if i == len(tokens) - 1 and last_text and t.raw[:1].isdigit():
            continue
        return False
    return sum(len(t.raw.lstrip("-")) for t in tokens) >= len(columns)


def _direct(tokens: list[Token], columns: tuple[Column, ...], flat: Flat) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    block_at = flat.block_at
    for col, t in zip(columns, tokens):
        cells[col.id] = make_cell(t.raw, col, block_at(t.pos))
    for col in columns[len(tokens):]:
        cells[col.id] = Cell.absent()
    return cells


def _printed_parts(raw: str, reading: tuple[Number, ...]) -> list[str]:
    """The characters of each cell of a reading, cut from the glued run as printed."""
    s = "".join(raw.split())
    out: list[str] = []
    pos = 0
    for i, v in enumerate(reading):
        if i == len(reading) - 1:
            out.append(s[pos:])
        else:
            n = str(v)
            out.append(s[pos:pos + len(n)])
            pos += len(n)
    return out


def _settle(glued: _Glued, options: list[tuple[Number, ...]], chosen: tuple[Number, ...] | None) -> dict[str, Cell]:
    """Cells of a glued row: the chosen reading, or per column the agreed figure or AMBIGUOUS."""
    listed = tuple(options[:MAX_LISTED])
    cells: dict[str, Cell] = {}
    if chosen is not None:
        parts = _printed_parts(glued.raw, chosen)
        alternatives = listed if len(options) > 1 else ()
        for i, col in enumerate(glued.columns):
            cells[col.id] = reading_cell(chosen[i], glued.raw, col, glued.line, alternatives, parts[i])
        return cells
    for i, col in enumerate(glued.columns):
        values = {o[i] for o in options}
        if len(values) == 1 and options:
            parts = _printed_parts(glued.raw, options[0])
            cells[col.id] = reading_cell(options[0][i], glued.raw, col, glued.line, (), parts[i])
        elif options:
            cells[col.id] = ambiguous_cell(glued.raw, listed, glued.line)
        else:
            cells[col.id] = Cell(CellStatus.UNREADABLE, glued.raw, None, line=glued.line)
    return cells


class _Budget:
    """Search steps left for one table: a page of nonsense digits must not stall the parser."""

    def __init__(self, steps: int = TABLE_BUDGET) -> None:
        self.left = steps

    def readings(self, raw: str, columns: tuple[Column, ...], totals=(),
                 limit: int | None = None) -> list[tuple[Number, ...]] | None:
        """The readings of a run, or None when the search would exceed the budget."""
        if self.left <= 0:
            return None
        signed = frozenset(i for i, c in enumerate(columns) if c.signed)
        spent: list[int] = []
        try:
            return readings(raw, len(columns), totals, last_amount=columns[-1].text or columns[-1].decimal,
                            signed=signed, budget=min(DEFAULT_BUDGET, self.left), limit=limit, spent=spent)
        except BudgetExceeded:
            return None
        finally:
            self.left -= sum(spent)


def _row_regions(flat: Flat, spec: TableSpec, span: Span):
    hits = find_rows(flat.text, spec, span)
    for i, hit in enumerate(hits):
        end = hits[i + 1].label_start if i + 1 < len(hits) else span.end
        end = max(end, hit.value_start)
        tokens, pipe = region_tokens(flat.text, hit.value_start, end)
        yield hit.row, tokens, pipe


def _truncated(spec: TableSpec, grid: Grid) -> bool:
    """A found table ends early: its last row is missing or lacks cells."""
    last = spec.rows[-1]
    cells = grid.get(last.id)
    if not cells:
        return True
    return any(c.status is CellStatus.ABSENT for c in cells.values())


def _fill_absent(spec: TableSpec, grid: Grid) -> None:
    """Every template cell present, rows and columns in template order."""
    layout = _layout(spec)
    # Usually every row was found, in order, and ``_direct`` filled every column: nothing to do.
    if tuple(grid) == layout.row_ids and all(tuple(grid[r]) == layout.column_ids[r] for r in layout.row_ids):
        return
    ordered: Grid = {}
    for row in spec.rows:
        have = grid.get(row.id, {})
        ordered[row.id] = {col.id: have.get(col.id) or Cell.absent() for col in layout.columns[row.id]}
    grid.clear()
    grid.update(ordered)


@dataclass(frozen=True, slots=True)
class _Layout:
    """A table's row ids, and each row's columns (table 二's blocks differ) with their ids."""

    row_ids: tuple[str, ...]
    columns: dict[str, tuple[Column, ...]]
    column_ids: dict[str, tuple[str, ...]]


_LAYOUTS: dict[int, tuple[TableSpec, _Layout]] = {}


def _layout(spec: TableSpec) -> _Layout:
    """Computed once per table. Cached by identity: the specs are module constants, and hashing a
    frozen spec walks all of it."""
    hit = _LAYOUTS.get(id(spec))
    if hit is None or hit[0] is not spec:
        columns = {row.id: spec.columns_of(row) for row in spec.rows}
        hit = (spec, _Layout(tuple(r.id for r in spec.rows), columns,
                             {r: tuple(c.id for c in cols) for r, cols in columns.items()}))
        _LAYOUTS[id(spec)] = hit
    return hit[1]


# ---- table 三 ----------------------------------------------------------------------------------

def read_requests(flat: Flat, spec: TableSpec, span: Span | None) -> TableRead:
    out = TableRead()
    if span is None:
        return out
    glued: list[_Glued] = []
    budget = _Budget()
    layout = _layout(spec)
    for row, tokens, pipe in _row_regions(flat, spec, span):
        out.found = True
        columns = layout.columns[row.id]
        if not pipe and _gluable(tokens, columns, flat):
            raw = _compact(tokens)
            line = flat.block_at(tokens[0].pos)
            options = budget.readings(raw, columns, REQUEST_TOTAL)
            if options == []:
                # The printed row total holds for no cut: the cuts without it, if they are few.
                options = budget.readings(raw, columns, limit=MAX_LISTED + 1)
                if options is not None and len(options) > MAX_LISTED:
                    options = None
            if options is None:
                out.grid[row.id] = {c.id: Cell(CellStatus.UNREADABLE, raw, None, line=line) for c in columns}
                continue
            glued.append(_Glued(row, columns, raw, line, options))
            continue
        out.grid[row.id] = _direct(tokens, columns, flat)
    _resolve_requests(spec, out.grid, glued)
    if out.found:
        out.truncated = _truncated(spec, out.grid)
        _fill_absent(spec, out.grid)
    return out


def _resolve_requests(spec: TableSpec, grid: Grid, glued: list[_Glued]) -> None:
    """Settle the glued rows: alone when one cut adds up, jointly (by the columns) otherwise."""
    pending = [g for g in glued if len(g.options) > 1]
    for g in glued:
        if len(g.options) <= 1:
            grid[g.row.id] = _settle(g, g.options, g.options[0] if g.options else None)
    if not pending:
        return
    for g, options in zip(pending, _joint_choices(spec, grid, pending)):
        # No joint choice at all (the printed figures do not add up): every cut stays possible.
        options = options or g.options
        grid[g.row.id] = _settle(g, options, options[0] if len(options) == 1 else None)


def _known_row(grid: Grid, row: Row, columns: tuple[Column, ...]) -> tuple[Number, ...] | None:
    cells = grid.get(row.id)
    if not cells:
        return None
    out: list[Number] = []
    for c in columns:
        cell = cells.get(c.id)
        if cell is None or not cell.known:
            return None
        out.append(cell.number)
    return tuple(out)


def _joint_choices(spec: TableSpec, grid: Grid, pending: list[_Glued]) -> list[list[tuple[Number, ...]]]:
    """For each ambiguous row, the readings that take part in some choice where the columns add up."""
    columns = spec.columns
    fixed: dict[str, tuple[Number, ...]] = {}
    for r in spec.rows:
        known = _known_row(grid, r, columns)
        if known is not None:
            fixed[r.id] = known
    pending_ids = [g.row.id for g in pending]
    leaves = [r.id for r in spec.leaves]
    combos = 1
    for g in pending:
        combos *= len(g.options)
    if combos > MAX_COMBINATIONS:
        return [list(g.options) for g in pending]
    survivors: list[set[tuple[Number, ...]]] = [set() for _ in pending]
    for choice in product(*(g.options for g in pending)):
        values = dict(fixed)
        values.update(zip(pending_ids, choice))
        if _columns_hold(values, leaves, len(columns)):
            for k, reading in enumerate(choice):
                survivors[k].add(reading)
    return [[o for o in g.options if o in survivors[k]] for k, g in enumerate(pending)]


def _columns_hold(values: dict[str, tuple[Number, ...]], leaves: list[str], width: int) -> bool:
    """SUBTOTAL and BALANCE, for the rows whose figures are all known."""
    total = values.get("total")
    if total is not None and all(l in values for l in leaves):
        for c in range(width):
            if sum(values[l][c] for l in leaves) != total[c]:
                return False
    need = ("new", "carried_over", "total", "carried_forward")
    if all(k in values for k in need):
        new, old, tot, fwd = (values[k] for k in need)
        for c in range(width):
            if new[c] + old[c] != tot[c] + fwd[c]:
                return False
    return True


# ---- table 二 ----------------------------------------------------------------------------------

def read_disclosure(flat: Flat, spec: TableSpec, span: Span | None) -> TableRead:
    out = TableRead()
    if span is None:
        return out
    budget = _Budget()
    layout = _layout(spec)
    for row, tokens, pipe in _row_regions(flat, spec, span):
        out.found = True
        columns = layout.columns[row.id]
        if not pipe and _gluable(tokens, columns, flat):
            raw = _compact(tokens)
            line = flat.block_at(tokens[0].pos)
            options = budget.readings(raw, columns)
            g = _Glued(row, columns, raw, line, options or [])
            if not options:
                out.grid[row.id] = _settle(g, [], None)
                continue
            ranked, decided = plausible(columns, options)
            out.grid[row.id] = _settle(g, ranked, ranked[0] if decided else None)
            continue
        out.grid[row.id] = _direct(tokens, columns, flat)
    if out.found:
        out.truncated = _truncated(spec, out.grid)
        _fill_absent(spec, out.grid)
    return out


def plausible(columns: tuple[Column, ...], options: list[tuple[Number, ...]]) -> tuple[list[tuple[Number, ...]], bool]:
    """Table-二 readings ordered by plausibility, and whether the first one stands alone.

    Without totals, a cut is judged by what the figures mean:
    - impossible readings go: everything published so far (对外公开总数量) includes what was published
      this year; the documents in force (现行有效件数) include those issued this year; a list cannot
      lose more items (本年增/减) than it had (上一年项目数量);
    - then the usual case is preferred: a "0" digit is a cell of its own (0 is the commonest figure
      in these tables, and a cut that hides it inside a number is the unlikely one); what was
      published this year is what was made this year; and, between counts, smaller figures (a cut
      that leaves one huge number is the unlikely one).
    A procurement row (a count and an amount of money) has no such rule: its cuts stay ambiguous.
    """
    ids = [c.id for c in columns]

    def pos(cid: str) -> int | None:
        return ids.index(cid) if cid in ids else None

    def possible(o: tuple[Number, ...]) -> bool:
        for low, high in (("published", "total_public"), ("issued", "in_force")):
            lo, hi = pos(low), pos(high)
            if lo is not None and hi is not None and o[hi] < o[lo]:
                return False
        prev, ch = pos("previous"), pos("change")
        if prev is not None and ch is not None and o[prev] + o[ch] < 0:
            return False
        return True

    kept = [o for o in options if possible(o)] or list(options)
    if any(c.text for c in columns):
        return kept, len(kept) == 1

    def key(o: tuple[Number, ...]) -> tuple[Number, ...]:
        k: list[Number] = [-sum(1 for v in o if v == 0)]
        m, p = pos("made"), pos("published")
        if m is not None and p is not None:
            k.append(0 if o[m] == o[p] else 1)
        k.append(sum(abs(v) for v in o))
        return tuple(k)

    kept.sort(key=key)
    decided = len(kept) == 1 or key(kept[0]) != key(kept[1])
    return kept, decided


# ---- table 四 ----------------------------------------------------------------------------------

def read_appeals(flat: Flat, spec: TableSpec, span: Span | None) -> TableRead:
    out = TableRead()
    if span is None:
        return out
    columns = spec.columns
    flat_cols: list[tuple[Row, Column]] = [(r, c) for r in spec.rows for c in columns]
    n = len(flat_cols)
    tokens = _appeal_tokens(flat, span, n)
    if not tokens:
        return out
    out.found = True
    width_cols = tuple(c for _, c in flat_cols)
    cells: list[Cell]
    if _gluable(tokens, width_cols, flat):
        raw = _compact(tokens)
        line = flat.block_at(tokens[0].pos)
        budget = _Budget()
        options = budget.readings(raw, width_cols, APPEAL_TOTALS)
        if options == []:
            # The printed totals hold for no cut: the cuts without them, if they are few.
            options = budget.readings(raw, width_cols, limit=MAX_LISTED + 1)
            if options is not None and len(options) > MAX_LISTED:
                options = None
        if options is None:
            cells = [Cell(CellStatus.UNREADABLE, raw, None, line=line) for _ in range(n)]
        else:
            # Column ids repeat across the three rows, so the cells are settled by position.
            cells = _positional(_Glued(spec.rows[0], width_cols, raw, line, options), options)
    else:
        cells = []
        for i, (_, col) in enumerate(flat_cols):
            if i < len(tokens):
                cells.append(make_cell(tokens[i].raw, col, flat.block_at(tokens[i].pos)))
            else:
                cells.append(Cell.absent())
    for (row, col), cell in zip(flat_cols, cells):
        out.grid.setdefault(row.id, {})[col.id] = cell
    out.truncated = any(c.status is CellStatus.ABSENT for c in cells)
    return out


def _positional(g: _Glued, options: list[tuple[Number, ...]]) -> list[Cell]:
    listed = tuple(options[:MAX_LISTED])
    out: list[Cell] = []
    for i, col in enumerate(g.columns):
        values = {o[i] for o in options}
        if len(values) == 1 and options:
            out.append(reading_cell(options[0][i], g.raw, col, g.line, listed if len(options) > 1 else ()))
        elif options:
            out.append(ambiguous_cell(g.raw, listed, g.line))
        else:
            out.append(Cell(CellStatus.UNREADABLE, g.raw, None, line=g.line))
    return out


def _appeal_tokens(flat: Flat, span: Span, n: int) -> list[Token]:
    text = flat.text
    first_pipe = text.find("|", span.start, span.end)
    # Pipe rows when a '|' comes before any digit (only the text up to the first '|' is looked at).
    if first_pipe >= 0 and not any(ch.isdigit() for ch in text[span.start:first_pipe]):
        cells = all_pipe_cells(text, span.start, span.end)
        row = _figure_line(cells, flat, n)
        if row is not None:
            return row
        start = next((i for i, t in enumerate(cells) if t.raw and t.raw[0].isdigit()), None)
        if start is None:
            return []
        line = flat.line_no(cells[start].pos)
        while start > 0 and cells[start - 1].raw == "" and flat.line_no(cells[start - 1].pos) == line:
            start -= 1
        out: list[Token] = []
        for t in cells[start:]:
            if t.raw and not is_figure(t.raw):
                # A table printed as three labelled rows: a row label between groups of figures.
                if len(out) % GROUP == 0 and _APPEAL_ROW.search(t.raw):
                    continue
                break
            out.append(t)
            if len(out) == n:
                break
        return out
    out = figure_run(text, span.start, span.end)[:n]
    while out and len(out) < n and len(out) % GROUP == 0:
        # Three labelled rows of five: the next row's label, then its figures.
        after = out[-1].pos + len(out[-1].raw)
        more = figure_run(text, after, span.end)
        if not more or not _APPEAL_ROW.search(text, after, more[0].pos):
            break
        out.extend(more[:n - len(out)])
    return out


def _figure_line(cells: list[Token], flat: Flat, n: int) -> list[Token] | None:
    """The first table row (one line of pipe cells) made of ``n`` or more figures, blanks included."""
    by_line: dict[int, list[Token]] = {}
    for t in cells:
        by_line.setdefault(flat.line_no(t.pos), []).append(t)
    for line in sorted(by_line):
        row = by_line[line]
        if len(row) >= n and all(is_figure(t.raw) for t in row[:n]):
            return row[:n]
    return None
