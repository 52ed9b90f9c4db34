"""The pages in a real browser (Debian's Chromium, driven by Playwright): sign in, search
"камаз", open KAMAZ and JAC Motors, the exposure graph's parties and ties, screenshots,
keyboard navigation, and the PDF downloaded and read back with pdftotext."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Server
from tests.web.conftest import pdftotext


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    opened = context.new_page()
    opened.goto(f"{server.url}/ui/search")  # not signed in: the sign-in page
    opened.get_by_label("API token").fill(server.tokens["anna"])
    opened.get_by_role("button", name="Sign in").click()
    opened.wait_for_url("**/ui/search")
    yield opened
    context.close()


def check_screenshot(png: bytes) -> None:
    image = pytest.importorskip("PIL.Image").open(BytesIO(png)).convert("RGB")
    width, height = image.size
    assert 800 <= width <= 4000 and 400 <= height <= 20000
    assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 20  # not blank


def parties(page: Any) -> set[str]:
    return set(page.locator("svg.exposure-graph g.party").evaluate_all(
        "gs => gs.map(g => g.dataset.id)"))


def ties(page: Any) -> set[tuple[str, str, str]]:
    found = page.locator("svg.exposure-graph g.tie").evaluate_all(
        "gs => gs.map(g => [g.dataset.id, g.dataset.from, g.dataset.to])")
    return {tuple(t) for t in found}


def search(page: Any, text: str) -> None:
    page.get_by_label("Name, alias or id").fill(text)
    page.get_by_label("As of").fill("2024-06-01")
    page.get_by_label("Name, alias or id").press("Enter")
    page.wait_for_selector("table.candidates")


def test_search_kamaz_in_cyrillic_and_open_its_page(page: Any, tmp_path: Path) -> None:
    search(page, "камаз")
    first = page.locator("table.candidates tbody tr").first
    assert first.get_attribute("data-entity") == "kamaz"
    assert "matched" in first.inner_text()
    first.get_by_role("link", name="KAMAZ PJSC").click()
    page.wait_for_selector("svg.exposure-graph")
    assert {"kamaz", "rostec", "nefaz", "jac", "moskvich"} <= parties(page)
    assert ("rostec-kamaz", "rostec", "kamaz") in ties(page)
    assert page.locator('g.party[data-id="rostec"]').get_attribute("data-blocked") != ""
    check_screenshot(page.screenshot(full_page=True))


def test_jac_page_graph_and_pdf(page: Any, tmp_path: Path) -> None:
    search(page, "JAC Motors")
    page.locator('table.candidates tr[data-entity="jac"] a').first.click()
    page.wait_for_selector("svg.exposure-graph")
    assert {"jac", "kamaz", "moskvich", "jag"} <= parties(page)
    assert {("jac-kamaz-licence", "jac", "kamaz"),
            ("jac-moskvich-supply", "jac", "moskvich")} <= ties(page)
    strongest = page.locator("g.tie.strongest").get_attribute("data-id")
    assert strongest == "jac-kamaz-licence"
    check_screenshot(page.locator("svg.exposure-graph").screenshot())
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "jac.pdf"
    caught.value.save_as(saved)
    text = subprocess.run([pdftotext(), str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Case report: Anhui Jianghuai Automobile Group" in text
    assert "KAMAZ PJSC" in text and "Exposure graph" in text


def test_kamaz_pdf_shows_the_cyrillic_name(page: Any, server: Server, tmp_path: Path) -> None:
    page.goto(f"{server.url}/ui/entity/kamaz?as_of=2024-06-01")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "kamaz.pdf"
    caught.value.save_as(saved)
    text = subprocess.run([pdftotext(), str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "КАМАЗ" in text


def test_keyboard_alone_searches_and_opens_an_entity(page: Any) -> None:
    assert page.evaluate("document.activeElement.id") == "q"  # the search box has focus
    page.keyboard.type("камаз")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.candidates")
    page.locator('table.candidates tr[data-entity="kamaz"] a').first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("svg.exposure-graph")
    page.keyboard.press("Tab")  # the first stop on a page skips to its content
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea, button')].filter(e =>
        e.tagName === 'BUTTON' ? !e.textContent.trim() : !e.labels || e.labels.length === 0
        ).map(e => e.name || e.id)""")
    assert unlabelled == []


def test_the_changes_page_filters(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/ui/changes")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Changes of run 2")
    total = page.locator("tbody tr").count()
    page.get_by_label("Name or id contains").fill("kamaz")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    shown = page.locator("tbody tr").all_inner_texts()
    assert 0 < len(shown) <= total
    assert all("KAMAZ" in row.upper() or "no change" in row for row in shown)
