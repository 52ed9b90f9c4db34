"""Run the Alembic migrations shipped inside the package, programmatically.

New revisions go in ``migrations/versions`` named ``vNNNN_<slug>.py`` with revision id
``NNNN``; write them by hand or with ``alembic -c <ini> revision --rev-id NNNN --autogenerate``
against an up-to-date database, then review.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x72697365  # any constant: serialises concurrent upgrades of one database


def alembic_config(connection: Connection | None = None) -> Config:
    """Configuration pointing at the packaged scripts; ``connection`` is used by env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection) -> None:
    """Bring the database behind ``connection`` to the newest revision (in its transaction)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    command.upgrade(alembic_config(connection), "head")


def head_revision() -> str:
    """The newest revision shipped with this version of riskengine."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    return MigrationContext.configure(connection).get_current_revision()
