"""The one typed settings object, built at the CLI/API boundary and passed down.

A frozen dataclass rather than a pydantic model: every command builds one before anything
else, and importing pydantic (with its plugin discovery) would cost a quarter of the start-up
of `riskengine --help`, which should import neither pandas, scipy nor pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from riskengine.errors import InputError

DEFAULT_DB = "sqlite:///riskengine.db"
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")  # C:\data\risk.db, where paths have drive letters


# How long a writer (an audit entry of a score, an override, an ingest) waits for SQLite's
# write lock held by another process, before failing with a message that says so. An
# ingest holds the lock while it stores its file (about 2 minutes for 1M entities); the
# sqlite3 module's own default is 5 s.
LOCK_WAIT = 60.0
MAX_LOCK_WAIT = 3600.0


@dataclass(frozen=True, kw_only=True)
class Settings:
    db_url: str = DEFAULT_DB
    rules_dir: Path | None = None  # None: the bundled rules
    debug: bool = False
    seed: bool = True  # score with the rule files' seed scenario facts (rules/scenario)
    cache_dir: Path | None = None  # compiled graphs; None: beside the SQLite file, or per user
    known_at: datetime | None = None  # knowledge time of a reproduced run (score --run)
    user_cache: Path | None = None  # per-user cache ($XDG_CACHE_HOME/riskengine); None: ~/.cache
    lock_wait: float = LOCK_WAIT  # seconds a SQLite writer waits for another's write lock

    def model_copy(self, update: Mapping[str, Any]) -> Settings:
        """A copy with the ``update`` fields changed (the name pydantic models use)."""
        return replace(self, **update)

    def user_cache_dir(self) -> Path:
        """The per-user cache folder: validated rule models, compiled graphs of server
        databases (``$XDG_CACHE_HOME/riskengine``, read at the boundary by ``build``)."""
        return self.user_cache or Path.home() / ".cache" / "riskengine"

    @classmethod
    def build(
        cls,
        env: Mapping[str, str],
        db: str | None = None,
        rules: Path | None = None,
        debug: bool = False,
        seed: bool | None = None,
    ) -> Settings:
        """Options first, then RISKENGINE_DB / _RULES / _DEBUG / _SEED from ``env``, then
        defaults (``RISKENGINE_SEED=0``: no seed scenario)."""
        env_rules = env.get("RISKENGINE_RULES")
        return cls(
            db_url=_db_url(db, env.get("RISKENGINE_DB")),
            rules_dir=rules or (Path(env_rules) if env_rules else None),
            debug=debug or env.get("RISKENGINE_DEBUG", "") not in ("", "0"),
            seed=_seed(seed, env.get("RISKENGINE_SEED")),
            cache_dir=Path(env["RISKENGINE_CACHE"]) if env.get("RISKENGINE_CACHE") else None,
            user_cache=Path(env["XDG_CACHE_HOME"]) / "riskengine" if env.get("XDG_CACHE_HOME")
            else None,
            lock_wait=_lock_wait(env.get("RISKENGINE_LOCK_WAIT")),
        )


def _lock_wait(value: str | None) -> float:
    """RISKENGINE_LOCK_WAIT: seconds (0 to 3600) a writer waits while another process holds
    SQLite's write lock (an ingest holds it until its file is stored)."""
    if not value:
        return LOCK_WAIT
    try:
        found = float(value)
    except ValueError:
        found = -1.0
    if not 0 <= found <= MAX_LOCK_WAIT:
        raise InputError("RISKENGINE_LOCK_WAIT", f"{value!r}: give seconds from 0 to "
                                                 f"{MAX_LOCK_WAIT:g}")
    return found


def _db_url(option: str | None, env: str | None) -> str:
    """--db, else RISKENGINE_DB (empty: not set), else the default. A plain file path is
    shorthand for a SQLite database. An empty --db, and a value that is neither a URL
    (``scheme://...``) nor a plain path (``'::::'``), are an InputError naming the option."""
    where, value = ("--db", option) if option is not None else ("RISKENGINE_DB", env or "")
    if option is None and not value:
        return DEFAULT_DB
    if not value.strip():
        raise InputError(where, "empty: give a file path, sqlite:///PATH or postgresql://...")
    if "://" in value:
        return value
    if ":" in value and not _DRIVE.match(value):
        raise InputError(where, f"{value!r} is neither a database URL (scheme://...) nor a "
                                f"file path (for a file name with ':' write sqlite:///NAME)")
    return f"sqlite:///{value}"


def _seed(option: bool | None, env: str | None) -> bool:
    """--seed/--no-seed, else RISKENGINE_SEED (0, false, no, off: without), else with."""
    if option is not None:
        return option
    return (env or "").strip().lower() not in ("0", "false", "no", "off")
