"""Candidate blocking (``screening.index.BlockIndex.candidates``: postings looked up in one
``searchsorted``, sums over the names that share keys) against a reference written from its
definition with Python sets and dicts over ``block_lists``, on names of the real lists."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

import pytest

from riskengine.domain import Entity
from riskengine.screening import index as block_index
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.evaluate import load_lists, perturb
from riskengine.screening.index import BlockIndex, _classes, _readings, block_lists, key_groups
from riskengine.screening.normalise import analyse


def reference(names: dict[str, list[int]], tokens: Sequence[str], size: int,
              config: ScreeningConfig) -> dict[int, float]:
    """Each name's blocking total, by the definition in ``screening.index``."""
    totals = Counter[int]()
    for part in word_parts(names, tokens, size, config):
        totals.update(part)
    return {n: t for n, t in totals.items() if t > 0}


def word_parts(names: dict[str, list[int]], tokens: Sequence[str], size: int,
               config: ScreeningConfig) -> list[Counter[int]]:
    """Per key group (a query word, then the whole name), each name's blocking weight."""
    groups = [(names.get(e, []) if e else [], [names.get(k, []) for k in f])
              for e, f in key_groups(tokens, config.block_prefix, _classes(config),
                                     _readings(config))]
    sizes = [len(p) for e, f in groups for p in [e, *f] if p]
    if not sizes:
        return []
    cap, parts = max(config.max_posting, min(sizes)), []
    for listed, fuzzy in groups:
        part = Counter[int]()
        exact = listed if len(listed) <= cap else []
        kept = [p for p in fuzzy if 0 < len(p) <= cap]
        union = {n for p in kept for n in p}
        for n in exact:
            part[n] += math.log(size / len(exact)) + 1
        rarity, share = math.log(size / max(len(union), 1)) + 1, config.block_key_share
        for n in union - set(exact):
            part[n] += rarity * (1 - share) + rarity * share / len(kept) * sum(
                p.count(n) for p in kept)
        parts.append(part)
    return parts


@pytest.fixture(scope="module")
def entities() -> list[Entity]:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA}")
    return random.Random(1).sample(sorted(load_lists(SHARED_DATA), key=lambda e: e.id), 3000)


@pytest.mark.parametrize(("common", "kept"), [(200, 2_000_000), (3, 2_000_000), (200, 900)])
def test_candidates_are_the_best_by_the_definition(entities: list[Entity], common: int,
                                                   kept: int, monkeypatch: pytest.MonkeyPatch
                                                   ) -> None:
    """``common``: 3, every key is skipped or the cap moves; ``kept``: 900, the cache of
    key groups is emptied while a query's groups are looked up."""
    monkeypatch.setattr(block_index, "_KNOWN_IDS", kept)
    config = ScreeningConfig(max_candidates=40, max_posting=common)
    names = [analyse(n).keys for e in entities for n in e.all_names()]
    index, lists = BlockIndex(names, config), block_lists(names, config)
    rng = random.Random(2)
    for i in range(300):  # names recur: the second time a token's group is known
        tokens = analyse(perturb(" ".join(rng.choice(names)), "typo", rng) or "x").keys
        if i % 10 == 0:
            tokens = ("trading", "company", "international", *tokens[:1])
        want = reference(lists, tokens, len(names), config)
        got = index.candidates(tokens).tolist()
        assert len(got) == len(set(got)) == min(len(want), config.max_candidates)
        totals = [want[n] for n in got]
        assert all(a >= b - 1e-9 for a, b in pairwise(totals))
        left = [t for n, t in want.items() if n not in set(got)]
        assert not left or max(left) <= min(totals) + 1e-9, tokens


def _above(values: dict[int, float], k: int) -> set[int]:
    """The names whose value is above the k-th largest (those that must be kept)."""
    ordered = sorted(values.values(), reverse=True)
    return set() if len(ordered) <= k else {n for n, v in values.items()
                                            if v > ordered[k - 1] + 1e-9}


def _within(values: dict[int, float], k: int) -> set[int]:
    """The names whose value reaches the k-th largest (those that may be kept)."""
    ordered = sorted(values.values(), reverse=True)
    return set(values) if len(ordered) <= k else {n for n, v in values.items()
                                                  if v >= ordered[k - 1] - 1e-9}


def test_word_slots_and_reading_keys_are_the_definition(entities: list[Entity]) -> None:
    """block_token_slots: the best totals, and each query word's best names for that word
    alone; reading_blocking: spelling readings are keys too (the bundled readings)."""
    config = ScreeningConfig(max_candidates=20, block_token_slots=3, reading_blocking=True,
                             spelling_readings=(("au$", "ov"), ("sh", "ch"), ("ts", "c"),
                                                ("g", "k"), ("c", "k")))
    names = [analyse(n).keys for e in entities for n in e.all_names()]
    index, lists = BlockIndex(names, config), block_lists(names, config)
    rng = random.Random(3)
    for _ in range(200):
        tokens = analyse(perturb(" ".join(rng.choice(names)), "typo", rng) or "x").keys
        parts = [{n: t for n, t in p.items() if t > 0}
                 for p in word_parts(lists, tokens, len(names), config)]
        want = reference(lists, tokens, len(names), config)
        got = index.candidates(tokens).tolist()
        assert len(got) == len(set(got))
        words = parts if len(parts) > 1 else []
        must = _above(want, 20).union(*(_above(p, 3) for p in words))
        may = _within(want, 20).union(*(_within(p, 3) for p in words))
        assert must <= set(got) <= may, tokens
        assert len(got) >= min(len(want), 20)
        totals = [want[n] for n in got]
        assert all(a >= b - 1e-9 for a, b in pairwise(totals))
