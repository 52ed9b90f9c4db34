"""Register ingests: bands as share ranges, edition history checked against the list
ingests' tie history (``ingest.ties.plan_ties``, the reference), broken files and failures
mid-ingest leaving the store as it was."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from riskengine.domain import Dataset, Ownership, Share, Source
from riskengine.ingest.ties import plan_ties
from riskengine.registers import psc
from riskengine.registers.common import FlatOwnership, Notes
from riskengine.settings import Settings
from riskengine.store.store import Store
from tests.conftest import FIXTURES

# nature -> (low, high) of the ownership it states: the legal bands' wording
BANDS = [
    ("ownership-of-shares-25-to-50-percent", 25 + 1e-6, 50.0),
    ("ownership-of-shares-50-to-75-percent", 50 + 1e-6, 75 - 1e-6),
    ("ownership-of-shares-75-to-100-percent", 75.0, 100.0),
    ("ownership-of-shares-75-to-100-percent-as-trust", 75.0, 100.0),
    ("ownership-of-shares-more-than-25-percent-registered-overseas-entity", 25 + 1e-6, 100.0),
    ("right-to-share-surplus-assets-50-to-75-percent", 50 + 1e-6, 75 - 1e-6),
]
CONTROLS = [
    ("voting-rights-75-to-100-percent", "voting_agreement"),
    ("voting-rights-50-to-75-percent-as-firm", "voting_agreement"),
    ("right-to-appoint-and-remove-directors", "board_appointment"),
    ("significant-influence-or-control-as-trust", "dominant_influence"),
]


def _line(company: str, natures: list[str], key: str = "k1", **extra: Any) -> bytes:
    data = {"kind": "individual-person-with-significant-control", "name": "A Person",
            "natures_of_control": natures, "notified_on": "2020-01-01",
            "links": {"self": f"/company/{company}/persons-with-significant-control/"
                              f"individual/{key}"}, **extra}
    return orjson.dumps({"company_number": company, "data": data})


def _facts(tmp_path: Path, *lines: bytes) -> list[Any]:
    path = tmp_path / "psc.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return list(psc.facts(path, Notes(), {}))


@pytest.mark.parametrize(("nature", "low", "high"), BANDS)
def test_share_bands(tmp_path: Path, nature: str, low: float, high: float) -> None:
    ties = [f for f in _facts(tmp_path, _line("ZZ1", [nature])) if hasattr(f, "low")]
    assert [(t.low, t.high, t.known) for t in ties] == [(pytest.approx(low),
                                                          pytest.approx(high), True)]


@pytest.mark.parametrize(("nature", "kind"), CONTROLS)
def test_control_natures(tmp_path: Path, nature: str, kind: str) -> None:
    ties = [f for f in _facts(tmp_path, _line("ZZ1", [nature])) if hasattr(f, "kind")
            and hasattr(f, "controller")]
    assert [t.kind for t in ties] == [kind]


def test_ceased_on_ends_the_tie(tmp_path: Path) -> None:
    facts = _facts(tmp_path, _line("ZZ1", [BANDS[0][0]], ceased_on="2023-02-01"))
    assert [f.valid_to for f in facts if hasattr(f, "low")] == [date(2023, 2, 1)]


def test_real_sample_maps_corporate_psc_to_its_company(tmp_path: Path) -> None:
    facts = list(psc.facts(FIXTURES / "registers" / "psc-data-2.json", Notes(), {}))
    owners = {f.owner for f in facts if isinstance(f, FlatOwnership)}
    assert owners == {"psc:00686734"}  # Robert Hitchins Limited, by registration number


# --- edition history: the streaming path against plan_ties -----------------------------

def _settings(tmp_path: Path) -> Settings:
    return Settings.build({}, db=f"sqlite:///{tmp_path / 'r.db'}", seed=False)


def _snapshot(tmp_path: Path, name: str, keys: list[int], day: date) -> Path:
    path = tmp_path / name
    lines = [_line(f"ZZ{k:04d}", [BANDS[k % 3][0]], key=f"p{k}") for k in keys]
    totals = orjson.dumps({"data": {"kind": "totals#x", "generated_at": day.isoformat()}})
    path.write_bytes(b"\n".join([*lines, totals]) + b"\n")
    return path


def _stored(tmp_path: Path) -> list[tuple[str, date | None, date | None]]:
    with Store.open(_settings(tmp_path).db_url) as store:
        return sorted((o.id, o.valid_from, o.valid_to) for o in
                      store.source_facts("psc").ownerships)


def _reference(editions: list[tuple[list[int], date]]) -> list[tuple[str, date | None,
                                                                     date | None]]:
    stored: dict[str, Ownership] = {}
    for keys, day in editions:
        incoming = tuple(Ownership(id=f"psc:ZZ{k:04d}/p{k}/shares", owner="a", asset="b",
                                   share=Share.exact(1), valid_from=date(2020, 1, 1),
                                   source=Source(source="psc")) for k in keys)
        plan = plan_ties(Dataset(ownerships=incoming),
                         Dataset(ownerships=tuple(stored.values())), day)
        stored.update({o.id: o for o in plan.rows["ownerships"]})  # type: ignore[misc]
    return sorted((o.id, o.valid_from, o.valid_to) for o in stored.values())


@pytest.mark.parametrize("seed", range(4))
def test_history_matches_the_list_ingests(tmp_path: Path, seed: int) -> None:
    from riskengine.application.registers import ingest_register

    rng = random.Random(seed)
    editions = [(sorted(rng.sample(range(40), rng.randrange(5, 40))), date(2024, m, 1))
                for m in range(1, 6)]
    for i, (keys, day) in enumerate(editions):
        path = _snapshot(tmp_path, f"s{i}.jsonl", keys, day)
        ingest_register(_settings(tmp_path), "psc", [path], None, force=True)
    assert _stored(tmp_path) == _reference(editions)


def test_guard_refuses_a_truncated_snapshot(tmp_path: Path) -> None:
    from riskengine.application.registers import ingest_register
    from riskengine.errors import InputError

    settings = _settings(tmp_path)
    ingest_register(settings, "psc", [_snapshot(tmp_path, "a", list(range(30)),
                                                date(2024, 1, 1))], None)
    before = _stored(tmp_path)
    with pytest.raises(InputError, match="would end 20 of 30 open ties"):
        ingest_register(settings, "psc", [_snapshot(tmp_path, "b", list(range(10)),
                                                    date(2024, 2, 1))], None)
    assert _stored(tmp_path) == before


# --- broken files and failures mid-ingest --------------------------------------------------

def test_broken_line_exits_2_naming_file_and_line(cli: Any, tmp_path: Path) -> None:
    good = _snapshot(tmp_path, "good.jsonl", list(range(5)), date(2024, 1, 1))
    assert cli("ingest", "psc", str(good)).code == 0
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(good.read_bytes().replace(b'"ZZ0003"', b'"ZZ0003', 1))
    counts = Store.open(f"sqlite:///{tmp_path / 'riskengine.db'}").counts()
    run = cli("ingest", "psc", str(broken), "--published", "2024-02-01")
    assert run.code == 2
    assert f"{broken}:4: malformed JSON" in run.err
    assert "Traceback" not in run.err
    assert Store.open(f"sqlite:///{tmp_path / 'riskengine.db'}").counts() == counts


def test_failure_mid_ingest_leaves_the_store_as_it_was(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    from riskengine.application.registers import ingest_register
    from riskengine.registers import write

    settings = _settings(tmp_path)
    ingest_register(settings, "psc", [_snapshot(tmp_path, "a", list(range(30)),
                                                date(2024, 1, 1))], None)
    before = _stored(tmp_path), Store.open(settings.db_url).counts()
    real = write.Writer.flush
    calls = []

    def failing(self: write.Writer) -> None:
        calls.append(1)
        real(self)
        if len(calls) == 2:
            raise KeyboardInterrupt  # a failure between two batches (SIGKILL: test_kill.py)
    monkeypatch.setattr(write.Writer, "flush", failing)
    monkeypatch.setattr(write.Writer, "__init__", _small_batches(write.Writer.__init__))
    with pytest.raises(KeyboardInterrupt):
        ingest_register(settings, "psc", [_snapshot(tmp_path, "b", list(range(28)),
                                                    date(2024, 2, 1))], None)
    assert len(calls) == 2
    assert (_stored(tmp_path), Store.open(settings.db_url).counts()) == before


def _small_batches(init: Any) -> Any:
    def small(self: Any, conn: Any, origin: Any, batch: int) -> None:
        init(self, conn, origin, 5)
    return small
