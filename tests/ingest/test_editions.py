"""Edition history: new, kept, delisted, relisted, same file, older edition, delisting guard."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

import pytest

from riskengine.domain import Dataset, Designation, Entity, Identifier, Source
from riskengine.errors import InputError
from riskengine.ingest.editions import (
    Guard,
    IngestRules,
    PastEditions,
    base_id,
    current_rows,
    plan_edition,
    union_entity,
)
from riskengine.lists.base import ListEdition

D1, D2, D3 = date(2022, 6, 17), date(2022, 6, 28), date(2022, 7, 15)
SRC = Source(source="ofac-sdn")


def des(key: str, start: date | None = None, end: date | None = None) -> Designation:
    return Designation(id=key, entity_id=f"ofac:{key}", regime="us", listed_from=start,
                       listed_to=end, source=SRC)


def edition(*designations: Designation, digest: str = "new") -> ListEdition:
    return ListEdition(source="ofac-sdn", published=None, content_hash=digest,
                       files=("sdn.csv",), dataset=Dataset(designations=designations))


NO_PAST = PastEditions()
NO_LIMIT = Guard(1.0)
Periods = dict[str, tuple[date | None, date | None]]


def plan(new: ListEdition, stored: list[Designation], published: date = D2,
         past: PastEditions = NO_PAST, guard: Guard = NO_LIMIT) -> Periods:
    result = plan_edition(new, published, stored, past, guard, "sdn.csv")
    return {d.id: (d.listed_from, d.listed_to) for d in result.designations}


@pytest.mark.parametrize(
    ("stored", "incoming", "expected"),
    [
        # new entry, dated from the edition
        ([], [des("a")], {"a": (D2, None)}),
        # new entry whose list states its own start (UK Listed On)
        ([], [des("a", D1)], {"a": (D1, None)}),
        # present in both: keeps its original start
        ([des("a", D1)], [des("a")], {"a": (D1, None)}),
        # present in both, the list now states another start: the first one is kept
        ([des("a", D1)], [des("a", D3)], {"a": (D1, None)}),
        # gone: delisted as of the edition's date, the row is kept
        ([des("a", D1), des("b", D1)], [des("b")], {"a": (D1, D2), "b": (D1, None)}),
        # delisted before, back again: a new period with its own row
        ([des("a", D1, D2)], [des("a")], {"a@2022-07-15": (D3, None)}),
        # already delisted and still absent: nothing to write
        ([des("a", D1, D2), des("b", D1)], [des("b")], {"b": (D1, None)}),
        # relisted before, now gone: the open period (suffixed row) is closed
        ([des("a", D1, D2), des("a@2022-06-30", date(2022, 6, 30))], [],
         {"a@2022-06-30": (date(2022, 6, 30), D3)}),
    ],
    ids=["new", "new-own-date", "kept", "kept-first-date", "delisted", "relisted",
         "stays-delisted", "relisted-then-delisted"],
)
def test_history(stored: list[Designation], incoming: list[Designation],
                 expected: Periods) -> None:
    published = D3 if any(d.listed_to for d in stored) else D2
    assert plan(edition(*incoming), stored, published) == expected


def test_counts_say_what_happened() -> None:
    stored = [des("kept", D1), des("gone", D1), des("back", D1, D2)]
    result = plan_edition(edition(des("kept"), des("back"), des("new")), D3, stored,
                          PastEditions(newest=D2), Guard(1.0), "sdn.csv")
    assert result.counts == {"new": 1, "kept": 1, "relisted": 1, "delisted": 1}
    assert not result.already


def test_same_file_again_changes_nothing() -> None:
    past = PastEditions(newest=D3, hashes=frozenset({"same"}))
    result = plan_edition(edition(des("a"), digest="same"), D1, [des("b", D1)], past, Guard(),
                          "sdn.csv")
    assert result.already
    assert result.designations == ()


@pytest.mark.parametrize(
    ("published", "force", "refused"),
    [(D1, False, True), (D1, True, False), (D2, False, False), (D3, False, False)],
)
def test_older_edition_is_refused_unless_forced(published: date, force: bool,
                                                refused: bool) -> None:
    past = PastEditions(newest=D2, hashes=frozenset({"old"}))
    message = r"sdn.csv: ofac-sdn edition of 2022-06-17 is older than .*2022-06-28.*--force"
    with pytest.raises(InputError, match=message) if refused else nullcontext():
        result = plan_edition(edition(des("a")), published, [des("a", D1)], past,
                              Guard(force=force), "sdn.csv")
        assert result.counts["kept"] == 1


@pytest.mark.parametrize(
    ("kept", "share", "force", "refused"),
    [
        (9, 0.10, False, False),  # 1 of 10 delisted: 10%, at the limit
        (8, 0.10, False, True),  # 2 of 10: over
        (8, 0.10, True, False),  # forced
        (8, 0.25, False, False),  # a looser limit
        (0, 0.10, False, True),  # an empty edition
    ],
)
def test_delisting_guard(kept: int, share: float, force: bool, refused: bool) -> None:
    stored = [des(f"d{i}", D1) for i in range(10)]
    new = edition(*(des(f"d{i}") for i in range(kept)))
    message = r"would delist \d+ of 10 listed designations .*limit 10%.*--force"
    with pytest.raises(InputError, match=message) if refused else nullcontext():
        result = plan_edition(new, D2, stored, PastEditions(newest=D1), Guard(share, force),
                              "sdn.csv")
        assert result.counts["delisted"] == 10 - kept


def test_guard_ignores_already_delisted_rows() -> None:
    stored = [des("a", D1, D2), des("b", D1, D2), des("c", D1)]
    assert plan(edition(des("c")), stored, D3, guard=Guard(0.1)) == {"c": (D1, None)}


@pytest.mark.parametrize(
    ("row_id", "base"),
    [("ofac-sdn:1:RUSSIA", "ofac-sdn:1:RUSSIA"), ("uk:RUS1/russia@2024-01-02", "uk:RUS1/russia"),
     ("a@b", "a@b")],
)
def test_base_id(row_id: str, base: str) -> None:
    assert base_id(row_id) == base


def test_current_row_is_the_open_period() -> None:
    rows = [des("a@2023-01-01", date(2023, 1, 1)), des("a", D1, D2)]
    assert current_rows(rows)["a"].id == "a@2023-01-01"


def test_union_entity_keeps_old_names_identifiers_and_other_sources() -> None:
    old = Entity(id="ofac:1", name="Old Name", aliases=("Alias",), country="ru",
                 identifiers=(Identifier(scheme="inn", value="1"),),
                 sources=(Source(source="ofac-cons"), Source(source="ofac-sdn", line=1)))
    new = Entity(id="ofac:1", name="New Name", aliases=("alias",),
                 identifiers=(Identifier(scheme="ogrn", value="2"),),
                 sources=(Source(source="ofac-sdn", line=2),))
    merged = union_entity(old, new)
    assert merged.name == "New Name"
    assert merged.aliases == ("alias", "Old Name")
    assert [i.scheme for i in merged.identifiers] == ["ogrn", "inn"]
    assert [(s.source, s.line) for s in merged.sources] == [("ofac-sdn", 2), ("ofac-cons", None)]
    assert merged.country == "ru"
    assert union_entity(None, new) == new


@pytest.mark.parametrize(("share", "ok"), [(0.1, True), (1.0, True), (0.0, False), (1.5, False)])
def test_ingest_rules_validate_the_share(share: float, ok: bool) -> None:
    if ok:
        assert IngestRules(max_delisted_share=share).max_delisted_share == share
    else:
        with pytest.raises(ValueError, match="max_delisted_share"):
            IngestRules(max_delisted_share=share)


@pytest.mark.parametrize(
    ("published", "future_days", "force", "refused"),
    [
        (D3, 1, False, True),  # 17 days ahead of today (D2)
        (date(2022, 6, 29), 1, False, False),  # one day ahead: the tolerance
        (date(2022, 6, 30), 1, False, True),  # two days ahead
        (date(2022, 6, 30), 2, False, False),  # a wider tolerance from rules/ingest.yaml
        (date(2099, 1, 1), 1, True, False),  # forced
    ],
)
def test_edition_from_the_future_is_refused(published: date, future_days: int, force: bool,
                                            refused: bool) -> None:
    today = D2
    guard = Guard.of(IngestRules(future_days=future_days), force)
    message = rf"sdn.csv: ofac-sdn edition of {published} is dated after today \(2022-06-28"
    with pytest.raises(InputError, match=message) if refused else nullcontext():
        plan_edition(edition(des("a")), published, [], NO_PAST, guard, "sdn.csv", today=today)
    assert plan_edition(edition(des("a")), published, [], NO_PAST, guard, "sdn.csv").counts


# --- issue 13: how a start date was found, and entries continued under another number -------


@pytest.mark.parametrize(
    ("stored", "incoming", "expected"),
    [([], [des("a")], "first_edition"),  # OFAC: no date in the file
     ([], [des("a", D1)], "list"),  # the list's own date
     ([des("a", D1).model_copy(update={"listed_from_basis": "first_edition"})], [des("a")],
      "first_edition"),  # kept: keeps how it was dated
     ([des("a", D1, D2)], [des("a")], "first_edition")],  # relisted without a date
)
def test_start_basis(stored: list[Designation], incoming: list[Designation],
                     expected: str) -> None:
    result = plan_edition(edition(*incoming), D3, stored, NO_PAST, NO_LIMIT, "sdn.csv")
    assert [d.listed_from_basis for d in result.designations if d.listed_to is None] == [expected]


def bank(key: str, *idents: tuple[str, str]) -> Entity:
    return Entity(id=f"ofac:{key}", name=f"BANK {key}", sources=(SRC,),
                  identifiers=tuple(Identifier(scheme=s, value=v) for s, v in idents))


SWIFT = ("swift", "MOSWRUMM")


@pytest.mark.parametrize(
    ("old", "new", "continued"),
    [(bank("20002", SWIFT), bank("17017", SWIFT), True),  # same SWIFT/BIC: continued
     (bank("20002", SWIFT), bank("17017", ("swift", "OTHERRUMM")), False),
     (bank("20002"), bank("17017"), False)],  # no identifiers: a delisting and a new listing
)
def test_continued_under_another_number(old: Entity, new: Entity, continued: bool) -> None:
    stored = [des("20002", D1).model_copy(update={"listed_from_basis": "first_edition"})]
    fresh = des("17017")
    incoming = ListEdition(source="ofac-sdn", published=None, content_hash="x", files=(),
                           dataset=Dataset(entities=(new,), designations=(fresh,)))
    result = plan_edition(incoming, D2, stored, NO_PAST, NO_LIMIT, "sdn.csv",
                          entities=lambda ids: {old.id: old} if old.id in ids else {})
    rows = {d.id: d for d in result.designations}
    assert rows["20002"].listed_to == D2  # the old record is no longer on the list
    assert (rows["17017"].listed_from == D1) is continued
    assert ("not a delisting" in (rows["20002"].source.note or "")) is continued
    expected = {"new": 0, "kept": 0, "relisted": 0, "delisted": 0, "continued": 1}
    assert (result.counts == expected) is continued
