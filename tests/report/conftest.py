"""The CLI runner of tests/cli (``cli``, ``db``) for the report command's tests."""

from tests.cli.conftest import cli, db

__all__ = ["cli", "db"]
