"""The blocking keys of every stored entity (``merge.blocking_keys``) as two Arrow columns,
(key, owner entity id), computed once per distinct name and per distinct identifier rather
than once per entity, in blocks of ``BLOCK`` distinct values (memory stays bounded). The
names' keys are made in Arrow (``compiled.name_keys``: no Python call per name); the
identifiers' (few) per distinct identifier in Python.

An entity's keys are the union of its names' keys and its identifiers' keys, so keys per
name and per identifier, joined back to their entities, are exactly the per-entity sets
(tests compare them). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from riskengine.compiled.name_keys import name_keys_of_unique
from riskengine.ingest.merge_evidence import identifier_blocking_keys, normalised_blocking_keys

BLOCK = 1_000_000  # distinct values turned into keys at a time
Ints = npt.NDArray[np.int64]
KeysOf = Callable[[pa.Array], tuple[pa.Array, Ints]]


def key_pairs(names: pa.Table, identifiers: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(keys, owners): one row per (blocking key, entity id) of the entities in ``names``
    (entity_id, key: each name normalised, ``names.normalise``, as the compiler has it for
    its name keys) and ``identifiers`` (entity_id, scheme, value); a pair may repeat."""
    by_name = _pairs(names.column("key"), names.column("entity_id"), _name_keys_of)
    text = pc.binary_join_element_wise(identifiers.column("scheme"),
                                       identifiers.column("value"), "\x00")
    by_ident = _pairs(text, identifiers.column("entity_id"), _identifier_keys_of)
    keys = pa.concat_arrays([by_name[0], by_ident[0]])
    return keys, pa.concat_arrays([by_name[1], by_ident[1]])


def _normalised_keys(text: str) -> Iterable[str]:
    return sorted(normalised_blocking_keys(text))


def _identifier_keys(text: str) -> Iterable[str]:
    scheme, _, value = text.partition("\x00")
    return sorted(identifier_blocking_keys([(scheme, value)]))


def _name_keys_of(unique: pa.Array) -> tuple[pa.Array, Ints]:
    return _blocked(unique, lambda part: name_keys_of_unique(part, _normalised_keys))


def _identifier_keys_of(unique: pa.Array) -> tuple[pa.Array, Ints]:
    return _keys_of_unique(unique, _identifier_keys)


def _pairs(values: pa.ChunkedArray, owners: pa.ChunkedArray, keys_of: KeysOf
           ) -> tuple[pa.Array, pa.Array]:
    """Every (key, owner) of rows (value, owner), ``keys_of`` given each distinct value once
    (it returns their keys one value after the other, and how many each has)."""
    column = values.combine_chunks().cast(pa.string())
    unique = pc.unique(column)
    flat, lengths = keys_of(unique)
    which = np.asarray(pc.index_in(column, value_set=unique).to_numpy(zero_copy_only=False),
                       dtype=np.int64)
    counts = lengths[which]
    offsets = np.r_[0, np.cumsum(lengths)][which]  # first key of each row's value
    rows = np.repeat(np.arange(len(which), dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    taken = np.repeat(offsets, counts) + (np.arange(len(rows), dtype=np.int64) - starts)
    owner = owners.combine_chunks()  # entity ids, or their record indices (the compiler)
    owner = owner if pa.types.is_integer(owner.type) else owner.cast(pa.string())
    return flat.take(pa.array(taken)), owner.take(pa.array(rows))


def _keys_of_unique(unique: pa.Array, keys_of: Callable[[str], Iterable[str]]
                    ) -> tuple[pa.Array, Ints]:
    """(every distinct value's keys, one after another; how many each value has), ``keys_of``
    called once per value."""
    def block(part: pa.Array) -> tuple[pa.Array, Ints]:
        found = [list(keys_of(v)) for v in part.to_pylist()]
        return (pa.array(list(chain.from_iterable(found)), pa.string()),
                np.fromiter(map(len, found), np.int64, len(found)))

    return _blocked(unique, block)


def _blocked(unique: pa.Array, keys_of: KeysOf) -> tuple[pa.Array, Ints]:
    """``keys_of`` of ``unique`` in blocks of ``BLOCK`` values (memory stays bounded)."""
    keys: list[pa.Array] = []
    lengths: list[Ints] = []
    for start in range(0, len(unique), BLOCK):
        found, counts = keys_of(unique.slice(start, BLOCK))
        keys.append(found)
        lengths.append(np.asarray(counts, dtype=np.int64))
    if not keys:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
    return pa.concat_arrays(keys), np.concatenate(lengths)
