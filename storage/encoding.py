"""A report in the form the store writes it: its JSON text and its figures rows.

``encode`` is pure (no database) and runs wherever the report was analysed: in an import worker
process or in the thread that analysed an upload. The process that owns the database connection
then only moves text into statements, which is what keeps a bulk import from being bound by the
one core that writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reports.model import Report
from reports.templates import TEMPLATES, TableId, TableSpec

TABLES: tuple[TableId, ...] = ("disclosure", "requests", "appeals")
DERIVED = "derived"    # figures.table_id of group subtotals: never a printed cell, never exported
# What the carry-over rule (reports.checks.check_carryover) reads of a stored report's table 三.
CARRY_ROWS = ("carried_over", "carried_forward")


@dataclass(frozen=True, slots=True)
class Encoded:
    parsed: str                  # ``Report.to_json()`` as JSON text: the ``reports.parsed`` column
    figures: str                 # ``stored_figure_values`` as a JSON array of [table, row, column, value]
    carry: dict[str, Any]        # ``Report.to_json()`` cut down to what the carry-over rule reads


def encode(report: Report) -> Encoded:
    doc = report.to_json()
    requests = (doc.get("cells") or {}).get("requests") or {}
    carry = {"source": doc["source"], "agency": report.agency, "level": report.level, "year": report.year,
             "template": report.template,
             "cells": {"requests": {k: requests[k] for k in CARRY_ROWS if k in requests}}}
    return Encoded(_dumps(doc), _dumps(stored_figure_values(report)), carry)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def figure_rows(report: Report) -> list[dict[str, Any]]:
    """The known numbers of a report as ``figures`` rows (without report/agency keys)."""
    return [{"table_id": t, "row_id": r, "column_id": c, "value": v} for t, r, c, v in figure_values(report)]


def figure_values(report: Report) -> list[tuple[str, str, str, float]]:
    """``figure_rows`` as (table, row, column, value) tuples."""
    out: list[tuple[str, str, str, float]] = []
    for table in TABLES:
        for row_id, cols in report.grid(table).items():
            for column_id, cell in cols.items():
                if cell.known and cell.text is None:
                    out.append((table, row_id, column_id, float(cell.number)))  # type: ignore[arg-type]
    return out


def subtotal_row_id(group_id: str) -> str:
    """The ``figures.row_id`` of a group's subtotal; distinct from every printed row id (2019 prints
    （六） as one row whose id is the group id, and queries match row ids without their table)."""
    return f"{group_id}.subtotal"


def subtotal_groups(spec: TableSpec) -> dict[str, tuple[str, ...]]:
    """group id → the leaf row ids it sums, for the requests groups made only of leaves.

    A group without rows of its own is printed as a single row carrying the group's id (2019's （六）),
    so every template has the same subtotals."""
    out: dict[str, tuple[str, ...]] = {}
    ids = {r.id for r in spec.rows}
    for g in spec.groups:
        rows = spec.group_rows(g.id)
        if rows and all(r.leaf for r in rows):
            out[g.id] = tuple(r.id for r in rows)
        elif not rows and g.id in ids and spec.row(g.id).leaf:
            out[g.id] = (g.id,)
    return out


def stored_figure_values(report: Report) -> list[tuple[str, str, str, float]]:
    """What the store writes for a report: its known numbers plus the group subtotals (table ``derived``)
    whose every leaf cell is known, so whole-group questions read one row per report instead of many."""
    out = figure_values(report)
    template = TEMPLATES.get(report.template)
    if template is None:
        return out
    spec = template.table("requests")
    grid = report.grid("requests")
    for group_id, rows in subtotal_groups(spec).items():
        for column in spec.columns:
            cells = [grid.get(r, {}).get(column.id) for r in rows]
            if all(c is not None and c.known and c.text is None for c in cells):
                out.append((DERIVED, subtotal_row_id(group_id), column.id,
                            float(sum(c.number for c in cells))))  # type: ignore[misc, union-attr]
    return out
