"""A covering index for the questions engine's aggregates over ``figures``.

Sums and rankings read (row, column, year, current) → (report, agency, value) for every report of a
year; with all of them in one index they are answered from the index alone.

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


def downgrade() -> None:
    op.drop_index("ix_figures_question_cover", table_name="figures")
