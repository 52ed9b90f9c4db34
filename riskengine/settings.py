"""The one typed settings object, built at the CLI/API boundary and passed down."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DEFAULT_DB = "sqlite:///riskengine.db"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    db_url: str = DEFAULT_DB
    rules_dir: Path | None = None  # None: the bundled rules
    debug: bool = False

    @classmethod
    def build(
        cls,
        env: Mapping[str, str],
        db: str | None = None,
        rules: Path | None = None,
        debug: bool = False,
    ) -> Settings:
        """Options first, then RISKENGINE_DB / _RULES / _DEBUG from ``env``, then defaults."""
        env_rules = env.get("RISKENGINE_RULES")
        return cls(
            db_url=_db_url(db or env.get("RISKENGINE_DB") or DEFAULT_DB),
            rules_dir=rules or (Path(env_rules) if env_rules else None),
            debug=debug or env.get("RISKENGINE_DEBUG", "") not in ("", "0"),
        )


def _db_url(value: str) -> str:
    """Accept a plain file path as shorthand for a SQLite database."""
    return value if "://" in value else f"sqlite:///{value}"
