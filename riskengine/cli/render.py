"""Output for people (rich tables) and for tools (JSON)."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from riskengine.result import Contribution, PathItem, ScoreResult

TOP_PATHS = 6
SOURCE_CHARS = 110  # the table cites sources briefly; --format json has them in full


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _console() -> Console:
    # Wide enough for evidence paths when piped to a file; colour only on a terminal.
    return Console(width=None if sys.stdout.isatty() else 140, highlight=False)


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


def _brief(text: str) -> str:
    return text if len(text) <= SOURCE_CHARS else text[: SOURCE_CHARS - 1] + "…"


def _sources(path: tuple[PathItem, ...]) -> list[str]:
    return list(dict.fromkeys(_brief(item.source) for item in path if item.source))


def score_table(result: ScoreResult) -> None:
    console = _console()
    run = f", reproduced from stored run {result.run}" if result.run is not None else ""
    console.print(f"[bold]{result.entity.name}[/bold] ({result.entity.id}), "
                  f"as of {result.as_of.isoformat()}{run}")
    if result.match:
        console.print(f"matched by {result.match}")
    console.print(f"Score [bold]{result.score:g}[/bold] / 100   Band: [bold]{result.band}[/bold]")
    console.print(_regimes(result))
    console.print(_contributions(result.contributions))
    for flag in result.flags:
        console.print(f"[yellow]review:[/yellow] {escape(flag)}")


def _regimes(result: ScoreResult) -> Table:
    table = Table(title="Verdict per regime", title_justify="left")
    for column in ("regime", "status", "blocked", "possibly", "why"):
        table.add_column(column)
    for code, verdict in result.regimes.items():
        why = verdict.evidence[0].detail if verdict.evidence else "no listing, no blocking owner"
        table.add_row(code, verdict.status, _yes(verdict.blocked),
                      _yes(verdict.possibly_blocked), escape(why))
    return table


def _group(contributions: tuple[Contribution, ...]) -> list[list[Contribution]]:
    """Contributions along the same path (one per regime) shown together, largest first."""
    groups: dict[tuple[str, tuple[str, ...]], list[Contribution]] = {}
    for c in contributions:
        key = (c.factor, tuple(i.id for i in c.path if i.type != "listing"))
        groups.setdefault(key, []).append(c)
    return sorted(groups.values(), key=lambda g: (g[0].factor == "cap", -_points(g)))


def _points(group: list[Contribution]) -> float:
    return round(sum(c.points for c in group), 2)


def _group_text(group: list[Contribution]) -> str:
    """The shared path once, then one line per regime, then the sources cited."""
    first = group[0]
    lines: list[str] = []
    if any(i.type == "edge" for i in first.path):
        lines.append(escape(path_text(tuple(i for i in first.path if i.type != "listing"))))
    for c in group:
        listing = [i.label for i in c.path if i.type == "listing" and i.label not in c.detail]
        suffix = f" => {listing[0]}" if listing else ""
        lines.append(escape(f"{c.detail}{suffix}"))
    cited = dict.fromkeys(src for c in group for src in _sources(c.path))
    lines += [f"[dim]source: {escape(src)}[/dim]" for src in cited]
    return "\n".join(dict.fromkeys(lines))


def _contributions(contributions: tuple[Contribution, ...]) -> Table:
    table = Table(title="Why this score (points add up to the score)", title_justify="left")
    for column in ("points", "factor", "detail, evidence path and sources"):
        table.add_column(column)
    groups = _group(contributions)
    shown = [g for g in groups if g[0].factor != "cap"][:TOP_PATHS]
    shown += [g for g in groups if g[0].factor == "cap"]
    for group in shown:
        table.add_row(f"{_points(group):+.2f}", group[0].factor, _group_text(group))
    hidden = [g for g in groups if g not in shown]
    if hidden:
        rest = round(sum(_points(g) for g in hidden), 2)
        table.add_row(f"{rest:+.2f}", "...", f"{len(hidden)} more (see --format json)")
    return table


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
