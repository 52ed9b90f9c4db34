"""Compiled graphs on disk: reused while data and rules are unchanged, rebuilt after an
ingest or an edit of the rule files' scenario or merges, and a tampered folder is detected
and rebuilt."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from riskengine.application import ingest as app_ingest
from riskengine.application import service
from riskengine.compiled import files
from riskengine.compiled.use import cache_root
from riskengine.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _open(settings: Settings) -> tuple[str, str | None]:
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        return loaded.key, loaded.built


def test_reused_while_nothing_changes(settings: Settings) -> None:
    key, built = _open(settings)
    assert built is not None
    assert _open(settings) == (key, None)


def test_an_ingest_makes_a_new_graph(settings: Settings) -> None:
    before, _ = _open(settings)
    app_ingest.ingest_list(settings, "ca", ROOT / "fixtures" / "ca" / "sema-lmes.excerpt.xml",
                        date(2024, 1, 1), actor="test")
    after, built = _open(settings)
    assert after != before and built is not None
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        assert any(m.startswith("ca:") for m in loaded.compiled["members"]
                   .column("member").to_pylist())


def _edited_rules(settings: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    rules = shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return settings.model_copy(update={"rules_dir": rules}), rules


SCENARIO_ENTITY = """
  - id: test-added
    kind: company
    name: Added Test Trading LLC
    source: {source: public-reporting, note: a test entity}
"""


def _variant(rules: Path, i: int) -> None:
    """Another scenario, so another graph: one more entity in the scenario files."""
    (rules / "scenario" / "extra.yaml").write_text(
        "entities:" + SCENARIO_ENTITY.replace("test-added", f"test-{i}"), encoding="utf-8")


def test_a_scenario_edit_makes_a_new_graph(settings: Settings, tmp_path: Path) -> None:
    edited, rules = _edited_rules(settings, tmp_path)
    before, _ = _open(edited)
    _variant(rules, 0)
    after, built = _open(edited)
    assert after != before and built is not None
    with service.compiled_graph(edited) as (loaded, _rules, _store):
        assert "test-0" in loaded.facts.ids


@pytest.mark.parametrize(("name", "edit"), [
    ("scoring.yaml", ("decay: 0.5 ", "decay: 0.25 ")),
    ("regimes.yaml", None), ("alerts.yaml", None), ("screening.yaml", None),
])
def test_an_edit_of_other_rules_keeps_the_graph(settings: Settings, tmp_path: Path,
                                                name: str, edit: tuple[str, str] | None
                                                ) -> None:
    """The graph holds facts only: weights, regime parameters, alerts and screening rules
    are applied to it, so their edits reuse it (a book of scores is kept by every rule file:
    test_an_edited_weight_scores_anew)."""
    edited, rules = _edited_rules(settings, tmp_path)
    before, _ = _open(edited)
    path = rules / name
    text = path.read_text(encoding="utf-8")
    assert edit is None or edit[0] in text
    path.write_text(text.replace(*edit) if edit else text + "\n# an edit\n", encoding="utf-8")
    assert _open(edited) == (before, None)


def test_an_edited_weight_scores_anew(settings: Settings, tmp_path: Path) -> None:
    from riskengine.application import scoring

    edited, rules = _edited_rules(settings, tmp_path)
    day = date(2026, 11, 1)
    first = scoring.score(edited, "JAC Motors", day, None, "test")
    path = rules / "scoring.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("decay: 0.5 ", "decay: 0.25 "),
                    encoding="utf-8")
    again = scoring.score(edited, "JAC Motors", day, None, "test")
    fresh = scoring.score(edited.model_copy(update={"cache_dir": tmp_path / "fresh"}),
                          "JAC Motors", day, None, "test")
    assert again.score == fresh.score != first.score


def test_the_seed_switch_makes_another_graph(settings: Settings) -> None:
    with_seed, _ = _open(settings)
    without, _ = _open(settings.model_copy(update={"seed": False}))
    assert without != with_seed


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "delete a file",
                                    "edit the manifest"])
def test_a_tampered_graph_is_detected_and_rebuilt(settings: Settings, damage: str) -> None:
    key, _ = _open(settings)
    folder = cache_root(settings) / key
    target = folder / "ownership.arrow"
    if damage == "flip a byte":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "delete a file":
        target.unlink()
    else:
        (folder / files.MANIFEST).write_text("{not json")
    with pytest.raises(files.Corrupt):
        files.load(cache_root(settings), key)
    again, built = _open(settings)
    assert again == key and built is not None and "rebuilt" in built
    assert _open(settings) == (key, None)


def test_only_the_newest_graphs_are_kept(settings: Settings, tmp_path: Path) -> None:
    edited, rules = _edited_rules(settings, tmp_path)
    for i in range(files.KEEP + 2):
        _variant(rules, i)
        _open(edited)
    kept = [p for p in cache_root(settings).iterdir() if not p.name.startswith(".")]
    assert len(kept) == files.KEEP


def test_the_graph_in_use_outlives_newer_one_off_graphs(settings: Settings,
                                                        tmp_path: Path) -> None:
    # The graph read last is kept, not the one written last: a series of one-off graphs
    # (dry runs of proposed rules) does not push out the graph of the rules in use.
    in_use, _built = _open(settings)
    edited, rules = _edited_rules(settings, tmp_path)
    for i in range(files.KEEP + 2):
        _variant(rules, i)
        _open(edited)
        assert _open(settings) == (in_use, None)  # read, never rebuilt
    kept = [p for p in cache_root(settings).iterdir() if not p.name.startswith(".")]
    assert len(kept) == files.KEEP and in_use in {p.name for p in kept}


def test_a_cache_folder_that_cannot_be_written_costs_only_time(settings: Settings,
                                                                tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    unwritable = settings.model_copy(update={"cache_dir": blocked})
    key, built = _open(unwritable)
    assert built is not None and "not kept" in built
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        assert loaded.key == key


@pytest.mark.parametrize("values", [
    pa.array([3, 1, 2], pa.int32()), pa.array([1.5, -2.0], pa.float64()),
    pa.array([True, False, True, True, False, False, False, False, True], pa.bool_()),
    pa.array(["own", "ctl", "own", "rel"], pa.string()), pa.array([], pa.int64()),
    pa.array([5, 6, 7, 8, 9], pa.int64()).slice(2), pa.array([True, False, True]).slice(1),
])
def test_columns_read_from_buffers_equal_pyarrow_conversion(values: pa.Array) -> None:
    from riskengine.compiled.arrays import column

    got = column(pa.table({"c": values}), "c")
    assert got.tolist() == values.to_pylist()


def test_a_text_scalar_from_bytes_equals_the_converted_one() -> None:
    from riskengine.compiled.arrays import text_scalar

    for text in ("", "КАМАЗ", "安徽江淮汽车", "jac motors"):
        assert text_scalar(text) == pa.scalar(text, pa.string())


def test_a_score_from_a_compiled_graph_imports_no_pandas(settings: Settings) -> None:
    """pandas alone costs a cold score 0.2 s; the compiled path reads Arrow without it."""
    import subprocess
    import sys

    _open(settings)
    code = ("import sys\nfrom riskengine.cli.app import main\n"
            f"sys.argv = ['riskengine', '--db', {settings.db_url!r}, 'score', 'kamaz']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "print('PANDAS=' + str('pandas' in sys.modules))\n")
    env = {"RISKENGINE_CACHE": str(settings.cache_dir), "PATH": "/usr/bin:/bin",
           "HOME": str(settings.cache_dir)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout
    assert out.strip().endswith("PANDAS=False")
