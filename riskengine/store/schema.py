"""Database schema: SQLAlchemy Core tables, the single source of truth for the tables.

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

Core ``Table`` objects rather than ORM declarative classes: nothing here maps rows to
objects, and importing ``sqlalchemy.orm`` cost every command about a quarter of a second of
start-up. Each table is wrapped in a ``Model`` (``EntityRow.__table__``, ``EntityRow.id``),
the names the rest of the store uses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    text,
)
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
METADATA = MetaData(naming_convention=NAMING_CONVENTION)


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


class Model:
    """A table with its columns as attributes: ``EntityRow.__table__``, ``EntityRow.id``."""

    def __init__(self, table: Table) -> None:
        self.__table__ = table
        self.__tablename__ = table.name

    def __clause_element__(self) -> Table:
        """``select(EntityRow)``, ``insert(LockRow)``: the table."""
        return self.__table__

    def __getattr__(self, name: str) -> Column[Any]:
        if name.startswith("_"):  # SQLAlchemy's probes of protocols (``_annotations``...)
            raise AttributeError(name)
        try:
            column: Column[Any] = self.__table__.c[name]
        except KeyError:
            raise AttributeError(name) from None
        return column


def _table(name: str, *items: Any) -> Model:
    return Model(Table(name, METADATA, *items))


def col(name: str, kind: TypeEngine[Any] | type[TypeEngine[Any]] = String, *args: Any,
        null: bool = False, **kw: Any) -> Column[Any]:
    """A column, NOT NULL unless ``null``."""
    return Column(name, kind, *args, nullable=null, **kw)


def key(name: str, kind: TypeEngine[Any] | type[TypeEngine[Any]] = String, *args: Any,
        **kw: Any) -> Column[Any]:
    """A primary-key column."""
    return Column(name, kind, *args, primary_key=True, nullable=False, **kw)


def serial() -> Column[Any]:
    """The integer id a new row is given."""
    return key("id", Integer, autoincrement=True)


def stamp(name: str, null: bool = False) -> Column[Any]:
    return col(name, UtcDateTime, null=null)


def _entity_ref(name: str) -> Column[Any]:
    # No foreign key: a fact may point at an entity defined in the rule files, which are not
    # stored. References are checked at ingest (``resolve_references``) against both.
    return col(name, index=True)


def _child_entity_ref() -> Column[Any]:
    return key("entity_id", String, ForeignKey("entities.id", ondelete="CASCADE"))


def _provenance() -> list[Column[Any]]:
    """The columns of ``domain.Source``, on every fact row."""
    return [col("source"), col("record_id", null=True), col("file", null=True),
            col("line", Integer, null=True), col("note", null=True), col("url", null=True),
            col("published", Date, null=True), col("content_hash", null=True)]


def _validity() -> list[Column[Any]]:
    return [col("valid_from", Date, null=True), col("valid_to", Date, null=True)]


def _json_list(name: str) -> Column[Any]:
    return col(name, JSON(none_as_null=True), null=True)


# The ingest a new entity row is stored by: the next ingest id (the ingest row is appended in
# the same transaction, after the facts). Rendered inline in the INSERT.
NEXT_INGEST = text("(SELECT coalesce(max(ingests.id), 0) + 1 FROM ingests)")

# A stored entity record. ``first_seen``: the ingest that first stored it (0: stored before
# schema 0006), set on insert and never updated: it keeps entity ids stable
# (``riskengine.ingest.merge``).
EntityRow = _table(
    "entities", key("id"), col("kind"), col("name"), col("country", null=True),
    col("sector", null=True), col("first_seen", Integer, null=True, default=NEXT_INGEST),
    _json_list("birth_dates"), _json_list("nationalities"), _json_list("weak_aliases"))

# Every name of an entity; position 0 is ``entities.name``, the rest are aliases.
EntityNameRow = _table(
    "entity_names", _child_entity_ref(), key("position", Integer), col("name"),
    col("name_key"), Index("ix_entity_names_name_key", "name_key"))

EntityIdentifierRow = _table(
    "entity_identifiers", _child_entity_ref(), key("position", Integer), col("scheme"),
    col("value"), col("country", null=True),
    col("stated_from", Date, null=True),  # first edition of its source stating it
    col("stated_to", Date, null=True),  # first edition no longer stating it (exclusive)
    Index("ix_entity_identifiers_scheme_value", "scheme", "value"))

EntitySourceRow = _table("entity_sources", _child_entity_ref(), key("position", Integer),
                         *_provenance())

DesignationRow = _table(
    "designations", key("id"), _entity_ref("entity_id"), col("regime"), col("authority"),
    col("program", null=True), col("list_name"), col("measure"),
    col("listed_from", Date, null=True), col("listed_to", Date, null=True),
    col("listed_from_basis", null=True),  # 'first_edition': no list date (NULL: 'list')
    *_provenance())

OwnershipRow = _table(
    "ownerships", key("id"), _entity_ref("owner_id"), _entity_ref("asset_id"),
    col("share_low", Double), col("share_high", Double), col("share_known", Boolean),
    *_validity(), *_provenance())

ControlRow = _table("controls", key("id"), _entity_ref("controller_id"),
                    _entity_ref("controlled_id"), col("kind"), *_validity(), *_provenance())

RelationshipRow = _table(
    "relationships", key("id"), _entity_ref("a_id"), _entity_ref("b_id"), col("kind"),
    col("status"), col("hs_codes", JSON), col("remark", null=True), *_validity(),
    *_provenance())

# One file loaded: appended by ``Store.save_ingest`` in the same transaction as its facts.
IngestRow = _table(
    "ingests", serial(), col("source", index=True), col("file"), col("content_hash"),
    col("published", Date, null=True), stamp("started_at"), stamp("finished_at"),
    col("counts", JSON))

# One edition of an official list, saved with its designation changes by
# ``Store.save_edition``: the history of a source is the sequence of its editions.
ListEditionRow = _table(
    "list_editions", serial(), col("source", index=True), col("published", Date),
    col("content_hash", index=True), col("files", JSON), col("counts", JSON),
    col("ingest_id", Integer, ForeignKey("ingests.id"), index=True))

# One whole-book rescoring, written with its ``run_scores`` in one transaction.
RunRow = _table(
    "runs", serial(), col("status"), stamp("started_at"), stamp("finished_at"),
    col("as_of", Date), col("rules_hash"), col("data_snapshot"), col("actor"),
    col("counts", JSON), col("facts_hash", null=True), col("rules_snapshot", null=True))

# Score, band and regime verdicts of one entity in one run. ``regimes`` holds only the
# regimes where the entity is not plainly clear: ``{code: [status, blocked, possibly]}``.
RunScoreRow = _table(
    "run_scores", key("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE")),
    key("entity_id", index=True), col("name"), col("score", Double), col("band"),
    col("blocked", Boolean), col("regimes", JSON), col("parts", JSON, null=True),
    _json_list("members"))

# Content-addressed inputs of runs (``kind`` facts or rules): zlib-compressed JSON, written
# once per distinct content and never changed, so a past run can be reproduced from what was
# known when it ran.
SnapshotRow = _table("snapshots", key("kind"), key("hash"), col("content", LargeBinary),
                     col("size", Integer), stamp("created_at"))

# One audit entry; ``hash`` covers its content and ``prev_hash`` (a sha256 chain).
AuditRow = _table(
    "audit_log", serial(), col("at", UtcDateTime, index=True), col("actor"),
    col("action", index=True), col("details", JSON), col("hashes", JSON), col("prev_hash"),
    col("hash"))

# A named lock held while a long job runs (``rescore``): the row exists while held.
LockRow = _table("locks", key("name"), col("holder"), stamp("acquired_at"))

# One override of a score (``riskengine.overrides``): rows are never deleted; ``state`` goes
# pending -> approved -> revoked (or pending -> revoked).
OverrideRow = _table(
    "overrides", serial(), col("entity_id", index=True), col("kind"), col("reason"),
    col("expires", Date), col("cap", Double, null=True), col("regime", null=True),
    col("manual_status", null=True), col("counterparty", null=True), col("author"),
    stamp("created_at"), col("fingerprint"), col("state"), col("approver", null=True),
    stamp("approved_at", null=True), col("revoked_by", null=True),
    stamp("revoked_at", null=True), col("revoke_reason", null=True))

# An analyst's decision on a pair of records the merge found uncertain: ``decision`` 'merge'
# (acts as a forced merge) or 'separate' (acts as a forbidden one), in effect only once
# ``state`` is 'approved' by someone other than its ``proposer`` (four eyes). Rows are never
# deleted; every step is in the audit log.
MergeDecisionRow = _table(
    "merge_decisions", serial(), col("a"), col("b"), col("decision"), col("reason"),
    col("evidence"), col("proposer"), stamp("proposed_at"), col("state"),
    col("approver", null=True), stamp("approved_at", null=True),
    Index("ix_merge_decisions_a_b", "a", "b"))

# A user of the service (``riskengine users``): rows are never deleted; a disabled user keeps
# its row (its name stays in the audit log).
UserRow = _table("users", key("name"), col("role"), col("created_by"), stamp("created_at"),
                 stamp("disabled_at", null=True))

# An API token of a user: ``token_id`` is its public part (shown, used to revoke it), ``hash``
# the sha256 of the whole token (the token itself is never stored).
TokenRow = _table(
    "api_tokens", key("token_id"), col("user", String, ForeignKey("users.name"), index=True),
    col("hash", unique=True), stamp("created_at"), col("expires", Date, null=True),
    stamp("revoked_at", null=True))

ENTITY_CHILDREN = (EntityNameRow, EntityIdentifierRow, EntitySourceRow)
FACT_TABLES = (DesignationRow, OwnershipRow, ControlRow, RelationshipRow)
