"""Overrides of scores, made by one person and approved by another.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _text(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _stamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _text("entity_id"), _text("kind"), _text("reason"),
        sa.Column("expires", sa.Date(), nullable=False),
        sa.Column("cap", sa.Double(), nullable=True),
        _text("regime", True), _text("manual_status", True), _text("author"),
        _stamp("created_at"), _text("fingerprint"), _text("state"), _text("approver", True),
        _stamp("approved_at", True), _text("revoked_by", True), _stamp("revoked_at", True),
        _text("revoke_reason", True),
        sa.PrimaryKeyConstraint("id", name="pk_overrides"),
    )
    op.create_index("ix_overrides_entity_id", "overrides", ["entity_id"])


def downgrade() -> None:
    op.drop_table("overrides")
