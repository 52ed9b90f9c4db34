"""Compiled graphs on disk: reused while data and rules are unchanged, rebuilt after an
ingest or a rule edit, and a tampered folder is detected and rebuilt."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

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


def test_a_rule_edit_makes_a_new_graph(settings: Settings, tmp_path: Path) -> None:
    rules = shutil.copytree(ROOT / "rules", tmp_path / "rules")
    edited = settings.model_copy(update={"rules_dir": rules})
    before, _ = _open(edited)
    path = rules / "scoring.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    after, built = _open(edited)
    assert after != before and built is not None


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
    rules = shutil.copytree(ROOT / "rules", tmp_path / "rules")
    edited = settings.model_copy(update={"rules_dir": rules})
    for i in range(files.KEEP + 2):
        (rules / "extra.yaml").write_text(f"# variant {i}\n", encoding="utf-8")
        _open(edited)
    kept = [p for p in cache_root(settings).iterdir() if not p.name.startswith(".")]
    assert len(kept) == files.KEEP


def test_a_cache_folder_that_cannot_be_written_costs_only_time(settings: Settings,
                                                                tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    unwritable = settings.model_copy(update={"cache_dir": blocked})
    key, built = _open(unwritable)
    assert built is not None and "not kept" in built
    with service.compiled_graph(settings) as (loaded, _rules, _store):
        assert loaded.key == key
