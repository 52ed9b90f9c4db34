"""Conversions between domain objects and table rows (plain dicts), both ways."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from riskengine.domain import (
    Control,
    Designation,
    Entity,
    Identifier,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.store.schema import name_key

Row = dict[str, Any]
RowIn = Mapping[Any, Any]  # SQLAlchemy's RowMapping, or any dict
SOURCE_FIELDS = tuple(Source.model_fields)


def source_columns(source: Source) -> Row:
    """The provenance columns of a fact row."""
    return source.model_dump()


def source_from(row: RowIn) -> Source:
    return Source.model_validate({key: row[key] for key in SOURCE_FIELDS})


def entity_row(entity: Entity) -> Row:
    return {"id": entity.id, "kind": entity.kind, "name": entity.name,
            "country": entity.country, "sector": entity.sector,
            "birth_dates": list(entity.birth_dates) or None,
            "nationalities": list(entity.nationalities) or None,
            "weak_aliases": list(entity.weak_aliases) or None}


def name_rows(entity: Entity) -> list[Row]:
    """All names, position 0 being the primary name."""
    return [{"entity_id": entity.id, "position": i, "name": name, "name_key": name_key(name)}
            for i, name in enumerate(entity.all_names())]


def identifier_rows(entity: Entity) -> list[Row]:
    return [{"entity_id": entity.id, "position": i, **ident.model_dump()}
            for i, ident in enumerate(entity.identifiers)]


def entity_source_rows(entity: Entity) -> list[Row]:
    return [{"entity_id": entity.id, "position": i, **source_columns(source)}
            for i, source in enumerate(entity.sources)]


def entity_from(row: RowIn, names: Sequence[RowIn], identifiers: Sequence[RowIn],
                sources: Sequence[RowIn]) -> Entity:
    """Rebuild an entity; child rows must come in position order."""
    return Entity(
        id=row["id"], kind=row["kind"], name=row["name"], country=row["country"],
        sector=row["sector"],
        aliases=tuple(n["name"] for n in names if n["position"] > 0),
        identifiers=tuple(Identifier(scheme=i["scheme"], value=i["value"], country=i["country"],
                                     stated_from=i["stated_from"], stated_to=i["stated_to"])
                          for i in identifiers),
        sources=tuple(source_from(s) for s in sources),
        birth_dates=tuple(row["birth_dates"] or ()),
        nationalities=tuple(row["nationalities"] or ()),
        weak_aliases=tuple(row.get("weak_aliases") or ()),
    )


def designation_row(fact: Designation) -> Row:
    """Columns of a designation; ``listed_from_basis`` NULL for the default 'list' (as the
    bulk FtM writer stores it), 'first_edition' otherwise."""
    basis = None if fact.listed_from_basis == "list" else fact.listed_from_basis
    return {**fact.model_dump(exclude={"source"}), "listed_from_basis": basis,
            **source_columns(fact.source)}


def designation_from(row: RowIn) -> Designation:
    fields = ("id", "entity_id", "regime", "authority", "program", "list_name", "measure",
              "listed_from", "listed_to")
    basis = row.get("listed_from_basis") or "list"
    return Designation.model_validate({**{k: row[k] for k in fields},
                                       "listed_from_basis": basis, "source": source_from(row)})


def _edge_columns(fact: Ownership | Control | Relationship) -> Row:
    return {"id": fact.id, "valid_from": fact.valid_from, "valid_to": fact.valid_to,
            **source_columns(fact.source)}


def _edge_fields(row: RowIn) -> Row:
    return {"id": row["id"], "valid_from": row["valid_from"], "valid_to": row["valid_to"],
            "source": source_from(row)}


def ownership_row(fact: Ownership) -> Row:
    return {**_edge_columns(fact), "owner_id": fact.owner, "asset_id": fact.asset,
            "share_low": fact.share.low, "share_high": fact.share.high,
            "share_known": fact.share.known}


def ownership_from(row: RowIn) -> Ownership:
    share = Share(low=row["share_low"], high=row["share_high"], known=row["share_known"])
    return Ownership(owner=row["owner_id"], asset=row["asset_id"], share=share,
                     **_edge_fields(row))


def control_row(fact: Control) -> Row:
    return {**_edge_columns(fact), "controller_id": fact.controller,
            "controlled_id": fact.controlled, "kind": fact.kind}


def control_from(row: RowIn) -> Control:
    return Control(controller=row["controller_id"], controlled=row["controlled_id"],
                   kind=row["kind"], **_edge_fields(row))


def relationship_row(fact: Relationship) -> Row:
    return {**_edge_columns(fact), "a_id": fact.a, "b_id": fact.b, "kind": fact.kind,
            "status": fact.status, "hs_codes": list(fact.hs_codes), "remark": fact.note}


def relationship_from(row: RowIn) -> Relationship:
    return Relationship(a=row["a_id"], b=row["b_id"], kind=row["kind"], status=row["status"],
                        hs_codes=tuple(row["hs_codes"]), note=row["remark"],
                        **_edge_fields(row))
