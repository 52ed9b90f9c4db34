"""Coverage: which lists and editions each regime's verdict rests on, and where they do not
cover the date asked about (issue 17). Pure: editions and dates come in as arguments.

A regime is *covered* on a day when at least one of its sources has data for that day: an
edition published on or before it, or an undated source (the rule-file seed, source
``rules``; FtM ingests, whose files state no edition date), which is never date-checked. A
verdict that would say "clear" for a regime that is not covered says ``not_covered``
instead; a blocking verdict stays (the data found says so) and carries the flags.

Flags: the day is before a source's earliest edition; a source's newest edition on or before
the day is older than ``stale_after_days`` (``rules/coverage.yaml``).

Sources map to regimes: ofac-sdn/ofac-cons -> us, uk -> uk, eu -> eu, un -> un, ca -> ca;
FtM datasets and the seed by the regimes of their designations (the caller passes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from riskengine.domain import Designation
from riskengine.result import Coverage, RegimeVerdict, SourceCoverage

SOURCE_REGIMES: dict[str, tuple[str, ...]] = {
    "ofac-sdn": ("us",), "ofac-cons": ("us",), "uk": ("uk",), "eu": ("eu",), "un": ("un",),
    "ca": ("ca",),
}
SEED = "rules"


class CoverageRules(BaseModel):
    """``rules/coverage.yaml``: when list data counts as out of date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    stale_after_days: int = Field(
        31, ge=0, description="a regime's verdict is flagged when the newest edition of one of "
                              "its lists on or before the date is more than this many days "
                              "older than the date")


@dataclass(frozen=True)
class Edition:
    """One stored edition (or ingest) of a source. ``regimes``: what it covers; empty means
    ``SOURCE_REGIMES[source]`` (FtM ingests pass the regimes of their designations).
    ``published`` None: undated (the seed, FtM ingests)."""

    source: str
    published: date | None
    regimes: tuple[str, ...] = ()

    def covers(self) -> tuple[str, ...]:
        return self.regimes or SOURCE_REGIMES.get(self.source, ())


def seed_edition(seed: Iterable[Designation]) -> Edition | None:
    """The rule-file seed as an undated edition of source ``rules`` covering the regimes of
    its designations (None when it has none)."""
    regimes = tuple(sorted({d.regime for d in seed}))
    return Edition(SEED, None, regimes) if regimes else None


def regimes_of(designations: Iterable[Designation]) -> tuple[str, ...]:
    """The regimes of an FtM ingest's designations, for its ``Edition.regimes``."""
    return tuple(sorted({d.regime for d in designations}))


def regime_coverage(editions: Iterable[Edition], regimes: Iterable[str], as_of: date,
                    rules: CoverageRules) -> dict[str, Coverage]:
    """Coverage of each regime in ``regimes`` (and of any regime an edition covers)."""
    by_regime: dict[str, dict[str, list[date | None]]] = {r: {} for r in regimes}
    for e in editions:
        for r in e.covers():
            by_regime.setdefault(r, {}).setdefault(e.source, []).append(e.published)
    return {r: _coverage(sources, as_of, rules) for r, sources in by_regime.items()}


def _coverage(sources: Mapping[str, list[date | None]], as_of: date, rules: CoverageRules
              ) -> Coverage:
    found = [_source(name, dates, as_of) for name, dates in sorted(sources.items())]
    flags = [f for s in found for f in _flags(s, as_of, rules)]
    covered = any(s.newest is not None or s.earliest is None for s in found)
    if not found:
        flags.append("no list of this regime is loaded: not covered")
    return Coverage(covered=covered, sources=tuple(found), flags=tuple(flags))


def _source(name: str, dates: list[date | None], as_of: date) -> SourceCoverage:
    dated = sorted(d for d in dates if d is not None)
    newest = max((d for d in dated if d <= as_of), default=None)
    return SourceCoverage(source=name, newest=newest, earliest=dated[0] if dated else None,
                          editions=len(dates))


def _flags(s: SourceCoverage, as_of: date, rules: CoverageRules) -> list[str]:
    if s.earliest is None:  # undated: the seed, FtM ingests
        return []
    if s.newest is None:
        return [f"{as_of.isoformat()} is before the earliest {s.source} edition loaded "
                f"({s.earliest.isoformat()}): {s.source} does not cover that date"]
    age = (as_of - s.newest).days
    if age > rules.stale_after_days:
        return [f"newest {s.source} edition on or before {as_of.isoformat()} is of "
                f"{s.newest.isoformat()}, {age} days old (more than "
                f"rules/coverage.yaml stale_after_days {rules.stale_after_days})"]
    return []


@dataclass(frozen=True)
class Sources:
    """What a score's coverage is computed from: every stored edition of every source (and
    each FtM ingest with the regimes of its designations), and the staleness rule."""

    editions: tuple[Edition, ...] = ()
    rules: CoverageRules = field(default_factory=CoverageRules)

    def of(self, regimes: Iterable[str], as_of: date, seed: Iterable[Designation] = ()
           ) -> dict[str, Coverage]:
        """Coverage per regime on ``as_of``; ``seed``: the rule-file scenario designations
        in use (source ``rules``)."""
        found = seed_edition(seed)
        editions = (*self.editions, found) if found else self.editions
        return regime_coverage(editions, regimes, as_of, self.rules)


def with_coverage(verdict: RegimeVerdict, coverage: Coverage) -> RegimeVerdict:
    """``verdict`` with its coverage; a clear verdict without coverage becomes not_covered
    (an analyst's manual status stays as set)."""
    manual = any(e.kind == "manual_status" for e in verdict.evidence)
    status = verdict.status
    if status == "clear" and not coverage.covered and not manual:
        status = "not_covered"
    return verdict.model_copy(update={"status": status, "coverage": coverage})


def coverage_flags(code: str, coverage: Coverage) -> list[str]:
    """Review flags of a regime's coverage: '<regime>: <flag>'."""
    return [f"{code}: {flag}" for flag in coverage.flags]
