"""Validated rule models kept on disk between processes, so a command started cold does
not parse YAML it parsed before (a third of a cold ``score``).

An entry is the model's JSON, named by a sha256 over what it was made from (every rule
file's name and bytes, ``ruleset.fingerprint``), the kind of entry and the model's shape
(``model_shape``: every field's name, type and default, nested models included; so a
changed model never reads an old entry). The entry stores the sha256 of its
JSON, checked on read; an entry that is missing, altered or no longer valid is made again
from the rule files, which stay the only source of truth.
"""

from __future__ import annotations

import hashlib
import json
import os
import typing
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@cache
def _schema_digest(model: type[BaseModel]) -> str:
    return hashlib.sha256(model_shape(model).encode()).hexdigest()


def model_shape(model: type[BaseModel]) -> str:
    """Every field of ``model`` and of the models its fields name (recursively): name,
    type, default. What its JSON schema would say of the stored data, at a fraction of the
    cost (building the JSON schema was about 40 ms of each cold start)."""
    lines: list[str] = []
    _shape(model, lines, set())
    return "\n".join(lines)


def _shape(model: type[BaseModel], lines: list[str], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    lines.append(f"{model.__module__}.{model.__qualname__} {model.model_config.get('extra')}")
    for name, field in model.model_fields.items():
        lines.append(f" {name} {field.alias} {field.annotation!r} {_default(field)}")
        for nested in _models_in(field.annotation):
            _shape(nested, lines, seen)


def _default(field: Any) -> str:
    factory = field.default_factory
    if factory is not None:
        return f"factory {factory.__qualname__}"
    if isinstance(field.default, set | frozenset):  # set order follows the hash seed
        return f"{type(field.default).__name__}{sorted(map(repr, field.default))}"
    return repr(field.default)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models named anywhere in ``annotation`` (list[X], X | None, dict...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


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
