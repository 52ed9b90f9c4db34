"""Database schema: typed SQLAlchemy models, the single source of truth for the tables.

The Alembic revisions under ``migrations/versions`` create exactly these tables; a test
compares the migrated database with this metadata, so a model change needs a new revision.

Layout: one table per fact kind (designations, ownerships, controls, relationships), each row
carrying its provenance (the columns of ``domain.Source``); entities with child tables for
names (all names, position 0 = primary name, ``name_key`` indexed for look-ups), identifiers
and sources; ``ingests``, one row per file loaded; ``list_editions``, one row per official
list edition ingested (its source, publication date and content hash); ``runs`` and
``run_scores``, one row per whole-book rescoring and one per entity scored in it;
``audit_log``, the append-only hash-chained audit trail; ``locks``, named locks (one row
while a rescore runs); and ``overrides``, reviewed overrides of scores. Fact rows reference
entities by id without a foreign key (see ``_entity_ref``); entity child rows do have one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def name_key(name: str) -> str:
    """Look-up key of a name: case-folded, white space collapsed."""
    return " ".join(name.casefold().split())


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamp stored as UTC (SQLite keeps no offset, so it is stripped)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        str: String(), float: Double(), dict[str, int]: JSON(), list[str]: JSON(),
    }


def _entity_ref() -> Mapped[str]:
    # No foreign key: a fact may point at an entity defined in the rule files, which are not
    # stored. References are checked at ingest (``resolve_references``) against both.
    return mapped_column(index=True)


def _child_entity_ref() -> Mapped[str]:
    return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)


class Provenance:
    """The columns of ``domain.Source``, on every fact row."""

    source: Mapped[str]
    record_id: Mapped[str | None]
    file: Mapped[str | None]
    line: Mapped[int | None]
    note: Mapped[str | None]
    url: Mapped[str | None]
    published: Mapped[date | None]
    content_hash: Mapped[str | None]


class Validity:
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]


# The ingest a new entity row is stored by: the next ingest id (the ingest row is appended in
# the same transaction, after the facts). Rendered inline in the INSERT.
NEXT_INGEST = text("(SELECT coalesce(max(ingests.id), 0) + 1 FROM ingests)")


class EntityRow(Base):
    """A stored entity record. ``first_seen``: the ingest that first stored it (0: stored
    before schema 0006), set on insert and never updated: it keeps entity ids stable
    (``riskengine.ingest.merge``)."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(primary_key=True)
    kind: Mapped[str]
    name: Mapped[str]
    country: Mapped[str | None]
    sector: Mapped[str | None]
    first_seen: Mapped[int | None] = mapped_column(Integer, default=NEXT_INGEST)
    birth_dates: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    nationalities: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    weak_aliases: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))


class EntityNameRow(Base):
    """Every name of an entity; position 0 is ``entities.name``, the rest are aliases."""

    __tablename__ = "entity_names"
    __table_args__ = (Index("ix_entity_names_name_key", "name_key"),)

    entity_id: Mapped[str] = _child_entity_ref()
    position: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    name_key: Mapped[str]


class EntityIdentifierRow(Base):
    __tablename__ = "entity_identifiers"
    __table_args__ = (Index("ix_entity_identifiers_scheme_value", "scheme", "value"),)

    entity_id: Mapped[str] = _child_entity_ref()
    position: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str]
    value: Mapped[str]
    country: Mapped[str | None]
    stated_from: Mapped[date | None]  # first edition of its source stating it
    stated_to: Mapped[date | None]  # first edition no longer stating it (exclusive)


class EntitySourceRow(Provenance, Base):
    __tablename__ = "entity_sources"

    entity_id: Mapped[str] = _child_entity_ref()
    position: Mapped[int] = mapped_column(primary_key=True)


class DesignationRow(Provenance, Base):
    __tablename__ = "designations"

    id: Mapped[str] = mapped_column(primary_key=True)
    entity_id: Mapped[str] = _entity_ref()
    regime: Mapped[str]
    authority: Mapped[str]
    program: Mapped[str | None]
    list_name: Mapped[str]
    measure: Mapped[str]
    listed_from: Mapped[date | None]
    listed_to: Mapped[date | None]
    listed_from_basis: Mapped[str | None]  # 'first_edition': no list date (NULL: 'list')


class OwnershipRow(Validity, Provenance, Base):
    __tablename__ = "ownerships"

    id: Mapped[str] = mapped_column(primary_key=True)
    owner_id: Mapped[str] = _entity_ref()
    asset_id: Mapped[str] = _entity_ref()
    share_low: Mapped[float]
    share_high: Mapped[float]
    share_known: Mapped[bool] = mapped_column(Boolean)


class ControlRow(Validity, Provenance, Base):
    __tablename__ = "controls"

    id: Mapped[str] = mapped_column(primary_key=True)
    controller_id: Mapped[str] = _entity_ref()
    controlled_id: Mapped[str] = _entity_ref()
    kind: Mapped[str]


class RelationshipRow(Validity, Provenance, Base):
    __tablename__ = "relationships"

    id: Mapped[str] = mapped_column(primary_key=True)
    a_id: Mapped[str] = _entity_ref()
    b_id: Mapped[str] = _entity_ref()
    kind: Mapped[str]
    status: Mapped[str]
    hs_codes: Mapped[list[str]]
    remark: Mapped[str | None]


class IngestRow(Base):
    """One file loaded: appended by ``Store.save_ingest`` in the same transaction as its facts."""

    __tablename__ = "ingests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(index=True)
    file: Mapped[str]
    content_hash: Mapped[str]
    published: Mapped[date | None]
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, int]]


class ListEditionRow(Base):
    """One edition of an official list, saved with its designation changes by
    ``Store.save_edition``: the history of a source is the sequence of its editions."""

    __tablename__ = "list_editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(index=True)
    published: Mapped[date]
    content_hash: Mapped[str] = mapped_column(index=True)
    files: Mapped[list[str]]
    counts: Mapped[dict[str, int]]
    ingest_id: Mapped[int] = mapped_column(ForeignKey("ingests.id"), index=True)


class RunRow(Base):
    """One whole-book rescoring, written with its ``run_scores`` in one transaction."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str]
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)
    as_of: Mapped[date]
    rules_hash: Mapped[str]
    data_snapshot: Mapped[str]
    actor: Mapped[str]
    counts: Mapped[dict[str, int]]
    facts_hash: Mapped[str | None]
    rules_snapshot: Mapped[str | None]


class RunScoreRow(Base):
    """Score, band and regime verdicts of one entity in one run. ``regimes`` holds only the
    regimes where the entity is not plainly clear: ``{code: [status, blocked, possibly]}``."""

    __tablename__ = "run_scores"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"),
                                        primary_key=True)
    entity_id: Mapped[str] = mapped_column(primary_key=True, index=True)
    name: Mapped[str]
    score: Mapped[float]
    band: Mapped[str]
    blocked: Mapped[bool] = mapped_column(Boolean)
    regimes: Mapped[dict[str, Any]] = mapped_column(JSON)
    parts: Mapped[dict[str, float] | None] = mapped_column(JSON)
    members: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))


class SnapshotRow(Base):
    """Content-addressed inputs of runs (``kind`` facts or rules): zlib-compressed JSON,
    written once per distinct content and never changed, so a past run can be reproduced
    from what was known when it ran."""

    __tablename__ = "snapshots"

    kind: Mapped[str] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """One audit entry; ``hash`` covers its content and ``prev_hash`` (a sha256 chain)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str]
    action: Mapped[str] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    hashes: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str]
    hash: Mapped[str]


class LockRow(Base):
    """A named lock held while a long job runs (``rescore``): the row exists while held."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(primary_key=True)
    holder: Mapped[str]
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OverrideRow(Base):
    """One override of a score (``riskengine.overrides``): rows are never deleted; ``state``
    goes pending -> approved -> revoked (or pending -> revoked)."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(index=True)
    kind: Mapped[str]
    reason: Mapped[str]
    expires: Mapped[date]
    cap: Mapped[float | None]
    regime: Mapped[str | None]
    manual_status: Mapped[str | None]
    counterparty: Mapped[str | None]
    author: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fingerprint: Mapped[str]
    state: Mapped[str]
    approver: Mapped[str | None]
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None]
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str | None]


class MergeDecisionRow(Base):
    """An analyst's decision on a pair of records the merge found uncertain: ``decision``
    'merge' (acts as a forced merge) or 'separate' (acts as a forbidden one), in effect only
    once ``state`` is 'approved' by someone other than its ``proposer`` (four eyes). Rows are
    never deleted; every step is in the audit log."""

    __tablename__ = "merge_decisions"
    __table_args__ = (Index("ix_merge_decisions_a_b", "a", "b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    a: Mapped[str]
    b: Mapped[str]
    decision: Mapped[str]
    reason: Mapped[str]
    evidence: Mapped[str]
    proposer: Mapped[str]
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str]
    approver: Mapped[str | None]
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserRow(Base):
    """A user of the service (``riskengine users``): rows are never deleted; a disabled user
    keeps its row (its name stays in the audit log)."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(primary_key=True)
    role: Mapped[str]
    created_by: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TokenRow(Base):
    """An API token of a user: ``token_id`` is its public part (shown, used to revoke it),
    ``hash`` the sha256 of the whole token (the token itself is never stored)."""

    __tablename__ = "api_tokens"

    token_id: Mapped[str] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(ForeignKey("users.name"), index=True)
    hash: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires: Mapped[date | None]
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


ENTITY_CHILDREN = (EntityNameRow, EntityIdentifierRow, EntitySourceRow)
FACT_TABLES = (DesignationRow, OwnershipRow, ControlRow, RelationshipRow)
