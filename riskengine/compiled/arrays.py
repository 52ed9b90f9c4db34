"""Arrow columns of a compiled graph as numpy arrays, read from their buffers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa


def column(table: pa.Table, name: str) -> npt.NDArray[np.generic]:
    """A column as a numpy array, read from its Arrow buffers (zero-copy for fixed-width
    columns). Not ``to_numpy``: pyarrow imports pandas for it, which alone costs a cold
    score 0.2 s. Text goes through its dictionary (few distinct values: kinds, statuses,
    regimes)."""
    values = table.column(name).combine_chunks()
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        coded = values.dictionary_encode()
        words = np.asarray(coded.dictionary.to_pylist(), dtype=object)
        return words[_fixed(coded.indices)]  # type: ignore[no-any-return]
    return _fixed(values)


def _fixed(values: pa.Array) -> npt.NDArray[np.generic]:
    if values.null_count:  # compiled columns hold none; the slow way, should one appear
        return np.asarray(values.to_numpy(zero_copy_only=False))
    data, n, at = values.buffers()[1], len(values), values.offset
    if pa.types.is_boolean(values.type):  # one bit per value, least significant first
        bits = np.unpackbits(np.frombuffer(data, np.uint8), count=at + n, bitorder="little")
        return bits[at:].astype(np.bool_)
    dtype = np.dtype(_NUMPY[str(values.type)])
    return np.frombuffer(data, dtype=dtype, count=n, offset=at * dtype.itemsize)


_NUMPY = {"int8": "i1", "int16": "i2", "int32": "i4", "int64": "i8", "uint8": "u1",
          "uint16": "u2", "uint32": "u4", "uint64": "u8", "float": "f4", "double": "f8"}


def text_scalar(value: str) -> pa.Scalar:
    """``value`` as an Arrow string scalar, built from its bytes: pyarrow converts a Python
    object to Arrow only after importing pandas to check whether it is a pandas one."""
    data = value.encode("utf-8")
    offsets = pa.py_buffer(np.array([0, len(data)], np.int32))
    return pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)])[0]
