"""Hard rules of tables 三 and 四: row totals, the （七） subtotal, the 勾稽关系, litigation totals,
negative counts and blank totals."""

from __future__ import annotations

from ..model import CellStatus, Finding, Number, Report, Severity
from ..templates import TableSpec
from .values import Values, layout, sums
from .where import (SEP, cell_where, cell_where_en, column_name, compact, fmt, row_name, row_name_en, short_label,
                    table_name, table_name_en)

E = Severity.ERROR
_VALUE = CellStatus.VALUE       # bound once: looking a member up on an Enum class is slow


def _short(spec: TableSpec, row_id: str) -> str:
    """"一（本年新收）", "（七）总计": a row's ordinal with its short label."""
    row = spec.row(row_id)
    return f"{row.marker}（{short_label(row)}）" if not row.marker.startswith("（") else f"{row.marker}{short_label(row)}"


def row_totals(v: Values, spec: TableSpec) -> list[Finding]:
    """ROW_TOTAL (table 三) and LITIGATION_TOTAL (table 四): 总计 = the sum of the row's other columns."""
    out: list[Finding] = []
    code = "ROW_TOTAL" if spec.id == "requests" else "LITIGATION_TOTAL"
    known = v.known
    for row_id, row_sum in sums(spec).rows:
        total = known.get(row_sum.total)
        if total is None:
            continue
        parts = v.numbers(row_sum.parts)
        if parts is None or total == sum(parts):
            continue
        s = sum(parts)
        cols = row_sum.ids
        if spec.id == "requests":
            msg = f"{table_name(spec)}“{compact(row_name(spec, row_id))}”行：总计为{fmt(total)}，但各类申请人之和为{fmt(s)}"
            en = f"{cell_where_en(spec, row_id, 'total')}: {fmt(total)}, but the applicant columns add up to {fmt(s)}"
        else:
            labels = "、".join(spec.column(c).label for c in cols)
            msg = f"{table_name(spec)}“{compact(row_name(spec, row_id))}”行：总计为{fmt(total)}，但{labels}之和为{fmt(s)}"
            en = f"{cell_where_en(spec, row_id, 'total')}: {fmt(total)}, but the outcomes add up to {fmt(s)}"
        out.append(Finding(code, E, cell_where(spec, row_id, "total"), msg, en, spec.id, row_id, "total",
                           {"total": total, "sum": s, "parts": dict(zip(cols, parts))}))
    return out


def subtotals(v: Values, spec: TableSpec) -> list[Finding]:
    """SUBTOTAL: in every column, （七）总计 = the sum of the leaf result rows."""
    out: list[Finding] = []
    known = v.known
    for col, (_, col_sum) in zip(spec.columns, sums(spec).columns):
        total = known.get(col_sum.total)
        if total is None:
            continue
        parts = v.numbers(col_sum.parts)
        if parts is None or total == sum(parts):
            continue
        leaves = col_sum.ids
        s = sum(parts)
        msg = f"{table_name(spec)}{row_name(spec, 'total')}·{col.label}为{fmt(total)}，但各项办理结果之和为{fmt(s)}"
        en = f"{cell_where_en(spec, 'total', col.id)}: {fmt(total)}, but the outcome rows add up to {fmt(s)}"
        nonzero = {r: n for r, n in zip(leaves, parts) if n}
        out.append(Finding("SUBTOTAL", E, cell_where(spec, "total", col.id), msg, en, spec.id, "total", col.id,
                           {"total": total, "sum": s, "rows": nonzero}))
    return out


def balance(v: Values, spec: TableSpec) -> list[Finding]:
    """BALANCE: in every column, 一 + 二 = （七） + 四 (the 勾稽关系 printed in the header)."""
    out: list[Finding] = []
    for col in spec.columns:
        nums = v.all(spec.id, [("new", col.id), ("carried_over", col.id), ("total", col.id),
                               ("carried_forward", col.id)])
        if nums is None:
            continue
        new, over, total, forward = nums
        if new + over == total + forward:
            continue
        n = {r: _short(spec, r) for r in ("new", "carried_over", "total", "carried_forward")}
        msg = (f"{table_name(spec)}·{col.label}：{n['new']} {fmt(new)} + {n['carried_over']} {fmt(over)} = "
               f"{fmt(new + over)}，但{n['total']} {fmt(total)} + {n['carried_forward']} {fmt(forward)} = "
               f"{fmt(total + forward)}")
        en = (f"Table 3, {col.en}: new {fmt(new)} + carried over {fmt(over)} = {fmt(new + over)}, but handled "
              f"{fmt(total)} + carried forward {fmt(forward)} = {fmt(total + forward)}")
        out.append(Finding("BALANCE", E, f"{table_name(spec)}{SEP}{col.label}", msg, en, spec.id, None, col.id,
                           {"new": new, "carried_over": over, "total": total, "carried_forward": forward}))
    return out


def missing_totals(v: Values) -> list[Finding]:
    """MISSING_TOTAL: blank 总计 cells whose parts are not all zero, grouped per table and direction."""
    spec = v.report.spec
    if spec is None or not v.missing:
        return []
    out: list[Finding] = []
    groups: dict[tuple[str, str], list] = {}
    for m in v.missing:
        groups.setdefault((m.table, m.along), []).append(m)
    for (table, along), items in groups.items():
        t = spec.table(table)  # type: ignore[arg-type]
        if len(items) == 1:
            m = items[0]
            what = "各类申请人之和" if along == "row" and table == "requests" else (
                "各项结果之和" if along == "row" else "各项办理结果之和")
            msg = f"{cell_where(t, m.row, m.column)}留空，但{what}为{fmt(m.expected)}"
            en = f"{cell_where_en(t, m.row, m.column)} is blank, but its parts add up to {fmt(m.expected)}"
            out.append(Finding("MISSING_TOTAL", E, cell_where(t, m.row, m.column), msg, en, t.id, m.row, m.column,
                               {"expected": m.expected}))
            continue
        if along == "row":
            listed = "；".join(f"{compact(row_name(t, m.row))}应为{fmt(m.expected)}" for m in items)
            where = f"{table_name(t)}{SEP}{column_name(t, 'total')}列"
            msg = f"{table_name(t)}“总计”列有{len(items)}行留空，而各行之和不为0：{listed}"
            en = (f"{table_name_en(t)}: the total column is blank in {len(items)} rows whose parts are not zero: "
                  + "; ".join(f"{row_name_en(t, m.row)} should be {fmt(m.expected)}" for m in items))
            out.append(Finding("MISSING_TOTAL", E, where, msg, en, t.id, None, "total",
                               {"rows": {m.row: m.expected for m in items}}))
        else:
            listed = "；".join(f"{column_name(t, m.column)}应为{fmt(m.expected)}" for m in items)
            where = f"{table_name(t)}{SEP}{row_name(t, 'total')}"
            msg = f"{table_name(t)}（七）总计有{len(items)}列留空，而各项办理结果之和不为0：{listed}"
            en = (f"{table_name_en(t)}: the total row is blank in {len(items)} columns whose outcomes are not zero: "
                  + "; ".join(f"{t.column(m.column).en} should be {fmt(m.expected)}" for m in items))
            out.append(Finding("MISSING_TOTAL", E, where, msg, en, t.id, "total", None,
                               {"columns": {m.column: m.expected for m in items}}))
    return out


def negative_values(report: Report) -> list[Finding]:
    """NEGATIVE_VALUE: counts are integers ≥ 0; only the 2019 本年增/减 may be negative."""
    spec = report.spec
    if spec is None:
        return []
    out: list[Finding] = []
    for table in spec.tables:
        grid = report.grid(table.id)
        flags = {c.id: (c.text, c.signed, c.decimal) for c in table.columns}
        for row_id, col_ids in layout(table):
            row = grid.get(row_id)
            if not row:
                continue
            for col_id in col_ids:
                cell = row.get(col_id)
                if cell is None:
                    continue
                n: Number | None = cell.number
                # A count of 0 or more, the usual cell, is fine whatever its column: no more to look at.
                if n is None or cell.status is not _VALUE or (type(n) is int and n >= 0):
                    continue
                text, signed, decimal = flags[col_id]
                if text or (n >= 0 and (decimal or not isinstance(n, float) or n.is_integer())):
                    continue
                where, where_en = cell_where(table, row_id, col_id), cell_where_en(table, row_id, col_id)
                if n < 0 and not signed:
                    out.append(Finding("NEGATIVE_VALUE", E, where, f"{where}为{fmt(n)}，数量不能为负数",
                                       f"{where_en} is {fmt(n)}: a count cannot be negative",
                                       table.id, row_id, col_id, {"value": n}))
                elif isinstance(n, float) and not n.is_integer() and not decimal:
                    out.append(Finding("NON_INTEGER_VALUE", E, where, f"{where}为{fmt(n)}，件数应为整数",
                                       f"{where_en} is {fmt(n)}: a count must be a whole number",
                                       table.id, row_id, col_id, {"value": n}))
    return out


def check_arithmetic(report: Report, v: Values) -> list[Finding]:
    spec = report.spec
    if spec is None:
        return []
    req, app = spec.table("requests"), spec.table("appeals")
    return [*negative_values(report), *missing_totals(v), *row_totals(v, req), *subtotals(v, req),
            *balance(v, req), *row_totals(v, app)]
