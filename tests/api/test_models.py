"""Every JSON endpoint declares its response model in the OpenAPI document (the payload
models of ``application.views``, or the score's), and what it answers on a real server
is valid under that model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from riskengine.application import views
from riskengine.result import ScoreResult
from tests.api.conftest import Server

MODELS: dict[str, type[BaseModel]] = {
    **{name: cls for name, cls in vars(views).items()
       if isinstance(cls, type) and issubclass(cls, BaseModel)},
    "ScoreResult": ScoreResult}
DRAFT = {"entity": "faw", "kind": "accepted_risk", "reason": "models test",
         "expires": "2099-01-01", "cap": 30}
# (method, path, user, body, status): one call of every JSON endpoint
CALLS = [
    ("GET", "/health", None, None, 200), ("GET", "/ready", None, None, 200),
    ("GET", "/v1/score?q=kamaz&as_of=2024-01-01", "vera", None, 200),
    ("POST", "/v1/screen", "vera", {"name": "KAMAZ"}, 200),
    ("GET", "/v1/entities/kamaz", "vera", None, 200),
    ("GET", "/v1/entities/kamaz/history", "vera", None, 200),
    ("GET", "/v1/runs", "vera", None, 200), ("GET", "/v1/runs/1", "vera", None, 200),
    ("GET", "/v1/changes", "vera", None, 200), ("GET", "/v1/ingests", "vera", None, 200),
    ("GET", "/v1/audit", "vera", None, 200), ("GET", "/v1/audit/verify", "vera", None, 200),
    ("POST", "/v1/overrides", "anna", DRAFT, 201), ("GET", "/v1/overrides", "vera", None, 200),
    ("POST", "/v1/overrides/1/approve", "apollo", None, 200),
    ("POST", "/v1/overrides/1/revoke", "april", {"reason": "done"}, 200),
    ("GET", "/v1/users", "adam", None, 200),
    ("POST", "/v1/users", "adam", {"name": "zoe", "role": "viewer"}, 201),
    ("POST", "/v1/users/zoe/tokens", "adam", {}, 201),
    ("POST", "/v1/tokens/{token}/revoke", "adam", None, 200),
    ("POST", "/v1/users/zoe/disable", "adam", None, 200),
]


def _declared(spec: dict[str, Any], method: str, path: str, status: int) -> Any:
    """The schema the OpenAPI document gives the answer (a model, or a list of one)."""
    route = path.split("?", maxsplit=1)[0]
    for template, ops in spec["paths"].items():
        parts, mine = template.strip("/").split("/"), route.strip("/").split("/")
        if len(parts) == len(mine) and all(p == m or p.startswith("{")
                                           for p, m in zip(parts, mine, strict=True)):
            content = ops[method.lower()]["responses"][str(status)]["content"]
            return content["application/json"]["schema"]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def _check(schema: dict[str, Any], answer: Any) -> None:
    """``answer`` validated by the declared model (each item, for a list of one)."""
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    assert ref, f"no response model declared: {schema}"
    model = TypeAdapter(MODELS[ref.rsplit("/", 1)[-1]])
    if schema.get("type") == "array":
        assert isinstance(answer, list)
        for item in answer:
            model.validate_python(item)
    else:
        model.validate_python(answer)


@pytest.fixture(scope="module")
def with_runs(server: Server) -> Server:
    for _ in range(2):
        done = server.cli("rescore", "--quiet")
        assert done.returncode == 0, done.stderr
    return server


def test_every_json_endpoint_declares_a_model_its_answers_fit(with_runs: Server) -> None:
    spec = with_runs.call("GET", "/openapi.json").json()
    token = ""
    for method, template, user, body, status in CALLS:
        path = template.replace("{token}", token)
        got = with_runs.call(method, path, user, body)
        assert got.status == status, (path, got.body)
        _check(_declared(spec, method, path, status), got.json())
        token = got.json().get("token_id", token) if path.endswith("/tokens") else token
