"""PostgreSQL test fixtures: a fresh, empty schema per test on 127.0.0.1:5432.

Register with ``pytest_plugins = ["tests.pgfixture"]`` in the root conftest. Without a server
answering, tests that use ``pg_url`` are skipped with the reason
'PostgreSQL not reachable at 127.0.0.1:5432: <error>'.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

HOST = "127.0.0.1"
PORT = 5432
ADMIN_DATABASE = "test"
USERS = ("postgres", "root")  # trust authentication: the first that connects is used
CONNECT_TIMEOUT_S = 2


def _conninfo(user: str, database: str) -> str:
    return (f"host={HOST} port={PORT} user={user} dbname={database} "
            f"connect_timeout={CONNECT_TIMEOUT_S}")


def _admin_user() -> str:
    """The first user that can connect to the admin database; skip when none can."""
    import psycopg

    errors: list[str] = []
    for user in USERS:
        try:
            with psycopg.connect(_conninfo(user, ADMIN_DATABASE), autocommit=True):
                return user
        except psycopg.Error as exc:
            errors.append(" ".join(str(exc).split()) or type(exc).__name__)
    reasons = "; ".join(dict.fromkeys(errors))  # the same refusal for every user: say it once
    pytest.skip(f"PostgreSQL not reachable at {HOST}:{PORT}: {reasons}")


def _admin(user: str, database: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_conninfo(user, database), autocommit=True) as conn:
        conn.execute(sql.encode())  # names are generated here, never user input


@pytest.fixture(scope="session")
def pg_database() -> Iterator[tuple[str, str]]:
    """(user, database): one scratch database per test session, dropped at the end."""
    user = _admin_user()
    name = f"riskengine_test_{uuid.uuid4().hex[:12]}"
    _admin(user, ADMIN_DATABASE, f'CREATE DATABASE "{name}"')
    try:
        yield user, name
    finally:
        _admin(user, ADMIN_DATABASE, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database: tuple[str, str]) -> Iterator[str]:
    """SQLAlchemy URL whose connections see only a new, empty schema, dropped after the test.

    A schema per test (the URL sets ``search_path``) is far cheaper than a database per test.
    """
    user, database = pg_database
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _admin(user, database, f'CREATE SCHEMA "{schema}"')
    try:
        yield (f"postgresql+psycopg://{user}@{HOST}:{PORT}/{database}"
               f"?options=-csearch_path%3D{schema}")
    finally:
        _admin(user, database, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
