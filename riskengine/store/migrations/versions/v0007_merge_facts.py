"""Facts entity resolution weighs, and the review queue of uncertain merges.

``entities.birth_dates`` / ``entities.nationalities``: JSON lists (NULL: none stated).
``entity_identifiers.stated_from`` / ``stated_to``: the edition dates of its source that
first stated an identifier and first no longer stated it (an identifier no longer stated
links nothing). ``merge_decisions``: analysts' decisions on uncertain pairs (four eyes).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("birth_dates", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("nationalities", sa.JSON(), nullable=True))
    with op.batch_alter_table("entity_identifiers") as batch:
        batch.add_column(sa.Column("stated_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("stated_to", sa.Date(), nullable=True))
    op.create_table(
        "merge_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("a", sa.String(), nullable=False),
        sa.Column("b", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=False),
        sa.Column("proposer", sa.String(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_merge_decisions"),
    )
    op.create_index("ix_merge_decisions_a_b", "merge_decisions", ["a", "b"])


def downgrade() -> None:
    op.drop_index("ix_merge_decisions_a_b", table_name="merge_decisions")
    op.drop_table("merge_decisions")
    with op.batch_alter_table("entity_identifiers") as batch:
        batch.drop_column("stated_to")
        batch.drop_column("stated_from")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("nationalities")
        batch.drop_column("birth_dates")
