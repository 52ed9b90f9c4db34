"""Shape shared by every official-list module: read -> map -> check, giving a ListEdition.

Each module in this package (``ofac``, ``uk``, ``eu``, ``un``, ``ca``) exposes::

    SOURCE: str                                  # 'ofac-sdn', 'ofac-cons', 'uk', 'eu', 'un', 'ca'
    def read(path: Path, published: date | None = None) -> ListEdition

``path`` is a file or a directory holding the publisher's files. Parsing failures raise
``riskengine.errors.InputError`` naming the file and line or record. Pure apart from reading
the given files: no database, no clock (``published`` falls back to the file's own date, else
None; the caller supplies today's date at the boundary).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from riskengine.domain import Dataset


@dataclass(frozen=True)
class ListEdition:
    source: str  # source key, e.g. 'ofac-sdn'
    published: date | None  # publication date of this edition, from the file when it says
    content_hash: str  # sha256 over the files read, in name order
    files: tuple[str, ...]
    dataset: Dataset  # entity ids are f"{source}:{record_id}"; every fact carries its Source
    warnings: tuple[str, ...] = ()  # e.g. '12 rows of alt.csv point at missing ent_num'


def sha256_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for p in sorted(paths, key=lambda x: x.name):
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()
