"""Open the compiled graph of a store and its rules: reuse the folder of this (data version,
rules) when it is intact, else read the store in columns, compile and save. The I/O edge of
the whole-graph path; ``score``, ``screen``, ``rescore`` and a long-running service use it.

Where the folders live: ``Settings.cache_dir`` (``RISKENGINE_CACHE``) if set; else, for a
SQLite file, ``<file>.compiled/`` beside it; else (PostgreSQL, an in-memory SQLite) a folder
per database under ``$XDG_CACHE_HOME/riskengine`` (default ``~/.cache/riskengine``).
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import make_url

from riskengine.compiled import files
from riskengine.compiled.build import Compiled, compile_facts
from riskengine.compiled.facts import StoredFacts
from riskengine.compiled.graph import graph_data
from riskengine.domain import Dataset
from riskengine.graph import GraphData
from riskengine.ingest.merge import MergeMap, MergeRules, cluster
from riskengine.names import normalise
from riskengine.ruleset.models import RuleSet
from riskengine.ruleset.snapshot import digest, encode, read_rule_files
from riskengine.settings import Settings
from riskengine.store.columnar import read_tables
from riskengine.store.store import Store

Note = Callable[[str], None]


@dataclass(frozen=True)
class Loaded:
    """A compiled graph ready to evaluate: its arrays, its facts, and how it was had."""

    data: GraphData
    facts: StoredFacts
    compiled: Compiled
    key: str
    version: str  # the data version (``Store.data_version``) it was compiled from
    built: str | None  # why it was (re)built now, None when an intact folder was reused
    rules: str  # ``rules_digest`` of the rules it was opened with (books are kept by it)


def cache_root(settings: Settings) -> Path:
    """The folder that holds this database's compiled graphs."""
    if settings.cache_dir is not None:
        return settings.cache_dir
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.compiled")
    safe = url.render_as_string(hide_password=True)
    return settings.user_cache_dir() / hashlib.sha256(safe.encode()).hexdigest()[:16]


def rules_digest(rules_dir: Path, settings: Settings, merge_rules: MergeRules) -> str:
    """sha256 of every rule file, of the switches that change the graph (the seed) and of
    the merge rules in force (``merges.yaml`` with the review queue's decisions): what a
    result computed from the graph is kept by (books of scores, the service's versions)."""
    extra = f"\nseed={settings.seed}\nmerges={merge_rules.model_dump_json()}"
    return digest(encode(read_rule_files(rules_dir)) + extra.encode())


def graph_digest(rules: RuleSet, settings: Settings, merge_rules: MergeRules) -> str:
    """sha256 of what the compiled graph is made of besides the stored facts: the rule
    files' scenario facts (none without the seed), the seed switch and the merge rules in
    force. An edit of weights, regime parameters, alerts or screening rules keeps the graph
    (recompiling 20M entities costs minutes); what is computed from it under the rules is
    kept by ``rules_digest`` (``compiled.scores``, ``screen_index``: its own config)."""
    text = (f"scenario={rules.scenario.model_dump_json()}\nseed={settings.seed}\n"
            f"merges={merge_rules.model_dump_json()}")
    return hashlib.sha256(text.encode()).hexdigest()


def open_graph(settings: Settings, store: Store, rules: RuleSet, rules_dir: Path,
               merge_rules: MergeRules) -> Loaded:
    """The compiled graph of ``store`` and ``rules``, built and saved when missing, stale
    (another key) or corrupt (rebuilt; ``built`` says why)."""
    root, rdigest = cache_root(settings), graph_digest(rules, settings, merge_rules)
    version = store.data_version()
    key = files.graph_key(version, rdigest)
    built: str | None = None
    try:
        compiled = files.load(root, key)
        built = None if compiled is not None else "no compiled graph for this data and rules"
    except files.Corrupt as exc:
        files.discard(root, key)
        compiled, built = None, f"compiled graph rebuilt: {exc}"
    if compiled is None:
        stored = read_tables(settings.db_url, settings.lock_wait)
        forced = [i for pair in merge_rules.force for i in pair.ids]
        compiled = compile_facts(stored, rules.scenario, _merger(store, rules, merge_rules),
                                 forced)
        version, key = stored.version, files.graph_key(stored.version, rdigest)
        del stored  # the facts as read: gigabytes at 20M entities, not needed any more
        try:
            files.save(root, key, compiled, {"data_version": version, "rules": rdigest})
            compiled = _mapped(root, key, compiled)
            pa.default_memory_pool().release_unused()  # the built columns, freed now
        except OSError as exc:  # a cache that cannot be written only costs time
            built = f"compiled graph not kept ({root}: {exc.strerror or exc})"
    facts = StoredFacts(compiled, rules.scenario, store)
    data = graph_data(compiled, facts, facts.ids, facts.index)
    return Loaded(data, facts, compiled, key, version, built,
                  rules_digest(rules_dir, settings, merge_rules))


def _mapped(root: Path, key: str, built: Compiled) -> Compiled:
    """The graph just saved, read back memory-mapped as a reused one is (its columns the
    file's pages, the built ones freed); ``built`` itself if that fails."""
    try:
        found = files.load(root, key)
    except files.Corrupt:
        return built
    return built if found is None else found


def _merger(store: Store, rules: RuleSet, merge_rules: MergeRules
            ) -> Callable[[list[str], dict[str, int], frozenset[str]], MergeMap]:
    scenario = rules.scenario.entity_map()

    def merge(ids: list[str], ranks: dict[str, int], generic: frozenset[str]) -> MergeMap:
        stored = store.entities([i for i in ids if i not in scenario])
        found = [scenario[i] if i in scenario else stored[i] for i in ids]
        return cluster(Dataset(entities=tuple(found)), merge_rules, frozenset(scenario), ranks,
                       generic)

    return merge


def lookup(loaded: Loaded, query: str) -> list[int]:
    """Graph indices of the entities ``query`` names: a record id (merged ones lead to their
    entity), else a name or alias that normalises like it; sorted by id. Through a sorted
    index of each column (``_Sorted``: a binary search, not a scan of every row)."""
    members, keys = _indexes(loaded)
    hit = members.find(query)
    if hit:
        return hit[:1]
    ids = loaded.facts.ids
    return sorted(set(keys.find(normalise(query))), key=lambda i: ids[i])


class _Sorted:
    """A text column of a compiled table sorted once (Arrow's sort), with the row's entity:
    ``find`` is a binary search over the sorted texts."""

    def __init__(self, table: pa.Table, column: str) -> None:
        table = table.filter(pc.is_valid(table.column(column)))
        order = pc.sort_indices(table.column(column))  # UTF-8 bytes: Python's str order
        self._texts = table.column(column).take(order).combine_chunks()
        self._entities = table.column("entity").take(order).combine_chunks()

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, i: int) -> str:
        return str(self._texts[i].as_py())

    def find(self, text: str) -> list[int]:
        """The entities of every row whose text is ``text``, in sorted-row order."""
        low = bisect.bisect_left(self, text)
        high = bisect.bisect_right(self, text, lo=low)
        return [int(e) for e in self._entities.slice(low, high - low).to_pylist()]


_KEPT: OrderedDict[str, tuple[_Sorted, _Sorted]] = OrderedDict()
_KEPT_LOCK = threading.Lock()
KEPT_GRAPHS = 2  # indexes of this many graphs are kept (a service swapping versions: two)


def _indexes(loaded: Loaded) -> tuple[_Sorted, _Sorted]:
    """The sorted member ids and name keys of ``loaded`` (made on first use, kept by key)."""
    with _KEPT_LOCK:
        found = _KEPT.get(loaded.key)
        if found is None:
            found = (_Sorted(loaded.compiled["members"], "member"),
                     _Sorted(loaded.compiled["keys"], "key"))
            _KEPT[loaded.key] = found
            while len(_KEPT) > KEPT_GRAPHS:
                _KEPT.popitem(last=False)
        _KEPT.move_to_end(loaded.key)
        return found
