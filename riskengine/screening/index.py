"""Candidate blocking: an inverted index from keys to indexed names.

Each token of an indexed name yields keys: the token itself (exact key) and fuzzy keys: for
tokens longer than ``block_prefix`` letters its prefix, its suffix and its one-letter
deletions (so a substitution, insertion, deletion or transposition still shares a key with
the original). The whole name without spaces adds its prefix and suffix, for words split or
merged differently. Tokens longer than ``block_prefix`` also yield their consonant
signature (first table of ``consonant_readings``; ``consonant_blocking``), so vowel
variants share a key, and their spelling reading (``spelling_readings``;
``reading_blocking``), so spelling variants do. A query is compared only with the names
sharing its keys, ranked by the sum over query tokens of the token's rarity: a name sharing
the token exactly earns ``ln(N / df) + 1`` of the exact key, one sharing only fuzzy keys
that of the union of the token's fuzzy postings (part of it, ``block_key_share``, in
proportion to the number of fuzzy keys shared, so that the closest spellings come first).
Posting lists longer than ``max_posting`` are skipped while the query has shorter ones.
Besides the ``max_candidates`` best totals, each query token's ``block_token_slots`` best
names for that token alone are compared too. numpy ``bincount`` over the posting lists, no
loop over all names. Pure.

The postings are three arrays (``Postings``): every key's 64-bit hash (blake2b), sorted, the
offsets of its names and the names laid end to end, so that a built index can be saved and
memory-mapped as it is (``riskengine.compiled.screen_index``). Keys whose hashes collide are
kept apart by their text (``Postings.clashes``; such an index is not saved).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from riskengine.screening.config import ScreeningConfig
from riskengine.screening.similarity import Classes, consonants, reading

IntArray = npt.NDArray[np.int32]
HashArray = npt.NDArray[np.uint64]
_MAX_DELETION_TOKEN = 12  # longer tokens keep their prefix or suffix under one typo
_EMPTY: IntArray = np.empty(0, dtype=np.int32)
_NO_WEIGHTS = np.empty(0, dtype=np.float64)
_KNOWN_IDS = 2_000_000  # weighted names of query key groups kept per process (a cache)


def fuzzy_keys(token: str, affix: int) -> set[str]:
    """Typo-tolerant blocking keys of one token (without the exact key)."""
    keys: set[str] = set()
    if len(token) > affix:
        keys |= {"p:" + token[:affix], "s:" + token[-affix:]}
    if affix < len(token) <= _MAX_DELETION_TOKEN:  # the token itself too: one deletion
        # on one side only (Sokolov / Soolov) shares a key
        keys |= {"d:" + token[:i] + token[i + 1:] for i in range(len(token))} | {"d:" + token}
    return keys


def key_groups(tokens: Sequence[str], affix: int, classes: Classes | None = None,
               readings: Classes | None = None) -> Iterator[tuple[str | None, set[str]]]:
    """(exact key, fuzzy keys) per token, then (None, prefix/suffix keys) of the whole name,
    a one-word name's too (FASTLINK meets FAST LINK, DALIANTIANYI DALIAN TIANYI). Given
    consonant ``classes``, a token of more than ``affix`` letters also yields its consonant
    signature (vowel variants: Puhachov, Pugachyov); given spelling ``readings``, its
    spelling reading (spelling variants: Spetsmash, Specmash; Naumau, Naumov)."""
    for token in dict.fromkeys(tokens):
        keys = fuzzy_keys(token, affix)
        if classes is not None and len(token) > affix:
            keys.add("v:" + consonants(token, classes))
        if readings is not None and len(token) > affix:
            keys.add("r:" + reading(token, readings))
        yield "t:" + token, keys
    compact = "".join(tokens)
    if len(tokens) > 1 or len(compact) > affix:
        yield None, {"c:" + compact[:affix + 1], "e:" + compact[-affix - 1:]}


def key_hash(key: str) -> int:
    """The stable 64-bit hash of a blocking key."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Postings:
    """Posting lists as arrays: ``ids[offsets[j]:offsets[j + 1]]`` are the names of the key
    whose hash is ``hashes[j]`` (sorted); ``clashes``: keys whose hash another key shares,
    with their names (rare; then kept out of the arrays)."""

    hashes: HashArray
    offsets: npt.NDArray[np.int64]
    ids: IntArray
    clashes: dict[str, IntArray] = field(default_factory=dict)

    @classmethod
    def of(cls, lists: dict[str, list[int]]) -> Postings:
        keys = list(lists)
        hashes = np.fromiter((key_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
        values, counts = np.unique(hashes, return_counts=True)
        shared = np.isin(hashes, values[counts > 1])
        clashes = {k: np.asarray(lists[k], dtype=np.int32)
                   for k, s in zip(keys, shared.tolist(), strict=True) if s}
        kept = [k for k, s in zip(keys, shared.tolist(), strict=True) if not s]
        order = np.argsort(hashes[~shared], kind="stable")
        ordered = [kept[i] for i in order.tolist()]
        lengths = np.fromiter((len(lists[k]) for k in ordered), dtype=np.int64,
                              count=len(ordered))
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        ids = (np.fromiter((i for k in ordered for i in lists[k]), dtype=np.int32,
                           count=int(offsets[-1])))
        return cls(hashes[~shared][order], offsets, ids, clashes)

    def get(self, key: str) -> IntArray:
        return self.get_many([key])[0]

    def get_many(self, keys: Sequence[str]) -> list[IntArray]:
        """The names of each key (one ``searchsorted`` for all of them)."""
        if not len(self.hashes):
            return [self.clashes.get(k, _EMPTY) for k in keys]
        wanted = np.fromiter((key_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
        at = np.minimum(np.searchsorted(self.hashes, wanted), len(self.hashes) - 1)
        found = self.hashes[at] == wanted
        starts, ends = self.offsets[at].tolist(), self.offsets[at + 1].tolist()
        out = [self.ids[a:b] if hit else _EMPTY
               for a, b, hit in zip(starts, ends, found.tolist(), strict=True)]
        for i, key in enumerate(keys):
            if key in self.clashes:
                out[i] = self.clashes[key]
        return out


def block_lists(names: Sequence[Sequence[str]], config: ScreeningConfig
                ) -> dict[str, list[int]]:
    """Blocking key -> the indexed names that have it, in name order."""
    classes, readings = _classes(config), _readings(config)
    lists: dict[str, list[int]] = defaultdict(list)
    for i, tokens in enumerate(names):
        for exact, fuzzy in key_groups(tokens, config.block_prefix, classes, readings):
            for key in fuzzy | ({exact} if exact else set()):
                lists[key].append(i)
    return lists


@dataclass(frozen=True)
class _Group:
    """A query key group's weighted names (``BlockIndex._token_part`` laid end to end) and
    the length of its shortest non-empty posting list (0: none)."""

    least: int
    ids: IntArray
    weights: npt.NDArray[np.float64]


def _classes(config: ScreeningConfig) -> Classes | None:
    readings = config.consonant_readings if config.consonant_blocking else ()
    return readings[0] if readings else None


def _readings(config: ScreeningConfig) -> Classes | None:
    return config.spelling_readings if config.reading_blocking else None


class BlockIndex:
    """Postings of blocking keys over a list of token tuples (one per indexed name)."""

    def __init__(self, names: Sequence[Sequence[str]], config: ScreeningConfig) -> None:
        self._config = config
        self._size = max(len(names), 1)
        self._classes, self._readings = _classes(config), _readings(config)
        self.postings = Postings.of(block_lists(names, config))
        self._marks = np.zeros(self._size, dtype=np.bool_)  # scratch: a token's exact names
        self._known: dict[str, _Group] = {}  # key group -> its weighted names (a cache)
        self._known_ids = 0

    @classmethod
    def restored(cls, postings: Postings, size: int, config: ScreeningConfig) -> BlockIndex:
        """The index of ``size`` names whose postings are ``postings`` (read back)."""
        index = cls([], config)
        index._size, index.postings = max(size, 1), postings
        index._marks = np.zeros(index._size, dtype=np.bool_)
        return index

    def candidates(self, tokens: Sequence[str]) -> IntArray:
        """Ids of the names sharing keys with ``tokens``, best ``max_candidates`` first."""
        keyed = [(e, list(f)) for e, f in
                 key_groups(tokens, self._config.block_prefix, self._classes, self._readings)]
        names = [e or "\0".join(sorted(f)) for e, f in keyed]
        known = [self._known.get(n) for n in names]
        missing = [(n, e, f) for n, (e, f), g in zip(names, keyed, known, strict=True)
                   if g is None]
        learnt = iter(self._learn(missing))
        groups = [g if g is not None else next(learnt) for g in known]
        sizes = [g.least for g in groups if g.least]
        if not sizes:
            return _EMPTY
        cap = max(self._config.max_posting, min(sizes))
        if cap > self._config.max_posting:  # every key is common: the cap moves (rare)
            groups = [self._group(*self._lookup(e, f), cap) for e, f in keyed]
        return self._top([g for g in groups if len(g.ids)])

    def _learn(self, missing: list[tuple[str, str | None, list[str]]]) -> list[_Group]:
        """The key groups ``missing`` (name, exact key, fuzzy keys) under the configured
        cap, also kept (at most ``_KNOWN_IDS`` names in all)."""
        if not missing:
            return []
        found = iter(self.postings.get_many([k for _, e, f in missing for k in [e or "", *f]]))
        out = []
        for name, exact, fuzzy in missing:
            names = next(found)
            group = self._group(names if exact else _EMPTY, [next(found) for _ in fuzzy],
                                self._config.max_posting)
            if self._known_ids + len(group.ids) > _KNOWN_IDS:
                self._known.clear()
                self._known_ids = 0
            self._known[name] = group
            self._known_ids += len(group.ids)
            out.append(group)
        return out

    def _lookup(self, exact: str | None, fuzzy: list[str]) -> tuple[IntArray, list[IntArray]]:
        found = self.postings.get_many([exact or "", *fuzzy])
        return (found[0] if exact else _EMPTY), found[1:]

    def _group(self, exact: IntArray, fuzzy: list[IntArray], cap: int) -> _Group:
        """One key group's names and weights under ``cap`` (``_token_part``, laid end to
        end), and its smallest non-empty posting list."""
        sizes = [len(p) for p in [exact, *fuzzy] if len(p)]
        parts = self._token_part(exact, fuzzy, cap)
        if not parts:
            return _Group(min(sizes, default=0), _EMPTY, _NO_WEIGHTS)
        return _Group(min(sizes), np.concatenate([p for p, _ in parts]),
                      np.repeat([w for _, w in parts], [len(p) for p, _ in parts]))

    def _token_part(self, exact: IntArray, fuzzy: list[IntArray], cap: int
                    ) -> list[tuple[IntArray, float]]:
        """(names, weight) of one query token: exact sharers, then fuzzy-only sharers; of
        their weight, ``block_key_share`` is spread over the fuzzy keys (a name sharing
        more keys ranks higher), the rest goes to sharing any."""
        exact = exact if len(exact) <= cap else _EMPTY
        kept = [p for p in fuzzy if 0 < len(p) <= cap]
        each = np.concatenate(kept) if kept else _EMPTY
        union = np.unique(each) if kept else _EMPTY
        parts = [(exact, self._rarity(len(exact)))] if len(exact) else []
        only = union
        if len(exact) and len(union):  # the fuzzy sharers that do not share it exactly
            self._marks[exact] = True
            only, each = union[~self._marks[union]], each[~self._marks[each]]
            self._marks[exact] = False
        if len(only):
            rarity, share = self._rarity(len(union)), self._config.block_key_share
            parts.append((only, rarity * (1 - share)))
            parts.append((each, rarity * share / len(kept)))
        return parts

    def _rarity(self, df: int) -> float:
        return math.log(self._size / df) + 1.0

    def _top(self, groups: list[_Group]) -> IntArray:
        """The ``max_candidates`` names of highest total, and each query token's
        ``block_token_slots`` names of highest weight for that token alone (a rare word's
        close spellings are not crowded out by names sharing two common words), best total
        first."""
        if not groups:
            return _EMPTY
        ids = np.concatenate([g.ids for g in groups])
        weights = np.concatenate([g.weights for g in groups])
        names, at = np.unique(ids, return_inverse=True)  # the names that share a key ...
        totals = np.bincount(at, weights=weights, minlength=len(names))  # ... their sums
        keep = _best(totals, self._config.max_candidates)
        slots = self._config.block_token_slots
        if slots and len(groups) > 1 and len(keep) < len(names):
            ends = np.cumsum([len(g.ids) for g in groups]).tolist()
            own = [_best(np.bincount(at[a:b], weights=weights[a:b], minlength=len(names)),
                         slots) for a, b in zip([0, *ends[:-1]], ends, strict=True)]
            keep = np.union1d(keep, np.concatenate(own))
        return names[keep[np.argsort(-totals[keep], kind="stable")]].astype(np.int32)


def _best(values: npt.NDArray[Any], k: int) -> npt.NDArray[np.int64]:
    """Positions of the ``k`` largest positive ``values`` (all positive ones when fewer)."""
    positive = np.flatnonzero(values > 0)
    if len(positive) <= k:
        return positive
    return positive[np.argpartition(-values[positive], k - 1)[:k]]
