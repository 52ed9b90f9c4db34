"""The lists' weak aliases (issue 15).

``entities.weak_aliases``: a JSON list of the names a list calls weak or low quality (OFAC's
weak a.k.a., EU ``strong="false"``, UK ConList 'Low quality'); NULL: none. They are not
entity names (``entity_names``): names resolve on strong names only, and the screener reads
them as weaker evidence.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("weak_aliases", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("weak_aliases")
