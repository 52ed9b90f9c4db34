"""The case report: the waterfall adds up to the score, the HTML carries the header,
verdicts, graph, sources and no script, publisher links follow their patterns; and the
`riskengine report` command writes the file whose sha256 the audit log holds."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from riskengine.domain import Source
from riskengine.engine import Evaluation, score
from riskengine.report.build import case_report
from riskengine.report.case import Header, waterfall
from riskengine.report.graph_select import Caps
from riskengine.report.html import render_html
from riskengine.report.links import record_url
from riskengine.store import Store
from riskengine.store.audit import audit_entries
from tests.report.test_graph_svg import DAY, seed

__all__ = ["seed"]
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def report_of(ev: Evaluation, entity: str) -> str:
    result = score(ev, entity)
    header = Header(entity_id=entity, entity_name=result.entity.name, as_of=DAY,
                    rules_hash="r" * 64, data_hash="d" * 64, generated_at=AT,
                    generated_by="olga")
    return render_html(case_report(ev, result, header, Caps(ev.rules.scoring.max_depth)))


@pytest.mark.parametrize("entity", ["jac", "kamaz", "rostec", "nefaz", "volkswagen"])
def test_waterfall_steps_chain_and_end_at_the_score(seed: Evaluation, entity: str) -> None:
    result = score(seed, entity)
    steps = waterfall(result)
    assert [s.start for s in steps[1:]] == [s.end for s in steps[:-1]]
    assert all(round(s.end - s.start, 2) == round(s.points, 2) for s in steps)
    assert (steps[-1].end if steps else 0.0) == result.score


def test_html_report_holds_header_verdicts_graph_and_sources(seed: Evaluation) -> None:
    html = report_of(seed, "kamaz")
    for text in ("KAMAZ PJSC", "2024-06-01", "r" * 64, "d" * 64, "2026-01-02T03:04:05",
                 "olga", "Verdicts per regime", "<svg", "Sources", "Overrides in force"):
        assert text in html
    assert "<script" not in html.lower()
    assert 'href="https://sanctionssearch.ofac.treas.gov/Details.aspx?id=37756"' in html
    assert html == report_of(seed, "kamaz")  # same inputs, same bytes


@pytest.mark.parametrize(("source", "record", "url", "expected"), [
    ("ofac-sdn", "37756", None, "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=37756"),
    ("ofac-sdn", "37756; 1", None, None),
    ("gleif", "5493001KJTIIGC8Y1R12", None, "https://search.gleif.org/#/record/5493001KJTIIGC8Y1R12"),
    ("psc", "00445790", None,
     "https://find-and-update.company-information.service.gov.uk/company/00445790"),
    ("uk", "RUS1422", None, None),
    ("eu", "I.ENTITIES/91", "https://example.org/record/91", "https://example.org/record/91"),
    ("eu", "x", "javascript:alert(1)", None),
])
def test_publisher_links(source: str, record: str, url: str | None, expected: str | None
                         ) -> None:
    assert record_url(Source(source=source, record_id=record, url=url)) == expected


def test_report_command_writes_the_file_the_audit_log_names(cli, db: str,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    out = tmp_path / "kamaz.html"
    run = cli("report", "камаз", "--as-of", "2024-06-01", "-o", str(out), "--actor", "olga")
    assert run.code == 0, run.err
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest in run.out
    with Store.open(db) as store:
        entry = audit_entries(store)[-1]
    assert (entry.action, entry.actor) == ("report", "olga")
    assert entry.details["sha256"] == digest and entry.details["entity"] == "kamaz"
    assert "КАМАЗ" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "named"), [
    (("--as-of", "2024-13-01"), "--as-of"),
    (("--as-of", "2024-06-01", "--run", "1"), "--as-of"),
])
def test_bad_options_exit_2_naming_the_option(cli, db: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                              args: tuple[str, ...], named: str) -> None:
    out = tmp_path / "r.html"
    run = cli("report", "kamaz", *args, "-o", str(out))
    assert run.code == 2 and named in run.err and "Traceback" not in run.err
    assert not out.exists()


def test_pdf_report_text_has_the_cyrillic_and_chinese_names(cli, db: str,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (bash .ci/browser.sh installs poppler-utils)")
    out = tmp_path / "jac.pdf"
    run = cli("report", "JAC Motors", "--as-of", "2024-06-01", "--format", "pdf", "-o", str(out))
    assert run.code == 0, run.err
    assert out.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Case report: Anhui Jianghuai Automobile Group" in text
    assert "КАМАЗ" in text or "安徽" in text
    assert re.search(r"Score\s+85\.00", text)
    assert date(2024, 6, 1).isoformat() in text


def test_report_of_a_stored_run_is_drawn_on_its_own_inputs(cli, db: str,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    assert cli("rescore", "--as-of", "2022-03-01", "--quiet").code == 0
    out = tmp_path / "run.html"
    run = cli("report", "KAMAZ", "--run", "1", "-o", str(out))
    assert run.code == 0, run.err
    html = out.read_text(encoding="utf-8")
    assert "<dt>Run</dt><dd>1</dd>" in html and "<dt>As of</dt><dd>2022-03-01</dd>" in html
    assert 'data-id="rostec"' in html  # the graph, drawn on the run's facts
    with Store.open(db) as store:
        entry = audit_entries(store)[-1]
    assert (entry.action, entry.details["run"]) == ("report", 1)
