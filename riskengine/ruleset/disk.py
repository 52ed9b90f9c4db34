"""Validated rule models kept on disk between processes, so a command started cold does
not parse YAML it parsed before (a third of a cold ``score``).

An entry is the model's JSON, named by a sha256 over what it was made from (every rule
file's name and bytes, ``loader.fingerprint``), the kind of entry and the model's JSON
schema (so a changed model never reads an old entry). The entry stores the sha256 of its
JSON, checked on read; an entry that is missing, altered or no longer valid is made again
from the rule files, which stay the only source of truth.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@cache
def _schema_digest(model: type[BaseModel]) -> str:
    schema = json.dumps(model.model_json_schema(), sort_keys=True, default=str)
    return hashlib.sha256(schema.encode()).hexdigest()


def entry_name(kind: str, fingerprint: str, model: type[BaseModel]) -> str:
    text = f"{kind}\n{fingerprint}\n{_schema_digest(model)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32] + ".json"


def cached(kind: str, fingerprint: str, model: type[M], make: Callable[[], M],
           folder: Path | None) -> M:
    """The ``model`` that ``make()`` gives for these rule files, from ``folder`` when an
    intact entry is there; ``make()`` (and the entry written) otherwise. Without a
    fingerprint or a folder, just ``make()``."""
    if not fingerprint or folder is None:
        return make()
    path = folder / entry_name(kind, fingerprint, model)
    found = _read(path, model)
    if found is not None:
        return found
    made = make()
    _write(path, made)
    return made


def _read(path: Path, model: type[M]) -> M | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        data = stored["data"]
        if hashlib.sha256(data.encode()).hexdigest() != stored["sha256"]:
            return None
        return model.model_validate_json(data)
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None


def _write(path: Path, made: BaseModel) -> None:
    """Best effort: a cache that cannot be written is only slower."""
    data = made.model_dump_json()
    body = json.dumps({"sha256": hashlib.sha256(data.encode()).hexdigest(), "data": data})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return
