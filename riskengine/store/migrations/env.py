"""Alembic environment for the riskengine store.

``riskengine.store.migrate.upgrade`` runs it programmatically with an open connection in
``config.attributes["connection"]``. Run by the ``alembic`` command instead, it connects to
``sqlalchemy.url`` from the configuration (or writes SQL in offline mode).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from riskengine.store.schema import METADATA


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the caller's connection, else through one to ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _configure(conn)
    engine.dispose()


def run_offline() -> None:
    """Write the migration SQL instead of running it."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=METADATA,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
