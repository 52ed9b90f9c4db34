"""The case report as one standalone HTML file: styles inlined, the graph inline SVG, no
script (readable offline and without JavaScript). Templates are Jinja2 files shipped in the
package (``report/templates``); every value is escaped except the SVG we drew ourselves."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from riskengine.report.case import CaseReport, scale, waterfall

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        ["html", "j2"], default_for_string=True, default=True), trim_blocks=True,
        lstrip_blocks=True)


def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def context(report: CaseReport) -> dict[str, Any]:
    """What the templates of a report's body need (the entity page uses it too)."""
    steps = waterfall(report.result)
    return {"report": report, "steps": steps, "top": scale(steps)}


def render_html(report: CaseReport) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(**context(report), css=stylesheet())
