"""Who may do what: roles are cumulative (each one can do everything the one before can).

Pure data. The table lives here rather than in a rule file on purpose: it is a security
boundary, and a rule file is something analysts edit (an analyst must not be able to grant
their own role the approval right).
"""

from __future__ import annotations

ROLES = ("viewer", "analyst", "approver", "admin")
ACTIONS: dict[str, str] = {
    "read": "viewer",     # entities, runs, changes, history, overrides list, audit, ingests
    "score": "viewer",
    "screen": "viewer",
    "propose": "analyst",  # override add, merge propose
    "approve": "approver",  # override approve and revoke, merge approve
    "admin": "admin",      # users and tokens
}


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may take ``action`` (unknown roles and actions: never)."""
    if role not in ROLES or action not in ACTIONS:
        return False
    return ROLES.index(role) >= ROLES.index(ACTIONS[action])
