"""Screening indexes on disk: the built ``Screener`` of a compiled graph as Arrow files,
beside the graph (``<cache root>/screening/<key>/``), so that a cold ``screen`` and a
server's first screen read it instead of analysing every name again.

* **Key.** sha256 over this format's version, the compiled graph's key (data version, every
  rule file, the seed switch, the merge rules in force), the screening config in use and the
  source of the ``riskengine.screening`` package and of ``riskengine.domain`` (a changed
  matcher never reads an index another version built).
* **Checked.** Written and read by ``compiled.files`` (a manifest with every file's sha256,
  checked before use; written to a temporary folder and renamed into place; the newest
  three kept). A folder that fails its check is discarded and the index built again.
* **Read lazily.** The arrays (postings, flat tokens, each entity's first record) are
  memory-mapped, so forked workers share their pages; an entity or a name's analysed form is
  decoded from its JSON when the matcher first asks for it (kept in a bounded cache).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy.typing as npt
import pyarrow as pa

from riskengine.compiled import files
from riskengine.compiled.build import Compiled
from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.index import Postings
from riskengine.screening.match import Flat, Record, Screener, ScreenerParts
from riskengine.screening.normalise import NameForm
from riskengine.screening.vector import RecordColumns

FORMAT = 3  # bump when the tables change (3: one-word names have whole-name keys)
FOLDER = files.SCREENING  # under the compiled graphs' root
DECODED = 100_000  # entities, and names, kept decoded per process
T = TypeVar("T")


@cache
def code_digest() -> str:
    """sha256 of the source of the ``riskengine.screening`` package and of the entities'
    model (``domain``), whose JSON the index holds."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in [*sorted((package / "screening").glob("*.py")), package / "domain.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def index_key(graph_key: str, config: ScreeningConfig) -> str:
    """The folder name of the screening index of this graph and config."""
    text = (f"riskengine-screen-index-v{FORMAT}\n{graph_key}\n{config.model_dump_json()}\n"
            f"{code_digest()}")
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached_screener(root: Path, graph_key: str, config: ScreeningConfig,
                    entities: Callable[[], Sequence[Entity]]) -> tuple[Screener, str | None]:
    """The screener of ``graph_key`` and ``config``: read from ``root`` when intact, else
    built from ``entities()`` and saved. Also why it was built (None: read)."""
    key, folder = index_key(graph_key, config), root / FOLDER
    try:
        found = files.load(folder, key)
        if found is not None:
            return restore(found.tables, config), None
        why = "no screening index for this data and rules"
    except files.Corrupt as exc:
        files.discard(folder, key)
        why = f"screening index rebuilt: {exc}"
    screener = Screener.build(entities(), config)
    tables = tables_of(screener)
    if tables is not None:
        try:
            files.save(folder, key, Compiled(tables), {"kind": "screening index"})
        except OSError as exc:  # a cache that cannot be written only costs time
            why = f"screening index not kept ({folder}: {exc.strerror or exc})"
    return screener, why


# --- a screener as tables -------------------------------------------------------------


def tables_of(screener: Screener) -> dict[str, pa.Table] | None:
    """The tables that ``restore`` turns back into ``screener``; None when its postings
    have clashing key hashes (then it is not saved)."""
    parts = screener.parts()
    if parts.postings.clashes:
        return None
    records: Sequence[Record] = screener._records
    flat, columns = parts.flat, parts.columns
    return {
        "entities": pa.table({"json": [e.model_dump_json() for e in screener.entities],
                              "person": pa.array(columns.person, pa.bool_())}),
        "records": pa.table({
            "entity": pa.array(columns.entity, pa.int32()),
            "weak": pa.array(columns.weak, pa.bool_()),
            "form": [json.dumps(dataclasses.astuple(r.form)) for r in records],
            "start": flat.starts, "length": flat.lengths, "specific": flat.specific,
            "letters_count": columns.length, "origins": pa.array(columns.origins, pa.bool_()),
            "compact": list(columns.compact), "written": list(columns.written),
            "letters": list(columns.letters)}),
        "tokens": pa.table({"token": flat.tokens, "weight": flat.weights}),
        "vocabulary": pa.table({"token": screener._vocabulary,
                                "weight": screener._vocab_weights}),
        "postings": pa.table({"hash": parts.postings.hashes}),
        "offsets": pa.table({"offset": parts.postings.offsets}),
        "ids": pa.table({"id": parts.postings.ids}),
        "first": pa.table({"record": parts.first}),
        "identifiers": _identifier_table(parts.identifiers),
    }


def _identifier_table(index: dict[str, set[int]]) -> pa.Table:
    pairs = [(k, e) for k, found in index.items() for e in sorted(found)]
    return pa.table({"key": pa.array([k for k, _ in pairs], pa.string()),
                     "entity": pa.array([e for _, e in pairs], pa.int32())})


def restore(tables: dict[str, pa.Table], config: ScreeningConfig) -> Screener:
    """The screener ``tables_of`` saved, its arrays read in place."""
    rec, tok = tables["records"], tables["tokens"]
    flat = Flat(_array(tok, "token"), _array(tok, "weight"), _array(rec, "start"),
                _array(rec, "length"), _array(rec, "specific"))
    postings = Postings(_array(tables["postings"], "hash"),
                        _array(tables["offsets"], "offset"), _array(tables["ids"], "id"))
    parts = ScreenerParts(postings, _array(tables["first"], "record"),
                          _identifiers(tables["identifiers"]), flat,
                          _columns(rec, tables["entities"], flat))
    vocab = tables["vocabulary"]
    entities = Lazy(_column(tables["entities"], "json"), _entity)
    records = Lazy(_column(rec, "form"), _record_maker(rec, flat))
    return Screener(entities, config, records, vocab.column("token").to_pylist(),
                    _array(vocab, "weight"), parts)


def _columns(records: pa.Table, entities: pa.Table, flat: Flat) -> RecordColumns:
    """The scoring columns (``vector.RecordColumns``): numbers read in place, the short
    spellings as Python strings (the matcher indexes them one by one)."""
    compact, written, letters = (_column(records, name).to_pylist()
                                 for name in ("compact", "written", "letters"))
    return RecordColumns(_array(records, "entity").astype("int64"), _array(records, "weak"),
                         flat.lengths, _array(records, "letters_count"), compact, written,
                         letters, _array(records, "origins"), _array(entities, "person"))


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _array(table: pa.Table, name: str) -> npt.NDArray[Any]:
    found: npt.NDArray[Any] = _column(table, name).to_numpy(zero_copy_only=False)
    return found


def _identifiers(table: pa.Table) -> dict[str, set[int]]:
    index: dict[str, set[int]] = {}
    for key, entity in zip(table.column("key").to_pylist(), table.column("entity").to_pylist(),
                           strict=True):
        index.setdefault(key, set()).add(entity)
    return index


def _record_maker(table: pa.Table, flat: Flat) -> Callable[[str, int], Record]:
    entity, weak = _array(table, "entity"), _array(table, "weak")

    def make(text: str, i: int) -> Record:
        start, end = int(flat.starts[i]), int(flat.starts[i] + flat.lengths[i])
        return Record(int(entity[i]), _form(text), flat.tokens[start:end],
                      flat.weights[start:end], bool(weak[i]))

    return make


def _entity(text: str, _i: int) -> Entity:
    return Entity.model_validate_json(text)


def _form(text: str) -> NameForm:
    values: list[Any] = [tuple(v) if isinstance(v, list) else v for v in json.loads(text)]
    return NameForm(*values)


class Lazy(Sequence[T]):
    """Items decoded from a string column when first asked for (``DECODED`` kept)."""

    def __init__(self, column: pa.Array, decode: Callable[[str, int], T]) -> None:
        self._column = column
        self._decode = decode
        self._get = lru_cache(maxsize=DECODED)(self._make)

    def _make(self, i: int) -> T:
        return self._decode(self._column[i].as_py(), i)

    def __len__(self) -> int:
        return len(self._column)

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._get(i % len(self))
