"""Group subtotals: for every stored report, one ``figures`` row per table-三 outcome group and applicant
column (table ``derived``), the sum of the group's leaf cells, where all of them are stored. Questions
about a whole group (不予公开, 无法提供, …) then read one row per report instead of up to eight.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reports.templates import TEMPLATES
from storage.encoding import DERIVED, subtotal_groups, subtotal_row_id

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One INSERT … SELECT … GROUP BY per template and group: a report gets a subtotal for a column only
    # when it stores every leaf of the group in that column (a stored figure is a known number).
    for template_id, template in TEMPLATES.items():
        for group_id, rows in subtotal_groups(template.table("requests")).items():
            params = {"template": template_id, "derived": DERIVED, "row": subtotal_row_id(group_id),
                      "n": len(rows), **{f"r{i}": r for i, r in enumerate(rows)}}
            leaves = ", ".join(f":r{i}" for i in range(len(rows)))
            op.get_bind().execute(sa.text(
                "INSERT INTO figures (report_id, agency_id, year, is_current, table_id, row_id, column_id, value) "
                "SELECT f.report_id, f.agency_id, f.year, f.is_current, :derived, :row, f.column_id, SUM(f.value) "
                "FROM figures f JOIN reports r ON r.id = f.report_id "
                f"WHERE r.template = :template AND f.table_id = 'requests' AND f.row_id IN ({leaves}) "
                "GROUP BY f.report_id, f.agency_id, f.year, f.is_current, f.column_id "
                "HAVING COUNT(*) = :n"), params)


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM figures WHERE table_id = :derived"), {"derived": DERIVED})
