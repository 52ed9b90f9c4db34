"""The stricter evaluation partition (riskengine.screening.evaluate): spelling rule for
held-out aliases, dropped-word stubs, both partitions counted."""

from __future__ import annotations

import pytest

from riskengine.screening.evaluate import (
    EvalReport,
    Probe,
    _alias_probe,
    _perturbed_probe,
    bigram_dice,
    spelling_of,
)


@pytest.mark.parametrize(
    ("alias", "name", "spelling"),
    [("AWAD, Kamal", "AWAD, Kamal Abdelrahman Aref", True),  # words missing
     ("Alexander Enrique ARTEAGA", "Alexander GRANKO ARTEAGA", True),  # 2 of 3
     ("MURATOV, Alexei", "MURATOV, Aleksey Valentinovich", True),  # skeletons agree
     ("PUHACHOV, Oleh Ivanovych", "PUGACHYOV, Oleg Ivanovich", True),
     ("EBRAHIMI, Mohammad", "EBRAHIMI, Reza", False),  # another first name: half only
     ("MORENO, Chayo", "MORENO, Jose", False),
     ("ISLAMIC JIHAD FOR THE LIBERATION OF PALESTINE", "ISLAMIC JIHAD", False)],
)
def test_spelling_rule(alias: str, name: str, spelling: bool) -> None:
    assert spelling_of(alias, name) is spelling


@pytest.mark.parametrize(("a", "b", "dice"), [("abc", "abc", 1.0), ("ab", "cd", 0.0),
                                              ("ab", "abc", 4 / 7)])
def test_bigram_dice(a: str, b: str, dice: float) -> None:
    assert bigram_dice(a, b) == pytest.approx(dice)


@pytest.mark.parametrize(
    ("alias", "kept", "kind", "first_kind"),
    [("EBRAHIMI, Mohammad", ["EBRAHIMI, Reza"], "alias_renamed", "alias_latin"),
     ("EBRAHIMI, Mohamad", ["EBRAHIMI, Mohammad"], "alias_latin", "alias_latin"),
     ("ЭБРАХИМИ Мохаммад", ["EBRAHIMI, Mohammad"], "alias_cyrillic", "alias_cyrillic"),
     ("ZVEZDA", ["KAMAZ"], "alias_unrelated", "alias_unrelated")],
)
def test_alias_kinds_under_both_partitions(alias: str, kept: list[str], kind: str,
                                           first_kind: str) -> None:
    probe = _alias_probe(alias, kept, "e:1")
    assert (probe.kind, probe.first_kind) == (kind, first_kind)


@pytest.mark.parametrize(
    ("query", "kind"),
    [("Ali", "drop_word_stub"), ("BAYT AL", "drop_word_stub"), ("Haji Abdul", "drop_word"),
     ("SOUTH KAVEH STEEL", "drop_word")],
)
def test_dropped_word_stubs_are_set_apart(query: str, kind: str) -> None:
    probe = _perturbed_probe(query, "drop_word", "e:1")
    assert (probe.kind, probe.first_kind) == (kind, "drop_word")
    assert _perturbed_probe(query, "typo", "e:1").kind == "typo"


def test_report_counts_both_partitions() -> None:
    report = EvalReport()
    report.count(Probe("EBRAHIMI, Mohammad", "alias_renamed", "e:1", "alias_latin"), True)
    report.count(Probe("X", "alias_latin", "e:2"), False)
    assert report.recall(["alias_latin"]) == 0.0 and report.recall(["alias_renamed"]) == 1.0
    assert report.old_recall(["alias_latin"]) == 0.5
