"""The rules in use's book kept beside the compiled graph (``compiled/scores.py``) and the
proposed rules' tie exposure updated from it: a dry run that reads the kept book gives what
scoring both rule sets from scratch gives (the proposed ones on their own compiled graph),
entity by entity; a tampered kept table is discarded, and a kept table of another day or of
other overrides is never read."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from riskengine.application import base, service, whatif_books
from riskengine.compiled import scores
from riskengine.compiled.use import cache_root
from riskengine.runs.whatif import Book
from riskengine.settings import Settings
from riskengine.store.runs import run_states
from tests.cli.conftest import ok
from tests.cli.test_whatif import ADDED_TIES, PROPOSALS, _copy_rules
from tests.conftest import ROOT

AS_OF = "2026-11-01"
DAY = date.fromisoformat(AS_OF)


def _eu_25() -> dict[str, tuple[str, str]]:
    """Every period of the eu block at 25% (regimes.yaml lists eu before uk)."""
    text = (ROOT / "rules" / "regimes.yaml").read_text(encoding="utf-8")
    block = text[text.index("code: eu"):text.index("code: uk")]
    assert "threshold: 50" in block
    return {"regimes.yaml": (block, block.replace("threshold: 50", "threshold: 25"))}


EU_25 = _eu_25()
CASES = {"decay": PROPOSALS["decay"], "bands": PROPOSALS["bands"], "eu threshold": EU_25,
         "scenario tie": PROPOSALS["scenario tie"], "scenario tie added": {}}


def _setup(cli: Any) -> None:  # type: ignore[no-untyped-def]
    """The seed scenario, the FtM sample, a manual status and an accepted-risk cap."""
    ok(cli, "ingest", "ftm", str(ROOT / "fixtures" / "ftm" / "sample.ftm.json"))
    ok(cli, "override", "add", "kamaz", "--kind", "manual_status", "--regime", "us",
       "--status", "clear", "--reason", "licence", "--expires", "2099-01-01", "--actor", "ann",
       "--as-of", AS_OF)
    ok(cli, "override", "add", "jac", "--kind", "accepted_risk", "--cap", "40", "--reason",
       "reviewed", "--expires", "2099-01-01", "--actor", "ann", "--as-of", AS_OF)
    for k in ("1", "2"):
        ok(cli, "override", "approve", k, "--actor", "bob")


def _proposed(tmp_path: Path, case: str) -> Path:
    rules = _copy_rules(tmp_path, case.replace(" ", "-"), CASES[case])
    if case == "scenario tie added":
        (rules / "scenario" / "zz_new.yaml").write_text(ADDED_TIES, encoding="utf-8")
    return rules


def _dry(cli: Any, proposed: Path, as_of: str = AS_OF) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of", as_of,
               "--format", "json").json()
    return {k: v for k, v in found.items() if k != "audit_entry"}


def _states(book: Book) -> dict[str, Any]:
    return {s.entity_id: s for s in book.states(np.arange(len(book.ids), dtype=np.int64))}


def _scratch(settings: Settings, proposed: Path) -> tuple[Book, Book]:
    """Both books scored from scratch, the proposed one on its own compiled graph."""
    overrides = base.stored_overrides(settings)
    books = []
    for s in (settings, settings.model_copy(update={"rules_dir": proposed})):
        with service.compiled_graph(s) as (loaded, rules, _store):
            books.append(whatif_books.book(loaded, whatif_books.derived(loaded.data, rules, DAY),
                                      overrides))
    return books[0], books[1]


def _reused(settings: Settings, proposed: Path) -> tuple[Book, Book, str]:
    with base.open_store(settings) as store:
        return whatif_books.books(settings, settings.model_copy(update={"rules_dir": proposed}),
                             store, DAY)


def _kept(settings: Settings) -> list[Path]:
    return sorted(cache_root(settings).glob(f"*/{scores.FOLDER}/*/scores.arrow"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_kept_book_gives_what_scoring_from_scratch_gives(cli, tmp_path: Path, case: str  # type: ignore[no-untyped-def]
                                                           ) -> None:
    _setup(cli)
    settings = Settings.build(os.environ)
    proposed = _proposed(tmp_path, case)
    first = _dry(cli, proposed)  # scores the rules in use and keeps them
    assert len(_kept(settings)) == 1
    assert _dry(cli, proposed) == first  # reads the kept book
    before, after, _how = _reused(settings, proposed)
    old, new = _scratch(settings, proposed)
    assert _states(before) == _states(old)
    assert _states(after) == _states(new)
    for code, v in old.verdicts.items():
        assert np.array_equal(before.verdicts[code].blocked, v.blocked)
        assert np.array_equal(before.verdicts[code].possibly, v.possibly)


def test_a_tampered_kept_table_is_discarded(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _setup(cli)
    settings = Settings.build(os.environ)
    proposed = _proposed(tmp_path, "decay")
    first = _dry(cli, proposed)
    (path,) = _kept(settings)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        key = scores.score_key(loaded.key, loaded.rules, DAY, base.stored_overrides(settings))
        kept, why = scores.load(path.parent.parent.parent, key, loaded.data.ids)
    assert kept is None and why is not None and "sha256" in why
    assert not path.exists()  # discarded
    assert _dry(cli, proposed) == first  # scored again, the same
    assert _kept(settings) == [path]  # and kept again


def test_a_kept_table_of_another_day_or_other_overrides_is_not_read(cli, tmp_path: Path  # type: ignore[no-untyped-def]
                                                                    ) -> None:
    _setup(cli)
    settings = Settings.build(os.environ)
    proposed = _proposed(tmp_path, "decay")
    _dry(cli, proposed)
    _dry(cli, proposed, "2026-10-01")
    assert len(_kept(settings)) == 2  # one per day
    ok(cli, "override", "revoke", "1", "--actor", "bob", "--reason", "licence ended")
    found = _dry(cli, proposed)
    assert len(_kept(settings)) == 3  # the override revoked: another key
    before, after = _scratch(settings, proposed)
    reused_before, reused_after, _how = _reused(settings, proposed)
    assert _states(reused_before) == _states(before)
    assert _states(reused_after) == _states(after)
    assert found["entities"] == len(after.ids)
    assert json.dumps(found, sort_keys=True) == json.dumps(_dry(cli, proposed), sort_keys=True)


def test_a_rescore_keeps_the_book_the_days_dry_runs_read(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # rescore scores the book through whatif_books.current_book: it keeps what it scored,
    # so a dry run of that day scores the rules in use no more, and a second rescore of the
    # day reads the kept book: both runs store what scoring from scratch gives
    _setup(cli)
    settings = Settings.build(os.environ)
    ok(cli, "rescore", "--as-of", AS_OF)
    assert len(_kept(settings)) == 1
    scratch: list[int] = []
    real = whatif_books._scratch
    monkeypatch.setattr(whatif_books, "_scratch",
                        lambda *a: scratch.append(1) or real(*a))  # type: ignore[func-returns-value]
    proposed = _proposed(tmp_path, "bands")
    _dry(cli, proposed)
    ok(cli, "rescore", "--as-of", AS_OF)
    assert scratch == []  # neither scored the rules in use again
    old, _new = _scratch(settings, proposed)
    with base.open_store(settings) as store:
        first, second = run_states(store, 1), run_states(store, 2)
    assert first == second
    assert {i: (s.score, s.band) for i, s in first.items()} == {
        i: (s.score, s.band) for i, s in _states(old).items()}


def test_a_book_kept_under_other_rules_is_never_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A weights edit keeps the compiled graph (it holds facts only), so the books of both
    rule sets live beside one graph: each is found by its own rules."""
    _setup(cli)
    settings = Settings.build(os.environ)
    proposed = _proposed(tmp_path, "decay")
    _dry(cli, proposed)  # keeps the book of the rules in use
    applied = settings.model_copy(update={"rules_dir": proposed})
    with (service.compiled_graph(settings) as (now, _r, _s),
          service.compiled_graph(applied) as (then, _r2, _s2)):
        assert (now.key, then.built) == (then.key, None) and now.rules != then.rules
    before, _after, _how = _reused(applied, proposed)  # the proposed rules now in use
    old, new = _scratch(settings, proposed)
    assert _states(before) == _states(new) != _states(old)
    assert len(_kept(settings)) == 2
