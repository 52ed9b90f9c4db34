"""Errors the engine raises. They become one stderr line and an exit code at the CLI boundary."""

from __future__ import annotations


class RiskEngineError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user."""

    exit_code = 1


class InputError(RiskEngineError):
    """Invalid input file, record or rule: exit code 2.

    ``location`` is 'path:line:col', 'path:line', 'path: record X' or just a path.
    """

    exit_code = 2

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        self.message = message


class RuleErrors(RiskEngineError):
    """Every problem found in a rules directory, each 'path:line:col: message'."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class NotFoundError(RiskEngineError):
    exit_code = 3


class AmbiguousError(RiskEngineError):
    """More than one entity matches; ``candidates`` lists (id, name) pairs."""

    exit_code = 4

    def __init__(self, message: str, candidates: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.candidates = candidates


class AuditChainError(RiskEngineError):
    """The audit log's hash chain is broken (an entry was edited or deleted): exit code 6."""

    exit_code = 6


class AuthError(RiskEngineError):
    """No valid credentials (unknown, revoked or expired token: the message does not say
    which): exit code 2 for the CLI, HTTP 401 for the service."""

    exit_code = 2


class ForbiddenError(RiskEngineError):
    """Authenticated, but the role does not allow the action: exit code 2, HTTP 403."""

    exit_code = 2
