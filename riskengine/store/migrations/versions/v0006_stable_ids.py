"""Stable entity ids: when each stored entity record was first seen, and the member records
of every merged entity a run scored (so that changes, history and score follow merges and
splits).

``entities.first_seen`` is the number of the ingest that first stored the record (records
stored before this revision get 0) and is never updated. ``run_scores.members`` lists the
record ids of a merged entity (NULL: the entity is its one record).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("first_seen", sa.Integer(), nullable=True))
    op.execute("UPDATE entities SET first_seen = 0")
    with op.batch_alter_table("run_scores") as batch:
        batch.add_column(sa.Column("members", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_scores") as batch:
        batch.drop_column("members")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("first_seen")
