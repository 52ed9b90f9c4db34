"""Python's cycle collector paused around work that makes many long-lived objects and no
garbage cycles (loading a screening index, writing a batch of register rows): the collector
would traverse them over and over (a third of a cold ``screen``, half of a PSC read)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside the block (reference counting still frees objects),
    back on after it when it was on before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
