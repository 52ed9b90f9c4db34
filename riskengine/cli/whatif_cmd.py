"""CLI of "what would change" (issue 16): ``rules diff``, ``rescore --dry-run --rules DIR``
and ``score QUERY --with FILE``. Thin: options in, the use cases of
``riskengine.application.whatif`` called, text, CSV or JSON out."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.application.whatif import DryRun, WhatIf
    from riskengine.runs.changes import Change
    from riskengine.runs.whatif import Mover

EXIT_CHANGES = 5


def rules_diff(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="The proposed rules directory.")],
    against: Annotated[Path | None, typer.Option(
        help="Compare with this rules directory [default: the rules in use].")] = None,
) -> None:
    """What a rules directory changes, in plain words: thresholds, inclusive flags, weights,
    bands, scenario entities and facts added, removed or changed."""
    from riskengine.application.whatif import rules_diff as diff
    from riskengine.ruleset.diff import diff_lines

    for line in diff_lines(diff(ctx.obj, directory, against)):
        typer.echo(line)


def dry_run(settings: Settings, proposed: Path | None, when: date, fmt: str, top: int,
            actor: str) -> int:
    """``rescore --dry-run --rules DIR``: print what would change; the number of changes."""
    from riskengine.application.whatif import dry_run as run
    from riskengine.cli import runs_render
    from riskengine.errors import InputError

    if proposed is None:
        raise InputError("--dry-run", "needs --rules DIR (the proposed rules to compare)")
    found = run(settings, proposed, when, actor, top)
    if fmt == "json":
        write_json(found)
    elif fmt == "csv":
        sys.stdout.write(runs_render.change_csv(found.changes))
    else:
        for line in dry_run_lines(found):
            typer.echo(line)
    return len(found.changes)


def write_json(found: DryRun) -> None:
    """The dry run as one JSON object, its changes written one per line as they are
    serialised (a million changes are not held as one text)."""
    import json

    head = json.dumps(found.head_json(), ensure_ascii=False, indent=2)
    out = sys.stdout
    out.write(head[:-2] + ',\n  "changes": [')
    for k, change in enumerate(found.changes):
        out.write(("," if k else "") + "\n    " + change.model_dump_json())
    out.write("\n  ]\n}\n")


def dry_run_lines(found: DryRun) -> list[str]:
    """The dry run for people: what was compared, counts per kind, top movers, changes."""
    from riskengine.cli import runs_render

    head = [f"dry run as of {found.as_of.isoformat()}: {found.entities} entities scored under "
            f"the rules in use ({found.current_rules_hash[:12]}) and under {found.proposed} "
            f"({found.proposed_rules_hash[:12]}, rule files {found.proposed_hash[:12]})",
            f"nothing stored but audit entry {found.audit_entry}; "
            f"{len(found.changes)} changes"]
    return [*head, *kind_lines(found.changes), *mover_lines(found.movers),
            *(["changes:"] if found.changes else []),
            *(f"  {line}" for line in runs_render.change_lines(found.changes))]


def kind_lines(changes: Sequence[Change]) -> list[str]:
    """'  newly_blocked   3  (us 2, eu 1)' per kind, in the order `changes` names them."""
    from riskengine.runs.whatif import counts_by_kind

    counts = counts_by_kind(changes)
    kinds = [k for k in counts if ":" not in k]
    lines = ["changes by kind:"] if kinds else []
    for kind in kinds:
        regimes = [f"{key.partition(':')[2]} {n}" for key, n in counts.items()
                   if key.startswith(f"{kind}:")]
        lines.append(f"  {kind:<14}{counts[kind]:>7}" + (f"  ({', '.join(regimes)})"
                                                         if regimes else ""))
    return lines


def mover_lines(movers: Sequence[Mover]) -> list[str]:
    lines = ["top movers:"] if movers else []
    for m in movers:
        lines.append(f"  {m.delta:+7.2f}  {m.entity_id}\t{m.name}\t{m.before:g} {m.band_before}"
                     f" -> {m.after:g} {m.band_after}")
    return lines


def score_with(settings: Settings, query: str, file: Path, when: date, actor: str,
               json_out: bool, wide: bool) -> None:
    """``score QUERY --with FILE``: the explained score with and without the facts."""
    from riskengine.application.whatif import score_with as score
    from riskengine.cli import render

    found = score(settings, query, file, when, actor)
    if json_out:
        render.print_json(found.to_json_dict())
        return
    if found.without is None:
        typer.echo(f"Without {file.name}: not in the data (a party the file defines)")
    else:
        typer.echo(f"Without {file.name}:")
        render.score_table(found.without, wide=wide)
    typer.echo("")
    typer.echo(f"With {file.name} (hypothetical facts):")
    render.score_table(found.with_facts, wide=wide)
    typer.echo("")
    for line in difference_lines(found):
        typer.echo(line)


def difference_lines(found: WhatIf) -> list[str]:
    """'Difference: score 60 -> 85.1 (+25.1), band severe -> severe', then what moved."""
    diff = found.difference()
    score, band = diff["score"], diff["band"]
    before = "-" if score["before"] is None else f"{score['before']:g}"
    lines = [f"Difference: score {before} -> {score['after']:g} ({score['delta']:+g}), "
             f"band {band['before'] or '-'} -> {band['after']}"]
    for code, move in diff["regimes"].items():
        lines.append(f"  {code}: {move['before'] or '-'} -> {move['after']}")
    for key, part in diff["parts"].items():
        lines.append(f"  {key}: {part['before']:g} -> {part['after']:g} ({part['delta']:+g})")
    for c in diff["new_contributions"]:
        lines.append(f"  new: {c['points']:+g} {c['factor']}  {c['detail']}")
    return lines
