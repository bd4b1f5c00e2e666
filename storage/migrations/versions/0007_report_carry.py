"""``reports.carry``: what the carry-over rule reads of each report (``reports.checks.CarryFigures``), kept
beside the report so that checking a pair of years reads two small documents, not two parsed reports.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reports.checks import CarryFigures
from reports.model import Report
from storage.models import JSONType

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROWS = ("carried_over", "carried_forward")
_CHUNK = 1000


def upgrade() -> None:
    # Plain ALTER TABLE on both backends (SQLite ≥ 3.35 adds and drops columns in place): rebuilding
    # ``reports`` would copy every original file, and dropping it would cascade to figures and findings.
    op.add_column("reports", sa.Column("carry", JSONType, nullable=True))
    # Backfill from the stored cells of the two rows (with their status, so blank totals resolve as
    # the rule resolves them), chunk by chunk so a large store is never held in memory at once.
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("year", sa.Integer),
                       sa.column("template", sa.String), sa.column("parsed", JSONType),
                       sa.column("carry", JSONType))
    cells = [reports.c.parsed[("cells", "requests", r)].label(r) for r in _ROWS]
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(reports.c.id, reports.c.year, reports.c.template, *cells)
                            .where(reports.c.id > last).order_by(reports.c.id).limit(_CHUNK)).mappings().all()
        if not rows:
            break
        updates = []
        for r in rows:
            doc = {"source": {}, "year": r["year"], "template": r["template"],
                   "cells": {"requests": {k: r[k] for k in _ROWS if r[k] is not None}}}
            updates.append({"b_id": r["id"], "b_carry": CarryFigures.of(Report.from_json(doc)).to_json()})
        conn.execute(reports.update().where(reports.c.id == sa.bindparam("b_id"))
                     .values(carry=sa.bindparam("b_carry")), updates)
        last = rows[-1]["id"]


def downgrade() -> None:
    op.drop_column("reports", "carry")
