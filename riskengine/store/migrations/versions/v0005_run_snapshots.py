"""Knowledge-time reproduction of runs: per-entity contribution parts, content-addressed
snapshots of the facts and rule files a run used, and the counterparty of screening
overrides.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "hash", name="pk_snapshots"),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("facts_hash", sa.String(), nullable=True))
        batch.add_column(sa.Column("rules_snapshot", sa.String(), nullable=True))
    with op.batch_alter_table("run_scores") as batch:
        batch.add_column(sa.Column("parts", sa.JSON(), nullable=True))
    with op.batch_alter_table("overrides") as batch:
        batch.add_column(sa.Column("counterparty", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("overrides") as batch:
        batch.drop_column("counterparty")
    with op.batch_alter_table("run_scores") as batch:
        batch.drop_column("parts")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("rules_snapshot")
        batch.drop_column("facts_hash")
    op.drop_table("snapshots")
