"""The PSC snapshot read in a worker process: items in order with the worker's result, its
errors raised in the writing process (a bad line's file and line), a bounded queue, and
the same store as reading in one process; a broken last line of a large file (rows of
earlier batches already written) leaves the store as it was."""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riskengine.errors import InputError
from riskengine.registers import worker
from riskengine.registers.worker import WorkerError, ahead
from riskengine.settings import Settings
from riskengine.store.store import Store
from tests.registers.test_ingest import _snapshot

pytestmark = pytest.mark.skipif(not worker.can_fork(), reason="no fork here")


def _items(n: int, fail: BaseException | None = None) -> Iterator[int]:
    yield from range(n)
    if fail is not None:
        raise fail


def test_items_in_order_then_the_result() -> None:
    got: list[Any] = []
    items = list(ahead(lambda: _items(50), lambda: {"pid": os.getpid()}, 2, got.append))
    assert items == list(range(50))
    assert len(got) == 1 and got[0]["pid"] != os.getpid()  # made in the worker


def test_a_bad_record_comes_back_with_its_place() -> None:
    seen: list[int] = []
    with pytest.raises(InputError) as caught:
        for item in ahead(lambda: _items(3, InputError("f.jsonl:4", "malformed JSON")),
                          lambda: None, 2, print):
            seen.append(item)
    assert seen == [0, 1, 2]
    assert str(caught.value) == "f.jsonl:4: malformed JSON"


def test_other_failures_and_a_dead_worker_are_errors() -> None:
    with pytest.raises(WorkerError, match="ZeroDivisionError"):
        list(ahead(lambda: _items(1, ZeroDivisionError("x")), lambda: None, 2, print))
    with pytest.raises(WorkerError, match="exit code 3"):
        list(ahead(lambda: iter([os._exit(3)]), lambda: None, 2, print))


def test_the_reader_waits_for_the_writer() -> None:
    made = multiprocessing.get_context("fork").Value("i", 0)

    def produce() -> Iterator[int]:
        for i in range(1000):
            made.value = i + 1
            yield i

    stream = ahead(produce, lambda: None, 2, print)
    assert next(stream) == 0
    time.sleep(0.5)  # time enough to make all 1000 were the queue unbounded
    assert made.value <= 2 + 3  # queued, in the worker's pipe, being made
    assert list(stream) == list(range(1, 1000))


# --- through the ingest ---------------------------------------------------------------------

TABLES = ("entities", "entity_names", "entity_identifiers", "entity_sources", "ownerships",
          "controls")


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in TABLES}


@pytest.mark.parametrize("seed", range(2))
def test_same_store_as_reading_in_one_process(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path, seed: int) -> None:
    from riskengine.application.registers import ingest_register

    rng = random.Random(seed)
    files = [_snapshot(tmp_path, f"s{m}.jsonl", sorted(rng.sample(range(60), 50)),
                       date(2024, m, 1)) for m in (1, 2, 3)]
    dumps = []
    for name, fork in (("one.db", False), ("two.db", True)):
        monkeypatch.setattr(worker, "can_fork", lambda fork=fork: fork)
        settings = Settings.build({}, db=f"sqlite:///{tmp_path / name}", seed=False)
        for path in files:
            ingest_register(settings, "psc", [path], None, force=True)
        dumps.append(_dump(tmp_path / name))
    assert dumps[0] == dumps[1]
    assert dumps[0]["ownerships"]


def test_broken_last_line_of_a_large_file_leaves_the_store(cli: Any, tmp_path: Path) -> None:
    good = _snapshot(tmp_path, "good.jsonl", list(range(100)), date(2024, 1, 1))
    assert cli("ingest", "psc", str(good)).code == 0
    db = f"sqlite:///{tmp_path / 'riskengine.db'}"
    before = _dump(tmp_path / "riskengine.db"), Store.open(db).counts()
    big = _snapshot(tmp_path, "big.jsonl", list(range(45_000)), date(2024, 2, 1))
    lines = big.read_bytes().splitlines()
    broken = tmp_path / "broken.jsonl"  # two batches of 20,000 written, then the bad line
    broken.write_bytes(b"\n".join([*lines[:-2], lines[-2][:-1], lines[-1]]) + b"\n")
    run = cli("ingest", "psc", str(broken), "--force")
    assert run.code == 2
    assert f"{broken}:{len(lines) - 1}: malformed JSON" in run.err
    assert "Traceback" not in run.err
    assert (_dump(tmp_path / "riskengine.db"), Store.open(db).counts()) == before
