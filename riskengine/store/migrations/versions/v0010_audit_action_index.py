"""An index on the audit log's action (issue 14).

Overrides are checked against their latest audit entries each time they are read (a row
edited outside riskengine is not applied), so those entries are looked up by action; without
the index that is a scan of every score request ever audited.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_action", "audit_log", ["action"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action", table_name="audit_log")
