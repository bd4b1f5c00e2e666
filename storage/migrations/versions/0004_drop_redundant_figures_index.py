"""Drop ``ix_figures_row_column_year_current``: ``ix_figures_question_cover`` (0003) starts with the same
columns, so it serves every lookup the older index served, and each figure row no longer pays for
maintaining both (about 200 rows per stored report).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_figures_row_column_year_current", table_name="figures")


def downgrade() -> None:
    op.create_index("ix_figures_row_column_year_current", "figures", ["row_id", "column_id", "year", "is_current"])
