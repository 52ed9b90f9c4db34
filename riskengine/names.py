"""Name normalisation and exact lookup: case-, accent- and script-insensitive.

"КАМАЗ", "Kamaz" and "KAMAZ" all normalise to "kamaz": text is transliterated to ASCII
(anyascii), case-folded, and punctuation and runs of white space collapse to one space.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from anyascii import anyascii

from riskengine.domain import Entity

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(name: str) -> str:
    """Canonical form used for exact name matching."""
    text = unicodedata.normalize("NFKC", name)
    text = anyascii(text).casefold()
    return _NON_WORD.sub(" ", text).strip()


class NameIndex:
    """Exact lookup of entities by id, name or alias."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._by_id: dict[str, Entity] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        for entity in entities:
            self._by_id[entity.id] = entity
            for name in entity.all_names():
                key = normalise(name)
                if key:
                    self._by_name[key].add(entity.id)

    def lookup(self, query: str) -> list[Entity]:
        """Entities whose id equals ``query`` or whose name/alias normalises like it."""
        if query in self._by_id:
            return [self._by_id[query]]
        ids = sorted(self._by_name.get(normalise(query), set()))
        return [self._by_id[i] for i in ids]
