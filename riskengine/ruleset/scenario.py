"""Scenario files (``rules/scenario/*.yaml``): file-schema models and conversion to domain facts.

The file-schema models mirror the YAML an analyst writes (keys ``from``, ``to``, ``list``,
shares as ``47.1``, ``"25-50"`` or ``unknown``); ``build`` methods turn them into the
frozen domain objects. Pure: the loader hands in parsed documents.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from riskengine.domain import (
    Control,
    ControlKind,
    Designation,
    Entity,
    EntityKind,
    Identifier,
    Measure,
    Ownership,
    RelationKind,
    Relationship,
    RelationStatus,
    Share,
    Source,
)
from riskengine.ruleset.yamlpos import describe

Fact = Designation | Ownership | Control | Relationship
Origin = tuple[str, int]  # (relative file, 1-based line) a fact was read from


def parse_date(value: object) -> object:
    """Accept YAML dates and 'YYYY-MM-DD' text; reject numbers, timestamps and other text."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"invalid date {value!r} ({exc})") from exc
    raise ValueError(f"expected a date (YYYY-MM-DD), got {describe(value)}")


def parse_share(value: object) -> Share:
    """A share from ``47.1``, ``"47.1%"``, ``"25-50"`` or ``unknown``, with 0-100 checks."""
    if isinstance(value, Share):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Share.exact(_percent(float(value)))
    text = value.strip().removesuffix("%").strip() if isinstance(value, str) else ""
    if text.lower() == "unknown":
        return Share.unknown()
    low, high = _bounds(text, value)
    if low > high:
        raise ValueError(f"share range {low:g}-{high:g} is reversed")
    return Share(low=low, high=high)


def _bounds(text: str, value: object) -> tuple[float, float]:
    low, sep, high = (part.strip().removesuffix("%") for part in text.partition("-"))
    try:
        bounds = (float(low), float(high) if sep else float(low))
    except ValueError:
        raise ValueError(
            "expected a share: a number such as 47.1, a range such as '25-50', or unknown;"
            f" got {describe(value)}"
        ) from None
    return _percent(bounds[0]), _percent(bounds[1])


def _percent(pct: float) -> float:
    if not 0 <= pct <= 100:
        raise ValueError(f"share {pct:g} is outside 0-100")
    return pct


def _check_id(value: str) -> str:
    if not value or any(ch.isspace() for ch in value):
        raise ValueError(f"an id must be non-empty and contain no spaces, got {value!r}")
    return value


def _country(value: str) -> str:
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"expected a two-letter country code such as 'ru', got {value!r}")
    return code


def _listify(value: object) -> object:
    return value if isinstance(value, list | tuple) else [value]


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, AfterValidator(_check_id)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1)]
Day = Annotated[date | None, BeforeValidator(parse_date)]
# What an editor validating against the shipped JSON Schema (rules/schema) accepts: the
# written forms, not the Share model they become.
SHARE_SCHEMA = {"description": "percent: a number such as 47.1, a range such as '25-50', or "
                               "unknown",
                "anyOf": [{"type": "number", "minimum": 0, "maximum": 100},
                          {"type": "string", "pattern": r"^\s*(unknown|[0-9.]+\s*%?(\s*-\s*"
                                                        r"[0-9.]+\s*%?)?)\s*$"}]}
ShareValue = Annotated[Share, BeforeValidator(parse_share), WithJsonSchema(SHARE_SCHEMA)]
_TEXT_SCHEMA = {"type": "string", "minLength": 1}
Values = Annotated[tuple[Text, ...], BeforeValidator(_listify), WithJsonSchema(
    {"anyOf": [_TEXT_SCHEMA, {"type": "array", "items": _TEXT_SCHEMA}]})]


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(SpecModel):
    """``source:`` of a fact. ``source`` (the dataset key) defaults to 'rules'."""

    source: Text = "rules"
    record_id: Text | None = None
    file: Text | None = None
    line: int | None = None
    note: Text | None = None
    url: Text | None = None
    published: Day = None

    @model_validator(mode="after")
    def _cited(self) -> SourceSpec:
        if not (self.note or self.record_id):
            raise ValueError("a source needs at least a note or a record_id")
        return self

    def build(self, origin: Origin) -> Source:
        """Domain Source; without ``file`` it cites the scenario file and line."""
        file, line = (self.file, self.line) if self.file else origin
        return Source(
            source=self.source, record_id=self.record_id, file=file, line=line,
            note=self.note, url=self.url, published=self.published,
        )


class EntitySpec(SpecModel):
    id: Id
    kind: EntityKind = "company"
    name: Text
    aliases: tuple[Text, ...] = ()
    country: Annotated[str, AfterValidator(_country)] | None = None
    identifiers: dict[Text, Values] = {}
    sector: Text | None = None
    source: SourceSpec | None = None

    def build(self, origin: Origin) -> Entity:
        """The domain Entity (identifiers flattened to one per value)."""
        idents = tuple(
            Identifier(scheme=scheme, value=value)
            for scheme, values in self.identifiers.items()
            for value in values
        )
        return Entity(
            id=self.id, kind=self.kind, name=self.name, aliases=self.aliases,
            country=self.country, identifiers=idents, sector=self.sector,
            sources=(self.source.build(origin),) if self.source else (),
        )


class FactSpec(SpecModel):
    """A dated, sourced fact. Subclasses declare the fields (to keep the YAML key order)."""

    section: ClassVar[str]

    def refs(self) -> tuple[tuple[str, str], ...]:
        """(key, entity id) pairs this fact points at."""
        raise NotImplementedError

    def build(self, default_id: str, origin: Origin) -> Fact:
        """The domain fact; ``default_id`` applies when the file gives no ``id``."""
        raise NotImplementedError


class DesignationSpec(FactSpec):
    section: ClassVar[str] = "designation"
    id: Id | None = None
    entity: Id
    regime: Code
    authority: str = ""
    program: Text | None = None
    list_name: str = Field("", alias="list")
    measure: Measure = "asset_freeze"
    valid_from: Day = Field(None, alias="from")
    valid_to: Day = Field(None, alias="to")
    source: SourceSpec

    def refs(self) -> tuple[tuple[str, str], ...]:
        return (("entity", self.entity),)

    def build(self, default_id: str, origin: Origin) -> Designation:
        return Designation(
            id=self.id or default_id, entity_id=self.entity, regime=self.regime,
            authority=self.authority, program=self.program, list_name=self.list_name,
            measure=self.measure, listed_from=self.valid_from, listed_to=self.valid_to,
            source=self.source.build(origin),
        )


class OwnershipSpec(FactSpec):
    section: ClassVar[str] = "ownership"
    id: Id | None = None
    owner: Id
    asset: Id
    share: ShareValue
    valid_from: Day = Field(None, alias="from")
    valid_to: Day = Field(None, alias="to")
    source: SourceSpec

    def refs(self) -> tuple[tuple[str, str], ...]:
        return (("owner", self.owner), ("asset", self.asset))

    def build(self, default_id: str, origin: Origin) -> Ownership:
        return Ownership(
            id=self.id or default_id, owner=self.owner, asset=self.asset, share=self.share,
            valid_from=self.valid_from, valid_to=self.valid_to, source=self.source.build(origin),
        )


class ControlSpec(FactSpec):
    section: ClassVar[str] = "control"
    id: Id | None = None
    controller: Id
    controlled: Id
    kind: ControlKind
    valid_from: Day = Field(None, alias="from")
    valid_to: Day = Field(None, alias="to")
    source: SourceSpec

    def refs(self) -> tuple[tuple[str, str], ...]:
        return (("controller", self.controller), ("controlled", self.controlled))

    def build(self, default_id: str, origin: Origin) -> Control:
        return Control(
            id=self.id or default_id, controller=self.controller, controlled=self.controlled,
            kind=self.kind, valid_from=self.valid_from, valid_to=self.valid_to,
            source=self.source.build(origin),
        )


class RelationshipSpec(FactSpec):
    section: ClassVar[str] = "relationship"
    id: Id | None = None
    a: Id
    b: Id
    kind: RelationKind
    status: RelationStatus = "active"
    hs_codes: tuple[Text, ...] = ()
    note: Text | None = None
    valid_from: Day = Field(None, alias="from")
    valid_to: Day = Field(None, alias="to")
    source: SourceSpec

    def refs(self) -> tuple[tuple[str, str], ...]:
        return (("a", self.a), ("b", self.b))

    def build(self, default_id: str, origin: Origin) -> Relationship:
        return Relationship(
            id=self.id or default_id, a=self.a, b=self.b, kind=self.kind, status=self.status,
            hs_codes=self.hs_codes, note=self.note, valid_from=self.valid_from,
            valid_to=self.valid_to, source=self.source.build(origin),
        )


class ScenarioFile(SpecModel):
    """The top level of a scenario file; every section is optional."""

    entities: tuple[EntitySpec, ...] = ()
    designations: tuple[DesignationSpec, ...] = ()
    ownerships: tuple[OwnershipSpec, ...] = ()
    controls: tuple[ControlSpec, ...] = ()
    relationships: tuple[RelationshipSpec, ...] = ()


FACT_SECTIONS: tuple[tuple[str, type[FactSpec]], ...] = (
    ("designations", DesignationSpec),
    ("ownerships", OwnershipSpec),
    ("controls", ControlSpec),
    ("relationships", RelationshipSpec),
)

