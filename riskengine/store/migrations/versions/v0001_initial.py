"""Initial schema: entities with names/identifiers/sources, fact tables, ingests.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

FACT_TABLES = ("designations", "ownerships", "controls", "relationships")


def _provenance() -> list[sa.Column[object]]:
    return [
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=True),
        sa.Column("file", sa.String(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=True),
    ]


def _validity() -> list[sa.Column[object]]:
    return [
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
    ]


def _ref(column: str) -> sa.Column[object]:
    # An entity id without a foreign key: it may name an entity from the rule files.
    return sa.Column(column, sa.String(), nullable=False)


def _child(table: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        sa.Column(
            "entity_id",
            sa.String(),
            sa.ForeignKey("entities.id", name=f"fk_{table}_entity_id_entities",
                          ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("entity_id", "position", name=f"pk_{table}"),
    )


def _fact(table: str, refs: tuple[str, ...], *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.String(), nullable=False),
        *[_ref(ref) for ref in refs],
        *columns,
        *_provenance(),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    )
    for ref in refs:
        op.create_index(f"ix_{table}_{ref}", table, [ref])


def _entities() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("sector", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entities"),
    )
    _child("entity_names", sa.Column("name", sa.String(), nullable=False),
           sa.Column("name_key", sa.String(), nullable=False))
    op.create_index("ix_entity_names_name_key", "entity_names", ["name_key"])
    _child("entity_identifiers", sa.Column("scheme", sa.String(), nullable=False),
           sa.Column("value", sa.String(), nullable=False),
           sa.Column("country", sa.String(), nullable=True))
    op.create_index("ix_entity_identifiers_scheme_value", "entity_identifiers",
                    ["scheme", "value"])
    _child("entity_sources", *_provenance())


def _facts() -> None:
    _fact("designations", ("entity_id",),
          sa.Column("regime", sa.String(), nullable=False),
          sa.Column("authority", sa.String(), nullable=False),
          sa.Column("program", sa.String(), nullable=True),
          sa.Column("list_name", sa.String(), nullable=False),
          sa.Column("measure", sa.String(), nullable=False),
          sa.Column("listed_from", sa.Date(), nullable=True),
          sa.Column("listed_to", sa.Date(), nullable=True))
    _fact("ownerships", ("owner_id", "asset_id"),
          sa.Column("share_low", sa.Double(), nullable=False),
          sa.Column("share_high", sa.Double(), nullable=False),
          sa.Column("share_known", sa.Boolean(), nullable=False), *_validity())
    _fact("controls", ("controller_id", "controlled_id"),
          sa.Column("kind", sa.String(), nullable=False), *_validity())
    _fact("relationships", ("a_id", "b_id"),
          sa.Column("kind", sa.String(), nullable=False),
          sa.Column("status", sa.String(), nullable=False),
          sa.Column("hs_codes", sa.JSON(), nullable=False),
          sa.Column("remark", sa.String(), nullable=True), *_validity())


def _ingests() -> None:
    op.create_table(
        "ingests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingests"),
    )
    op.create_index("ix_ingests_source", "ingests", ["source"])


def upgrade() -> None:
    _entities()
    _facts()
    _ingests()


def downgrade() -> None:
    op.drop_table("ingests")
    for table in reversed(FACT_TABLES):
        op.drop_table(table)
    for table in ("entity_sources", "entity_identifiers", "entity_names", "entities"):
        op.drop_table(table)
