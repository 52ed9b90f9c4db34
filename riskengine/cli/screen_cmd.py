"""`riskengine screen`: fuzzy screening of one name or a CSV file of counterparties.

Ready to register: ``app.command("screen")(screen)``. Thin like the other commands: heavy
modules are imported inside. The entities screened against are the evaluated facts (rule-file
scenario plus the database), each candidate carries its regime verdicts and exposure score.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from riskengine.cli.options import day_or_today

if TYPE_CHECKING:
    from riskengine.exposure.score import ScoreTable
    from riskengine.overrides import Override
    from riskengine.screening.config import ScreeningConfig
    from riskengine.screening.report import RiskLookup, ScreenQuery
    from riskengine.settings import Settings

CONFIG_FILE = "screening.yaml"
CSV_COLUMNS = ("line", "input_id", "input_name", "rank", "entity_id", "entity_name",
               "matched_name", "score", "match", "sources", "risk_score", "band", "blocked",
               "features")


class ScreenFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def screen(  # noqa: PLR0913, PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Name to screen (any script).")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="CSV with a 'name' column (optional: id, country, identifier).")] = None,
    country: Annotated[str | None, typer.Option(
        "--country", help="Country of the counterparty (ISO alpha-2).")] = None,
    identifier: Annotated[str | None, typer.Option(
        "--id", help="Registration number, INN, LEI, ...: a match decides.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most candidates per name.")
                     ] = 10,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Verdicts as they stood on this date (YYYY-MM-DD).")] = None,
    fmt: Annotated[ScreenFormat | None, typer.Option(
        "--format", help="table or json for a name; csv (default) or json for --file.")
    ] = None,
) -> None:
    """Screen a name, or a CSV file of names, against the listed entities (fuzzy)."""
    from riskengine.screening.report import ScreenQuery

    if (name is None) == (file is None):
        from riskengine.errors import InputError

        raise InputError("screen", "give either a NAME or --file (not both)")
    queries = (read_queries(file) if file is not None
               else [ScreenQuery(name or "", country=country, identifier=identifier)])
    chosen = fmt or (ScreenFormat.csv if file is not None else ScreenFormat.table)
    rows = run(ctx.obj, queries, limit, day_or_today("--as-of", as_of))
    _print(rows, chosen, many=file is not None)


def run(settings: Settings, queries: Sequence[ScreenQuery], limit: int, as_of: date
        ) -> list[dict[str, object]]:
    """Screen ``queries`` against the evaluated facts; JSON-ready rows."""
    from riskengine.cli.overrides_service import stored_overrides
    from riskengine.cli.service import evaluation
    from riskengine.engine import with_overrides
    from riskengine.screening.match import Screener
    from riskengine.screening.report import screen_all

    ev, facts = evaluation(settings, as_of)
    ev, overrides = with_overrides(ev, facts, stored_overrides(settings))
    screener = Screener.build(facts.entities, load_config(settings))
    rows = screen_all(screener, queries, limit, risk_lookup(ev, overrides))
    return [decided(row, overrides.active) for row in rows]


def counterparty_key(text: str) -> str:
    """How a screened name or input id is compared with an override's counterparty."""
    from riskengine.screening.normalise import fold

    return fold(text)


def decided(row: dict[str, object], active: Sequence[Override]) -> dict[str, object]:
    """``row`` with approved false_positive/confirmed overrides of its counterparty applied:
    the match decision follows the override, which is named among the match's features."""
    from riskengine.overrides import applied_flag, screening_decision

    given: dict[str, Any] = row["input"]  # type: ignore[assignment]
    keys = [counterparty_key(str(v)) for v in (given.get("name"), given.get("id")) if v]
    for match in _matches(row):
        o = screening_decision(active, match["entity"]["id"], keys, counterparty_key)
        if o is not None:
            match["match"] = o.kind == "confirmed"
            match["decision"] = o.kind
            match["features"] = [*match["features"],
                                 {"kind": "override", "detail": applied_flag(o)}]
    return row


def risk_lookup(ev: object, overrides: object = None) -> RiskLookup:
    """``risk_of(entity_id)``: score, band and regime statuses of the whole-graph arrays
    (computed once, on the first candidate), with the approved overrides applied: the same
    figures ``score`` explains (``score_all`` and ``score_entity`` agree to the cent)."""
    from riskengine.engine import Evaluation, Overrides, regime_order, score_everything

    assert isinstance(ev, Evaluation)
    assert overrides is None or isinstance(overrides, Overrides)
    order = regime_order(ev.rules, list(ev.verdicts))
    tables: list[ScoreTable] = []

    def risk_of(entity_id: str) -> dict[str, object]:
        if not tables:
            tables.append(score_everything(ev, overrides))
        i = ev.graph.index[entity_id]
        return {"score": float(tables[0].score[i]), "band": tables[0].band_of(i),
                "regimes": {code: ev.verdicts[code].status(i) for code in order}}

    return risk_of


def load_config(settings: Settings) -> ScreeningConfig:
    """rules/screening.yaml of the rules directory in use; defaults when it has none."""
    from riskengine.cli.service import _rule_file
    from riskengine.screening.config import ScreeningConfig

    return _rule_file(settings, CONFIG_FILE, ScreeningConfig)


def read_queries(path: Path) -> list[ScreenQuery]:
    """Rows of a counterparties CSV; InputError naming the file and line when broken."""
    from riskengine.errors import InputError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read file: {exc}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _parse_csv(path, reader)
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}", f"not a valid CSV row: {exc}") from None


def _parse_csv(path: Path, reader: Iterator[list[str]]) -> list[ScreenQuery]:
    from riskengine.errors import InputError

    header = [h.strip().casefold() for h in next(reader, [])]
    if "name" not in header:
        raise InputError(f"{path}:1", f"no 'name' column (columns: {', '.join(header) or '-'})")
    return [_query(path, getattr(reader, "line_num", 0), header, row)
            for row in reader if any(row)]


def _query(path: Path, line: int, header: list[str], row: list[str]) -> ScreenQuery:
    from riskengine.errors import InputError
    from riskengine.screening.report import ScreenQuery

    if len(row) != len(header):
        raise InputError(f"{path}:{line}", f"expected {len(header)} fields, got {len(row)}")
    cells = {k: v.strip() or None for k, v in zip(header, row, strict=True)}
    if not cells["name"]:
        raise InputError(f"{path}:{line}", "empty name")
    return ScreenQuery(name=cells["name"] or "", id=cells.get("id"), line=line,
                       country=cells.get("country"), identifier=cells.get("identifier"))


def _print(rows: list[dict[str, object]], fmt: ScreenFormat, many: bool) -> None:
    from riskengine.cli import render

    if fmt is ScreenFormat.json:
        render.print_json(rows if many else rows[0])
    elif fmt is ScreenFormat.csv:
        _write_csv(rows)
    else:
        for row in rows:
            _table(row)


def _matches(row: dict[str, object]) -> list[dict[str, Any]]:
    found = row["matches"]
    return found if isinstance(found, list) else []


def _write_csv(rows: list[dict[str, object]]) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    for row in rows:
        given: dict[str, Any] = row["input"]  # type: ignore[assignment]
        head = [given.get("line", ""), given.get("id", ""), given.get("name", "")]
        found = _matches(row)
        if not found:
            out.writerow(head + [""] * (len(CSV_COLUMNS) - len(head)))
        for rank, match in enumerate(found, 1):
            out.writerow([*head, rank, *_csv_cells(match)])


def _csv_cells(match: dict[str, Any]) -> list[object]:
    risk = match.get("risk") or {}
    blocked = [code for code, status in risk.get("regimes", {}).items() if status != "clear"]
    return [
        match["entity"]["id"], match["entity"]["name"], match["matched_name"], match["score"],
        "yes" if match["match"] else "no",
        " ".join(_cite(s) for s in match["sources"]),
        risk.get("score", ""), risk.get("band", ""), " ".join(blocked),
        "; ".join(f"{f['kind']}: {f['detail']}" for f in match["features"]),
    ]


def _table(row: dict[str, object]) -> None:
    given: dict[str, Any] = row["input"]  # type: ignore[assignment]
    found = _matches(row)
    typer.echo(f"{given['name']}: {len(found)} candidate(s)")
    for match in found:
        risk = match.get("risk") or {}
        regimes = ", ".join(f"{c} {s}" for c, s in risk.get("regimes", {}).items())
        flag = "MATCH" if match["match"] else "     "
        typer.echo(f"  {match['score']:.2f} {flag} {match['entity']['name']} "
                   f"({match['entity']['id']}) via {match['matched_name']!r}")
        typer.echo(f"       risk {risk.get('score', '-')} {risk.get('band', '')}; {regimes}")
        for feature in match["features"]:
            typer.echo(f"       - {feature['kind']}: {feature['detail']}")


def _cite(source: dict[str, Any]) -> str:
    record = source.get("record_id")
    return f"{source['source']}#{record}" if record else str(source["source"])
