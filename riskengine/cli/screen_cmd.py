"""`riskengine screen`: fuzzy screening of one name or a file of counterparties.

Ready to register: ``app.command("screen")(screen)``. Thin like the other commands: heavy
modules are imported inside; the use case is ``riskengine.application.screening``.

A file is streamed (``screening.report.screen_stream``): read in chunks, each chunk screened
and rendered on a worker process, its rows written as soon as it and the chunks before it
are done, so output starts within seconds and memory does not grow with the file. A regular
file is read once in full before any screening: a bad row exits 2 naming file and line,
and nothing is written (standard input, ``--file -``, cannot be read twice: its rows are
checked as they stream, so an error stops the output at that line).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from riskengine.cli.options import day_or_today

if TYPE_CHECKING:
    from riskengine.screening.infile import InputFile
    from riskengine.settings import Settings

CSV_COLUMNS = ("line", "input_id", "input_name", "rank", "entity_id", "entity_name",
               "matched_name", "score", "match", "sources", "risk_score", "band", "blocked",
               "features")
Rows = list[dict[str, object]]


class ScreenFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def screen(  # noqa: PLR0913, PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Name to screen (any script).")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="CSV with a 'name' column (optional: id, country, identifier); "
                       "'-' reads standard input.")] = None,
    country: Annotated[str | None, typer.Option(
        "--country", help="Country of the counterparty (ISO alpha-2).")] = None,
    identifier: Annotated[str | None, typer.Option(
        "--id", help="Registration number, INN, LEI, ...: a match decides.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most candidates per name.")
                     ] = 10,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Verdicts as they stood on this date (YYYY-MM-DD).")] = None,
    fmt: Annotated[ScreenFormat | None, typer.Option(
        "--format", help="table or json for a name; csv (default), json (one object per "
                         "line) or table for --file.")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Encoding of --file (default: decided from its bytes).")] = None,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="Delimiter of --file: one character, or tab (default: sniffed "
                            "from the header line).")] = None,
) -> None:
    """Screen a name, or a CSV file of names, against the listed entities (fuzzy)."""
    if (name is None) == (file is None):
        from riskengine.errors import InputError

        raise InputError("screen", "give either a NAME or --file (not both)")
    day = day_or_today("--as-of", as_of)
    if file is None:
        from riskengine.application.screening import screen_one

        _print_one(screen_one(ctx.obj, name or "", country, identifier, limit, day), fmt)
        return
    from riskengine.screening.infile import InputFile

    spec = InputFile(str(file), encoding, delimiter)
    stream_file(ctx.obj, spec, limit, day, fmt or ScreenFormat.csv, sys.stdout)


def stream_file(settings: Settings, spec: InputFile, limit: int, as_of: date,
                fmt: ScreenFormat, out: TextIO) -> int:
    """Screen the rows of ``spec`` and write them to ``out`` as they are done (module
    docstring); returns the number of input rows screened."""
    from riskengine.application.screening import load_screening, screened
    from riskengine.screening.batch import workers_for
    from riskengine.screening.infile import count_rows, queries

    count = count_rows(spec) if spec.rereadable else None  # InputError before any output
    loaded = load_screening(settings, as_of)
    render = RENDERERS[fmt]
    if fmt is ScreenFormat.csv:
        out.write(_csv_line(CSV_COLUMNS))
    done = 0
    try:
        for text, n in screened(loaded, queries(spec), limit, workers_for(count), render):
            out.write(text)
            out.flush()
            done += n
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        _silence(out)
    return done


def _silence(out: Any) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
    except (OSError, AttributeError, io.UnsupportedOperation):
        pass


# --- output: each renderer turns a chunk's rows into (text, rows rendered) ---------------


def _print_one(row: dict[str, object], fmt: ScreenFormat | None) -> None:
    from riskengine.cli import render

    if fmt is ScreenFormat.json:
        render.print_json(row)
    elif fmt is ScreenFormat.csv:
        sys.stdout.write(_csv_line(CSV_COLUMNS) + _render_csv([row])[0])
    else:
        sys.stdout.write(_render_table([row])[0])


def _render_json(rows: Rows) -> tuple[str, int]:
    """One JSON object per line (NDJSON)."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), len(rows)


def _render_csv(rows: Rows) -> tuple[str, int]:
    """Rows of ``CSV_COLUMNS``: one per candidate, one with the input alone when none."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        given: dict[str, Any] = row["input"]  # type: ignore[assignment]
        head = [given.get("line", ""), given.get("id", ""), given.get("name", "")]
        found = _matches(row)
        if not found:
            out.writerow(head + [""] * (len(CSV_COLUMNS) - len(head)))
        for rank, match in enumerate(found, 1):
            out.writerow([*head, rank, *_csv_cells(match)])
    return buffer.getvalue(), len(rows)


def _csv_line(cells: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _render_table(rows: Rows) -> tuple[str, int]:
    return "".join(line + "\n" for row in rows for line in _table(row)), len(rows)


RENDERERS = {ScreenFormat.json: _render_json, ScreenFormat.csv: _render_csv,
             ScreenFormat.table: _render_table}


def _matches(row: dict[str, object]) -> list[dict[str, Any]]:
    found = row["matches"]
    return found if isinstance(found, list) else []


def _csv_cells(match: dict[str, Any]) -> list[object]:
    risk = match.get("risk") or {}
    blocked = [code for code, status in risk.get("regimes", {}).items()
               if status not in ("clear", "not_covered")]
    return [
        match["entity"]["id"], match["entity"]["name"], match["matched_name"], match["score"],
        "yes" if match["match"] else "no",
        " ".join(_cite(s) for s in match["sources"]),
        risk.get("score", ""), risk.get("band", ""), " ".join(blocked),
        "; ".join(f"{f['kind']}: {f['detail']}" for f in match["features"]),
    ]


def _table(row: dict[str, object]) -> list[str]:
    given: dict[str, Any] = row["input"]  # type: ignore[assignment]
    found = _matches(row)
    lines = [f"{given['name']}: {len(found)} candidate(s)"]
    for match in found:
        risk = match.get("risk") or {}
        regimes = ", ".join(f"{c} {s}" for c, s in risk.get("regimes", {}).items())
        flag = "MATCH" if match["match"] else "     "
        lines += [f"  {match['score']:.2f} {flag} {match['entity']['name']} "
                  f"({match['entity']['id']}) via {match['matched_name']!r}",
                  f"       risk {risk.get('score', '-')} {risk.get('band', '')}; {regimes}"]
        lines += [f"       - {f['kind']}: {f['detail']}" for f in match["features"]]
    return lines


def _cite(source: dict[str, Any]) -> str:
    record = source.get("record_id")
    return f"{source['source']}#{record}" if record else str(source["source"])
