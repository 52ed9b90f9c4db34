"""Hand freed memory back to the operating system between the large steps of the whole-graph
path.

The ADBC drivers fill Arrow buffers with the C library's ``malloc`` in many small pieces;
once those tables are copied into Arrow's own pool and dropped, glibc keeps the freed pages
in its heap (at 2M entities about 0.4 GB of resident memory held for nothing, measured with
``/proc/self/statm``), and Arrow's pool keeps what its temporaries used. ``give_back`` asks
both to return what is free: ``malloc_trim`` (glibc only; elsewhere nothing) and the pool's
``release_unused``. Costs milliseconds; no effect on any result.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache
from typing import Any

import pyarrow as pa


@lru_cache(maxsize=1)
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # no C library to ask (musl has no malloc_trim either): nothing to do
        return None


def give_back() -> None:
    """Return the free memory of Arrow's pool and of the C heap to the system."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
