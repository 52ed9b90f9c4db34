"""The name blocking keys made in Arrow (``compiled.name_keys``) are, name by name, those of
``merge_evidence.normalised_blocking_keys`` (the reference), exactly."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.compiled.name_keys import kept_positions, name_keys_of_unique, skeletons
from riskengine.ingest.merge_evidence import normalised_blocking_keys
from riskengine.names import normalise
from riskengine.screening.normalise import LEGAL_FORMS, skeleton, strip_legal_forms

LEGAL = sorted({w for form in LEGAL_FORMS for w in form})
WORD = st.one_of(st.sampled_from(LEGAL), st.text("abckhopqxyw0123", min_size=1, max_size=7),
                 st.sampled_from(["kamaz", "sergey", "sergei", "aleksandr", "alexander",
                                  "kkh", "mmmo", "ooo", "holding", "000123"]))
NAME = st.lists(WORD, max_size=11).map(" ".join)


def _per_name(names: list[str]) -> list[set[str]]:
    unique = pa.array(names, pa.string())
    flat, lengths = name_keys_of_unique(unique, normalised_blocking_keys)
    keys, out, at = flat.to_pylist(), [], 0
    for n in lengths.tolist():
        out.append(set(keys[at:at + n]))
        assert len(out[-1]) == n  # no key twice for one name
        at += n
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(NAME, max_size=12, unique=True))
def test_keys_equal_the_python_reference(names: list[str]) -> None:
    assert _per_name(names) == [normalised_blocking_keys(n) for n in names]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=8, unique=True))
def test_text_of_any_form_equals_the_reference(texts: list[str]) -> None:
    """Text not normalised (upper case, punctuation, spaces doubled) goes the Python way."""
    assert _per_name(texts) == [normalised_blocking_keys(t) for t in texts]


def test_real_names_normalised() -> None:
    names = sorted({normalise(n) for n in [
        "Publichnoe Aktsionernoe Obshchestvo Kamaz", "OOO", "ООО Москвич", "BYD Co., Ltd.",
        "Anhui Jianghuai Automobile Group Corp Ltd", "Limited Liability Company Alfa Beta",
        "One Two Three Four Five Six Seven Eight Nine", "a b c d e f g h", ""]})
    assert _per_name(names) == [normalised_blocking_keys(n) for n in names]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=9),
                max_size=20))
def test_skeletons_equal_skeleton(words: list[str]) -> None:
    assert skeletons(pa.array(words, pa.string())).to_pylist() == [skeleton(w) for w in words]


@settings(max_examples=300, deadline=None)
@given(st.lists(WORD, max_size=9))
def test_kept_positions_are_strip_legal_forms(words: list[str]) -> None:
    kept = kept_positions(tuple(skeleton(w) for w in words))
    core = strip_legal_forms(words)[0] or words
    assert [w for w, k in zip(words, kept, strict=True) if k] == core
