"""Ingest use cases: an FtM file or an official list edition into the store, each in one
transaction with its audit entry (all or nothing)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskengine.application import base
from riskengine.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from riskengine.ingest.editions import Plan
    from riskengine.ingest.ftm import FtmStream
    from riskengine.ingest.ftm_flat import FlatFacts
    from riskengine.ingest.ties import TiePlan
    from riskengine.lists.base import ListEdition
    from riskengine.store.store import Audit, IngestRecord, Store


def ingest_ftm(settings: Settings, path: Path, actor: str) -> list[str]:
    """Read an FtM JSON-lines file and store it with its audit entry in one transaction;
    returns summary lines. Flat facts all the way (no domain objects), read and written in
    chunks (``ingest.ftm.FtmStream``): memory stays bounded whatever the file's size."""
    from riskengine.ingest.ftm import FtmStream
    from riskengine.ingest.ftm_flat import StreamResolver

    started = base.now()
    stream = FtmStream(path)
    rules = base.load_rules(settings)
    store = base.open_store(settings)
    try:
        known = store.entity_ids() | {e.id for e in rules.scenario.entities}
        resolver = StreamResolver(known, stream.ctx.ids)
        summary: list[str] = []

        def chunks() -> Iterator[FlatFacts]:
            yield from (resolver.chunk(facts) for facts in stream.chunks())
            rest, warnings = resolver.rest(stream.origin)
            summary.extend(_summary(stream.counts, stream.skipped,
                                    [*stream.warnings(), *warnings]))
            yield rest

        store.save_ingest_stream(chunks(), lambda: _ftm_record(stream, started, actor, summary))
    finally:
        store.close()
    return summary


def _ftm_record(stream: FtmStream, started: datetime, actor: str, lines: list[str]
                ) -> tuple[IngestRecord, Audit]:
    from riskengine.store.audit import ingest_audit
    from riskengine.store.store import IngestRecord

    record = IngestRecord(
        source="ftm", file=str(stream.path), content_hash=stream.content_hash, published=None,
        started_at=started, finished_at=base.now(), counts=dict(stream.counts),
    )
    details = {"path": str(stream.path), "published": None, "force": False, "summary": lines}
    return record, ingest_audit(actor, details)


def _summary(counts: dict[str, int], skipped: dict[str, int], warnings: list[str]) -> list[str]:
    lines = [f"ingested {n} {schema}" for schema, n in sorted(counts.items())]
    lines += [f"skipped {n} {schema} (schema not used)" for schema, n in sorted(skipped.items())]
    return lines + [f"warning: {w}" for w in warnings]


LIST_SOURCES = ("ofac-sdn", "ofac-cons", "uk", "eu", "un", "ca", "bis")


def read_list(source: str, path: Path, published: date | None) -> ListEdition:
    """The edition in ``path`` read by the reader of ``source`` (InputError when invalid)."""
    import importlib

    from riskengine.lists import ofac

    if source == "ofac-sdn":
        return ofac.read_sdn(path, published)
    if source == "ofac-cons":
        return ofac.read_cons(path, published)
    module = importlib.import_module(f"riskengine.lists.{source}")
    edition: ListEdition = module.read(path, published)
    return edition


def ingest_list(settings: Settings, source: str, path: Path, published: date | None,
                force: bool = False, actor: str = "unknown") -> list[str]:
    """Ingest one edition of an official list with its history and its audit entry (one
    transaction); returns summary lines. An edition already stored changes nothing and is
    audited alone.

    ``published`` (--published) dates a file that states no date of its own; such a file
    without it is refused (InputError naming the file): never silently dated today.
    """
    from riskengine.errors import InputError
    from riskengine.ingest.editions import Guard

    started = base.now()
    edition = read_list(source, path, published)
    guard = Guard.of(base.ingest_rules(settings), force)
    when = edition.published or published
    if when is None:
        raise InputError(str(path), "the file states no publication date of its own: give "
                                    "the edition's date with --published YYYY-MM-DD")
    store = base.open_store(settings)
    try:
        plan, ties = _plan(store, edition, when, guard, str(path))
        lines = _edition_summary(edition, plan, when, ties)
        details = {"path": str(path), "published": when.isoformat(), "force": force,
                   "summary": lines}
        if plan.already:
            _audit_unchanged(store, actor, edition, details)
        else:
            _save_edition(store, edition, (plan, ties), when, (started, path, actor, details))
    finally:
        store.close()
    return lines


def _audit_unchanged(store: Store, actor: str, edition: ListEdition,
                     details: dict[str, Any]) -> None:
    """The audit entry of an ingest that found its edition already stored (nothing saved)."""
    from riskengine.store.audit import record_audit

    record_audit(store, actor, "ingest", {**details, "ingest": None, "source": edition.source},
                 base.now(), {"file": edition.content_hash})


def _plan(store: Store, edition: ListEdition, when: date, guard: Any, label: str
          ) -> tuple[Plan, TiePlan]:
    """(designation changes, tie changes) the edition makes to the source's stored facts."""
    from riskengine.ingest.editions import PastEditions, plan_edition
    from riskengine.ingest.ties import plan_ties

    past = store.editions(edition.source)
    known = PastEditions(max((e.published for e in past), default=None),
                         frozenset(e.content_hash for e in past))
    stored = store.source_facts(edition.source)
    plan = plan_edition(edition, when, stored.designations, known, guard, label,
                        today=base.now().date(), entities=store.entities)
    return plan, plan_ties(edition.dataset, stored, when)


def _save_edition(store: Store, edition: ListEdition, plans: tuple[Plan, TiePlan], when: date,
                  job: tuple[datetime, Path, str, dict[str, Any]]) -> None:
    from riskengine.ingest.editions import union_entity
    from riskengine.store.audit import ingest_audit
    from riskengine.store.store import EditionRecord, IngestRecord

    started, path, actor, details = job
    plan, ties = plans
    ds = edition.dataset
    old = store.entities(e.id for e in ds.entities)
    entities = tuple(union_entity(old.get(e.id), e, when) for e in ds.entities)
    counts = {"entities": len(entities), **plan.counts, **ties.counts}
    record = IngestRecord(source=edition.source, file=str(path),
                          content_hash=edition.content_hash, published=when,
                          started_at=started, finished_at=base.now(), counts=counts)
    stored = EditionRecord(source=edition.source, published=when,
                           content_hash=edition.content_hash, files=list(edition.files),
                           counts=counts)
    facts = ds.model_copy(update={"entities": entities, "designations": plan.designations,
                                  **ties.rows})
    store.save_edition(facts, record, stored, ingest_audit(actor, details))


def _edition_summary(edition: ListEdition, plan: Plan, when: date, ties: TiePlan
                     ) -> list[str]:
    head = f"{edition.source} edition of {when.isoformat()}"
    if plan.already:
        lines = [f"{head}: already ingested (same content), nothing changed"]
    else:
        c = plan.counts
        lines = [f"{head}: ingested {len(edition.dataset.entities)} entities; designations: "
                 f"{c['new']} new, {c['kept']} kept, {c['relisted']} relisted, "
                 f"{c['delisted']} delisted"
                 + (f", {c['continued']} continued under another number"
                    if c.get("continued") else "")
                 + f"; ties: {ties.counts['ties_new']} new, "
                 f"{ties.counts['ties_ended']} ended, {ties.counts['ties_renewed']} renewed"]
    return lines + [f"warning: {w}" for w in (*edition.warnings, *plan.warnings)]
