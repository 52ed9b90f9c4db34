"""Rule models: regime parameters and scoring parameters, validated from YAML.

Every tunable number is a field here with a description and a default; the bundled YAML
files under ``rules/`` set the values in force. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from riskengine.domain import ControlKind, Dataset, RelationKind, in_force


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


OwnershipTest = Literal["aggregate", "per_person", "none"]


class AffiliatesRule(RuleModel):
    """An export-control ownership test (BIS "50% Affiliates rule"): entities owned by parties
    on the named lists share their licence requirements. Export-control exposure of the
    owned entity, never an asset freeze: it does not block."""

    name: str = Field(description="how explanations name the rule")
    lists: tuple[str, ...] = Field(
        min_length=1, description="list names (as designations carry them) whose parties'"
        " affiliates are caught, e.g. 'Entity List'")
    threshold: float = Field(50.0, ge=0, le=100, description="ownership threshold in percent")
    inclusive: bool = Field(True, description="true: share >= threshold; false: share > it")
    suspended: bool = Field(
        False, description="true: the rule is suspended in this period: an entity it would"
        " catch is flagged for review, not scored")
    note: str = Field("", description="legal basis and dates, cited in explanations")


class RegimeParams(RuleModel):
    """The ownership and control test of one regime over one period."""

    valid_from: date | None = Field(None, alias="from", description="first day in force")
    valid_to: date | None = Field(None, alias="to", description="first day no longer in force")
    ownership_test: OwnershipTest = Field(
        "aggregate",
        description=(
            "aggregate: holdings of all blocked owners add up, a blocked entity's holdings count"
            " in full (OFAC 50% rule, EU). per_person: each designated person (or group linked by"
            " a joint arrangement) is tested alone, indirect holdings pass through majority-owned"
            " entities only (UK). none: listing only."
        ),
    )
    threshold: float = Field(50.0, ge=0, le=100, description="ownership threshold in percent")
    inclusive: bool = Field(True, description="true: share >= threshold blocks; false: share > it")
    control_kinds: tuple[ControlKind, ...] = Field(
        (), description="control edge kinds that block the controlled entity under this regime"
    )
    joint_arrangements_aggregate: bool = Field(
        True,
        description="per_person test: designated persons linked by a joint_arrangement control"
        " edge are treated as one holder",
    )
    joint_arrangement_partners: bool = Field(
        False,
        description="per_person test: a designated person's joint-arrangement partners count"
        " with it whether or not they are designated (their shares are treated as its own)",
    )
    export_affiliates: AffiliatesRule | None = Field(
        None, description="an export-control ownership test in force in this period (US: the"
        " BIS 50% Affiliates rule), shown as exposure, never as blocked")
    note: str = Field("", description="legal basis, cited in explanations")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def meets(self, pct: float) -> bool:
        return pct >= self.threshold if self.inclusive else pct > self.threshold


class Regime(RuleModel):
    code: str = Field(description="regime code as used in designations: us, eu, uk, ...")
    name: str
    authority: str = ""
    periods: tuple[RegimeParams, ...] = Field(min_length=1)

    def params(self, as_of: date) -> RegimeParams:
        """The parameters in force on ``as_of``; the earliest period if none covers it."""
        for period in self.periods:
            if in_force(period.valid_from, period.valid_to, as_of):
                return period
        return self.periods[0]


class RegimeRules(RuleModel):
    regimes: tuple[Regime, ...]
    default: RegimeParams = Field(
        RegimeParams(ownership_test="aggregate", threshold=50.0, inclusive=False),
        description="parameters for regime codes not configured (e.g. from FtM 'au'): flagged",
    )

    def get(self, code: str) -> Regime | None:
        return next((r for r in self.regimes if r.code == code), None)

    def params(self, code: str, as_of: date) -> RegimeParams:
        regime = self.get(code)
        return regime.params(as_of) if regime else self.default


class Band(RuleModel):
    name: str
    min_score: float = Field(ge=0, le=100, description="lowest score in this band")


class HubDamping(RuleModel):
    reference_degree: int = Field(
        8, ge=1, description="intermediaries with at most this many ties pass exposure undamped"
    )
    exponent: float = Field(
        0.5, ge=0, description="above it, pass-through is multiplied by (reference/degree)^exponent"
    )


class OwnershipWeights(RuleModel):
    owned_by: float = Field(1.0, ge=0, le=1, description="asset exposed to its owner, per 100%")
    owns: float = Field(0.5, ge=0, le=1, description="owner exposed to its asset, per 100%")
    unknown_share_assumed: float = Field(
        25.0, ge=0, le=100, description="percent assumed for exposure when a share is unknown"
    )


class ControlWeights(RuleModel):
    controlled_by: dict[ControlKind, float] = Field(
        description="controlled entity exposed to its controller, by control kind"
    )
    controls: float = Field(0.4, ge=0, le=1, description="controller exposed to what it controls")


class RelationWeight(RuleModel):
    weight: float = Field(ge=0, le=1, description="tie strength for all regimes")
    regimes: dict[str, float] = Field(
        default_factory=dict, description="per-regime override of the weight"
    )
    note: str = ""

    def for_regime(self, regime: str) -> float:
        return self.regimes.get(regime, self.weight)


class StatusWeights(RuleModel):
    active: float = Field(1.0, ge=0, le=1)
    prospective: float = Field(0.4, ge=0, le=1, description="a deal not yet signed")
    ended: float = Field(0.3, ge=0, le=1, description="an ended tie, at its end date")
    ended_half_life_years: float = Field(
        2.0, gt=0, description="an ended tie's weight halves every this many years"
    )


class FfiSecondary(RuleModel):
    """Secondary-sanctions risk of foreign financial institutions (EO 14114 of 22 December
    2023, amending EO 14024 s. 11): an FFI with ties to Russia's military-industrial base."""

    weight: float = Field(0.3, ge=0, le=1, description="an FFI with such ties scores scale x"
                          " regime weight x this, once")
    regime: str = Field("us", description="regime whose designations and weight count")
    program: str = Field("EO14024", description="designation program marker: designated under"
                         " EO 14024 when the program contains it (RUSSIA-EO14024)")
    valid_from: date = Field(date(2023, 12, 22), alias="from",
                             description="first day the FFI authority applies (EO 14114)")
    all_designees_from: date = Field(
        date(2024, 6, 12), description="from this day every EO 14024 designee counts (OFAC FAQ"
        " 1181); before it only those in the sectors below")
    sectors: tuple[str, ...] = Field(
        (), description="words of an entity's sector that place it in the military-industrial"
        " sectors (technology, defense and related materiel, construction, aerospace,"
        " manufacturing: EO 14024 s. 1(a)(i) determinations)")
    bank_words: tuple[str, ...] = Field(
        (), description="words of a name that mark a bank or financial institution (lower case)")
    bank_schemes: tuple[str, ...] = Field(
        ("swift", "bic"), description="identifier schemes only financial institutions have")
    sources: tuple[str, ...] = Field((), description="legal sources, cited in explanations")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScoringRules(RuleModel):
    scale: float = Field(100.0, gt=0, description="points of a full-strength tie with weight 1")
    blocked_score: float = Field(100.0, description="score of an entity blocked under any regime")
    unblocked_cap: float = Field(95.0, description="highest score of an entity blocked nowhere")
    possibly_blocked: float = Field(
        0.8,
        ge=0,
        le=1,
        description="an entity possibly (not definitely) blocked under a regime scores"
        " scale x regime weight x this; as a seed it passes on this strength",
    )
    other_listing: float = Field(
        0.5,
        ge=0,
        le=1,
        description="a non-blocking listing in force (sectoral, export control) scores"
        " scale x regime weight x this",
    )
    export_affiliate: float = Field(
        0.5,
        ge=0,
        le=1,
        description="an entity an export-control ownership test catches (BIS 50% Affiliates"
        " rule: owned by listed parties) scores scale x regime weight x this",
    )
    ffi_secondary: FfiSecondary = FfiSecondary()
    max_depth: int = Field(3, ge=1, le=6, description="longest tie path, in hops")
    decay: float = Field(0.5, ge=0, le=1, description="multiplier per hop after the first")
    min_strength: float = Field(
        0.001, ge=0, description="path strengths below this are dropped (pruning)"
    )
    explained_paths: int = Field(
        25, ge=0, le=1_000_000,
        description="tie paths an explained score lists in full, one contribution each: the"
        " ones of most points (then by regime and blocked party id); the weaker ones are"
        " summed into one tie_exposure contribution per regime, which names how many and"
        " their range. 0: every path in full. Presentation only: no score changes"
    )
    regime_weights: dict[str, float] = Field(
        description="share of the scale each regime's blocked parties can contribute"
    )
    default_regime_weight: float = Field(0.1, ge=0, le=1)
    hub_damping: HubDamping = HubDamping()
    ownership: OwnershipWeights = OwnershipWeights()
    control: ControlWeights
    relationships: dict[RelationKind, RelationWeight]
    status: StatusWeights = StatusWeights()
    bands: tuple[Band, ...] = Field(min_length=1, description="highest band first")

    @model_validator(mode="after")
    def _bands_descend(self) -> ScoringRules:
        mins = [b.min_score for b in self.bands]
        if mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise ValueError("bands must be listed highest first and the last must start at 0")
        return self

    def regime_weight(self, code: str) -> float:
        return self.regime_weights.get(code, self.default_regime_weight)

    def band(self, score: float, blocked: bool) -> str:
        """The top band is reserved for blocked entities."""
        if blocked:
            return self.bands[0].name
        for band in self.bands[1:]:
            if score >= band.min_score:
                return band.name
        return self.bands[-1].name


class RuleSet(RuleModel):
    """Everything loaded from a rules directory."""

    regimes: RegimeRules
    scoring: ScoringRules
    scenario: Dataset = Field(Dataset(), description="listings and graph facts from rules/scenario")
    content_hash: str = Field("", description="sha256 over the rule files, for audit records")
