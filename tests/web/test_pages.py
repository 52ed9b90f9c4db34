"""The pages over HTTP (no browser): sign-in and the session cookie, redirects, CSRF, the
role matrix of the override actions, four eyes through the forms, the PDF's hash in the
audit log, and a revoked token ending its session."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlencode

import pytest

from tests.api.conftest import Reply, Server

FORM = "application/x-www-form-urlencoded"


def sign_in(server: Server, user: str) -> str:
    """The session cookie header value after signing in with ``user``'s token."""
    got = server.call("POST", "/ui/login", raw=urlencode({"token": server.tokens[user]}).encode(),
                      content_type=FORM)
    assert got.status == 303, got.body
    return got.headers["set-cookie"].split(";")[0]


def get(server: Server, cookie: str, path: str) -> Reply:
    return server.call("GET", path, headers={"Cookie": cookie})


def post(server: Server, cookie: str, path: str, form: dict[str, str]) -> Reply:
    return server.call("POST", path, raw=urlencode(form).encode(), content_type=FORM,
                       headers={"Cookie": cookie})


def csrf_of(page: Reply) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.body.decode())
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("path", ["/ui/search", "/ui/entity/kamaz", "/ui/changes",
                                  "/ui/entity/kamaz/report.pdf"])
def test_pages_send_a_stranger_to_sign_in(server: Server, path: str) -> None:
    got = server.call("GET", path)
    assert (got.status, got.headers["location"]) == (303, "/ui/login")


def test_a_bad_token_gets_no_session(server: Server) -> None:
    got = server.call("POST", "/ui/login", raw=b"token=rk_00000000_" + b"x" * 40,
                      content_type=FORM)
    assert got.status == 401 and "set-cookie" not in got.headers
    assert b"invalid or expired token" in got.body


def test_the_session_cookie_is_httponly_strict_and_holds_no_token(server: Server) -> None:
    got = server.call("POST", "/ui/login", raw=urlencode({"token": server.tokens["vera"]})
                      .encode(), content_type=FORM)
    cookie = got.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert server.tokens["vera"] not in cookie


@pytest.mark.parametrize(("user", "propose"), [("vera", False), ("anna", True),
                                               ("apollo", True)])
def test_the_entity_page_offers_what_the_role_allows(server: Server, user: str,
                                                     propose: bool) -> None:
    page = get(server, sign_in(server, user), "/ui/entity/kamaz?as_of=2024-06-01")
    text = page.body.decode()
    assert page.status == 200 and "<script" not in text.lower()
    assert "content-security-policy" in page.headers
    assert ("Propose an override" in text) is propose
    assert "/approve" not in text  # nothing pending on KAMAZ: nothing to approve


def test_a_form_without_the_session_csrf_token_is_refused(server: Server) -> None:
    cookie = sign_in(server, "anna")
    before = server.call("GET", "/v1/overrides", user="anna").json()
    got = post(server, cookie, "/ui/overrides", {
        "csrf": "forged", "entity": "rostec", "kind": "accepted_risk", "cap": "10",
        "reason": "forged", "expires": "2030-01-01"})
    assert got.status == 403
    assert server.call("GET", "/v1/overrides", user="anna").json() == before


def test_four_eyes_through_the_forms(server: Server) -> None:
    anna = sign_in(server, "anna")
    form = {"csrf": csrf_of(get(server, anna, "/ui/search")), "entity": "nefaz",
            "kind": "accepted_risk", "cap": "20", "reason": "web test", "expires": "2030-01-01"}
    assert post(server, anna, "/ui/overrides", form).status == 303
    made = next(o for o in server.call("GET", "/v1/overrides", user="anna").json()
                if o["reason"] == "web test")
    assert (made["status"], made["author"]) == ("pending", "anna")
    apollo = sign_in(server, "apollo")
    page = get(server, apollo, "/ui/entity/nefaz").body.decode()
    assert f'/ui/overrides/{made["id"]}/approve' in page
    assert post(server, apollo, f'/ui/overrides/{made["id"]}/approve',
                {"csrf": csrf_of(get(server, apollo, "/ui/search")),
                 "entity": "nefaz"}).status == 303
    after = next(o for o in server.call("GET", "/v1/overrides", user="anna").json()
                 if o["id"] == made["id"])
    assert (after["status"], after["approver"]) == ("active", "apollo")


def test_the_downloaded_pdf_is_the_one_the_audit_log_names(server: Server) -> None:
    got = get(server, sign_in(server, "vera"), "/ui/entity/jac/report.pdf?as_of=2024-06-01")
    assert got.status == 200 and got.body.startswith(b"%PDF-")
    digest = hashlib.sha256(got.body).hexdigest()
    assert got.headers["riskengine-report-sha256"] == digest
    entry = [e for e in server.call("GET", "/v1/audit", user="vera").json()
             if e["action"] == "report"][-1]
    assert (entry["actor"], entry["details"]["sha256"]) == ("vera", digest)
    assert entry["details"]["entity"] == "jac"


def test_bad_fields_give_a_page_naming_them(server: Server) -> None:
    got = get(server, sign_in(server, "vera"), "/ui/entity/kamaz?as_of=2024-02-30")
    assert got.status == 422 and b"as_of" in got.body and b"Traceback" not in got.body


def test_a_revoked_token_ends_its_session(server: Server) -> None:
    made = server.cli("users", "token", "vera")
    token = next(line for line in made.stdout.splitlines() if line.startswith("rk_"))
    server.tokens["vera-2"] = token
    cookie = sign_in(server, "vera-2")
    assert get(server, cookie, "/ui/search").status == 200
    revoked = server.cli("users", "revoke", token.split("_")[1])
    assert revoked.returncode == 0, revoked.stderr
    got = get(server, cookie, "/ui/search")
    assert (got.status, got.headers["location"]) == (303, "/ui/login")
