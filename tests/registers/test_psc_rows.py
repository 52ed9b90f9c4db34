"""The PSC reader's direct rows (``psc_rows``) against the reference: the facts of
``psc.facts`` turned into rows by ``rows.party_rows`` / ``rows.tie_row`` (the path every
other register takes), on the samples and on random records mixing every kind, nature of
control and awkward value; broken records fail alike."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from riskengine.errors import InputError
from riskengine.ingest.ftm_flat import FlatControl, FlatOwnership
from riskengine.registers import psc, psc_rows
from riskengine.registers.common import Notes, Party
from riskengine.registers.rows import Batch, party_rows, tie_row
from tests.conftest import FIXTURES

NATURES = ["ownership-of-shares-25-to-50-percent", "ownership-of-shares-50-to-75-percent",
           "ownership-of-shares-75-to-100-percent-as-trust",
           "ownership-of-shares-more-than-25-percent-registered-overseas-entity",
           "right-to-share-surplus-assets-50-to-75-percent", "voting-rights-25-to-50-percent",
           "voting-rights-75-to-100-percent", "voting-rights-50-to-75-percent-as-firm",
           "right-to-appoint-and-remove-directors", "right-to-appoint-and-remove-members",
           "significant-influence-or-control", "something-new-entirely"]
KINDS = [*psc.OWNER_KINDS, *psc.SECRET_KINDS, psc.STATEMENT_KIND, "exemptions#x",
         "some-other-kind"]


def _reference(path: Path) -> tuple[Batch, list[str], dict[str, int]]:
    notes, counts, batch = Notes(), dict[str, int](), Batch()
    for fact in psc.facts(path, notes, counts):
        if type(fact) is Party:
            batch.party(party_rows(fact))
        else:
            assert type(fact) in (FlatOwnership, FlatControl)
            table, row = tie_row(fact)  # type: ignore[arg-type]
            batch.ties[table][row[0]] = row
    return batch, notes.lines(), counts


def _fast(path: Path, size: int) -> tuple[Batch, list[str], dict[str, int]]:
    """The batches merged by the writer's rules (a later record replaces an earlier one,
    a stub never replaces a record)."""
    notes, counts, merged = Notes(), dict[str, int](), Batch()
    for batch in psc_rows.batches(path, notes, counts, size):
        for rows in batch.parties.values():
            merged.party(rows)
        for table, ties in batch.ties.items():
            merged.ties[table].update(ties)
    return merged, notes.lines(), counts


def _record(rng: random.Random, i: int) -> dict[str, Any]:
    kind = rng.choice(KINDS)
    data: dict[str, Any] = {"kind": kind, "notified_on": rng.choice(
        ["2016-04-06", "2020-01-01T00:00:00", None, ""]),
        "natures_of_control": rng.sample(NATURES, rng.randrange(0, 4))}
    if rng.random() < 0.9:
        data["links"] = {"self": f"/company/x/persons-with-significant-control/k/{i % 7}"}
    else:
        data["etag"] = f"e{i}"
    if rng.random() < 0.2:
        data["ceased_on"] = "2022-03-01"
    if kind == psc.STATEMENT_KIND:
        data["statement"] = rng.choice([*sorted(psc.UNKNOWN_STATEMENTS), "no-psc"])
    data["name"] = rng.choice(["A  Person", "", None, f"Holding {i} Ltd"])
    data["identification"] = rng.choice([
        {}, {"registration_number": f"0{i % 5}", "country_registered": "England And Wales"},
        {"registration_number": "99 9", "place_registered": "Delaware"},
        {"legal_form": "Government body"}])
    data["date_of_birth"] = rng.choice([None, {"year": 1960}, {"year": 1970, "month": 3}])
    data["nationality"] = rng.choice(["British", "martian", ""])
    return {"company_number": rng.choice(["00000001", "00000002", "sc 3", 4]), "data": data}


def _random_file(tmp_path: Path, seed: int) -> Path:
    rng = random.Random(seed)
    lines = [orjson.dumps(_record(rng, i)) for i in range(300)]
    lines.append(orjson.dumps({"data": {"kind": "totals#x", "generated_at": "2024-01-01"}}))
    path = tmp_path / f"psc-{seed}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("name", ["psc-data-1.json", "psc-data-2.json", "chain-psc.jsonl"])
def test_samples_give_the_reference_rows(name: str) -> None:
    path = FIXTURES / "registers" / name
    assert _fast(path, 10**9) == _reference(path)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("size", [1, 7, 10**9])
def test_random_records_give_the_reference_rows(tmp_path: Path, seed: int, size: int) -> None:
    path = _random_file(tmp_path, seed)
    found, reference = _fast(path, size), _reference(path)
    assert found == reference
    assert len(reference[0].parties) > 10 and reference[0].ties["controls"]


@pytest.mark.parametrize("bad", [
    b'{"company_number": "1", "data": {"kind": "individual-person-with-significant-control",'
    b' "notified_on": "2020-13-01", "links": {"self": "/a/b"}}}',
    b'{"company_number": "1", "data": {"kind": "individual-person-with-significant-control",'
    b' "natures_of_control": ["ownership-of-shares-10-to-20-percent"], "etag": "x"}}',
    b'{"company_number": "1", "data": {"kind": "individual-person-with-significant-control"}}',
    b'{"company_number": "", "data": {"kind": "super-secure-person-with-significant-control"}}',
    b'{"company_number": "1"}',
    b'{"company_number": "1", "data": {"kind": "x"',
])
def test_broken_records_fail_alike(tmp_path: Path, bad: bytes) -> None:
    good = orjson.dumps(_record(random.Random(1), 1))
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"\n".join([good, good, bad, good]) + b"\n")
    with pytest.raises(InputError) as reference:
        _reference(path)
    with pytest.raises(InputError) as found:
        _fast(path, 1)
    assert str(found.value) == str(reference.value)
    assert f"{path}:3" in str(found.value)
