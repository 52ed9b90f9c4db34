"""`rules diff`, `rescore --dry-run --rules DIR` and `score QUERY --with FILE` through the
real entry point, on the bundled seed scenario (a fresh SQLite file per test).

References: a dry run reports exactly what `changes` reports after two stored rescores, one
under the rules in use and one under the proposed rules; a what-if score equals the score
under a rules directory whose scenario holds the same facts (the graph compiled from them)."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.cli.conftest import ok
from tests.conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
AS_OF = "2026-11-01"


def _copy_rules(tmp_path: Path, name: str, edits: dict[str, tuple[str, str]]) -> Path:
    """The bundled rules copied to ``tmp_path/name``, each ``file: (old, new)`` replaced
    once (the old text must be there)."""
    target = tmp_path / name
    shutil.copytree(ROOT / "rules", target)
    for rel, (old, new) in edits.items():
        text = (target / rel).read_text(encoding="utf-8")
        assert old in text, (rel, old)
        (target / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


REGIMES = """\
regimes:
  - code: us
    name: United States
    periods:
      - ownership_test: aggregate
        threshold: {us}
        inclusive: {inclusive}
        control_kinds: [{kinds}]
        note: OFAC 50 Percent Rule
  - code: eu
    name: European Union
    periods:
      - to: 2024-07-03
        threshold: 50
        inclusive: false
        note: before
      - from: 2024-07-03
        threshold: {eu}
        inclusive: true
        note: after
"""
SCENARIO = """\
entities:
  - {{id: a, name: Alpha}}
  - {{id: b, name: Beta}}
  - {{id: c, name: Gamma}}
ownerships:
  - {{id: a-b, owner: a, asset: b, share: {share}, source: {{note: register}}}}
{extra}"""


def _small_rules(tmp_path: Path, name: str, **values: object) -> Path:
    """A small rules directory: the bundled scoring.yaml (decay set), regimes and a scenario."""
    v = {"us": 50, "inclusive": "true", "kinds": "", "eu": 50, "share": 30, "extra": "",
         "decay": 0.5, **values}
    target = tmp_path / name
    (target / "scenario").mkdir(parents=True)
    scoring = (ROOT / "rules" / "scoring.yaml").read_text(encoding="utf-8")
    (target / "scoring.yaml").write_text(re.sub(r"(?m)^decay: [0-9.]+", f"decay: {v['decay']}",
                                                scoring), encoding="utf-8")
    (target / "regimes.yaml").write_text(REGIMES.format(**v), encoding="utf-8")
    (target / "scenario" / "s.yaml").write_text(SCENARIO.format(**v), encoding="utf-8")
    return target


RELATION = """\
relationships:
  - {id: c-a, a: c, b: a, kind: financing, source: {note: loan}}
"""


def test_rules_diff_in_plain_words(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = _small_rules(tmp_path, "old")
    new = _small_rules(tmp_path, "new", us=25, inclusive="false", kinds="nominee, trust",
                       eu=40, share=60, extra=RELATION, decay=0.6)
    out = ok(cli, "rules", "diff", str(new), "--against", str(old)).out
    assert out == (GOLDEN / "rules_diff.txt").read_text(encoding="utf-8")


def test_rules_diff_of_the_same_rules_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    assert ok(cli, "rules", "diff", str(ROOT / "rules")).out == "no differences\n"


def test_rules_diff_of_invalid_rules_names_the_place(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = _copy_rules(tmp_path, "bad", {"scoring.yaml": ("decay: 0.5", "decay: 1.5")})
    run = cli("rules", "diff", str(bad))
    assert run.code == 2
    assert re.search(r"bad/scoring\.yaml:\d+:\d+: ", run.err), run.err


PROPOSALS = {
    "decay": {"scoring.yaml": ("decay: 0.5", "decay: 0.8")},
    "us weight": {"scoring.yaml": ("  us: 0.5", "  us: 0.9")},
    "bands": {"scoring.yaml": ("{name: severe, min_score: 60}", "{name: severe, min_score: 90}")},
    "supply weight": {"scoring.yaml": ("    weight: 0.4\n    regimes: {us: 0.5}",
                                       "    weight: 0.9\n    regimes: {us: 1.0}")},
    "scenario tie": {"scenario/europe.yaml": ("    b: jac\n    kind: joint_venture",
                                              "    b: kamaz\n    kind: joint_venture")},
    "scenario tie added": {},  # zz_new.yaml: ADDED_TIES, appended to the graph in use
}
ADDED_TIES = """\
relationships:
  - {a: volkswagen, b: kamaz, kind: financing, from: 2025-01-01, source: {note: loan}}
ownerships:
  - {owner: kamaz, asset: renault, share: 60, from: 2025-01-01, source: {note: stake}}
"""
SCENARIO_EDITS = {
    "scenario designation added": """\
designations:
  - {entity: jac, regime: eu, measure: asset_freeze, from: 2025-01-01, source: {note: listing}}
""",
}
PROPOSALS.update({
    "scenario designation edited": {"scenario/moskvich.yaml": ("    from: 2023-09-14\n",
                                                               "    from: 2027-01-01\n")},
    "scenario tie moved": {"scenario/china.yaml": ("  - id: jac-kamaz-supply\n    a: jac\n",
                                                     "  - id: jac-kamaz-supply\n    a: faw\n")},
    "scenario designation added": {},
    "scenario entity edited": {"scenario/china.yaml": ("  - id: jac\n    kind: company",
                                                       "  - id: jac\n    kind: "
                                                       "financial_institution")},
})
GRAPHS = {"scenario tie": "shared+edits", "scenario tie added": "shared+ties",
          "scenario designation edited": "shared+edits", "scenario tie moved": "shared+edits",
          "scenario designation added": "shared+edits", "scenario entity edited": "own"}


@pytest.mark.parametrize("proposal", sorted(PROPOSALS))
def test_dry_run_reports_what_two_stored_runs_would_show(cli, tmp_path: Path, proposal: str  # type: ignore[no-untyped-def]
                                                         ) -> None:
    proposed = _copy_rules(tmp_path, "proposed", PROPOSALS[proposal])
    if proposal == "scenario tie added":
        (proposed / "scenario" / "zz_new.yaml").write_text(ADDED_TIES, encoding="utf-8")
    if proposal in SCENARIO_EDITS:
        (proposed / "scenario" / "zz_new.yaml").write_text(SCENARIO_EDITS[proposal],
                                                           encoding="utf-8")
    found = ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of", AS_OF,
               "--format", "json").json()
    assert ok(cli, "runs", "list").out.strip() == "no runs yet"  # nothing stored
    ok(cli, "rescore", "--as-of", AS_OF, "--quiet")
    ok(cli, "--rules", str(proposed), "rescore", "--as-of", AS_OF, "--quiet")
    stored = ok(cli, "changes", "--format", "json").json()["changes"]
    assert found["changes"] == stored
    assert found["changes"], "each proposal changes something"
    assert found["graph"] == GRAPHS.get(proposal, "shared")
    kinds = [c["kind"] for c in stored]
    assert {k: n for k, n in found["counts"].items() if ":" not in k} == \
        {k: kinds.count(k) for k in set(kinds)}


def test_dry_run_table_and_csv(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proposed = _copy_rules(tmp_path, "proposed", PROPOSALS["decay"])
    table = ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of", AS_OF,
               "--top", "3").out
    masked = re.sub(r"\b[0-9a-f]{12}\b", "HASH", table.replace(str(proposed), "PROPOSED"))
    masked = re.sub(r"audit entry \d+", "audit entry N", masked)
    assert masked == (GOLDEN / "dry_run_decay.txt").read_text(encoding="utf-8")
    csv = ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of", AS_OF,
             "--format", "csv").out.splitlines()
    assert csv[0] == "entity_id,name,kind,regime,before,after"
    assert len(csv) - 1 == int(re.search(r"; (\d+) changes", table).group(1))  # type: ignore[union-attr]


def test_dry_run_writes_one_audit_entry_naming_the_proposed_rules(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proposed = _copy_rules(tmp_path, "proposed", PROPOSALS["decay"])
    found = ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of", AS_OF,
               "--format", "json").json()
    entries = ok(cli, "audit", "show", "--format", "json").json()
    mine = [e for e in entries if e["action"] == "rescore.dry_run"]
    assert len(mine) == 1 and mine[0]["id"] == found["audit_entry"]
    assert mine[0]["hashes"]["proposed_rule_files"] == found["proposed_rule_files_hash"]
    assert mine[0]["hashes"]["proposed_rules"] == found["proposed_rules_hash"]
    ok(cli, "audit", "verify")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["rescore", "--dry-run"], 2, "--dry-run: needs --rules DIR"),
    (["rescore", "--rules", "RULES"], 2, "--rules: on rescore only with --dry-run"),
    (["rescore", "--dry-run", "--rules", "MISSING"], 2, "rules directory not found"),
])
def test_dry_run_refuses_bad_options(cli, tmp_path: Path, args: list[str], code: int,  # type: ignore[no-untyped-def]
                                     message: str) -> None:
    names = {"RULES": str(ROOT / "rules"), "MISSING": str(tmp_path / "missing")}
    run = cli(*[names.get(a, a) for a in args])
    assert (run.code, run.out) == (code, "")
    assert message in run.err


def test_fail_on_changes_exits_5_only_when_something_would_change(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proposed = _copy_rules(tmp_path, "proposed", PROPOSALS["decay"])
    same = cli("rescore", "--dry-run", "--rules", str(ROOT / "rules"), "--as-of", AS_OF,
               "--fail-on-changes")
    assert same.code == 0 and "; 0 changes" in same.out
    moved = cli("rescore", "--dry-run", "--rules", str(proposed), "--as-of", AS_OF,
                "--fail-on-changes")
    assert moved.code == 5


DEAL = """\
entities:
  - id: acme
    name: Acme Parts GmbH
    country: de
relationships:
  - a: acme
    b: kamaz
    kind: component_supply
    status: prospective
    from: 2026-01-01
    source: {note: supply contract under negotiation}
  - a: volkswagen
    b: moskvich
    kind: contract_assembly
    from: 2026-02-01
    source: {note: assembly contract proposed}
ownerships:
  - owner: volkswagen
    asset: acme
    share: 30
    from: 2026-01-01
    source: {note: we take 30% of Acme}
"""


def _deal(tmp_path: Path) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(DEAL, encoding="utf-8")
    return path


def _parts(result: dict) -> dict[str, float]:  # type: ignore[type-arg]
    found: dict[str, float] = {}
    for c in result["contributions"]:
        key = f"{c['factor']}:{c['regime']}" if c.get("regime") else c["factor"]
        found[key] = round(found.get(key, 0.0) + c["points"], 2)
    return found


@pytest.mark.parametrize("query", ["acme", "volkswagen", "jac", "moskvich"])
def test_what_if_equals_the_facts_written_into_the_rules(cli, tmp_path: Path, query: str  # type: ignore[no-untyped-def]
                                                         ) -> None:
    found = ok(cli, "score", query, "--with", str(_deal(tmp_path)), "--as-of", AS_OF,
               "--format", "json").json()
    rules = _copy_rules(tmp_path, "with", {})
    (rules / "scenario" / "zz_deal.yaml").write_text(DEAL, encoding="utf-8")
    reference = ok(cli, "--rules", str(rules), "score", query, "--as-of", AS_OF,
                   "--format", "json").json()
    mine = found["with"]
    assert (mine["score"], mine["band"]) == (reference["score"], reference["band"])
    assert _parts(mine) == _parts(reference)
    assert {k: v["status"] for k, v in mine["regimes"].items()} == \
        {k: v["status"] for k, v in reference["regimes"].items()}
    plain = None if query == "acme" else ok(cli, "score", query, "--as-of", AS_OF,
                                            "--format", "json").json()
    assert found["without"] == (None if plain is None else
                                {**plain, "match": found["without"]["match"]})
    before = plain["score"] if plain else 0.0
    assert found["difference"]["score"]["delta"] == round(mine["score"] - before, 2)


def test_what_if_table_shows_both_and_the_difference(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ok(cli, "score", "Acme Parts GmbH", "--with", str(_deal(tmp_path)), "--as-of",
             AS_OF).out
    assert "Without deal.yaml: not in the data" in out
    assert "With deal.yaml (hypothetical facts):" in out
    assert re.search(r"Difference: score - -> [\d.]+ \(\+[\d.]+\), band - -> \w+", out)
    assert "source: what-if; supply contract under negotiation" in out


def test_what_if_is_audited_and_stores_nothing_else(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    found = ok(cli, "score", "jac", "--with", str(_deal(tmp_path)), "--as-of", AS_OF,
               "--format", "json").json()
    entries = ok(cli, "audit", "show", "--format", "json").json()
    mine = [e for e in entries if e["action"] == "score.whatif"]
    assert len(mine) == 1
    assert mine[0]["hashes"]["whatif_file"] == found["file_hash"]
    assert mine[0]["details"]["score"] == found["with"]["score"]
    assert ok(cli, "runs", "list").out.strip() == "no runs yet"
    assert cli("score", "acme").code == 3  # the what-if party was not stored


BAD = [
    ("relationships:\n  - {a: jac, b: kamazz, kind: financing, source: {note: x}}\n",
     r"deal\.yaml:2:\d+: unknown entity 'kamazz'"),
    ("entities:\n  - {id: kamaz, name: Again}\n",
     r"deal\.yaml:2:\d+: entity 'kamaz' is already in the data"),
    ("relationships:\n  - {a: jac, b: kamaz, kind: finance, source: {note: x}}\n",
     r"deal\.yaml:2:\d+: "),
    ("relationships: [\n", r"deal\.yaml:\d+:\d+: "),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_what_if_file_problems_name_path_line_and_column(cli, tmp_path: Path, text: str,  # type: ignore[no-untyped-def]
                                                         message: str) -> None:
    (tmp_path / "deal.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    run = cli("score", "jac", "--with", str(tmp_path / "deal.yaml"))
    assert (run.code, run.out) == (2, "")
    assert re.search(message, run.err), run.err
    assert "Traceback" not in run.err


def test_what_if_does_not_combine_with_run(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", "jac", "--with", str(_deal(tmp_path)), "--run", "1")
    assert run.code == 2 and "--with: not with --run" in run.err


def test_dry_run_json_is_valid_for_tools(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proposed = _copy_rules(tmp_path, "proposed", PROPOSALS["us weight"])
    found = json.loads(ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of",
                          AS_OF, "--format", "json", "--top", "2").out)
    assert set(found) >= {"as_of", "entities", "counts", "top_movers", "changes", "graph"}
    assert found["graph"] == "shared"  # same scenario and merges: one graph scored twice
    assert len(found["top_movers"]) == 2
    assert abs(found["top_movers"][0]["delta"]) >= abs(found["top_movers"][1]["delta"])


def test_rules_check_warns_at_the_value_and_still_passes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = _copy_rules(tmp_path, "r", {"scoring.yaml": ("decay: 0.5", "decay: 1.0")})
    line = next(k for k, text in enumerate(
        (rules / "scoring.yaml").read_text(encoding="utf-8").splitlines(), start=1)
        if text.startswith("decay: 1.0"))
    run = cli("rules", "check", str(rules))
    assert run.code == 0
    assert run.out == f"{rules}: rules OK (1 warning)\n"
    assert run.err.startswith(f"{rules / 'scoring.yaml'}:{line}:8: warning: decay 1: ")


def _every_row(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the SQLite file at ``path`` with all its rows, in rowid order."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall()
                for n in names}


@pytest.mark.parametrize("proposal", ["decay", "scenario tie", "scenario tie added"])
def test_dry_run_leaves_every_table_unchanged_but_one_audit_row(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 proposal: str) -> None:
    proposed = _copy_rules(tmp_path, "proposed", PROPOSALS[proposal])
    if proposal == "scenario tie added":
        (proposed / "scenario" / "zz_new.yaml").write_text(ADDED_TIES, encoding="utf-8")
    ok(cli, "ingest", "ftm", str(ROOT / "fixtures" / "ftm" / "sample.ftm.json"))
    ok(cli, "override", "add", "jac", "--kind", "accepted_risk", "--cap", "40", "--reason",
       "reviewed", "--expires", "2099-01-01", "--actor", "alice")
    ok(cli, "override", "approve", "1", "--actor", "bob")
    ok(cli, "rescore", "--as-of", AS_OF, "--quiet")
    before = _every_row(tmp_path / "riskengine.db")
    assert before["entities"] and before["run_scores"] and before["overrides"]
    found = ok(cli, "rescore", "--dry-run", "--rules", str(proposed), "--as-of", AS_OF,
               "--format", "json").json()
    assert found["changes"]
    after = _every_row(tmp_path / "riskengine.db")
    assert {n: rows for n, rows in after.items() if n != "audit_log"} == \
        {n: rows for n, rows in before.items() if n != "audit_log"}
    old, new = before["audit_log"], after["audit_log"]
    assert new[:len(old)] == old and len(new) == len(old) + 1
    assert found["proposed_rules_hash"] in str(new[-1])


MOTIVATING = """\
entities:
  - {id: we, name: Our Holding AG, country: de}
relationships:
  - {a: jac, b: moskvich, kind: component_supply, status: active, from: 2026-01-01,
     source: {note: JAC signs a component supply contract with Moskvich}}
ownerships:
  - {owner: we, asset: jac, share: 30, from: 2026-01-01, source: {note: we take 30% of JAC}}
"""


def _without_jac_moskvich(tmp_path: Path, name: str) -> Path:
    """The bundled rules without the seed's JAC-Moskvich supply tie (so signing it is new)."""
    rules = _copy_rules(tmp_path, name, {})
    china = rules / "scenario" / "china.yaml"
    text = china.read_text(encoding="utf-8")
    start = text.index("  - id: jac-moskvich-supply\n")
    end = text.index("\n  - id: ", start + 1) + 1
    china.write_text(text[:start] + text[end:], encoding="utf-8")
    return rules


@pytest.mark.parametrize("query", ["jac", "we", "Our Holding AG"])
def test_jac_signs_with_moskvich_and_we_take_30_percent(cli, tmp_path: Path, query: str  # type: ignore[no-untyped-def]
                                                        ) -> None:
    """The motivating case: scored with the file as it would be with the facts in the
    rules' scenario (the reference), and without them as the data stands."""
    current = _without_jac_moskvich(tmp_path, "current")
    deal = tmp_path / "deal.yaml"
    deal.write_text(MOTIVATING, encoding="utf-8")
    found = ok(cli, "--rules", str(current), "score", query, "--with", str(deal), "--as-of",
               AS_OF, "--format", "json").json()
    reference_rules = _without_jac_moskvich(tmp_path, "reference")
    (reference_rules / "scenario" / "zz_deal.yaml").write_text(MOTIVATING, encoding="utf-8")
    reference = ok(cli, "--rules", str(reference_rules), "score", query, "--as-of", AS_OF,
                   "--format", "json").json()
    mine = found["with"]
    assert (mine["score"], mine["band"], _parts(mine)) == \
        (reference["score"], reference["band"], _parts(reference))
    paths = [[p["id"] for p in c["path"]] for c in found["difference"]["new_contributions"]]
    assert any("moskvich" in path for path in paths), paths
    if query == "jac":
        plain = ok(cli, "--rules", str(current), "score", "jac", "--as-of", AS_OF,
                   "--format", "json").json()
        assert found["without"]["score"] == plain["score"] < mine["score"]
        assert found["difference"]["score"]["delta"] == round(mine["score"] - plain["score"], 2)
    else:
        assert found["without"] is None and mine["entity"]["id"] == "we"
        assert found["difference"]["score"]["delta"] == mine["score"] > 0


SUSPICIOUS = {
    "regimes.yaml": [("threshold: 50", "threshold: 25")],
    "scoring.yaml": [("  us: 0.5", "  us: 1.0"), ("blocked_score: 100.0", "blocked_score: 90.0"),
                     ("  active: 1.0", "  active: 0.9"), ("  ended: 0.3 ", "  ended: 1.0 "),
                     ("decay: 0.5", "decay: 1.0"),
                     ("{name: severe, min_score: 60}", "{name: severe, min_score: 97}")],
}


def test_rules_check_warnings_golden(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                     ) -> None:
    """Every kind of warning at once, as `rules check` prints them (stderr, then the verdict
    on stdout, exit 0): tests/cli/golden/rules_check_warnings.txt."""
    target = tmp_path / "suspicious"
    shutil.copytree(ROOT / "rules", target)
    for rel, edits in SUSPICIOUS.items():
        text = (target / rel).read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, old
            text = text.replace(old, new, 1)
        (target / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = cli("rules", "check", "suspicious")
    assert run.code == 0
    assert run.err + run.out == (GOLDEN / "rules_check_warnings.txt").read_text(encoding="utf-8")
