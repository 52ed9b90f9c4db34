"""The CLI fixtures of tests/cli, for the register ingests."""

from tests.cli.conftest import cli, db  # noqa: F401  (fixtures)
