"""The terminal rendering prints names as they are listed."""

from __future__ import annotations

import pytest
from rich.markup import escape
from rich.table import Table

from riskengine.cli import render

NAMES = ["SHIPPING :ship: LINE", "A :smile: B", "TRADE:ANCHOR:CO", "ofac:6923", "[bold]ACME[/bold]",
         "ACME [LTD]"]


@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_names_are_printed_as_listed(name: str, wide: bool,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    table = Table("name")
    table.add_row(escape(name))  # as render does: markup escaped, emoji codes not
    render._console(wide).print(table)
    assert name in capsys.readouterr().out
