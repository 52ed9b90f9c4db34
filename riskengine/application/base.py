"""What every use case starts from: the rules directory and its validated rule files, the
store, the clock, and what is stored beside the facts that scoring reads (overrides, merge
decisions, runs). The bottom of the application layer: it imports no other use case."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.ingest.editions import IngestRules
    from riskengine.ingest.merge import MergeRules
    from riskengine.overrides import Override
    from riskengine.ruleset.models import RuleSet
    from riskengine.screening.config import ScreeningConfig
    from riskengine.store.records import RunRecord
    from riskengine.store.store import Store

SCREENING_RULES_FILE = "screening.yaml"

def rules_dir(settings: Settings) -> Path:
    from riskengine.ruleset.bundled import bundled_rules_dir

    return settings.rules_dir or bundled_rules_dir()


def load_rules(settings: Settings) -> RuleSet:
    """The rules in use (every rule file validated, or remembered valid: ``rules_cache``);
    without the seed scenario facts under ``--no-seed`` (``RISKENGINE_SEED=0``)."""
    from riskengine.domain import Dataset
    from riskengine.ruleset.models import RuleSet

    folder = rules_dir(settings)
    rules = _remembered(settings, "ruleset", RuleSet, lambda: _load_rules(folder))
    return rules if settings.seed else rules.model_copy(update={"scenario": Dataset()})


def rules_cache(settings: Settings) -> Path:
    """Where validated rule models are kept between processes (``ruleset.disk``)."""
    if settings.cache_dir is not None:
        return settings.cache_dir / "rules"
    return settings.user_cache_dir() / "rules"


_MEMO: dict[tuple[str, str], BaseModel] = {}


def _remembered(settings: Settings, kind: str, model: type[_M], make: Callable[[], _M]) -> _M:
    """``make()`` for the rule files in use, remembered by their content in this process
    and on disk (``ruleset.disk.cached``)."""
    from riskengine.ruleset.disk import cached
    from riskengine.ruleset.fingerprint import fingerprint

    key = (kind, fingerprint(rules_dir(settings)))
    found = _MEMO.get(key) if key[1] else None
    if isinstance(found, model):
        return found
    made = cached(kind, key[1], model, make, rules_cache(settings))
    if key[1]:
        _MEMO[key] = made
    return made


# A long-running process (the service) keeps one engine for its store, shared by every use
# case: SQLite connections of one engine closing while another engine's are open, after the
# ADBC driver (its own copy of SQLite) read the same file, break the still-open ones ("disk
# I/O error": two SQLite libraries in one process must not share a file's locks). One engine
# that stays open avoids the case; short CLI processes are not affected.
_SHARED: dict[str, Store] = {}


def share_store(store: Store, url: str) -> None:
    """From now on ``open_store`` for ``url`` hands out ``store``'s engine (never closed)."""
    _SHARED[url] = store


def unshare_store(url: str) -> None:
    _SHARED.pop(url, None)


def open_store(settings: Settings) -> Store:
    from riskengine.store.store import Store

    shared = _SHARED.get(settings.db_url)
    return shared.borrowed() if shared is not None else Store.open(settings.db_url,
                                                                   settings.lock_wait)


def now() -> datetime:
    return datetime.now(UTC)


INGEST_RULES_FILE = "ingest.yaml"


MERGE_RULES_FILE = "merges.yaml"


_M = TypeVar("_M", bound=BaseModel)


def rule_file(settings: Settings, name: str, model: type[_M]) -> _M:
    """``model`` from ``rules/name`` of the rules directory in use (defaults when absent),
    once every rule file there is valid (the same check as ``load_rules``)."""
    folder = rules_dir(settings)
    return _remembered(settings, f"file:{name}", model,
                       lambda: _load_rule_file(folder, name, model))


# The YAML loader and its checks are imported only when a rule set is not remembered
# (``_remembered``): a cold ``score`` finding it on disk saves their import.
def _load_rules(folder: Path) -> RuleSet:
    from riskengine.ruleset.loader import load_rules

    return load_rules(folder)


def _load_rule_file(folder: Path, name: str, model: type[_M]) -> _M:
    from riskengine.ruleset.loader import load_rule_file

    return load_rule_file(folder, name, model)


def ingest_rules(settings: Settings) -> IngestRules:
    from riskengine.ingest.editions import IngestRules

    return rule_file(settings, INGEST_RULES_FILE, IngestRules)


def merge_rules(settings: Settings, store: Store | None = None) -> MergeRules:
    """``rules/merges.yaml`` with the approved decisions of the merge review queue (read
    from ``store`` when the caller has it open)."""
    from riskengine.application.merge_decisions import with_decisions
    from riskengine.ingest.merge import MergeRules

    rules = rule_file(settings, MERGE_RULES_FILE, MergeRules)
    with nullcontext(store) if store is not None else open_store(settings) as opened:
        return with_decisions(opened, rules, settings.known_at)


def stored_overrides(settings: Settings, known_at: datetime | None = None,
                     store: Store | None = None) -> list[Override]:
    """Every stored override, or each as it stood at ``known_at`` (for a past run); read
    from ``store`` when the caller has it open."""
    from riskengine.overrides import known_at as as_known
    from riskengine.store.overrides import list_overrides

    if store is None:
        with open_store(settings) as opened:
            found = list_overrides(opened)
    else:
        found = list_overrides(store)
    return found if known_at is None else as_known(found, known_at)


def run_or_latest(store: Store, run_id: int | None, pruned_ok: bool = False) -> RunRecord:
    """The completed run ``run_id`` (latest when None); NotFoundError otherwise, saying so
    when the run was pruned (unless ``pruned_ok``: its header row is returned);
    AuditChainError when its header differs from its audit entry."""
    from riskengine.errors import NotFoundError
    from riskengine.store.audit_check import check_run
    from riskengine.store.prune import find_run
    from riskengine.store.runs import get_run

    run = get_run(store, run_id)
    if run is None and run_id is not None:
        run = find_run(store, run_id)
        if run is not None and not pruned_ok:
            raise NotFoundError(_pruned_message(run))
    if run is None:
        raise NotFoundError(f"no completed run {run_id}" if run_id is not None
                            else "no completed run yet (run `riskengine rescore`)")
    check_run(store, run)
    return run


def _pruned_message(run: RunRecord) -> str:
    return (f"run {run.id} was pruned (retention): its per-entity scores are deleted; "
            f"`riskengine runs show {run.id}` shows what is kept")


def screening_config(settings: Settings) -> ScreeningConfig:
    """rules/screening.yaml of the rules directory in use; defaults when it has none."""
    from riskengine.screening.config import ScreeningConfig

    return rule_file(settings, SCREENING_RULES_FILE, ScreeningConfig)
