"""Output for people (rich tables) and for tools (JSON)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from riskengine.result import Contribution, Coverage, PathItem, RegimeVerdict, ScoreResult

TOP_PATHS = 6
SOURCE_CHARS = 110  # the table cites sources briefly (uncut with --wide; JSON has them in full)
PIPED_WIDTH = 140  # width when stdout is not a terminal and COLUMNS is not set
WIDE_WIDTH = 1000  # --wide: rows as long as their content


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _console(wide: bool = False) -> Console:
    """The terminal's width (COLUMNS, else 140 when piped); colour only on a terminal. No
    emoji codes: a listed name such as 'X :ship: Y' is printed as it is listed."""
    if wide:
        return Console(width=WIDE_WIDTH, highlight=False, emoji=False)
    columns = os.environ.get("COLUMNS", "")
    if sys.stdout.isatty() or columns.isdigit():
        return Console(highlight=False, emoji=False)
    return Console(width=PIPED_WIDTH, highlight=False, emoji=False)


def path_text(path: tuple[PathItem, ...]) -> str:
    """'JAC Motors -[technology_licence with]-> KAMAZ PJSC => OFAC SDN ...'."""
    parts: list[str] = []
    for item in path:
        if item.type == "entity":
            parts.append(item.label)
        elif item.type == "edge":
            parts.append(f"-[{item.label}]->")
        else:
            parts.append(f"=> {item.label}")
    return " ".join(parts)


def _brief(text: str, wide: bool = False) -> str:
    return text if wide or len(text) <= SOURCE_CHARS else text[: SOURCE_CHARS - 1] + "…"


def _sources(path: tuple[PathItem, ...], wide: bool = False) -> list[str]:
    return list(dict.fromkeys(_brief(item.source, wide) for item in path if item.source))


def score_table(result: ScoreResult, wide: bool = False) -> None:
    """The result for people; ``wide``: sources uncut, not fitted to the terminal."""
    console = _console(wide)
    run = f", reproduced from stored run {result.run}" if result.run is not None else ""
    # lines of text are never broken by rich (soft_wrap): the terminal wraps them, and
    # grep and tests see each whole
    console.print(f"[bold]{escape(result.entity.name)}[/bold] ({escape(result.entity.id)}), "
                  f"as of {result.as_of.isoformat()}{run}", soft_wrap=True)
    if result.match:
        console.print(f"matched by {escape(result.match)}", soft_wrap=True)
    console.print(f"Score [bold]{result.score:g}[/bold] / 100   Band: [bold]{result.band}[/bold]",
                  soft_wrap=True)
    console.print(_regimes(result))
    console.print(_contributions(result.contributions, wide))
    for distant in result.overrides_elsewhere:
        console.print(f"[yellow]override elsewhere:[/yellow] {escape(distant.detail)}",
                      soft_wrap=True)
    for flag in result.flags:
        console.print(f"[yellow]review:[/yellow] {escape(flag)}", soft_wrap=True)


def _regimes(result: ScoreResult) -> Table:
    table = Table(title="Verdict per regime", title_justify="left")
    for column in ("regime", "status", "blocked", "possibly"):
        table.add_column(column, no_wrap=True)
    table.add_column("why", overflow="fold")
    covered = any(v.coverage for v in result.regimes.values())
    if covered:
        table.add_column("lists (newest edition, earliest)", overflow="fold")
    for code, verdict in result.regimes.items():
        row = [code, verdict.status.replace("_", " "), _yes(verdict.blocked),
               _yes(verdict.possibly_blocked), escape(why(verdict))]
        table.add_row(*row, *([escape(lists_text(verdict.coverage))] if covered else []))
    return table


def why(verdict: RegimeVerdict) -> str:
    """The first evidence line, then every non-blocking listing: 'not blocked; sectoral:
    OFAC SSI UKRAINE-EO13662 since ...'."""
    if verdict.status == "not_covered":
        return "no list of this regime has data for the date: not covered (not clear)"
    if not verdict.evidence:
        return "no listing, no blocking owner"
    first = verdict.evidence[0]
    lines = [first.detail] + [e.detail for e in verdict.evidence[1:] if e.kind == "non_blocking"]
    return "\n".join(lines)


def lists_text(coverage: Coverage | None) -> str:
    """'ofac-sdn 2024-05-03 (since 2022-06-17); rules (seed)', or 'none loaded'."""
    if coverage is None or not coverage.sources:
        return "none loaded"
    parts = []
    for s in coverage.sources:
        if s.source == "rules":
            parts.append("rules (seed)")
            continue
        newest = s.newest.isoformat() if s.newest else "none yet"
        since = f" (since {s.earliest.isoformat()})" if s.earliest else ""
        parts.append(f"{s.source} {newest}{since}")
    return "; ".join(parts)


def _group(contributions: tuple[Contribution, ...]) -> list[list[Contribution]]:
    """Contributions along the same path (one per regime) shown together, largest first."""
    groups: dict[tuple[str, tuple[str, ...]], list[Contribution]] = {}
    for c in contributions:
        key = (c.factor, tuple(i.id for i in c.path if i.type != "listing"))
        groups.setdefault(key, []).append(c)
    return sorted(groups.values(), key=lambda g: (g[0].factor == "cap", -_points(g)))


def _points(group: list[Contribution]) -> float:
    return round(sum(c.points for c in group), 2)


def _group_text(group: list[Contribution], wide: bool = False) -> str:
    """The shared path once, then one line per regime, then the sources cited."""
    first = group[0]
    lines: list[str] = []
    if any(i.type == "edge" for i in first.path):
        lines.append(escape(path_text(tuple(i for i in first.path if i.type != "listing"))))
    for c in group:
        listing = [i.label for i in c.path if i.type == "listing" and i.label not in c.detail]
        suffix = f" => {listing[0]}" if listing else ""
        lines.append(escape(f"{c.detail}{suffix}"))
    cited = dict.fromkeys(src for c in group for src in _sources(c.path, wide))
    lines += [f"[dim]source: {escape(src)}[/dim]" for src in cited]
    return "\n".join(dict.fromkeys(lines))


def _contributions(contributions: tuple[Contribution, ...], wide: bool = False) -> Table:
    table = Table(title="Why this score (points add up to the score)", title_justify="left")
    for column in ("points", "factor"):
        table.add_column(column, no_wrap=True)
    table.add_column("detail, evidence path and sources", overflow="fold")
    groups = _group(contributions)
    shown = [g for g in groups if g[0].factor != "cap"][:TOP_PATHS]
    shown += [g for g in groups if g[0].factor == "cap"]
    for group in shown:
        table.add_row(f"{_points(group):+.2f}", group[0].factor, _group_text(group, wide))
    hidden = [g for g in groups if g not in shown]
    if hidden:
        rest = round(sum(_points(g) for g in hidden), 2)
        table.add_row(f"{rest:+.2f}", "...", f"{len(hidden)} more (see --format json)")
    return table


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def entity_lines(report: dict[str, Any]) -> list[str]:
    """``application.entities.entity_report`` as text for people."""
    lines = [f"{report['name']} ({report['id']}), {report['kind']}, "
             f"country {report['country'] or 'unknown'}",
             "Names: " + "; ".join(report["names"]),
             "Identifiers: " + ("; ".join(f"{i['scheme']} {i['value']}" + (
                 f" (no longer stated from {i['stated_to']})" if i.get("stated_to") else "")
                 for i in report["identifiers"]) or "none"),
             *([f"Born: {', '.join(report['birth_dates'])}"] if report["birth_dates"] else []),
             *([f"Nationality: {', '.join(report['nationalities'])}"]
               if report["nationalities"] else []),
             "Source records:"]
    lines += [f"  {r['source']} #{r['record_id'] or '-'} ({r['entity']}) file {r['file'] or '-'}"
              f" published {r['published'] or '-'}" for r in report["records"]]
    lines.append("Designations:")
    lines += [f"  {d['regime']} {d['program'] or d['list']} {d['listed_from'] or '?'}.."
              f"{d['listed_to'] or ''} [{d['source']}]" for d in report["designations"]]
    lines.append("Merged because:" if report["merged_because"] else "Merged: no")
    lines += [f"  {why}" for why in report["merged_because"]]
    if report.get("merge_review"):
        lines.append("Not merged, awaiting review (`entities merges`):")
    return lines + [f"  {why}" for why in report.get("merge_review", ())]
