"""The whole book scored under the rules in use, kept beside its compiled graph, so that a
dry run (issue 16) scores only the proposed rules (``<graph folder>/scores/<key>/``).

* **Key.** sha256 over this format's version, the compiled graph's key (data version,
  scenario, seed switch, merge rules in force), every rule file (``use.rules_digest``: the
  graph is kept across edits of weights or regimes, a book is not), the evaluation day,
  every stored override as stored (an override added, approved, revoked or edited selects
  another key) and the source of the code that derives and scores (a changed scorer never
  reads a table another version wrote).
* **Checked.** Written and read by ``compiled.files``: a manifest with every file's sha256,
  checked before use, written to a temporary folder and renamed into place; the newest three
  kept per graph, and removed with their graph. A table that fails its check is discarded
  (and the book scored again); one of another size than the graph is not used.
* **What.** The verdicts as derived (before manual statuses), the score table with every
  contribution's cents, and each regime's tie exposure cents before blocked entities are
  zeroed (``exposure.score.tie_cents``), from which the proposed rules' exposure is updated
  (``exposure.reuse``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from riskengine.compiled import files
from riskengine.compiled.build import Compiled
from riskengine.derive.base import Affiliates, RegimeArrays
from riskengine.exposure.score import ScoreTable
from riskengine.graph import IntArray
from riskengine.overrides import Override

FORMAT = 1  # bump when the tables change
FOLDER = "scores"  # inside the compiled graph's folder
_FLAGS = ("listed", "owned", "controlled", "possibly")
_SOURCES = ("derive", "exposure")
_FILES = ("engine.py", "graph.py", "overrides.py", "domain.py", "compiled/graph.py",
          "compiled/facts.py", "compiled/scores.py", "ruleset/models.py")


@dataclass(frozen=True)
class Kept:
    """A book as scored: verdicts as derived, the score table, raw tie cents per key."""

    derived: dict[str, RegimeArrays]
    table: ScoreTable
    ties: dict[str, IntArray]


@cache
def code_digest() -> str:
    """sha256 of the source of the derivation and scoring code (and what they read)."""
    package = Path(__file__).resolve().parent.parent
    paths = [p for d in _SOURCES for p in sorted((package / d).glob("*.py"))]
    digest = hashlib.sha256()
    for path in [*paths, *(package / f for f in _FILES)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def score_key(graph_key: str, rules: str, as_of: date, overrides: Sequence[Override]) -> str:
    """The folder name of the book of this graph, rules (``use.rules_digest``: every rule
    file), day and stored overrides."""
    stored = sorted(json.dumps([o.model_dump(mode="json"), o.tampered], sort_keys=True)
                    for o in overrides)
    text = (f"riskengine-scores-v{FORMAT}\n{graph_key}\n{rules}\n{as_of.isoformat()}\n"
            f"{json.dumps(stored)}\n{code_digest()}")
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load(graph_folder: Path, key: str, ids: Sequence[str]) -> tuple[Kept | None, str | None]:
    """(the book ``key`` if present, intact and of as many entities as ``ids``, the graph's
    entities; why not otherwise)."""
    folder = graph_folder / FOLDER
    try:
        found = files.load(folder, key)
    except files.Corrupt as exc:
        files.discard(folder, key)
        return None, f"kept scores discarded: {exc}"
    if found is None:
        return None, "no kept scores for this graph, day and overrides"
    if any(t.num_columns and t.num_rows != len(ids) for t in found.tables.values()):
        files.discard(folder, key)
        return None, "kept scores discarded: not of this graph's size"
    return _restore(found.tables, ids), None


def load_derived(graph_folder: Path, key: str, ids: Sequence[str]
                 ) -> dict[str, RegimeArrays] | None:
    """Only the verdicts as derived of the book ``key`` (a cold explained score reads them
    instead of deriving the whole graph's), if present, intact and of this graph's size."""
    try:
        found = files.load(graph_folder / FOLDER, key, only=frozenset({"verdicts"}))
    except files.Corrupt:
        return None  # the next whole-book read discards it and scores again
    if found is None or "verdicts" not in found.tables:
        return None
    verdicts = found["verdicts"]
    if verdicts.num_columns and verdicts.num_rows != len(ids):
        return None
    return _derived(verdicts, json.loads((verdicts.schema.metadata or {})[b"riskengine"]))


def save(graph_folder: Path, key: str, kept: Kept) -> str | None:
    """Keep ``kept`` under the graph's folder (only when the graph itself was kept there);
    why not, or None."""
    if not (graph_folder / files.MANIFEST).is_file():
        return "the compiled graph was not kept: neither are its scores"
    try:
        files.save(graph_folder / FOLDER, key, Compiled(_tables(kept)), {"kind": "scores"})
    except OSError as exc:  # a cache that cannot be written only costs time
        return f"scores not kept ({graph_folder}: {exc.strerror or exc})"
    return None


def _meta(value: Any) -> dict[bytes, bytes]:
    return {b"riskengine": json.dumps(value).encode()}


def _tables(kept: Kept) -> dict[str, pa.Table]:
    verdicts: dict[str, Any] = {}
    suspended: dict[str, bool] = {}
    for r, v in kept.derived.items():
        verdicts |= {f"{r}/{f}": getattr(v, f) for f in _FLAGS}
        if v.affiliates is not None:
            verdicts |= {f"{r}/affiliates_seed": v.affiliates.seed,
                         f"{r}/affiliates_caught": v.affiliates.caught}
            suspended[r] = v.affiliates.suspended
    t = kept.table
    scores = {"score": t.score, "blocked_any": t.blocked_any, "band": t.band,
              **{f"part/{k}": c for k, c in t.parts.items()},
              **{f"tie/{k}": c for k, c in kept.ties.items()}}
    head = {"regimes": list(kept.derived), "suspended": suspended,
            "band_names": list(t.band_names), "parts": list(t.parts), "ties": list(kept.ties)}
    return {"verdicts": pa.table(verdicts, metadata=_meta(head)),
            "scores": pa.table(scores, metadata=_meta(head))}


def _column(table: pa.Table, name: str) -> Any:
    return table.column(name).to_numpy()


def _restore(tables: dict[str, pa.Table], ids: Sequence[str]) -> Kept:
    verdicts, scores = tables["verdicts"], tables["scores"]
    head = json.loads((scores.schema.metadata or {})[b"riskengine"])
    return Kept(_derived(verdicts, head), _table(scores, head, ids),
                {k: np.asarray(_column(scores, f"tie/{k}"), dtype=np.int64)
                 for k in head["ties"]})


def _derived(verdicts: pa.Table, head: dict[str, Any]) -> dict[str, RegimeArrays]:
    derived = {}
    for r in head["regimes"]:
        flags = {f: np.asarray(_column(verdicts, f"{r}/{f}"), dtype=np.bool_) for f in _FLAGS}
        aff = None
        if r in head["suspended"]:
            aff = Affiliates(np.asarray(_column(verdicts, f"{r}/affiliates_seed"), np.bool_),
                             np.asarray(_column(verdicts, f"{r}/affiliates_caught"), np.bool_),
                             bool(head["suspended"][r]))
        derived[r] = RegimeArrays(r, **flags, affiliates=aff)
    return derived


def _table(scores: pa.Table, head: dict[str, Any], ids: Sequence[str]) -> ScoreTable:
    parts = {k: np.asarray(_column(scores, f"part/{k}"), dtype=np.int64) for k in head["parts"]}
    return ScoreTable(ids, np.asarray(_column(scores, "score"), dtype=np.float64),
                      np.asarray(_column(scores, "blocked_any"), dtype=np.bool_),
                      np.asarray(_column(scores, "band"), dtype=np.int64),
                      tuple(head["band_names"]), parts)
