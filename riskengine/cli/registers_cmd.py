"""``riskengine ingest gleif FILE... | bods FILE | psc FILE``: ownership registers
(``riskengine.application.registers``). ``cli.app``'s ``ingest`` command hands these three
sources here."""

from __future__ import annotations

from pathlib import Path

import typer

from riskengine.cli.options import parse_day
from riskengine.settings import Settings

REGISTERS = ("gleif", "bods", "psc")


def ingest_register(settings: Settings, source: str, paths: list[Path],
                    published: str | None, force: bool, actor: str) -> None:
    """Ingest one register snapshot and print its summary lines."""
    from riskengine.application.registers import ingest_register as ingest

    when = parse_day("--published", published)
    for line in ingest(settings, source, paths, when, force=force, actor=actor):
        typer.echo(line)
