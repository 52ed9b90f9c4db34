"""The name blocking keys of many normalised names at once, in Arrow and numpy: what
``merge_evidence.normalised_blocking_keys`` gives for each name (tests compare them), without
a Python call per name.

A name (``names.normalise``: words of ``[0-9a-z]`` joined by single spaces) is split into
words; each distinct word gets its spelling skeleton (``screening.normalise.skeleton``, as
Arrow string replacements); legal forms are found per distinct *shape* of a name (its legal
words in place, every other word a placeholder: few shapes however many names); the kept
skeletons of each name are sorted and deduplicated, and its keys are the whole sorted name
and the name with one or two words dropped (``near_keys``), each joined by one Arrow call
per combination of positions. Text of any other form goes through the Python function.
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import combinations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from riskengine.ingest.merge_evidence import MAX_DROPPED, MAX_NEAR_WORDS
from riskengine.screening.normalise import _SKELETON, LEGAL_FORMS, skeleton

Ints = npt.NDArray[np.int64]
PLAIN = r"^[0-9a-z]+( [0-9a-z]+)*$"  # what ``names.normalise`` gives for a non-empty name
_LEGAL_KEYS = frozenset(tuple(skeleton(w) for w in form) for form in LEGAL_FORMS)
_LEGAL_WORDS = sorted({w for key in _LEGAL_KEYS for w in key})
_LONGEST = max(len(k) for k in _LEGAL_KEYS)
_OTHER = "\x01"  # a word that is no legal form's (in a shape)


def skeletons(words: pa.Array) -> pa.Array:
    """``skeleton`` of each word of ``[0-9a-z]`` (the replacements in order, then every run
    of one letter collapsed: in Python, for the few words that have such a run)."""
    for old, new in _SKELETON:
        words = pc.replace_substring(words, old, new)
    words = words.cast(pa.string())
    doubled = _doubled(words)
    if not doubled.any():
        return words
    found = words.filter(pa.array(doubled)).to_pylist()
    again = pa.array([_RUN.sub(r"\1", w) for w in found], pa.string())
    return pc.replace_with_mask(words, pa.array(doubled), again)


_RUN = re.compile(r"([a-z])\1+")  # as ``skeleton`` collapses runs of one letter


def _doubled(words: pa.Array) -> npt.NDArray[np.bool_]:
    """Which words (non-null) have one letter twice in a row."""
    offsets = np.frombuffer(words.buffers()[1], np.int32, len(words) + 1, words.offset * 4)
    data = words.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return np.zeros(len(words), dtype=np.bool_)
    text = np.frombuffer(data, np.uint8, int(offsets[-1]))
    letter = (text >= ord("a")) & (text <= ord("z"))
    pair = np.flatnonzero((text[1:] == text[:-1]) & letter[:-1])
    pair = pair[pair >= offsets[0]]
    word = np.searchsorted(offsets, pair, side="right") - 1
    within = pair + 1 < offsets[np.minimum(word + 1, len(words))]
    flags = np.zeros(len(words), dtype=np.bool_)
    flags[word[within]] = True
    return flags


def kept_positions(keys: tuple[str, ...]) -> tuple[bool, ...]:
    """Which words of a name (their skeletons) are left when its legal forms are dropped,
    the longest form first from the left (``strip_legal_forms``); all when none would be."""
    kept, i = [True] * len(keys), 0
    while i < len(keys):
        size = next((s for s in range(min(_LONGEST, len(keys) - i), 0, -1)
                     if keys[i:i + s] in _LEGAL_KEYS), 0)
        kept[i:i + size] = [False] * size
        i += size or 1
    return tuple(kept) if any(kept) else (True,) * len(keys)


def name_keys_of_unique(unique: pa.Array, keys_of: Callable[[str], Iterable[str]]
                        ) -> tuple[pa.Array, Ints]:
    """(the keys of each of the distinct normalised names ``unique``, one name's after the
    other; how many each has). ``keys_of``: the per-name function, for text not of the
    plain form (there should be none)."""
    unique = unique.cast(pa.string())
    plain = pc.fill_null(pc.match_substring_regex(unique, PLAIN), False)
    at = np.flatnonzero(np.asarray(plain, dtype=np.bool_))
    owner, keys = _plain_keys(unique.take(pa.array(at, pa.int64())))
    other = np.flatnonzero(~np.asarray(plain, dtype=np.bool_) & _not_empty(unique))
    found = [list(keys_of(v)) for v in unique.take(pa.array(other, pa.int64())).to_pylist()]
    owners = np.concatenate([at[owner], np.repeat(other, [len(f) for f in found])])
    every = pa.concat_arrays([keys, pa.array([k for f in found for k in f], pa.string())])
    order = np.argsort(owners, kind="stable")
    return every.take(pa.array(order)), np.bincount(owners, minlength=len(unique))


def _not_empty(values: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(pc.fill_null(pc.not_equal(values, ""), False), dtype=np.bool_)


def _plain_keys(names: pa.Array) -> tuple[Ints, pa.Array]:
    """(name index, key) of every key of plain ``names``."""
    words = pc.split_pattern(names, " ")
    parent = np.asarray(pc.list_parent_indices(words), dtype=np.int64)
    flat = words.flatten()
    distinct = pc.unique(flat)
    skel = skeletons(distinct).take(pc.index_in(flat, value_set=distinct))
    keep = _kept(skel, parent, np.asarray(words.offsets, dtype=np.int64))
    tokens, starts = _sorted_distinct(skel.filter(pa.array(keep)), parent[keep], len(names))
    return _combined(tokens, starts)


def _kept(skel: pa.Array, parent: Ints, offsets: Ints) -> npt.NDArray[np.bool_]:
    """Per word, whether it is left after its name's legal forms are dropped (``parent``:
    the name of each word, non-decreasing; ``offsets``: where each name's words begin)."""
    legal = np.asarray(pc.is_in(skel, value_set=pa.array(_LEGAL_WORDS)), dtype=np.bool_)
    keep = np.ones(len(skel), dtype=np.bool_)
    has = np.zeros(len(offsets) - 1, dtype=np.bool_)
    has[parent[legal]] = True
    rows = np.flatnonzero(has[parent])
    if len(rows) == 0:
        return keep
    shape_words = pc.if_else(pa.array(legal), skel, _OTHER).take(pa.array(rows))
    shapes = pc.binary_join(pa.ListArray.from_arrays(pa.array(_starts(parent[rows])),
                                                     shape_words), " ")
    distinct = pc.unique(shapes)
    masks = [_mask(s) for s in distinct.to_pylist()]
    which = np.asarray(pc.index_in(shapes, value_set=distinct), dtype=np.int64)
    first = np.r_[0, np.cumsum([len(m) for m in masks])][which]  # per name with a legal word
    group = (np.cumsum(has) - 1)[parent[rows]]
    keep[rows] = np.concatenate(masks)[first[group] + rows - offsets[parent[rows]]]
    return keep


def _starts(sorted_parent: Ints) -> npt.NDArray[np.int32]:
    """List offsets of rows grouped by ``sorted_parent`` (every group non-empty)."""
    change = np.flatnonzero(np.diff(sorted_parent)) + 1
    starts: npt.NDArray[np.int32] = np.concatenate([[0], change, [len(sorted_parent)]]
                                                   ).astype(np.int32)
    return starts


@lru_cache(maxsize=65536)
def _mask(shape: str) -> npt.NDArray[np.bool_]:
    mask: npt.NDArray[np.bool_] = np.array(kept_positions(tuple(shape.split(" "))), np.bool_)
    return mask


def _sorted_distinct(tokens: pa.Array, parent: Ints, n: int) -> tuple[pa.Array, Ints]:
    """(each name's distinct tokens in code-point order, one name after the other; where
    each name's begin, ``n + 1`` offsets)."""
    distinct = pc.unique(tokens)
    by_text = np.asarray(pc.sort_indices(distinct), dtype=np.int64)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[by_text] = np.arange(len(distinct))
    code = rank[np.asarray(pc.index_in(tokens, value_set=distinct), dtype=np.int64)]
    order = np.lexsort((code, parent))
    code, parent = code[order], parent[order]
    fresh = np.r_[len(code) > 0, (code[1:] != code[:-1]) | (parent[1:] != parent[:-1])]
    fresh = fresh[:len(code)]
    sorted_words = distinct.take(pa.array(by_text))
    counts = np.bincount(parent[fresh], minlength=n)
    return sorted_words.take(pa.array(code[fresh])), np.r_[0, np.cumsum(counts)]


def _combined(tokens: pa.Array, starts: Ints) -> tuple[Ints, pa.Array]:
    """(name index, key) of every name's whole sorted name and near keys (``near_keys``)."""
    count = np.diff(starts)
    owners: list[Ints] = []
    keys: list[pa.Array] = []
    for k in np.unique(count[count > 0]).tolist():
        names = np.flatnonzero(count == k)
        for columns in _position_sets(int(k)):
            picked = [tokens.take(pa.array(starts[names] + c)) for c in columns]
            keys.append(pc.binary_join_element_wise(pc.utf8_replace_slice(
                picked[0], 0, 0, "n:"), *picked[1:], " "))
            owners.append(names)
    if not keys:
        return np.zeros(0, dtype=np.int64), pa.array([], pa.string())
    return np.concatenate(owners), pa.concat_arrays(keys)


def _position_sets(k: int) -> list[tuple[int, ...]]:
    """The word positions of a name of ``k`` distinct tokens that make its keys: all of
    them, and (up to ``MAX_NEAR_WORDS`` words) every set with 1..``MAX_DROPPED`` dropped,
    at least two left."""
    near = [] if k > MAX_NEAR_WORDS else [
        c for size in range(max(2, k - MAX_DROPPED), k) for c in combinations(range(k), size)]
    return [tuple(range(k)), *near]
