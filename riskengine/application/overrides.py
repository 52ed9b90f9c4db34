"""The I/O shell of ``riskengine override``: resolves entities, reads the clock, stores."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from riskengine.application import base, service
from riskengine.settings import Settings

if TYPE_CHECKING:
    from riskengine.overrides import Override


def add(settings: Settings, draft: dict[str, Any], today: date) -> Override:
    """Store a pending override of the entity ``draft['entity_id']`` names (id, name or
    alias), fingerprinting its facts as of ``today``; InputError when malformed."""
    from riskengine.errors import InputError
    from riskengine.overrides import Override, fingerprint, problem
    from riskengine.store.overrides import add_override

    check_draft(draft, base.now().astimezone().date())
    found = service.find_entity(settings, draft["entity_id"])  # compiled graph: its facts only
    new = Override(**(draft | {"entity_id": found.entity_id, "created_at": base.now(),
                               "fingerprint": fingerprint(found.facts, found.entity_id,
                                                          today)}))
    wrong = problem(new) or _unknown_regime(settings, found.regimes, new.regime)
    if wrong:
        raise InputError("", wrong)
    with base.open_store(settings) as store:
        return add_override(store, new)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0 and C1 control characters, DEL


def check_draft(draft: dict[str, Any], today: date) -> None:
    """InputError naming the option: an empty reason, an expiry before ``today`` (the
    caller's date), control characters in the author, reason or counterparty."""
    from riskengine.errors import InputError

    if not str(draft.get("reason") or "").strip():
        raise InputError("--reason", "empty: say why the override is needed")
    expires = draft.get("expires")
    if expires is not None and expires < today:
        raise InputError("--expires", f"{expires.isoformat()} is in the past (today is "
                                      f"{today.isoformat()})")
    for option, key in (("--actor", "author"), ("--reason", "reason"),
                        ("--counterparty", "counterparty")):
        check_text(option, draft.get(key))


def check_text(option: str, value: str | None) -> None:
    """InputError when ``value`` holds control characters (a newline, an escape, NUL)."""
    from riskengine.errors import InputError

    found = _CONTROL.search(value or "")
    if found:
        raise InputError(option, f"control character {found[0]!r} at position "
                                 f"{found.start() + 1}: write plain text")


def _unknown_regime(settings: Settings, listed: frozenset[str], regime: str | None
                    ) -> str | None:
    """Why ``regime`` cannot carry a manual status (not configured, nobody listed under it:
    ``listed`` holds the regimes of the data's designations)."""
    known = {r.code for r in base.load_rules(settings).regimes.regimes} | listed
    if regime is None or regime in known:
        return None
    return f"--regime {regime!r} is unknown (known: {', '.join(sorted(known))})"


def approve(settings: Settings, override_id: int, actor: str) -> Override:
    from riskengine.store.overrides import approve_override

    check_text("--actor", actor)
    with base.open_store(settings) as store:
        return approve_override(store, override_id, actor, base.now())


def revoke(settings: Settings, override_id: int, actor: str, reason: str | None) -> Override:
    from riskengine.errors import InputError
    from riskengine.store.overrides import revoke_override

    check_text("--actor", actor)
    check_text("--reason", reason)
    if reason is not None and not reason.strip():
        raise InputError("--reason", "empty: say why, or leave --reason out")
    with base.open_store(settings) as store:
        return revoke_override(store, override_id, actor, base.now(), reason)


def listing(settings: Settings, entity: str | None, today: date) -> list[tuple[Override, str]]:
    """(override, status today) for every override, or those of the entity ``entity`` names."""
    from riskengine.overrides import fingerprint, status_of
    from riskengine.store.overrides import list_overrides

    entity_id = service.find_entity(settings, entity).entity_id if entity else None
    with base.open_store(settings) as store:
        found = list_overrides(store, entity_id)
    facts = service.facts_of(settings, sorted({o.entity_id for o in found}))
    prints = {o.entity_id: fingerprint(facts, o.entity_id, today) for o in found}
    return [(o, status_of(o, today, prints[o.entity_id])) for o in found]


def override_json(o: Override, status: str) -> dict[str, Any]:
    return o.model_dump(mode="json", exclude_none=True) | {"status": status}


def override_line(o: Override, status: str) -> str:
    from riskengine.overrides import label

    by = f"by {o.author}" + (f", approved by {o.approver}" if o.approver else "")
    return (f"override {label(o)} {status}: {o.entity_id} {by}, until "
            f"{o.expires.isoformat()}: {o.reason}")
