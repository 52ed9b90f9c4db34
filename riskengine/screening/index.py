"""Candidate blocking: an inverted index from keys to indexed names.

Each token of an indexed name yields keys: the token itself, and for tokens of at least
``block_prefix + 1`` letters its prefix, its suffix and its one-letter deletions (so a
substitution, insertion, deletion or transposition still shares a key with the original).
A query is compared only with the names sharing its keys, ranked by the summed idf of the
shared keys (numpy ``bincount`` over the posting lists, no loop over all names); keys shared
by more than ``max_posting`` names are skipped when the query has rarer keys. Pure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from riskengine.screening.config import ScreeningConfig

IntArray = npt.NDArray[np.int32]
_MAX_DELETION_TOKEN = 12  # longer tokens keep their prefix or suffix under one typo


def token_keys(token: str, affix: int) -> set[str]:
    """Blocking keys of one token."""
    keys = {"t:" + token}
    if len(token) > affix:
        keys |= {"p:" + token[:affix], "s:" + token[-affix:]}
    if affix < len(token) <= _MAX_DELETION_TOKEN:
        keys |= {"d:" + token[:i] + token[i + 1:] for i in range(len(token))}
    return keys


def name_keys(tokens: Iterable[str], affix: int) -> set[str]:
    """Blocking keys of a name: the union over its tokens."""
    keys: set[str] = set()
    for token in tokens:
        keys |= token_keys(token, affix)
    return keys


class BlockIndex:
    """Postings of blocking keys over a list of token tuples (one per indexed name)."""

    def __init__(self, names: Sequence[Sequence[str]], config: ScreeningConfig) -> None:
        self._config = config
        self._size = len(names)
        lists: dict[str, list[int]] = defaultdict(list)
        for i, tokens in enumerate(names):
            for key in name_keys(tokens, config.block_prefix):
                lists[key].append(i)
        self._postings = {k: np.asarray(v, dtype=np.int32) for k, v in lists.items()}

    def candidates(self, tokens: Sequence[str]) -> IntArray:
        """Ids of the names sharing keys with ``tokens``, best ``max_candidates`` first."""
        found = [p for k in name_keys(tokens, self._config.block_prefix)
                 if (p := self._postings.get(k)) is not None]
        if not found:
            return np.empty(0, dtype=np.int32)
        rare = [p for p in found if len(p) <= self._config.max_posting]
        return self._top(rare or [min(found, key=len)])

    def _top(self, postings: list[IntArray]) -> IntArray:
        ids = np.concatenate(postings)
        weights = np.repeat([math.log(self._size / len(p)) + 1.0 for p in postings],
                            [len(p) for p in postings])
        totals = np.bincount(ids, weights=weights, minlength=self._size)
        hit = np.flatnonzero(totals)
        k = self._config.max_candidates
        if len(hit) > k:
            hit = hit[np.argpartition(-totals[hit], k - 1)[:k]]
        return hit[np.argsort(-totals[hit], kind="stable")].astype(np.int32)
