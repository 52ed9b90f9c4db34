"""The case report as PDF, by WeasyPrint from the report's HTML (no browser needed).

WeasyPrint lays text out with Pango and finds fonts through fontconfig: Cyrillic and
Chinese names need fonts that have them (Debian's fonts-noto-core and fonts-noto-cjk,
installed by ``.ci/browser.sh``). The PDF's creation date is the report's own
"generated at", so the same report gives the same bytes.
"""

from __future__ import annotations

from riskengine.errors import RiskEngineError
from riskengine.report.case import CaseReport
from riskengine.report.html import render_html


class PdfError(RiskEngineError):
    """The PDF could not be made (WeasyPrint or its system libraries missing)."""

    exit_code = 1


def render_pdf(report: CaseReport) -> bytes:
    try:
        from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango): loaded for a PDF only
    except (ImportError, OSError) as exc:  # OSError: Pango not installed
        raise PdfError(f"PDF needs WeasyPrint and Pango: {exc}".splitlines()[0]) from None
    stamp = report.header.generated_at.strftime("%Y-%m-%dT%H:%M:%S%z")
    html = render_html(report).replace(
        "<head>", f'<head>\n<meta name="dcterms.created" content="{stamp}">'
                  f'\n<meta name="generator" content="riskengine">', 1)
    data: bytes = HTML(string=html).write_pdf()
    return data
