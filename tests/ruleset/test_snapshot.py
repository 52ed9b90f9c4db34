"""Rules snapshots: every rule file, canonical encoding, safe restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.ruleset.loader import load_rules
from riskengine.ruleset.snapshot import decode, encode, read_rule_files, write_rule_files
from tests.conftest import ROOT


def test_a_restored_snapshot_loads_the_same_rules(tmp_path: Path) -> None:
    files = read_rule_files(ROOT / "rules")
    assert {"regimes.yaml", "scoring.yaml", "merges.yaml", "screening.yaml"} <= set(files)
    assert any(name.startswith("scenario/") for name in files)
    assert not any(name.endswith(".md") for name in files)
    restored = write_rule_files(decode(encode(files)), tmp_path / "copy")
    assert read_rule_files(restored) == files
    assert load_rules(restored).content_hash == load_rules(ROOT / "rules").content_hash


def test_encoding_is_canonical() -> None:
    assert encode({"b.yaml": "x", "a.yaml": "é"}) == encode({"a.yaml": "é", "b.yaml": "x"})


@pytest.mark.parametrize("name", ["../evil.yaml", "/etc/evil.yaml", "scenario/../../x.yaml"])
def test_paths_cannot_escape(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="escapes"):
        write_rule_files({name: "x"}, tmp_path / "copy")


@pytest.mark.parametrize("content", [b"[]", b'{"a.yaml": 1}'])
def test_decode_refuses_other_shapes(content: bytes) -> None:
    with pytest.raises(ValueError, match="JSON object of file texts"):
        decode(content)
