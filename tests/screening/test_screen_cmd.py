"""`riskengine screen`, registered on a throwaway typer app exactly as the lead will register
it (``app.command("screen")(screen)``), run through the real error boundary of app.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer

from riskengine.cli.app import _options, _report
from riskengine.cli.screen_cmd import screen

AS_OF = "2026-11-01"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Cli = Callable[..., Run]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
        ) -> Cli:
    monkeypatch.setenv("RISKENGINE_DB", f"sqlite:///{tmp_path / 'riskengine.db'}")
    monkeypatch.delenv("RISKENGINE_RULES", raising=False)
    monkeypatch.delenv("RISKENGINE_DEBUG", raising=False)
    app = typer.Typer()
    app.callback()(_options)
    app.command("screen")(screen)

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = app(["screen", *args, "--as-of", AS_OF], standalone_mode=False)
        except Exception as exc:
            code = _report(exc)
        captured = capsys.readouterr()
        return Run(int(code or 0), captured.out, captured.err)

    return run


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "counterparties.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_name_json_shape(cli: Cli) -> None:
    run = cli("ПАО КАМАЗ", "--format", "json", "--country", "ru")
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["input"] == {"name": "ПАО КАМАЗ", "country": "ru"}
    best = result["matches"][0]
    assert set(best) == {"entity", "matched_name", "score", "match", "sources", "features",
                         "risk"}
    assert best["entity"]["id"] == "kamaz"
    assert best["match"] is True and best["score"] == 1.0
    assert all(set(s) == {"source", "record_id"} for s in best["sources"])
    assert best["risk"]["regimes"]["us"] == "listed"
    assert {"kind", "detail"} == set(best["features"][0])


def test_one_name_table(cli: Cli) -> None:
    run = cli("Jianghuai Automobile")
    assert run.code == 0, run.err
    assert "MATCH" in run.out
    assert "Anhui Jianghuai Automobile Group" in run.out


def test_file_json_is_one_object_per_row(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "id,name,country\nc1,KAMAZ PJSC,ru\nc2,Moskvitch,\n"
                           "c3,Acme Widgets Ltd,de\n")
    run = cli("--file", str(path), "--format", "json")
    assert run.code == 0, run.err
    rows = [json.loads(line) for line in run.out.splitlines()]  # NDJSON
    assert [r["input"]["id"] for r in rows] == ["c1", "c2", "c3"]
    assert rows[0]["matches"][0]["entity"]["id"] == "kamaz"
    assert rows[1]["matches"][0]["entity"]["id"] == "moskvich"
    assert rows[2]["matches"] == []


def test_file_csv(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "name,identifier\nKAMAZ,\nNobody In Particular,\n")
    run = cli("--file", str(path))
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith("line,input_id,input_name,rank,entity_id")
    assert any(",kamaz," in line and ",yes," in line for line in lines[1:])
    assert any(line.startswith("3,,Nobody In Particular,") for line in lines)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("id,title\n1,KAMAZ\n", "counterparties.csv:1:", "no 'name' column"),
        ("id,name\n1,KAMAZ\n2,JAC,extra\n", "counterparties.csv:3:", "expected 2 fields"),
        ("id,name\n1,\n", "counterparties.csv:2:", "empty name"),
        ('id,name\n1,"KAMAZ\n', "counterparties.csv:2:", "not a valid CSV"),
    ],
)
def test_bad_file_exits_2_naming_file_and_line(cli: Cli, tmp_path: Path, text: str,
                                               where: str, message: str) -> None:
    run = cli("--file", str(write(tmp_path, text)))
    assert run.code == 2
    assert where in run.err and message in run.err


@pytest.mark.parametrize("args", [(), ("KAMAZ", "--file", "x.csv")])
def test_name_xor_file(cli: Cli, args: tuple[str, ...]) -> None:
    run = cli(*args)
    assert run.code == 2
    assert "either a NAME or --file" in run.err


def test_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    run = cli("--file", str(tmp_path / "absent.csv"))
    assert run.code == 2
    assert "absent.csv" in run.err


def test_bad_screening_yaml_is_a_rule_error(cli: Cli, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "rules", rules)
    (rules / "screening.yaml").write_text("threshold: 0.8\nthreshhold: 2\n", encoding="utf-8")
    monkeypatch.setenv("RISKENGINE_RULES", str(rules))
    run = cli("KAMAZ")
    assert run.code == 2
    assert "screening.yaml:2" in run.err


MESSY = [("S-1", "ПАО КАМАЗ"), ("S-2", "Société Anonyme Nobody"), ("S-3", "Moskvitch")]


@pytest.mark.parametrize(
    ("codec", "delimiter", "args"),
    [
        ("utf-8", ",", ()),
        ("utf-8-sig", ";", ()),  # Excel's "CSV UTF-8" in a semicolon locale
        ("utf-16", "\t", ()),  # Excel's "Unicode text"
        ("cp1252", ";", ()),  # Excel's plain CSV on Windows (no Cyrillic in cp1252)
        ("cp1252", "|", ("--encoding", "windows-1252", "--delimiter", "|")),
        ("utf-16-le", "\t", ("--encoding", "utf-16-le", "--delimiter", "tab")),
    ],
)
def test_messy_files(cli: Cli, tmp_path: Path, codec: str, delimiter: str,
                     args: tuple[str, ...]) -> None:
    rows = [(i, n) for i, n in MESSY if codec != "cp1252" or n.isascii() or "é" in n]
    text = "\r\n".join(delimiter.join(r) for r in [("ID", "Name"), *rows]) + "\r\n"
    path = tmp_path / "counterparties.csv"
    path.write_bytes(text.encode(codec))
    run = cli("--file", str(path), "--format", "json", *args)
    assert run.code == 0, run.err
    got = {r["input"]["id"]: r for r in map(json.loads, run.out.splitlines())}
    assert [got[i]["input"]["name"] for i, _ in rows] == [n for _, n in rows]
    tops = {i: (r["matches"][0]["entity"]["id"] if r["matches"] else None)
            for i, r in got.items()}
    expected = {"S-1": "kamaz", "S-2": None, "S-3": "moskvich"}
    assert tops == {i: expected[i] for i, _ in rows}


def test_undecodable_file_names_line_and_byte(cli: Cli, tmp_path: Path) -> None:
    data = "id,name\n1,KAMAZ\n2,Société\n".encode("cp1252")
    path = tmp_path / "counterparties.csv"
    path.write_bytes(data)
    run = cli("--file", str(path), "--encoding", "utf-8")
    assert run.code == 2 and run.out == ""
    assert f"counterparties.csv:3: cannot decode as utf-8-sig at byte {data.index(0xE9)}" \
        in run.err


def test_bad_row_late_in_a_file_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    rows = "".join(f"r{i},KAMAZ {i}\n" for i in range(60))
    path = write(tmp_path, f"id,name\n{rows}r60,KAMAZ,extra\n")
    run = cli("--file", str(path))
    assert run.code == 2 and run.out == ""  # checked in full before any row is written
    assert "counterparties.csv:62: expected 2 fields, got 3" in run.err


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_file_formats_have_every_row(cli: Cli, tmp_path: Path, fmt: str) -> None:
    names = ["KAMAZ", "Nobody In Particular", "Moskvich", "Rostec"] * 20
    path = write(tmp_path, "name\n" + "".join(f"{n}\n" for n in names))
    run = cli("--file", str(path), "--format", fmt)
    assert run.code == 0, run.err
    if fmt == "json":
        lines = [json.loads(line)["input"]["line"] for line in run.out.splitlines()]
    elif fmt == "csv":
        lines = sorted({int(r.split(",")[0]) for r in run.out.splitlines()[1:]})
    else:
        lines = [i + 2 for i, r in enumerate(
            r for r in run.out.splitlines() if not r.startswith(" "))]
        assert [r.split(":")[0] for r in run.out.splitlines()
                if not r.startswith(" ")] == names
    assert lines == list(range(2, len(names) + 2))
