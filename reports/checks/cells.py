"""Cells the parser could not read with certainty: AMBIGUOUS_CELL, INFERRED_SPLIT, UNREADABLE_CELL, TRUNCATED."""

from __future__ import annotations

from ..model import Cell, CellStatus, Finding, Report, Severity
from ..templates import TableSpec
from .values import layout
from .where import SEP, cell_where, cell_where_en, column_name, fmt, row_name, table_name, table_name_en

W = Severity.WARNING
_MAX_READINGS = 6
_NUMBER = {"disclosure": "二", "requests": "三", "appeals": "四"}


def _reading(candidate: tuple) -> str:
    return " | ".join(fmt(n) if isinstance(n, (int, float)) else str(n) for n in candidate)


Rows = list[tuple[str, list[tuple[str, Cell]]]]
_UNSURE = (CellStatus.AMBIGUOUS, CellStatus.UNREADABLE, CellStatus.ABSENT)
_VALUE = CellStatus.VALUE       # bound once: looking a member up on an Enum class is slow


def _scan(report: Report, spec: TableSpec) -> dict[CellStatus, Rows]:
    """One pass over a table: its ambiguous, unreadable and absent cells, row by row, in template order."""
    grid = report.grid(spec.id)
    out: dict[CellStatus, Rows] = {s: [] for s in _UNSURE}
    absent = Cell.absent()
    for row_id, col_ids in layout(spec):
        row = grid.get(row_id) or {}
        found: dict[CellStatus, list[tuple[str, Cell]]] = {}
        for c in col_ids:
            cell = row.get(c) or absent
            status = cell.status
            if status is not _VALUE and status in _UNSURE:      # most cells are values: one test
                found.setdefault(status, []).append((c, cell))
        for status, cells in found.items():
            out[status].append((row_id, cells))
    return out


def ambiguous(spec: TableSpec, rows: Rows) -> list[Finding]:
    """One finding per row and set of readings: the cells of one glued run share their candidates."""
    out: list[Finding] = []
    for row_id, cells in rows:
        runs: dict[tuple, list[tuple[str, Cell]]] = {}
        for col_id, cell in cells:
            runs.setdefault(cell.candidates, []).append((col_id, cell))
        for candidates, run in runs.items():
            cols = [c for c, _ in run]
            raw = next((cell.raw for _, cell in run if cell.raw), "")
            names = "、".join(column_name(spec, c) for c in cols)
            readings = "；".join(_reading(c) for c in candidates[:_MAX_READINGS])
            many = len(candidates) > _MAX_READINGS
            intro = f"共{len(candidates)}种读法，例如" if many else "可能的读法"
            intro_en = f"{len(candidates)} readings, e.g." if many else "possible readings:"
            where = f"{table_name(spec)}{SEP}{row_name(spec, row_id)}"
            msg = (f"{where}：粘连的数字“{raw}”无法唯一拆分为{names}，未作猜测"
                   + (f"；{intro}：{readings}" if readings else ""))
            en = (f"{cell_where_en(spec, row_id)}: the glued digits \"{raw}\" cannot be split uniquely into "
                  f"{', '.join(spec.column(c).en for c in cols)}; not guessed"
                  + (f"; {intro_en} {readings.replace('；', '; ')}" if readings else ""))
            out.append(Finding("AMBIGUOUS_CELL", W, where, msg, en, spec.id, row_id,
                               cols[0] if len(cols) == 1 else None,
                               {"raw": raw, "columns": cols, "candidates": [list(c) for c in candidates]}))
    return out


def inferred(spec: TableSpec, grid: dict) -> list[Finding]:
    """INFERRED_SPLIT: glued digits of table 二 (no totals to split by) read by plausibility.

    The parser keeps the reading it chose first in ``candidates`` and the others after it; saying so
    keeps the choice visible instead of passing a guess off as a printed number."""
    out: list[Finding] = []
    for row_id, col_ids in layout(spec):
        row = grid.get(row_id) or {}
        run = [(c, row[c]) for c in col_ids if c in row and len(row[c].candidates) > 1
               and row[c].status is _VALUE]
        if not run:
            continue
        cols = [c for c, _ in run]
        candidates = run[0][1].candidates
        raw = next((cell.raw for _, cell in run if cell.raw), "")
        where = f"{table_name(spec)}{SEP}{row_name(spec, row_id)}"
        chosen = _reading(candidates[0])
        others = "；".join(_reading(c) for c in candidates[1:_MAX_READINGS + 1])
        out.append(Finding(
            "INFERRED_SPLIT", Severity.INFO, where,
            f"{where}：粘连的数字“{raw}”按常理读作{chosen}，其他可能的读法：{others}",
            f"{cell_where_en(spec, row_id)}: the glued digits \"{raw}\" were read as {chosen} by plausibility; "
            f"other readings: {others.replace('；', '; ')}",
            spec.id, row_id, cols[0] if len(cols) == 1 else None,
            {"raw": raw, "columns": cols, "candidates": [list(c) for c in candidates]}))
    return out


def unreadable(spec: TableSpec, rows: Rows) -> list[Finding]:
    out: list[Finding] = []
    for row_id, cells in rows:
        for col_id, cell in cells:
            where = cell_where(spec, row_id, col_id)
            raw = cell.raw or ""
            out.append(Finding(
                "UNREADABLE_CELL", W, where,
                f"{where}：“{raw}”不是可识别的数字，未计入任何合计",
                f"{cell_where_en(spec, row_id, col_id)}: \"{raw}\" is not a readable number; left out of every sum",
                spec.id, row_id, col_id, {"raw": raw}))
    return out


def missing_cells(report: Report, spec: TableSpec, rows: Rows) -> list[Finding]:
    """MISSING_CELL: a table that was found and does not end early, yet some of its cells were not read."""
    if spec.id not in report.tables_found or spec.id in report.truncated:
        return []
    out: list[Finding] = []
    for row_id, cells in rows:
        cols = [c for c, _ in cells]
        names = "、".join(column_name(spec, c) for c in cols)
        where = f"{table_name(spec)}{SEP}{row_name(spec, row_id)}"
        out.append(Finding(
            "MISSING_CELL", W, where, f"{where}：未读到{names}，相关合计未核对",
            f"{cell_where_en(spec, row_id)}: {', '.join(spec.column(c).en for c in cols)} not found; "
            "the sums that need them were not checked",
            spec.id, row_id, cols[0] if len(cols) == 1 else None, {"columns": cols}))
    return out


def truncated(report: Report, spec: TableSpec, rows: Rows) -> list[Finding]:
    if spec.id not in report.truncated:
        return []
    expected = sum(len(cols) for _, cols in layout(spec))
    missing = sum(len(cells) for _, cells in rows)
    first = rows[0][0] if rows else None
    after = f"，自“{row_name(spec, first)}”起缺失" if first else ""
    msg = f"{table_name(spec)}不完整：模板应有{expected}个单元格，缺少{missing}个{after}"
    en = f"{table_name_en(spec)} ends early: {missing} of the template's {expected} cells are missing"
    return [Finding("TRUNCATED", W, table_name(spec), msg, en, spec.id, first, None,
                    {"expected_cells": expected, "missing_cells": missing})]


def check_cells(report: Report) -> list[Finding]:
    spec = report.spec
    if spec is None:
        return [Finding("TRUNCATED", W, f"表{_NUMBER[t]}", f"表{_NUMBER[t]}不完整（提前结束）", f"table {t} ends early",
                        t, None, None, {}) for t in sorted(report.truncated) if t in _NUMBER]  # type: ignore[arg-type]
    out: list[Finding] = []
    for table in spec.tables:
        found = _scan(report, table)
        absent = found[CellStatus.ABSENT]
        out += truncated(report, table, absent)
        out += missing_cells(report, table, absent)
        out += ambiguous(table, found[CellStatus.AMBIGUOUS])
        out += inferred(table, report.grid(table.id))
        out += unreadable(table, found[CellStatus.UNREADABLE])
    return out
