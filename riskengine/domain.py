"""Domain model: entities, designations and the ownership/control/relationship graph.

Pure data (pydantic v2, frozen). No I/O, no clock, no environment.

Date semantics, used everywhere in the engine: a fact with ``valid_from``/``valid_to``
(``listed_from``/``listed_to`` for designations) is in force on day ``d`` when
``valid_from <= d`` (or no start) and ``d < valid_to`` (or no end). The end date is
exclusive: it is the first day the fact no longer holds (a delisting date, a sale date).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# financial_institution: a bank or other financial institution (EO 14114 secondary-sanctions
# risk of foreign financial institutions; recognised from FtM topics, names, SWIFT/BIC codes).
EntityKind = Literal["company", "person", "organisation", "public_body", "vessel",
                     "financial_institution", "unknown"]
ControlKind = Literal[
    "board_appointment",
    "voting_agreement",
    "dominant_influence",
    "management",
    "state",
    "trust",
    "nominee",
    "joint_arrangement",
]
RelationKind = Literal[
    "joint_venture",
    "technology_licence",
    "technology_partner",
    "component_supply",
    "contract_assembly",
    "distribution",
    "financing",
    "officer",
]
RelationStatus = Literal["prospective", "active", "ended"]
# Only asset-freeze measures block. Sectoral (OFAC SSI, EU Art. 5 813/2014) and export-control
# listings (EU 833/2014 Annex IV, US Entity List) are exposure, not blocking.
Measure = Literal["asset_freeze", "sectoral", "export_control", "other"]
# Where listed_from comes from: the list's own date (UK date designated, EU publication, UN
# listed on, Canada DateOfListing, or a dated source the rule files cite), or the first
# edition seen listing the entry when the list states none (OFAC): "listed on or before".
DateBasis = Literal["list", "first_edition"]
CONTROL_KINDS: tuple[ControlKind, ...] = ControlKind.__args__  # type: ignore[attr-defined]
RELATION_KINDS: tuple[RelationKind, ...] = RelationKind.__args__  # type: ignore[attr-defined]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Model):
    """Where a fact comes from: enough to cite it to a regulator."""

    source: str = Field(description="dataset or list key, e.g. 'ofac-sdn', 'uk', 'ftm', 'rules'")
    record_id: str | None = Field(None, description="record id in that source, e.g. OFAC ent_num")
    file: str | None = Field(None, description="file the fact was read from")
    line: int | None = Field(None, description="line (or row) in that file")
    note: str | None = Field(None, description="human-readable citation")
    url: str | None = None
    published: date | None = Field(None, description="publication date of the list edition")
    content_hash: str | None = Field(None, description="sha256 of the source file")

    def cite(self) -> str:
        """Short citation: 'ofac-sdn #37756 (2022-06-28)'."""
        text = self.source
        if self.record_id:
            text += f" #{self.record_id}"
        if self.published:
            text += f" ({self.published.isoformat()})"
        return text


class Identifier(Model):
    scheme: str = Field(description="inn, ogrn, lei, registration, imo, swift, passport, uscc, ...")
    value: str
    country: str | None = None
    stated_from: date | None = Field(
        None, description="first edition date of its source that stated it")
    stated_to: date | None = Field(
        None, description="first edition date of its source that no longer stated it "
        "(exclusive); None while the latest edition states it")


class Entity(Model):
    id: str
    kind: EntityKind = "company"
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, lower case")
    identifiers: tuple[Identifier, ...] = ()
    sector: str | None = None
    sources: tuple[Source, ...] = ()
    birth_dates: tuple[str, ...] = Field(
        (), description="dates of birth as ISO dates or partial dates 'YYYY' / 'YYYY-MM'")
    nationalities: tuple[str, ...] = Field(
        (), description="ISO 3166-1 alpha-2 codes, lower case")
    weak_aliases: tuple[str, ...] = Field(
        (), description="aliases the list calls weak (low quality): screened as weaker "
        "evidence, not in all_names()")

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def in_force(start: date | None, end: date | None, as_of: date) -> bool:
    """True when ``start <= as_of < end`` (open ends allowed)."""
    return (start is None or start <= as_of) and (end is None or as_of < end)


class Designation(Model):
    id: str
    entity_id: str
    regime: str = Field(description="'us', 'eu', 'uk', 'un', 'ca', or another country code")
    authority: str = ""
    program: str | None = None
    list_name: str = ""
    measure: Measure = "asset_freeze"
    listed_from: date | None = None
    listed_to: date | None = None
    listed_from_basis: DateBasis = Field(
        "list", description="list: listed_from is the list's own date; first_edition: the list "
        "states none and listed_from is the first edition seen listing it (on or before)")
    source: Source

    def active(self, as_of: date) -> bool:
        return in_force(self.listed_from, self.listed_to, as_of)

    def since(self) -> str:
        """'since 2022-06-28', or 'listed on or before 2024-05-03 (first edition seen)' when
        the list states no date; '' without a start."""
        if self.listed_from is None:
            return ""
        if self.listed_from_basis == "first_edition":
            return f"listed on or before {self.listed_from.isoformat()} (first edition seen)"
        return f"since {self.listed_from.isoformat()}"

    def start_unknown(self, as_of: date) -> bool:
        """True when ``as_of`` is before a start the list does not state: the entry was
        listed on or before ``listed_from`` (first edition seen), so on ``as_of`` it may
        already have been listed."""
        return (self.listed_from_basis == "first_edition" and self.listed_from is not None
                and as_of < self.listed_from)

    @property
    def blocking(self) -> bool:
        return self.measure == "asset_freeze"


class Share(Model):
    """An ownership share in percent: exact (low == high), a range, or unknown (0-100)."""

    low: float = Field(ge=0, le=100)
    high: float = Field(ge=0, le=100)
    known: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Share:
        if self.low > self.high:
            raise ValueError(f"share range {self.low}-{self.high} is reversed")
        return self

    @classmethod
    def exact(cls, pct: float) -> Share:
        return cls(low=pct, high=pct)

    @classmethod
    def unknown(cls) -> Share:
        return cls(low=0.0, high=100.0, known=False)

    @property
    def is_exact(self) -> bool:
        return self.known and self.low == self.high

    def label(self) -> str:
        if not self.known:
            return "unknown share"
        if self.is_exact:
            return f"{self.low:g}%"
        return f"{self.low:g}-{self.high:g}%"


class Edge(Model):
    id: str
    valid_from: date | None = None
    valid_to: date | None = None
    source: Source

    def active(self, as_of: date) -> bool:
        return in_force(self.valid_from, self.valid_to, as_of)


class Ownership(Edge):
    owner: str
    asset: str
    share: Share


class Control(Edge):
    controller: str
    controlled: str
    kind: ControlKind


class Relationship(Edge):
    """A business tie. ``a`` is the supplier/licensor/officer/financier side, ``b`` the other."""

    a: str
    b: str
    kind: RelationKind
    status: RelationStatus = "active"
    hs_codes: tuple[str, ...] = ()
    note: str | None = None


class Dataset(Model):
    """A set of facts. Rule-file scenario data and ingested data are both Datasets."""

    entities: tuple[Entity, ...] = ()
    designations: tuple[Designation, ...] = ()
    ownerships: tuple[Ownership, ...] = ()
    controls: tuple[Control, ...] = ()
    relationships: tuple[Relationship, ...] = ()

    def merged(self, other: Dataset) -> Dataset:
        """Union of two datasets. Entity ids must not clash (callers check with ``clashes``)."""
        return Dataset(
            entities=self.entities + other.entities,
            designations=self.designations + other.designations,
            ownerships=self.ownerships + other.ownerships,
            controls=self.controls + other.controls,
            relationships=self.relationships + other.relationships,
        )

    def clashes(self, other: Dataset) -> list[str]:
        mine = {e.id for e in self.entities}
        return sorted(e.id for e in other.entities if e.id in mine)

    def entity_map(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}
