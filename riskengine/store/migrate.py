"""Run the Alembic migrations shipped inside the package, programmatically.

New revisions go in ``migrations/versions`` named ``vNNNN_<slug>.py`` with revision id
``NNNN``; write them by hand or with ``alembic -c <ini> revision --rev-id NNNN --autogenerate``
against an up-to-date database, then review.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x72697365  # any constant: serialises concurrent upgrades of one database


def alembic_config(connection: Connection | None = None) -> Config:
    """Configuration pointing at the packaged scripts; ``connection`` is used by env.py."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class MigrationError(Exception):
    """Alembic refused to migrate (e.g. the database is at a revision this version does not
    ship): its message, without Alembic's types outside this module."""


def upgrade(connection: Connection) -> None:
    """Bring the database behind ``connection`` to the newest revision (in its transaction).
    A database already there is left alone without loading Alembic (start-up time)."""
    if at_head(connection):
        return
    from alembic import command
    from alembic.util import CommandError

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    try:
        command.upgrade(alembic_config(connection), "head")
    except CommandError as exc:
        raise MigrationError(str(exc)) from exc


_REVISION_FILE = re.compile(r"v(\d{4})_\w+\.py")


@cache
def shipped_head() -> str | None:
    """The newest revision id among the shipped files (``vNNNN_<slug>.py`` is ``NNNN``)."""
    found = [m.group(1) for p in (MIGRATIONS / "versions").glob("v*.py")
             if (m := _REVISION_FILE.fullmatch(p.name))]
    return max(found, default=None)


def at_head(connection: Connection) -> bool:
    """Whether the database records the shipped head revision (checked in a savepoint, so a
    database without the version table is no error)."""
    try:
        with connection.begin_nested():
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in found] == [shipped_head()]


def head_revision() -> str:
    """The newest revision shipped with this version of riskengine."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
