"""A ``GraphData`` from a ``Compiled`` graph: numpy views of its columns, no object per fact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa

from riskengine.compiled.arrays import column
from riskengine.compiled.build import Compiled
from riskengine.graph import EdgeArrays, Facts, GraphData

_ATTRS = {"ownership": ("low", "high", "known"), "control": ("kind",),
          "relation": ("kind", "status", "ended_at")}


def _family(table: pa.Table, attrs: tuple[str, ...]) -> EdgeArrays:
    n = table.num_rows
    return EdgeArrays(column(table, "src"), column(table, "dst"),  # type: ignore[arg-type]
                      column(table, "start"), column(table, "end"),  # type: ignore[arg-type]
                      np.arange(n, dtype=np.int64), {a: column(table, a) for a in attrs})


def _designations(table: pa.Table) -> EdgeArrays:
    entity = column(table, "entity")
    regime = column(table, "regime")
    return EdgeArrays(entity, entity, column(table, "start"),  # type: ignore[arg-type]
                      column(table, "end"), np.arange(table.num_rows, dtype=np.int64),  # type: ignore[arg-type]
                      {"regime": regime, "blocking": column(table, "blocking").astype(np.bool_)})


def graph_data(compiled: Compiled, facts: Facts, ids: Sequence[str], index: Mapping[str, int]
               ) -> GraphData:
    """The arrays of ``compiled`` as a GraphData explained by ``facts`` (``ids`` and their
    ``index`` shared with the facts, not built twice: views of the compiled id column, not
    a tuple of every id)."""
    fams = {name: _family(compiled[name], attrs) for name, attrs in _ATTRS.items()}
    return GraphData(ids, index, fams["ownership"],
                     fams["control"], fams["relation"],
                     _designations(compiled["designations"]), facts)
