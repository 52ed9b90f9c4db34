"""List editions: one row per official-list edition ingested.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "list_editions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ingest_id"], ["ingests.id"],
                                name="fk_list_editions_ingest_id_ingests"),
        sa.PrimaryKeyConstraint("id", name="pk_list_editions"),
    )
    for column in ("source", "content_hash", "ingest_id"):
        op.create_index(f"ix_list_editions_{column}", "list_editions", [column])


def downgrade() -> None:
    op.drop_table("list_editions")
