"""Indexes for the questions engine: a covering index for aggregates over ``figures``, and reports by year.

Sums and rankings read (row, column, year, current) → (report, agency, value) for every report of a
year; with all of them in one index they are answered from the index alone. Counting a year's
reports (to say how many were left out) reads ``reports`` by year.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_figures_question_cover", "figures",
                    ["row_id", "column_id", "year", "is_current", "report_id", "agency_id", "value"])
    op.create_index("ix_reports_year_current", "reports", ["year", "is_current", "agency_id"])


def downgrade() -> None:
    op.drop_index("ix_reports_year_current", table_name="reports")
    op.drop_index("ix_figures_question_cover", table_name="figures")
