"""Name analysis: transliteration, folding, legal forms in several languages, skeletons."""

from __future__ import annotations

import pytest

from riskengine.screening.normalise import analyse, normalise_identifier, skeleton


@pytest.mark.parametrize(
    ("name", "tokens", "forms"),
    [
        ("PJSC KAMAZ", ("kamaz",), ("pjsc",)),
        ("KAMAZ PAO", ("kamaz",), ("pao",)),
        ("ПАО КАМАЗ", ("kamaz",), ("pao",)),
        ("Public Joint Stock Company KAMAZ", ("kamaz",), ("public joint stock company",)),
        ("KAMAZ Publicly Traded Company", ("kamaz",), ("publicly traded company",)),
        ("OOO Ромашка", ("romashka",), ("ooo",)),
        ("ООО «Ромашка»", ("romashka",), ("ooo",)),
        ("АО Звезда", ("zvezda",), ("ao",)),
        ("BYD Company Limited", ("byd",), ("company limited",)),
        ("Anhui Jianghuai Automobile Group Co., Ltd.",
         ("anhui", "jianghuai", "automobile", "group"), ("co ltd",)),
        ("Siemens AG", ("siemens",), ("ag",)),
        ("Fiat S.p.A.", ("fiat",), ("spa",)),  # dotted: one word (join_dotted)
        ("Acme GmbH", ("acme",), ("gmbh",)),
        ("Shell B.V.", ("shell",), ("bv",)),
        ("Generation Trading Free Zone Establishment", ("generation", "trading"),
         ("free zone establishment",)),
        ("Limited", ("limited",), ()),  # a name of legal forms only keeps them
    ],
)
def test_legal_forms_are_removed(name: str, tokens: tuple[str, ...], forms: tuple[str, ...]
                                 ) -> None:
    form = analyse(name)
    assert form.tokens == tokens
    assert form.legal_forms == forms


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("PJSC KAMAZ", "KAMAZ PAO"),
        ("KAMAZ PAO", "ПАО КАМАЗ"),
        ("Ol'ga KAZAKOVA", "Ольга Казакова"),
        ("JAMA`AT", "JAMA'AT"),
        ("Aleksander", "Alexander"),
        ("Mikhaylovna", "Mikhailovna"),
        ("Mohammad", "Mohamad"),
    ],
)
def test_variants_share_a_skeleton(a: str, b: str) -> None:
    assert analyse(a).compact == analyse(b).compact


@pytest.mark.parametrize(
    ("name", "transliterated"),
    [("КАМАЗ", True), ("KAMAZ", False), ("安徽江淮汽车", True), ("Renault", False)],
)
def test_transliteration_is_flagged(name: str, transliterated: bool) -> None:
    form = analyse(name)
    assert form.transliterated is transliterated
    assert form.text.isascii()


def test_chinese_legal_form_is_removed_before_transliteration() -> None:
    form = analyse("安徽江淮汽车集团有限公司")
    assert form.legal_forms
    assert form.tokens == (analyse("安徽江淮汽车").tokens)


@pytest.mark.parametrize(
    ("token", "expected"),
    [("alexander", "aleksander"), ("khalid", "halid"), ("yevgeniy", "ievgeni"),
     ("mohammad", "mohamad"), ("2008", "2008")],
)
def test_skeleton(token: str, expected: str) -> None:
    assert skeleton(token) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1650032058", "1650032058"), ("RU 1650-032058", "ru1650032058"), ("ab.12", "ab12")],
)
def test_identifier_normalisation(value: str, expected: str) -> None:
    assert normalise_identifier(value) == expected
