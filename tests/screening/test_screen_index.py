"""The saved screening index (``compiled.screen_index``) screens exactly as the index built
from the entities; a tampered one is rebuilt; batch screening streamed on worker processes
over it gives what screening one by one gives. On an excerpt of the real OFAC SDN and UK
lists (read from the shared data folder, never copied)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from riskengine.compiled import files, screen_index
from riskengine.compiled.build import Compiled
from riskengine.domain import Entity
from riskengine.screening import index as block_index
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.evaluate import load_lists
from riskengine.screening.match import Screener
from riskengine.screening.report import ScreenQuery, result, screen_stream

EXCERPT = 3000  # entities of the real lists
QUERIES = 300


@pytest.fixture(scope="module")
def excerpt() -> list[Entity]:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA}")
    entities = sorted(load_lists(SHARED_DATA), key=lambda e: e.id)
    return random.Random(4).sample(entities, EXCERPT)


@pytest.fixture(scope="module")
def built(excerpt: list[Entity]) -> Screener:
    return Screener.build(excerpt, ScreeningConfig())


@pytest.fixture(scope="module")
def queries(excerpt: list[Entity]) -> list[ScreenQuery]:
    """Listed names as typed (a letter dropped, words reordered, a country or an identifier
    given) and names nobody lists."""
    rng, found = random.Random(9), []
    for i in range(QUERIES):
        e = rng.choice(excerpt)
        name = rng.choice(e.all_names())
        kind = i % 5
        if kind == 1 and len(name) > 6:
            cut = rng.randrange(len(name))
            name = name[:cut] + name[cut + 1:]
        elif kind == 2:
            name = " ".join(reversed(name.split()))
        elif kind == 4:
            name = f"{rng.choice(['Nordic', 'Apex', 'Lumen'])} {i} Trading"
        ident = e.identifiers[0].value if kind == 3 and e.identifiers else None
        found.append(ScreenQuery(name, id=f"r{i}", line=i + 2, identifier=ident,
                                 country=e.country if kind == 3 else None))
    return found


@pytest.fixture(scope="module")
def expected(built: Screener, queries: list[ScreenQuery]) -> list[dict[str, object]]:
    return one_by_one(built, queries)


@pytest.fixture(scope="module")
def read(built: Screener, tmp_path_factory: pytest.TempPathFactory) -> Screener:
    return saved_and_read(built, tmp_path_factory.mktemp("index"))


def one_by_one(screener: Screener, queries: list[ScreenQuery]) -> list[dict[str, object]]:
    return [result(q, screener.screen(q.name, q.country, q.identifier, 10, q.birth_date,
                                      q.nationality)) for q in queries]


def saved_and_read(screener: Screener, root: Path) -> Screener:
    tables = screen_index.tables_of(screener)
    assert tables is not None
    files.save(root, "k", Compiled(tables), {})
    found = files.load(root, "k")
    assert found is not None
    return screen_index.restore(found.tables, screener.config)


def test_saved_index_has_the_built_arrays(built: Screener, read: Screener) -> None:
    a, b = built.parts(), read.parts()
    pairs: list[tuple[npt.NDArray[Any], npt.NDArray[Any]]] = [
        (a.postings.hashes, b.postings.hashes), (a.postings.offsets, b.postings.offsets),
        (a.postings.ids, b.postings.ids), (a.first, b.first),
        (a.flat.tokens, b.flat.tokens), (a.flat.weights, b.flat.weights),
        (a.flat.starts, b.flat.starts), (a.flat.specific, b.flat.specific),
        *((getattr(a.columns, f), getattr(b.columns, f))
          for f in ("entity", "weak", "words", "length", "origins", "person"))]
    for x, y in pairs:
        assert np.array_equal(x, y)
    for f in ("compact", "written", "letters"):
        assert list(getattr(a.columns, f)) == list(getattr(b.columns, f))
    assert a.identifiers == b.identifiers and len(a.identifiers) > 100
    assert list(read.entities[:50]) == list(built.entities[:50])


def test_saved_index_screens_as_built(read: Screener, queries: list[ScreenQuery],
                                      expected: list[dict[str, object]]) -> None:
    assert one_by_one(read, queries) == expected
    assert sum(bool(r["matches"]) for r in expected) > QUERIES // 2


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_batch_is_one_by_one(read: Screener, queries: list[ScreenQuery],
                                      expected: list[dict[str, object]], workers: int) -> None:
    streamed = screen_stream(read, iter(queries), 10, workers=workers, finish=list, size=32)
    assert [row for rows in streamed for row in rows] == expected


def test_tampered_index_is_rebuilt(excerpt: list[Entity], built: Screener,
                                   queries: list[ScreenQuery], expected: list[dict[str, object]],
                                   tmp_path: Path) -> None:
    calls: list[int] = []

    def entities() -> list[Entity]:
        calls.append(1)
        return excerpt

    config = built.config
    _built, why = screen_index.cached_screener(tmp_path, "graph", config, entities)
    assert why is not None and calls == [1]
    again, why = screen_index.cached_screener(tmp_path, "graph", config, entities)
    assert why is None and calls == [1]  # read, not built
    folder = tmp_path / files.SCREENING / screen_index.index_key("graph", config)
    ids = folder / "ids.arrow"
    data = bytearray(ids.read_bytes())
    data[len(data) // 2] ^= 0xFF
    ids.write_bytes(bytes(data))
    rebuilt, why = screen_index.cached_screener(tmp_path, "graph", config, entities)
    assert why is not None and "sha256" in why and calls == [1, 1]
    assert files.load(tmp_path / files.SCREENING, folder.name) is not None  # saved anew
    part = expected[:60]
    assert one_by_one(again, queries[:60]) == part == one_by_one(rebuilt, queries[:60])


def test_key_follows_graph_config_and_code() -> None:
    config = ScreeningConfig()
    key = screen_index.index_key("graph", config)
    assert key == screen_index.index_key("graph", ScreeningConfig())
    assert key != screen_index.index_key("other graph", config)
    assert key != screen_index.index_key("graph", config.model_copy(update={"threshold": 0.5}))
    assert len(screen_index.code_digest()) == 64


def test_clashing_key_hashes_stay_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    lists = {"t:alpha": [0, 2], "t:beta": [1], "t:gamma": [2, 3]}
    real = block_index.key_hash
    monkeypatch.setattr(block_index, "key_hash",
                        lambda k: 7 if k in ("t:alpha", "t:beta") else real(k))
    postings = block_index.Postings.of(lists)
    assert set(postings.clashes) == {"t:alpha", "t:beta"}
    assert {k: postings.get(k).tolist() for k in lists} == lists
    assert postings.get("t:delta").tolist() == []
