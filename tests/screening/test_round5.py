"""Round-5 rules (issue 15: held-out aliases), from names of the real lists (OFAC SDN, UK
ConList): one-word glued names reached through whole-name blocking keys, and the rule-file
tables of spelling readings, synonyms and function words, as case tables. Each case is a
listed name, a query of the same family and, as a control, an unrelated listed name that the
query must not match."""

from __future__ import annotations

import pytest

from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.index import key_groups
from riskengine.screening.match import Screener
from tests.screening.bundled import DISTRACTORS


def _screener(config: ScreeningConfig, name: str) -> Screener:
    names = (name, *DISTRACTORS)
    return Screener.build([Entity(id=f"e{i}", name=n) for i, n in enumerate(names)], config)


def _confidence(screener: Screener, query: str) -> float:
    return next((c.confidence for c in screener.screen(query) if c.entity_id == "e0"), 0.0)


@pytest.mark.parametrize("tokens", [["fastlink"], ["daliantianyi"], ["fast", "link"]])
def test_one_word_names_have_whole_name_keys(tokens: list[str]) -> None:
    """The whole name's prefix and suffix keys, for one word as for several."""
    whole = [keys for exact, keys in key_groups(tokens, 4) if exact is None]
    compact = "".join(tokens)
    assert whole == [{"c:" + compact[:5], "e:" + compact[-5:]}]


@pytest.mark.parametrize(
    ("listed", "query"),
    [("FASTLINK SARL", "FAST LINK SAL"),  # OFAC: a listed one-word name, the query split
     ("DALIAN TIANYI INTERNATIONAL", "DALIANTIANYI INTERNATIONAL"),  # the query glued
     ("INTERLINK", "INTER LINK")],
)
def test_glued_and_split_names_meet(config: ScreeningConfig, listed: str, query: str) -> None:
    assert _confidence(_screener(config, listed), query) >= config.threshold


# (family, listed name, query of the same party): listed names and held-out spellings of the
# real lists, one or two per family (the family is the rule; these are its examples).
FAMILIES = [
    ("soft c", "CALCIMIN", "KALSIMIN"),
    ("soft c", "DEFENCE INDUSTRIES DIRECTORATE", "DEFENSE INDUSTRIES DIRECTORATE"),
    ("russian ts = c", "LLC SPETSELSERVIS", "SPECELSERVIS"),
    ("korean g = k", "Sang-Kuk SO", "Sang-Guk SO"),
    ("korean b = p", "RYOM, Hui-bong", "RYO'M, Hu'i-pong"),
    ("burmese ht = t", "NAUNG, Tun Tun", "NAUNG, Htun Htun"),
    ("burmese hs = s", "SAN, Pwint", "HSAN, Pwint"),
    ("dprk = korea", "KOREA NAMGANG TRADING CORPORATION", "DPRK NAMGANG TRADING COMPANY"),
    ("sb ras", "INSTITUTE OF LASER PHYSICS OF THE SIBERIAN BRANCH OF THE RUSSIAN ACADEMY OF "
     "SCIENCES", "INSTITUTE OF LASER PHYSICS SB RAS"),
    ("ik = ic", "IC VELES CAPITAL LLC", "IK VELES KAPITAL OOO"),
    ("pe = private company", "PRIVATE COMPANY PROMCOMPLEKTLOGISTIC", "PE PROMCOMPLEKTLOGISTIC"),
    ("society = association", "AL-ANSAR CHARITY ASSOCIATION", "AL-ANSAR CHARITABLE SOCIETY"),
    ("firm = company", "LIMITED LIABILITY COMPANY SCIENTIFIC AND PRODUCTION COMPANY "
     "TEKHINKOM", "LLC SCIENTIFIC AND PRODUCTION FIRM TEKHINKOM"),
    ("marine, transportation", "MINISTRY OF LAND AND MARITIME TRANSPORTATION",
     "MINISTRY OF LAND AND MARINE TRANSPORT"),
    ("in", "ANSAR AL-SHARIA DERNA", "ANSAR AL-SHARIA IN DERNA"),
    ("wa", "JAMAAT AL-TAWHID AL-JIHAD", "JAMAAT AL-TAWHID WA AL-JIHAD"),
]
# The same queries must not match these listed names (another distinctive word).
CONTROLS = {
    "CALCIMIN": "KALININ", "DEFENCE INDUSTRIES DIRECTORATE": "DEFENCE INDUSTRIES TRADING",
    "LLC SPETSELSERVIS": "LLC SPETSSTROI", "NAUNG, Tun Tun": "NAUNG, Tin Maung",
    "SAN, Pwint": "SAN, Aung", "Sang-Kuk SO": "Sang-Nam SO",
    "KOREA NAMGANG TRADING CORPORATION": "KOREA KWANGSON BANK",
}


@pytest.mark.parametrize(("family", "listed", "query"), FAMILIES,
                         ids=[f"{f}: {q}" for f, _, q in FAMILIES])
def test_family_matches(config: ScreeningConfig, family: str, listed: str, query: str
                        ) -> None:
    screener = _screener(config, listed)
    assert _confidence(screener, query) >= config.threshold, family
    assert not [c for c in screener.screen(query) if c.match and c.entity_id != "e0"]


@pytest.mark.parametrize(("listed", "other"), sorted(CONTROLS.items()))
def test_family_does_not_reach_another_name(config: ScreeningConfig, listed: str, other: str
                                            ) -> None:
    query = next(q for _, n, q in FAMILIES if n == listed)
    assert _confidence(_screener(config, other), query) < config.threshold
