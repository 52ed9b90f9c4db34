"""The service over HTTP, on a real server process: authentication, the role matrix, four
eyes on authenticated names, the CLI's JSON contract, problem bodies and limits."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import LIMITS, Server

PROBLEM = "application/problem+json"
SCORE = "/v1/score?q=kamaz&as_of=2024-01-01"
PROTECTED = [("GET", SCORE), ("POST", "/v1/screen"), ("POST", "/v1/screen/batch"),
             ("GET", "/v1/entities/kamaz"), ("GET", "/v1/entities/kamaz/history"),
             ("GET", "/v1/runs"), ("GET", "/v1/runs/1"), ("GET", "/v1/changes"),
             ("GET", "/v1/ingests"), ("GET", "/v1/audit"), ("GET", "/v1/audit/verify"),
             ("GET", "/v1/overrides"), ("POST", "/v1/overrides"),
             ("POST", "/v1/overrides/1/approve"), ("POST", "/v1/overrides/1/revoke"),
             ("GET", "/v1/users"), ("POST", "/v1/users"), ("POST", "/v1/tokens/x/revoke")]


def test_health_and_readiness_need_no_token(server: Server) -> None:
    assert server.call("GET", "/health").json() == {"status": "ok", "loaded": True}
    ready = server.call("GET", "/ready").json()
    assert ready["ready"] and set(ready["hashes"]) == {"data", "rules", "graph", "overrides"}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("token", [None, "rk_00000000_" + "x" * 43, "garbage"])
def test_every_other_endpoint_needs_a_valid_token(server: Server, method: str, path: str,
                                                  token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    got = server.call(method, path, headers=headers)
    assert got.status == 401 and got.headers["content-type"] == PROBLEM
    assert got.headers["www-authenticate"] == "Bearer"
    assert "Traceback" not in got.body.decode()


# (user, method, path, body) -> allowed? Roles per the issue: viewer reads, scores and
# screens; analyst also proposes; approver also approves; admin also manages users.
MATRIX = [
    ("vera", "GET", SCORE, None, True), ("vera", "POST", "/v1/screen", {"name": "KAMAZ"}, True),
    ("vera", "GET", "/v1/overrides", None, True), ("vera", "GET", "/v1/audit", None, True),
    ("vera", "POST", "/v1/overrides", "draft", False), ("anna", "POST", "/v1/overrides",
                                                         "draft", True),
    ("anna", "POST", "/v1/overrides/999/approve", None, False),
    ("apollo", "POST", "/v1/overrides/999/approve", None, True),  # allowed, then 404
    ("apollo", "GET", "/v1/users", None, False), ("adam", "GET", "/v1/users", None, True),
]
DRAFT = {"entity": "faw", "kind": "accepted_risk", "reason": "matrix test",
         "expires": "2099-01-01", "cap": 30}


@pytest.mark.parametrize(("user", "method", "path", "body", "allowed"), MATRIX)
def test_role_matrix(server: Server, user: str, method: str, path: str, body: object,
                     allowed: bool) -> None:
    got = server.call(method, path, user, DRAFT if body == "draft" else body)
    assert (got.status != 403) == allowed, got.body
    assert got.status < 500


def test_four_eyes_on_authenticated_names(server: Server) -> None:
    made = server.call("POST", "/v1/overrides", "apollo",
                       {**DRAFT, "entity": "jac", "cap": 10, "reason": "four eyes"})
    assert made.status == 201 and made.json()["author"] == "apollo"
    oid = made.json()["id"]
    before = server.call("GET", "/v1/score?q=jac", "vera")
    own = server.call("POST", f"/v1/overrides/{oid}/approve", "apollo")
    assert own.status == 409 and "another person" in own.json()["detail"]
    done = server.call("POST", f"/v1/overrides/{oid}/approve", "april")
    assert done.status == 200 and done.json()["approver"] == "april"
    after = server.call("GET", "/v1/score?q=jac", "vera")
    assert after.json()["score"] <= 10 < before.json()["score"]
    assert after.headers["riskengine-overrides-hash"] != before.headers[
        "riskengine-overrides-hash"]
    actions = [(e["actor"], e["action"]) for e in server.call("GET", "/v1/audit", "vera").json()]
    assert ("apollo", "override.add") in actions and ("april", "override.approve") in actions


def test_score_requests_are_audited_under_the_caller(server: Server) -> None:
    server.call("GET", "/v1/score?q=moskvich&as_of=2023-01-01", "vera")
    found = [e for e in server.call("GET", "/v1/audit", "vera").json()
             if e["action"] == "score" and e["details"]["query"] == "moskvich"]
    assert found and found[-1]["actor"] == "vera" and found[-1]["details"]["via"] == "api"
    assert found[-1]["hashes"]["rule_files"] and found[-1]["hashes"]["data_version"]


@pytest.mark.parametrize(("path", "cli"), [
    ("/v1/score?q=kamaz&as_of=2023-03-01", ["score", "kamaz", "--as-of", "2023-03-01"]),
    ("/v1/score?q=JAC%20Motors&as_of=2024-06-01", ["score", "JAC Motors", "--as-of",
                                                   "2024-06-01"]),
    ("/v1/entities/kamaz", ["entities", "show", "kamaz"]),
    ("/v1/overrides", ["override", "list"]),
    ("/v1/runs", ["runs", "list"]),
])
def test_same_json_as_the_cli(server: Server, path: str, cli: list[str]) -> None:
    api = server.call("GET", path, "vera")
    local = server.cli(*cli, "--format", "json")
    assert api.status == 200 and local.returncode == 0, local.stderr
    assert api.json() == json.loads(local.stdout)


def test_screening_one_name_matches_the_cli(server: Server) -> None:
    api = server.call("POST", "/v1/screen", "vera", {"name": "Kamaz PJSC", "limit": 3,
                                                     "as_of": "2024-01-01"})
    local = server.cli("screen", "Kamaz PJSC", "--limit", "3", "--as-of", "2024-01-01",
                       "--format", "json")
    assert api.json() == json.loads(local.stdout)


CSV = "name,id\nKAMAZ,1\nJAC Motors,2\nNo Such Trading House,3\n"


@pytest.mark.parametrize("how", ["csv", "multipart", "json"])
def test_batch_streams_one_line_per_row(server: Server, how: str) -> None:
    if how == "csv":
        got = server.call("POST", "/v1/screen/batch?limit=2", "vera", raw=CSV.encode(),
                          content_type="text/csv")
    elif how == "multipart":
        body = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n"
                "Content-Type: text/csv\r\n\r\n" + CSV + "\r\n--b--\r\n").encode()
        got = server.call("POST", "/v1/screen/batch?limit=2", "vera", raw=body,
                          content_type="multipart/form-data; boundary=b")
    else:
        rows = [{"name": n, "id": i} for n, i in (("KAMAZ", "1"), ("JAC Motors", "2"),
                                                  ("No Such Trading House", "3"))]
        got = server.call("POST", "/v1/screen/batch", "vera", {"rows": rows, "limit": 2})
    assert got.status == 200 and got.headers["content-type"] == "application/x-ndjson"
    lines = got.lines()
    assert [line["input"]["id"] for line in lines] == ["1", "2", "3"]
    one = server.call("POST", "/v1/screen", "vera", {"name": "JAC Motors", "id": "2",
                                                     "limit": 2}).json()
    assert lines[1]["matches"] == one["matches"]


BAD = [  # (method, path, body or raw bytes, content type, status, field)
    ("GET", "/v1/score?q=kamaz&as_of=2022-13-45", None, None, 422, "as_of"),
    ("GET", "/v1/score", None, None, 422, "q"),
    ("GET", "/v1/score?q=" + "x" * 300, None, None, 422, "q"),
    ("GET", "/v1/score?q=kamaz&run=0", None, None, 422, "run"),
    ("GET", "/v1/score?q=kamaz&run=5&as_of=2024-01-01", None, None, 422, "as_of"),
    ("POST", "/v1/screen", {"name": ""}, None, 422, "name"),
    ("POST", "/v1/screen", {"name": "x", "nonsense": 1}, None, 422, "nonsense"),
    ("POST", "/v1/screen", {"name": "x", "limit": 500}, None, 422, "limit"),
    ("POST", "/v1/screen", {"name": "x", "birth_date": "1970-13-45"}, None, 422, "birth_date"),
    ("POST", "/v1/screen/batch", {"rows": [{"name": "x", "birth_date": "soon"}]}, None, 422,
     "rows.0.birth_date"),
    ("POST", "/v1/screen", b"{not json", "application/json", 422, "body"),
    ("POST", "/v1/screen", b"\xff\xfe", "application/json", 422, "body"),
    ("POST", "/v1/screen/batch", {"rows": []}, None, 422, "rows"),
    ("POST", "/v1/screen/batch", {"rows": [{"nam": "x"}]}, None, 422, "rows.0.nam"),
    ("POST", "/v1/screen/batch", b"id\n1\n", "text/csv", 422, "file"),
    ("POST", "/v1/overrides", {**DRAFT, "expires": "2000-01-01"}, None, 422, "expires"),
    ("POST", "/v1/overrides", {**DRAFT, "kind": "whatever"}, None, 422, "kind"),
    ("POST", "/v1/overrides", {**DRAFT, "reason": "a\x1bb"}, None, 422, "reason"),
]


@pytest.mark.parametrize(("method", "path", "body", "kind", "status", "field"), BAD)
def test_bad_input_is_a_problem_naming_the_field(server: Server, method: str, path: str,
                                                 body: object, kind: str | None, status: int,
                                                 field: str) -> None:
    user = "anna" if "overrides" in path else "vera"
    raw = body if isinstance(body, bytes) else None
    got = server.call(method, path, user, None if raw else body, raw=raw,
                      content_type=kind or "application/json")
    assert got.status == status, got.body
    problem = got.json()
    assert got.headers["content-type"] == PROBLEM and problem["status"] == status
    assert problem["field"].startswith(field), problem
    assert "Traceback" not in got.body.decode() and "File \"" not in got.body.decode()


def test_bodies_and_batches_are_limited(server: Server) -> None:
    big = b"name\n" + b"x" * (LIMITS["max_body_bytes"] + 10)
    assert server.call("POST", "/v1/screen/batch", "vera", raw=big,
                       content_type="text/csv").status == 413
    rows = "".join(f"Name {i}\n" for i in range(LIMITS["max_batch_rows"] + 1))
    got = server.call("POST", "/v1/screen/batch", "vera", raw=("name\n" + rows).encode(),
                      content_type="text/csv")
    assert got.status == 413 and "max_batch_rows" in got.json()["detail"]
    many = {"rows": [{"name": f"n{i}"} for i in range(LIMITS["max_batch_rows"] + 1)]}
    assert server.call("POST", "/v1/screen/batch", "vera", many).status == 413


def test_unknown_entity_and_ambiguity(server: Server) -> None:
    missing = server.call("GET", "/v1/score?q=zzqqxx%20nothing", "vera")
    assert missing.status == 404 and missing.headers["content-type"] == PROBLEM


def test_openapi_and_offline_docs(server: Server) -> None:
    spec = server.call("GET", "/openapi.json").json()
    assert {"/v1/score", "/v1/screen", "/v1/screen/batch", "/v1/overrides"} <= set(spec["paths"])
    page = server.call("GET", "/docs").body.decode()
    assert "/static/swagger/swagger-ui-bundle.js" in page and "cdn." not in page
    assert server.call("GET", "/static/swagger/swagger-ui-bundle.js").status == 200


def test_users_over_the_api(server: Server) -> None:
    made = server.call("POST", "/v1/users", "adam", {"name": "newbie", "role": "viewer"})
    assert made.status == 201
    token = made.json()["token"]
    ok = server.call("GET", "/v1/runs", headers={"Authorization": f"Bearer {token}"})
    assert ok.status == 200
    server.call("POST", f"/v1/tokens/{made.json()['token_id']}/revoke", "adam")
    gone = server.call("GET", "/v1/runs", headers={"Authorization": f"Bearer {token}"})
    assert gone.status == 401
