"""`riskengine score` on the bundled seed scenario: shape of results, JSON contract, goldens."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
AS_OF = "2026-11-01"  # fixed, so the goldens do not move with the clock
UPDATE = os.environ.get("RISKENGINE_UPDATE_GOLDEN") == "1"
REGIME_KEYS = {"status", "blocked", "possibly_blocked", "evidence", "coverage"}


def score(cli, query: str, as_of: str = AS_OF) -> dict:  # type: ignore[no-untyped-def, type-arg]
    run = cli("score", query, "--as-of", as_of, "--format", "json")
    assert run.code == 0, run.err
    return run.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "query",
    ["KAMAZ", "JAC Motors", "FAW", "BYD", "Moskvich", "Rostec", "NefAZ", "AvtoVAZ", "Renault",
     "Volkswagen", "камаз", "kamaz pjsc", "MOSKVICH"],
)
def test_names_a_person_would_type_resolve(cli, query: str) -> None:  # type: ignore[no-untyped-def]
    result = score(cli, query)
    assert result["entity"]["id"]
    assert "name" in result["match"] or "id" in result["match"]


def test_json_contract(cli) -> None:  # type: ignore[no-untyped-def]
    result = score(cli, "JAC Motors")
    assert set(result) >= {"entity", "as_of", "score", "band", "regimes", "contributions", "flags"}
    assert result["as_of"] == AS_OF
    assert 0 <= result["score"] <= 100
    for verdict in result["regimes"].values():
        assert set(verdict) == REGIME_KEYS
        assert verdict["status"] in {"listed", "owned", "controlled", "clear", "not_covered"}
        assert set(verdict["coverage"]) == {"covered", "sources", "flags"}
    for c in result["contributions"]:
        assert {"factor", "points", "detail", "path"} <= set(c)


@pytest.mark.parametrize("query", ["KAMAZ", "JAC Motors", "FAW", "NefAZ", "Moskvich", "Volkswagen"])
def test_contributions_add_up_to_the_score(cli, query: str) -> None:  # type: ignore[no-untyped-def]
    result = score(cli, query)
    total = round(sum(c["points"] for c in result["contributions"]), 2)
    assert total == result["score"]


def test_kamaz_is_listed_under_us_eu_uk(cli) -> None:  # type: ignore[no-untyped-def]
    result = score(cli, "KAMAZ")
    for code in ("us", "eu", "uk"):
        assert result["regimes"][code]["status"] == "listed"
        assert result["regimes"][code]["blocked"] is True
    assert result["score"] == 100


def test_jac_blocked_nowhere_but_exposed(cli) -> None:  # type: ignore[no-untyped-def]
    jac = score(cli, "JAC Motors")
    assert not any(v["blocked"] for v in jac["regimes"].values())
    assert jac["score"] > max(score(cli, "FAW")["score"], score(cli, "BYD")["score"])
    before = score(cli, "JAC Motors", as_of="2022-01-15")  # before any KAMAZ listing
    assert jac["score"] > before["score"]
    tie_paths = [c["path"] for c in jac["contributions"] if c["factor"] == "tie_exposure"]
    reached = {item["id"] for path in tie_paths for item in path if item["type"] == "entity"}
    assert "kamaz" in reached


def test_kamaz_listing_date_matters(cli) -> None:  # type: ignore[no-untyped-def]
    before = score(cli, "KAMAZ", as_of="2022-02-23")
    through_rostec = score(cli, "KAMAZ", as_of="2022-05-03")  # Rostec designated 24 Feb 2022
    after_uk = score(cli, "KAMAZ", as_of="2022-05-04")
    assert before["regimes"]["uk"]["status"] == "clear"
    assert through_rostec["regimes"]["uk"]["status"] == "controlled"
    assert after_uk["regimes"]["uk"]["status"] == "listed"
    assert after_uk["regimes"]["us"]["status"] == "clear"
    assert score(cli, "KAMAZ", as_of="2022-06-28")["regimes"]["us"]["status"] == "listed"


@pytest.mark.parametrize("query", ["kamaz", "jac", "faw", "nefaz", "moskvich", "volkswagen"])
def test_golden_json(cli, query: str) -> None:  # type: ignore[no-untyped-def]
    """The full explained result, reviewed by a person, is fixed in a golden file.

    After a deliberate change, regenerate with RISKENGINE_UPDATE_GOLDEN=1 and review the diff.
    """
    result = score(cli, query)
    path = GOLDEN / f"score_{query}.json"
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_table_output_explains(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", "JAC Motors", "--as-of", AS_OF)
    assert run.code == 0, run.err
    for needle in ("Verdict per regime", "Why this score", "KAMAZ", "tie_exposure", "Band"):
        assert needle in run.out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["score", "No Such Company Ltd"], 3, "no entity named"),
        (["score", "KAMAZ", "--as-of", "2022-13-01"], 2, "--as-of"),
        (["score", "KAMAZ", "--format", "xml"], 2, "format"),
    ],
)
def test_errors_are_one_line_with_exit_code(cli, args, code, message) -> None:  # type: ignore[no-untyped-def]
    run = cli(*args)
    assert run.code == code
    assert message in run.err
    assert "Traceback" not in run.err
    assert run.out == ""


def test_fuzzy_fallback_scores_one_confident_match(cli) -> None:  # type: ignore[no-untyped-def]
    result = score(cli, "Moskvitch")  # a common transliteration, not an alias
    assert result["entity"]["id"] == "moskvich"
    assert "fuzzy match" in result["match"]


def test_fuzzy_fallback_lists_close_candidates(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", "Anhui Jianghuai Automobile", "--as-of", AS_OF)
    assert run.code == 4
    assert "jac" in run.err and "jag" in run.err


def test_screen_command_on_the_real_app(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("screen", "PAO KAMAZ", "--as-of", AS_OF, "--format", "json")
    assert run.code == 0, run.err
    top = run.json()["matches"][0]
    assert top["entity"]["id"] == "kamaz" and top["match"] is True
    assert top["risk"]["band"] == "blocked"
