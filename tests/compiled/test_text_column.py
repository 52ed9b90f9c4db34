"""TextColumn: items and slices of a chunked Arrow text column read like a list of it."""

from __future__ import annotations

import pyarrow as pa
import pytest

from riskengine.compiled.facts import TextColumn

TEXTS = ["a", "bé", "", "d", "e", "f", "g"]
CHUNKED = pa.chunked_array([TEXTS[:2], [], TEXTS[2:5], TEXTS[5:]], pa.string())


@pytest.mark.parametrize("at", [0, 1, 2, 4, 6, -1, -7])
def test_items_are_the_list_items(at: int) -> None:
    assert TextColumn(CHUNKED)[at] == TEXTS[at]


@pytest.mark.parametrize("span", [slice(0, 7), slice(1, 4), slice(3, 3), slice(5, 100),
                                  slice(-3, None), slice(None, None, 2), slice(6, 2)])
def test_slices_are_the_list_slices(span: slice) -> None:
    assert TextColumn(CHUNKED)[span] == TEXTS[span]


@pytest.mark.parametrize("at", [7, -8])
def test_out_of_range_is_an_index_error(at: int) -> None:
    with pytest.raises(IndexError):
        TextColumn(CHUNKED)[at]


def test_length_and_iteration() -> None:
    column = TextColumn(CHUNKED)
    assert len(column) == 7 and list(column) == TEXTS
