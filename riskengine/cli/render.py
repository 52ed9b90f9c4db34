"""Output for people (rich tables) and for tools (JSON)."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from riskengine.result import Contribution, PathItem, ScoreResult

TOP_PATHS = 5


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _console() -> Console:
    # Wide enough for evidence paths when piped to a file; colour only on a terminal.
    return Console(width=None if sys.stdout.isatty() else 140, highlight=False)


def path_text(path: tuple[PathItem, ...]) -> str:
    """'JAC Motors -[technology_licence with]-> KAMAZ PJSC => OFAC SDN ... [source]'."""
    parts: list[str] = []
    for item in path:
        if item.type == "entity":
            parts.append(item.label)
        elif item.type == "edge":
            parts.append(f"-[{item.label}]->")
        else:
            parts.append(f"=> {item.label}")
    return " ".join(parts)


def _sources(path: tuple[PathItem, ...]) -> str:
    cited = [item.source for item in path if item.source]
    return "; ".join(dict.fromkeys(cited))


def score_table(result: ScoreResult) -> None:
    console = _console()
    console.print(f"[bold]{result.entity.name}[/bold] ({result.entity.id}), "
                  f"as of {result.as_of.isoformat()}")
    if result.match:
        console.print(f"matched by {result.match}")
    console.print(f"Score [bold]{result.score:g}[/bold] / 100   Band: [bold]{result.band}[/bold]")
    console.print(_regimes(result))
    console.print(_contributions(result.contributions))
    for flag in result.flags:
        console.print(f"[yellow]review:[/yellow] {flag}")


def _regimes(result: ScoreResult) -> Table:
    table = Table(title="Verdict per regime", title_justify="left")
    for column in ("regime", "status", "blocked", "possibly", "why"):
        table.add_column(column)
    for code, verdict in result.regimes.items():
        why = verdict.evidence[0].detail if verdict.evidence else ""
        table.add_row(code, verdict.status, _yes(verdict.blocked),
                      _yes(verdict.possibly_blocked), why)
    return table


def _contributions(contributions: tuple[Contribution, ...]) -> Table:
    table = Table(title="Why this score (points add up to the score)", title_justify="left")
    for column in ("points", "factor", "detail and evidence path"):
        table.add_column(column)
    shown = [c for c in contributions if c.factor != "cap"][:TOP_PATHS]
    shown += [c for c in contributions if c.factor == "cap"]
    for c in shown:
        text = c.detail
        if c.path:
            text += f"\n{path_text(c.path)}\nsources: {_sources(c.path)}"
        table.add_row(f"{c.points:+.2f}", c.factor, text)
    hidden = len(contributions) - len(shown)
    if hidden:
        rest = sum(c.points for c in contributions if c not in shown)
        table.add_row(f"{rest:+.2f}", "...", f"{hidden} more (see --format json)")
    return table


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
