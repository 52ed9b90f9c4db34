"""Where a designation's start date comes from (issue 13).

``designations.listed_from_basis``: 'list' (NULL for rows stored before: the list's own date,
or a date the rule files state) or 'first_edition' (the list states no date, e.g. OFAC: the
first edition seen listing the entry, so "listed on or before" that day).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("designations") as batch:
        batch.add_column(sa.Column("listed_from_basis", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("designations") as batch:
        batch.drop_column("listed_from_basis")
