"""Compile the stored facts and the rule-file scenario into the columns of the whole graph.

Input: the fact tables as Arrow columns (``store.columnar.FactTables``), the scenario
``Dataset`` of the rule files, and a ``Merger`` that clusters the few entities that could be
one party. Output: ``Compiled``, Arrow tables of int32 entity indices, day numbers, shares and
codes, which ``riskengine.compiled.graph`` turns into a ``GraphData`` without a Python object
per fact. No database and no clock here; the files it is saved to are ``compiled.files``.

Entity resolution runs only where it can link anything: every name is normalised once and
every identifier keyed once, and only entities sharing a key with another entity (and the
ends of forced merges) are handed to the merger. Everyone else is their own entity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from riskengine.compiled.blocking import BLOCK, key_pairs
from riskengine.domain import CONTROL_KINDS, RELATION_KINDS, Dataset
from riskengine.errors import InputError
from riskengine.graph import NO_END, NO_START, STATUS_CODES
from riskengine.ingest.merge import MergeMap
from riskengine.ingest.merge_links import MAX_BUCKET
from riskengine.memory import give_back
from riskengine.names import normalise
from riskengine.store.columnar import FactTables, day_numbers
from riskengine.store.rows import (
    control_row,
    designation_row,
    entity_row,
    identifier_rows,
    name_rows,
    ownership_row,
    relationship_row,
)

Merger = Callable[[list[str], dict[str, int], frozenset[str]], MergeMap]
"""Clusters the entities with these ids (candidates sharing a blocking key; with when each
was first stored, and the name keys too generic to link on) into a MergeMap."""
SCENARIO, STORED = 0, 1  # the ``origin`` of a fact row: the rule files, or the store
FAMILIES = ("ownership", "control", "relation", "designations")
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Compiled:
    """The whole graph in columns. ``tables``: entities (id, name: canonical entities in
    graph order), members (member record id -> entity index), keys (normalised name ->
    entity index), merges (``merge_table``), and one table per fact family (``FAMILIES``)
    with its fact id and origin."""

    tables: dict[str, pa.Table]

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    @property
    def n(self) -> int:
        return int(self.tables["entities"].num_rows)


def compile_facts(stored: FactTables, scenario: Dataset, merger: Merger,
                  always: Iterable[str] = ()) -> Compiled:
    """``stored`` and ``scenario`` facts as one merged graph (scenario first, then the
    stored facts by id, as ``engine.combine`` orders them). ``always``: ids the merger must
    see even without a shared key (the ends of forced merges)."""
    tables = {name: _union(scenario_tables(scenario)[name], stored[name])
              for name in stored.tables}
    ids = tables["entities"].column("id").combine_chunks()
    _check_clashes(ids)
    give_back()
    names = _keyed_names(tables["names"], ids)
    give_back()
    known = set(always) & set(ids.to_pylist()) if always else set()
    linked, generic = _candidates(names, _by_row(tables["identifiers"], ids), ids)
    give_back()  # every step's temporaries, returned before the next step's (see memory)
    candidates = sorted(set(linked) | known)
    mm = merger(candidates, ranks(tables, candidates), generic)
    canonical, heads = _canonical_index(ids, mm)
    entity_tables = _entity_tables(tables, ids, (canonical, heads), names)
    give_back()
    compiled = Compiled({**entity_tables, **_fact_tables(tables, ids, canonical),
                         "merges": merge_table(mm)})
    give_back()
    return compiled


def merge_table(mm: MergeMap) -> pa.Table:
    """Why entities were merged (``entity``, ``why``) and the uncertain pairs left for review
    (``a``, ``b``, ``why``; ``entity`` empty): what ``entities show`` explains."""
    rows = [(e, "", "", why) for e, whys in sorted(mm.reasons.items()) for why in whys]
    rows += [("", a, b, why) for a, b, why in mm.review]
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return pa.table({name: pa.array(list(col), pa.string())
                     for name, col in zip(("entity", "a", "b", "why"), columns, strict=True)})


def scenario_tables(ds: Dataset) -> dict[str, pa.Table]:
    """The rule-file scenario as tables of the same columns as the stored ones."""
    def table(rows: list[dict[str, object]], columns: list[str]) -> pa.Table:
        return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])

    ents = ds.entities
    return {
        "entities": table([entity_row(e) for e in ents],
                          ["id", "kind", "name", "country", "first_seen"]),
        "names": table([r for e in ents for r in name_rows(e)], ["entity_id", "position", "name"]),
        "identifiers": table([r for e in ents for r in identifier_rows(e)],
                             ["entity_id", "scheme", "value"]),
        "designations": table([designation_row(d) for d in ds.designations],
                              ["id", "entity_id", "regime", "measure", "listed_from",
                               "listed_to"]),
        "ownerships": table([ownership_row(o) for o in ds.ownerships],
                            ["id", "owner_id", "asset_id", "share_low", "share_high",
                             "share_known", "valid_from", "valid_to"]),
        "controls": table([control_row(c) for c in ds.controls],
                          ["id", "controller_id", "controlled_id", "kind", "valid_from",
                           "valid_to"]),
        "relationships": table([relationship_row(r) for r in ds.relationships],
                               ["id", "a_id", "b_id", "kind", "status", "valid_from",
                                "valid_to"]),
    }


def _union(first: pa.Table, second: pa.Table) -> pa.Table:
    """``first`` then ``second``, with an ``origin`` column; types follow ``second``."""
    origin = pa.array(np.r_[np.full(first.num_rows, SCENARIO, np.int8),
                            np.full(second.num_rows, STORED, np.int8)])
    if first.num_rows == 0:
        return second.append_column("origin", origin)
    if second.num_rows == 0:  # an empty stored table has no useful types: keep the scenario's
        return first.select(second.column_names).append_column("origin", origin)
    cast = pa.table({c: _as_type(first.column(c), second.schema.field(c).type)
                     for c in second.column_names})
    return pa.concat_tables([cast, second]).append_column("origin", origin)


def _as_type(column: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """A scenario column in the stored column's type (dates as ISO text on SQLite)."""
    if pa.types.is_string(target) and not pa.types.is_string(column.type):
        return pc.cast(column, pa.string())
    return pc.cast(column, target)


def _check_clashes(ids: pa.Array) -> None:
    if pc.count_distinct(ids).as_py() == len(ids):
        return
    counts = pc.value_counts(ids)
    twice = [v.as_py() for v, c in zip(counts.field("values"), counts.field("counts"),
                                       strict=True) if c.as_py() > 1]
    raise InputError("database", f"entity ids defined both in rule files and in the "
                                 f"database: {', '.join(sorted(twice)[:5])}")


def _keyed_names(names: pa.Table, ids: pa.Array) -> pa.Table:
    """Every name row as (entity_id: its entity's record index, key: the name normalised),
    what blocking and the name keys both read (each id looked up once)."""
    return pa.table({"entity_id": _by_row(names, ids).column("entity_id"),
                     "key": _name_keys(names)})


def _name_keys(names: pa.Table) -> pa.Array:
    """The normalised form of every name (each distinct spelling normalised once, a block
    of Python texts at a time)."""
    unique = pc.unique(names.column("name").combine_chunks())
    blocks = [_normalised(unique.slice(lo, BLOCK)) for lo in range(0, len(unique), BLOCK)]
    keys = pa.concat_arrays(blocks) if blocks else pa.array([], pa.string())
    return pc.take(keys, pc.index_in(names.column("name"), value_set=unique))


def _normalised(texts: pa.Array) -> pa.Array:
    return pa.array([normalise(t) for t in texts.to_pylist()], pa.string())


def _by_row(table: pa.Table, ids: pa.Array) -> pa.Table:
    """``table`` with its ``entity_id`` column as record indices (int32) into ``ids``."""
    rows = _rows_of(table.column("entity_id"), ids).astype(np.int32)
    return table.set_column(table.column_names.index("entity_id"), "entity_id",
                            pa.array(rows))


def _shared(keys: pa.Array, owners: pa.Array) -> tuple[IntArray, set[str]]:
    """(owners of keys that two to ``MAX_BUCKET`` distinct owners have, the name keys more
    than ``MAX_BUCKET`` owners have: too generic to link anything, see ``merge_links``).
    ``owners``: entity record indices. By one sort of the pairs, not a hash table of every
    key (at 20M entities, 80M keys: hashing them took gigabytes)."""
    keep = pc.not_equal(keys, "")
    keys, owners = keys.filter(keep), owners.filter(keep)
    order = pc.sort_indices(pa.table({"k": keys, "o": owners}),
                            sort_keys=[("k", "ascending"), ("o", "ascending")])
    keys = keys.take(order)
    owner = np.asarray(owners.take(order).to_numpy(zero_copy_only=False), dtype=np.int64)
    del order
    fresh_key = _changes(keys)
    fresh_pair = fresh_key | np.r_[True, owner[1:] != owner[:-1]][:len(owner)]
    group = np.cumsum(fresh_key) - 1
    size = np.bincount(group[fresh_pair], minlength=int(fresh_key.sum()))
    first = pa.array(np.flatnonzero(fresh_key))
    is_name = np.asarray(pc.starts_with(keys.take(first), "n:"), dtype=np.bool_)
    generic = is_name & (size > MAX_BUCKET)
    linking = (size > 1) & ~generic
    common = keys.take(first.filter(pa.array(generic))).to_pylist()
    return np.unique(owner[linking[group]]), {k[2:] for k in common}


def _changes(sorted_text: pa.Array) -> npt.NDArray[np.bool_]:
    """Where a new value starts in a sorted text column."""
    fresh = np.ones(len(sorted_text), dtype=np.bool_)
    if len(sorted_text) > 1:
        same = pc.equal(sorted_text.slice(1), sorted_text.slice(0, len(sorted_text) - 1))
        fresh[1:] = ~np.asarray(same, dtype=np.bool_)
    return fresh


def _candidates(names: pa.Table, identifiers: pa.Table, ids: pa.Array
                ) -> tuple[list[str], frozenset[str]]:
    """(ids of the entities that share a blocking key, ``merge.blocking_keys``, with another:
    the only ones the merger can link; the name keys too generic to link on). ``names``:
    ``_keyed_names``, blocked on without normalising again; ``identifiers`` by record
    index (``_by_row``)."""
    keys, owners = key_pairs(names, identifiers)
    linked, generic = _shared(keys, owners)
    return sorted(ids.take(pa.array(linked)).to_pylist()), frozenset(generic)


def ranks(tables: dict[str, pa.Table], ids: Iterable[str]) -> dict[str, int]:
    """When each of these entity records was first stored (``entities.first_seen``)."""
    ents = tables["entities"]
    wanted = pa.array(sorted(set(ids)), pa.string())
    rows = ents.filter(pc.is_in(ents.column("id"), value_set=wanted))
    return dict(zip(rows.column("id").to_pylist(),
                    (int(r or 0) for r in rows.column("first_seen").to_pylist()), strict=True))


def _canonical_index(ids: pa.Array, mm: MergeMap) -> tuple[IntArray, IntArray]:
    """(for every entity record the graph index of its entity, the record index of each
    entity's head): entities keep the order of their heads' records."""
    if not mm.canonical:
        every = np.arange(len(ids), dtype=np.int64)
        return every, every
    heads = pa.array([mm.resolve(i) for i in ids.to_pylist()], pa.string())
    head_of = np.asarray(pc.index_in(heads, value_set=ids).to_numpy(), dtype=np.int64)
    is_head = head_of == np.arange(len(ids))
    position = np.cumsum(is_head) - 1
    return np.asarray(position[head_of], dtype=np.int64), np.flatnonzero(is_head)


def _entity_tables(tables: dict[str, pa.Table], ids: pa.Array,
                   mapping: tuple[IntArray, IntArray], names: pa.Table
                   ) -> dict[str, pa.Table]:
    canonical, heads = mapping
    ents = tables["entities"]
    entities = pa.table({"id": pc.take(ents.column("id"), heads),
                         "name": pc.take(ents.column("name"), heads)})
    members = pa.table({"member": ids, "entity": pa.array(canonical.astype(np.int32))})
    owner = np.asarray(names.column("entity_id").to_numpy(), dtype=np.int64)
    keys = pa.table({"key": names.column("key"),
                     "entity": pa.array(canonical[owner].astype(np.int32))})
    keys = keys.filter(pc.not_equal(keys.column("key"), "")).group_by(["key", "entity"]) \
        .aggregate([])
    return {"entities": entities, "members": members, "keys": keys}


def _rows_of(refs: pa.ChunkedArray | pa.Array, ids: pa.Array) -> IntArray:
    """Record index of each referenced id; InputError naming one reference not found."""
    found = pc.index_in(refs, value_set=ids)
    if found.null_count:
        missing = pc.filter(refs, pc.is_null(found))[0].as_py()
        raise InputError("database", f"a stored fact points at an unknown entity {missing!r}")
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def _fact_tables(tables: dict[str, pa.Table], ids: pa.Array, canonical: IntArray
                 ) -> dict[str, pa.Table]:
    def ends(table: pa.Table, a: str, b: str) -> tuple[IntArray, IntArray]:
        return (canonical[_rows_of(table.column(a), ids)],
                canonical[_rows_of(table.column(b), ids)])

    own, ctl, rel = tables["ownerships"], tables["controls"], tables["relationships"]
    made = {"ownership": lambda: _edges(own, *ends(own, "owner_id", "asset_id"),
                                        _ownership_attrs(own)),
            "control": lambda: _edges(ctl, *ends(ctl, "controller_id", "controlled_id"),
                                      {"kind": _codes(ctl.column("kind"), CONTROL_KINDS)}),
            "relation": lambda: _relation(rel, *ends(rel, "a_id", "b_id")),
            "designations": lambda: _designations(tables["designations"], ids, canonical)}
    return {family: _then_give_back(make) for family, make in made.items()}


def _then_give_back(make: Callable[[], pa.Table]) -> pa.Table:
    table = make()
    give_back()  # one family's temporaries (hash tables of every id) before the next's
    return table


def _edges(table: pa.Table, src: IntArray, dst: IntArray, attrs: dict[str, np.ndarray],
           start: IntArray | None = None, end: IntArray | None = None) -> pa.Table:
    """One edge family; edges whose ends fell into one entity are dropped, as in a merge."""
    keep = src != dst
    start = day_numbers(table.column("valid_from"), NO_START) if start is None else start
    end = day_numbers(table.column("valid_to"), NO_END) if end is None else end
    columns = {"src": src.astype(np.int32), "dst": dst.astype(np.int32), "start": start,
               "end": end, **attrs}
    out = pa.table({k: pa.array(np.asarray(v)[keep]) for k, v in columns.items()})
    return out.append_column("fact", table.column("id").filter(pa.array(keep))) \
        .append_column("origin", table.column("origin").filter(pa.array(keep)))


def _ownership_attrs(own: pa.Table) -> dict[str, np.ndarray]:
    return {"low": own.column("share_low").to_numpy().astype(np.float64),
            "high": own.column("share_high").to_numpy().astype(np.float64),
            "known": own.column("share_known").to_numpy().astype(np.bool_)}


def _codes(column: pa.ChunkedArray, values: Iterable[str]) -> IntArray:
    """Code of each value in ``values`` (InputError naming an unknown one)."""
    known = pa.array(list(values), pa.string())
    found = pc.index_in(column, value_set=known)
    if found.null_count:
        bad = pc.filter(column, pc.is_null(found))[0].as_py()
        raise InputError("database", f"unknown kind or status {bad!r} in the stored facts")
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def _relation(rel: pa.Table, src: IntArray, dst: IntArray) -> pa.Table:
    status = _codes(rel.column("status"), STATUS_CODES)
    ended = status == STATUS_CODES.index("ended")
    # an ended tie stays in the graph after its end (with decaying weight), as in graph.py
    end = np.where(ended, NO_END, day_numbers(rel.column("valid_to"), NO_END))
    attrs = {"kind": _codes(rel.column("kind"), RELATION_KINDS), "status": status,
             "ended_at": day_numbers(rel.column("valid_to"), NO_START)}
    return _edges(rel, src, dst, attrs, end=end)


def _designations(des: pa.Table, ids: pa.Array, canonical: IntArray) -> pa.Table:
    entity = canonical[_rows_of(des.column("entity_id"), ids)].astype(np.int32)
    return pa.table({
        "entity": entity,
        "start": day_numbers(des.column("listed_from"), NO_START),
        "end": day_numbers(des.column("listed_to"), NO_END),
        "regime": des.column("regime"),
        "blocking": pc.equal(des.column("measure"), "asset_freeze"),
        "fact": des.column("id"),
        "origin": des.column("origin"),
    })
