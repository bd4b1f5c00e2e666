"""Cells the parser could not read with certainty: AMBIGUOUS_CELL, UNREADABLE_CELL, TRUNCATED."""

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


def _row_cells(report: Report, spec: TableSpec, status: CellStatus) -> list[tuple[str, list[tuple[str, Cell]]]]:
    grid = report.grid(spec.id)
    out = []
    for row_id, col_ids in layout(spec):
        row = grid.get(row_id)
        if not row:
            continue
        cells = [(c, row[c]) for c in col_ids if c in row and row[c].status is status]
        if cells:
            out.append((row_id, cells))
    return out


def ambiguous(report: Report, spec: TableSpec) -> list[Finding]:
    """One finding per row and set of readings: the cells of one glued run share their candidates."""
    out: list[Finding] = []
    for row_id, cells in _row_cells(report, spec, CellStatus.AMBIGUOUS):
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


def unreadable(report: Report, spec: TableSpec) -> list[Finding]:
    out: list[Finding] = []
    for row_id, cells in _row_cells(report, spec, CellStatus.UNREADABLE):
        for col_id, cell in cells:
            where = cell_where(spec, row_id, col_id)
            raw = cell.raw or ""
            out.append(Finding(
                "UNREADABLE_CELL", W, where,
                f"{where}：“{raw}”不是可识别的数字，未计入任何合计",
                f"{cell_where_en(spec, row_id, col_id)}: \"{raw}\" is not a readable number; left out of every sum",
                spec.id, row_id, col_id, {"raw": raw}))
    return out


def missing_cells(report: Report, spec: TableSpec) -> list[Finding]:
    """MISSING_CELL: a table that was found and does not end early, yet some of its cells were not read."""
    if spec.id not in report.tables_found or spec.id in report.truncated:
        return []
    grid = report.grid(spec.id)
    out: list[Finding] = []
    for row_id, col_ids in layout(spec):
        row = grid.get(row_id, {})
        cols = [c for c in col_ids if c not in row or row[c].status is CellStatus.ABSENT]
        if not cols:
            continue
        names = "、".join(column_name(spec, c) for c in cols)
        where = f"{table_name(spec)}{SEP}{row_name(spec, row_id)}"
        out.append(Finding(
            "MISSING_CELL", W, where, f"{where}：未读到{names}，相关合计未核对",
            f"{cell_where_en(spec, row_id)}: {', '.join(spec.column(c).en for c in cols)} not found; "
            "the sums that need them were not checked",
            spec.id, row_id, cols[0] if len(cols) == 1 else None, {"columns": cols}))
    return out


def truncated(report: Report, spec: TableSpec) -> list[Finding]:
    if spec.id not in report.truncated:
        return []
    grid = report.grid(spec.id)
    cells = [(r, c) for r, cols in layout(spec) for c in cols]
    expected = len(cells)
    absent = [(r, c) for r, c in cells if (grid.get(r, {}).get(c) or Cell.absent()).status is CellStatus.ABSENT]
    first = absent[0][0] if absent else None
    after = f"，自“{row_name(spec, first)}”起缺失" if first else ""
    msg = f"{table_name(spec)}不完整：模板应有{expected}个单元格，缺少{len(absent)}个{after}"
    en = f"{table_name_en(spec)} ends early: {len(absent)} of the template's {expected} cells are missing"
    return [Finding("TRUNCATED", W, table_name(spec), msg, en, spec.id, first, None,
                    {"expected_cells": expected, "missing_cells": len(absent)})]


def check_cells(report: Report) -> list[Finding]:
    spec = report.spec
    if spec is None:
        return [Finding("TRUNCATED", W, f"表{_NUMBER[t]}", f"表{_NUMBER[t]}不完整（提前结束）", f"table {t} ends early",
                        t, None, None, {}) for t in sorted(report.truncated) if t in _NUMBER]  # type: ignore[arg-type]
    out: list[Finding] = []
    for table in spec.tables:
        out += truncated(report, table)
        out += missing_cells(report, table)
        out += ambiguous(report, table)
        out += unreadable(report, table)
    return out
