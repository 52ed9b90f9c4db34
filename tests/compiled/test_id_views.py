"""The Arrow-backed id views of a compiled graph (``TextColumn``, ``IdIndex``) answer as the
tuple and dict of every id they replace."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.compiled.facts import IdIndex, TextColumn

texts = st.lists(st.text(max_size=4), max_size=40)


def _views(values: list[str], cut: int) -> tuple[TextColumn, IdIndex]:
    cut = min(cut, len(values))
    column = pa.chunked_array([pa.array(values[:cut], pa.string()),
                               pa.array(values[cut:], pa.string())])
    ids = TextColumn(column)
    return ids, IdIndex(ids, column)


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(0, 40), st.lists(st.text(max_size=4), max_size=5))
def test_index_answers_as_the_dict(values: list[str], cut: int, others: list[str]) -> None:
    _ids, index = _views(values, cut)
    expected = {t: i for i, t in enumerate(values)}
    for key in [*values, *others]:
        assert index.get(key) == expected.get(key)
        assert (key in index) == (key in expected)
    assert list(index) == values


@settings(max_examples=100, deadline=None)
@given(texts, st.integers(0, 40))
def test_column_answers_as_the_tuple(values: list[str], cut: int) -> None:
    ids, _index = _views(values, cut)
    assert list(ids) == values and len(ids) == len(values)
    assert ids == tuple(values) and tuple(values) == ids
    assert ids == _views(values, 0)[0]
    assert ids != (*values, "x")


def test_missing_key_raises() -> None:
    _ids, index = _views(["b", "a"], 1)
    assert index["a"] == 1
    with pytest.raises(KeyError):
        index["c"]
