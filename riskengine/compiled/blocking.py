"""The blocking keys of every stored entity (``merge.blocking_keys``) as two Arrow columns,
(key, owner entity id), computed once per distinct name and per distinct identifier rather
than once per entity: at tens of millions of entities the Python work is the distinct
names (in blocks of ``BLOCK``, so memory stays bounded), the rest is Arrow.

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

from riskengine.ingest.merge_evidence import identifier_blocking_keys, normalised_blocking_keys

BLOCK = 1_000_000  # distinct values turned into keys at a time
Ints = npt.NDArray[np.int64]


def key_pairs(names: pa.Table, identifiers: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(keys, owners): one row per (blocking key, entity id) of the entities in ``names``
    (entity_id, key: each name normalised, ``names.normalise``, as the compiler has it for
    its name keys) and ``identifiers`` (entity_id, scheme, value); a pair may repeat."""
    by_name = _pairs(names.column("key"), names.column("entity_id"), _normalised_keys)
    text = pc.binary_join_element_wise(identifiers.column("scheme"),
                                       identifiers.column("value"), "\x00")
    by_ident = _pairs(text, identifiers.column("entity_id"), _identifier_keys)
    keys = pa.concat_arrays([by_name[0], by_ident[0]])
    return keys, pa.concat_arrays([by_name[1], by_ident[1]])


def _normalised_keys(text: str) -> Iterable[str]:
    return sorted(normalised_blocking_keys(text))


def _identifier_keys(text: str) -> Iterable[str]:
    scheme, _, value = text.partition("\x00")
    return sorted(identifier_blocking_keys([(scheme, value)]))


def _pairs(values: pa.ChunkedArray, owners: pa.ChunkedArray,
           keys_of: Callable[[str], Iterable[str]]) -> tuple[pa.Array, pa.Array]:
    """Every (key, owner) of rows (value, owner), ``keys_of`` called once per distinct value."""
    column = values.combine_chunks().cast(pa.string())
    unique = pc.unique(column)
    flat, lengths = _keys_of_unique(unique, keys_of)
    which = np.asarray(pc.index_in(column, value_set=unique).to_numpy(zero_copy_only=False),
                       dtype=np.int64)
    counts = lengths[which]
    offsets = np.r_[0, np.cumsum(lengths)][which]  # first key of each row's value
    rows = np.repeat(np.arange(len(which), dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    taken = np.repeat(offsets, counts) + (np.arange(len(rows), dtype=np.int64) - starts)
    owner = owners.combine_chunks().cast(pa.string())
    return flat.take(pa.array(taken)), owner.take(pa.array(rows))


def _keys_of_unique(unique: pa.Array, keys_of: Callable[[str], Iterable[str]]
                    ) -> tuple[pa.Array, Ints]:
    """(every distinct value's keys, one after another; how many each value has)."""
    keys: list[pa.Array] = []
    lengths: list[Ints] = []
    for start in range(0, len(unique), BLOCK):
        found = [list(keys_of(v)) for v in unique.slice(start, BLOCK).to_pylist()]
        lengths.append(np.fromiter(map(len, found), np.int64, len(found)))
        keys.append(pa.array(list(chain.from_iterable(found)), pa.string()))
    if not keys:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
    return pa.concat_arrays(keys), np.concatenate(lengths)
