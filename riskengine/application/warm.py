"""The service's warm state: the compiled graph of the current data version held in memory.

A ``Version`` is everything one data version and rule set give: the compiled graph, the
rules, the stored editions behind coverage, a screener (built when first needed) and the
evaluations of the dates asked about. ``Warm`` holds the current one and a refresher thread
that looks every ``refresh_seconds`` (``rules/service.yaml``) for a new data version (an
ingest), changed rule files or merge decisions, and changed overrides. A new version is
built beside the old one and swapped in by one assignment: a request takes ``view()`` once
and finishes on what it took, whatever is swapped meanwhile. A version that cannot be built
(a rule file an analyst broke) leaves the current one serving and is reported by
``status()``.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from riskengine.application import base
from riskengine.application.audit_writer import AuditWriter, RuleFiles
from riskengine.application.users import TokenTable
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.application.screening import Screening
    from riskengine.compiled.use import Loaded
    from riskengine.coverage import Sources
    from riskengine.engine import Evaluation, Overrides
    from riskengine.overrides import Override
    from riskengine.result import ScoreResult
    from riskengine.ruleset.models import RuleSet
    from riskengine.ruleset.service import ServiceRules
    from riskengine.store.store import Store

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A bounded, thread-safe least-recently-used map; ``get_or_make`` makes a missing value
    outside the lock (two threads may both make it; one result is kept)."""

    def __init__(self, size: int) -> None:
        self._size, self._items, self._lock = size, OrderedDict[K, V](), threading.Lock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        self.put(key, value)
        return value

    def peek(self, key: K) -> V | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class Stamp:
    """What a version was made from: its data version, rules digest (rule files, seed and
    merge decisions) and overrides digest."""

    data: str
    rules: str
    overrides: str


@dataclass
class Version:
    """One data version and rule set, ready to answer (see the module docstring)."""

    stamp: Stamp
    loaded: Loaded
    rules: RuleSet
    files: RuleFiles
    sources: Sources
    overrides: tuple[Override, ...]
    config: ServiceRules
    _evaluations: Lru[date, tuple[Evaluation, Overrides]] = field(init=False)
    _screenings: Lru[date, Screening] = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entities: list[Any] | None = None

    def __post_init__(self) -> None:
        self._evaluations = Lru(self.config.evaluations_kept)
        self._screenings = Lru(self.config.evaluations_kept)

    @property
    def hashes(self) -> dict[str, str]:
        """What a response names: the data version, the rule files' snapshot hash, and the
        graph key (data and rules, merge decisions included)."""
        return {"data": self.stamp.data, "rules": self.files.snapshot,
                "graph": self.loaded.key, "overrides": self.stamp.overrides}

    def evaluation(self, as_of: date) -> tuple[Evaluation, Overrides]:
        """Whole-graph verdicts on ``as_of`` with the approved overrides (kept, LRU)."""
        return self._evaluations.get_or_make(as_of, lambda: self._evaluate(as_of))

    def evaluated(self, as_of: date) -> bool:
        """Whether the evaluation of ``as_of`` is kept (asking for it costs a look-up)."""
        return self._evaluations.peek(as_of) is not None

    def _evaluate(self, as_of: date) -> tuple[Evaluation, Overrides]:
        """The evaluation of ``as_of`` with the indexes its explained scores use built now
        (path searches, exposed banks), not by the first request's explanation."""
        from riskengine.application.service import compiled_evaluation
        from riskengine.derive import explain_kept
        from riskengine.exposure.score import prepare

        ev, found = compiled_evaluation(self.loaded, self.rules, as_of, list(self.overrides))
        prepare(ev.graph, ev.verdicts, ev.rules.scoring)
        derived = ev.derived or ev.verdicts
        explain_kept.prepare(ev.graph, {code: (arrays, ev.rules.regimes.params(code, as_of))
                                        for code, arrays in derived.items()})
        return ev, found

    def screening(self, settings: Settings, as_of: date) -> Screening:
        """The screener over every entity (built once per version) with the risk figures
        of ``as_of``."""
        return self._screenings.get_or_make(as_of, lambda: self._screening(settings, as_of))

    def _screening(self, settings: Settings, as_of: date) -> Screening:
        from riskengine.application.screening import Screening, risk_lookup, uncovered_in

        screener = self._screener(settings)
        ev, found = self.evaluation(as_of)
        return Screening(screener, risk_lookup(ev, found, uncovered_in(self.sources, ev)),
                         self.overrides)

    def _screener(self, settings: Settings) -> Any:
        from riskengine.application.screening import indexed

        with self._lock:
            if self._entities is None:  # the saved index, or built and saved
                self._entities = [indexed(settings, self.loaded)]
            return self._entities[0]


def _digest(items: list[Any]) -> str:
    text = "\n".join(o.model_dump_json() for o in items)
    return hashlib.sha256(text.encode()).hexdigest()


def stamp_now(settings: Settings, store: Store) -> Stamp:
    """The stamp the store and rule files have now (a few small queries, no facts read)."""
    from riskengine.compiled.use import rules_digest

    merges = base.merge_rules(settings, store)
    return Stamp(store.data_version(), rules_digest(base.rules_dir(settings), settings, merges),
                 _digest(base.stored_overrides(settings, store=store)))


SERVICE_RULES_FILE = "service.yaml"


def service_rules(settings: Settings) -> ServiceRules:
    """``rules/service.yaml`` of the rules in use (every rule file checked first)."""
    from riskengine.ruleset.service import ServiceRules

    return base.rule_file(settings, SERVICE_RULES_FILE, ServiceRules)


def precompile(settings: Settings) -> None:
    """Make sure the compiled graph of the store and rules is on disk (run in a spawned
    process by ``compile_elsewhere``)."""
    from riskengine.application import service

    with service.compiled_graph(settings):
        pass


def compile_elsewhere(settings: Settings) -> None:
    """``precompile`` in a child process: compiling reads every fact through the ADBC
    driver (fast, in C), which must not run in this process once it keeps sqlite3
    connections open (``store.stdlib_sqlite``); the graph is then loaded from its folder."""
    import multiprocessing

    from riskengine.store.store import StoreError

    child = multiprocessing.get_context("spawn").Process(target=precompile, args=(settings,),
                                                         name="riskengine-compile")
    child.start()
    child.join()
    if child.exitcode != 0:
        raise StoreError(f"compiling the graph failed (child exit code {child.exitcode})")


def read_designations(loaded: Loaded) -> None:
    """Read the designations of every designated entity now, in one pass (kept by the
    graph's facts), when they fit in what the facts keep: an explained score then reads
    none from the store (before, one query per new entity, about a third of its time)."""
    import numpy as np

    from riskengine.compiled.facts import DESIGNATIONS_KEPT

    facts = loaded.facts
    designated = np.flatnonzero(facts.designated)
    if 0 < designated.shape[0] <= DESIGNATIONS_KEPT // 2:
        facts.designations_many([facts.ids[int(i)] for i in designated])


def build(settings: Settings, store: Store, stamp: Stamp, config: ServiceRules,
          previous: Version | None = None) -> Version:
    """A version for ``stamp``: the compiled graph (from its folder, or compiled now); when
    only the overrides changed, ``previous``'s graph and screener are kept."""
    from riskengine.application.coverage import stored_sources
    from riskengine.compiled.use import open_graph

    rules, folder = base.load_rules(settings), base.rules_dir(settings)
    same = previous is not None and (previous.stamp.data, previous.stamp.rules) == (
        stamp.data, stamp.rules)
    if not (same and previous is not None) and store.dialect == "sqlite":
        compile_elsewhere(settings)
    loaded = previous.loaded if same and previous is not None else open_graph(
        settings, store, rules, folder, base.merge_rules(settings, store))
    if not same:
        read_designations(loaded)
    overrides = tuple(base.stored_overrides(settings, store=store))
    made = Version(stamp, loaded, rules, RuleFiles.read(folder),
                   stored_sources(settings, store), overrides, config)
    if same and previous is not None:
        made._entities = previous._entities  # the screener: same entities, same rules
    return made


class CommitWatch:
    """Whether anything was committed to a SQLite file since last asked, by any other
    connection of any process (``PRAGMA data_version`` on a connection of its own, which
    never writes): a check of microseconds, no table read."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._last: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, db_url: str) -> CommitWatch | None:
        """The watch of a SQLite file store; None for PostgreSQL or an in-memory SQLite."""
        from sqlalchemy.engine import make_url

        url = make_url(db_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(url.database)

    def changed(self) -> bool:
        """True the first time, and whenever a commit happened since the last call."""
        with self._lock:
            now = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            was, self._last = self._last, now
            return was != now

    def close(self) -> None:
        self._conn.close()


SERVER_GC = 100_000  # a server process's allocations between two young-generation
# collections (Python's default: 700). Explained scores make many objects and almost no
# reference cycles, and the answers kept are long-lived: at the default the collector took
# about 40 % of an explained score's time on the real lists (not a tunable of the law).


def quiet_collector() -> None:
    """A server process collects cycles rarely (``SERVER_GC``)."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(SERVER_GC, older, oldest)


def _settle() -> None:
    """After a swap: the old version's cycles collected, then everything alive (the new
    version's graph, indexes and rules) frozen, never traversed again by the collector."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Warm:
    """The current version, kept fresh by a refresher thread, and the audit writer. With
    ``settle`` (a server process), each swap is followed by ``_settle``."""

    def __init__(self, settings: Settings, config: ServiceRules, settle: bool = False) -> None:
        self.settings, self.config, self._settle = settings, config, settle
        from riskengine.store.columnar import use_stdlib_sqlite

        use_stdlib_sqlite()  # never a second SQLite library on the file (store.stdlib_sqlite)
        self.store = base.open_store(settings)
        base.share_store(self.store, settings.db_url)  # one engine per process (base)
        self.audit = AuditWriter(self.store)
        self._watch = CommitWatch.of(settings.db_url)
        self.tokens = TokenTable(self.store, self._watch.changed if self._watch else None)
        self._current: Version | None = None
        self._results: Lru[tuple[Any, ...], ScoreResult] = Lru(max(config.results_kept, 1))
        self.answers: Lru[tuple[Any, ...], Any] = Lru(max(config.results_kept, 1))
        self.problem: str | None = None  # why the last refresh failed (None: it did not)
        self._stop, self._refresh_lock = threading.Event(), threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="warm-refresh", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self.audit.close()
        if self._watch is not None:
            self._watch.close()
        base.unshare_store(self.settings.db_url)
        self.store.close()

    def view(self) -> Version | None:
        """The current version (None while the first one is being built)."""
        return self._current

    def refresh(self) -> bool:
        """Swap in a new version when the stamp changed; True when one was swapped in. Errors
        are kept in ``problem`` (the current version keeps serving)."""
        from riskengine.errors import RiskEngineError

        with self._refresh_lock:
            try:
                stamp = stamp_now(self.settings, self.store)
                current = self._current
                if current is not None and current.stamp == stamp:
                    self.problem = None
                    return False
                self._current = build(self.settings, self.store, stamp, self.config, current)
                self.problem = None
                if self._settle:
                    _settle()
                return True
            except (RiskEngineError, OSError) as exc:
                self.problem = f"{type(exc).__name__}: {exc}".splitlines()[0]
                return False

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception as exc:  # a database error: reported, the old version serves
                self.problem = f"{type(exc).__name__}: {exc}".splitlines()[0]
            self._stop.wait(self.config.refresh_seconds)

    def result(self, version: Version, key: tuple[Any, ...],
               make: Callable[[], ScoreResult]) -> ScoreResult:
        """An explained result, kept by ``(version stamp, *key)`` when results are kept."""
        if self.config.results_kept == 0:
            return make()
        return self._results.get_or_make((version.stamp, *key), make)


def wait_ready(warm: Warm, timeout: float) -> Version | None:
    """The first version, waiting up to ``timeout`` seconds for it (tests, benchmarks)."""
    end = time.monotonic() + timeout
    while warm.view() is None and time.monotonic() < end and warm.problem is None:
        time.sleep(0.05)
    return warm.view()
