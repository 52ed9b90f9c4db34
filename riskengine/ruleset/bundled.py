"""Where the rules directory is: the --rules option, $RISKENGINE_RULES, or the bundled rules."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

RULES_ENV = "RISKENGINE_RULES"
_PACKAGED = "_bundled_rules"


def bundled_rules_dir() -> Path:
    """The rule set shipped with riskengine.

    A wheel carries the repository's top-level ``rules/`` as ``riskengine/_bundled_rules``
    (pyproject force-include); a source checkout or editable install uses ``rules/`` next to
    the package.
    """
    packaged = resources.files("riskengine") / _PACKAGED
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def resolve_rules_dir(option: Path | None, env: Mapping[str, str]) -> Path:
    """The rules directory: ``option`` first, then ``env[RISKENGINE_RULES]``, then bundled."""
    if option is not None:
        return option
    from_env = env.get(RULES_ENV, "").strip()
    if from_env:
        return Path(from_env)
    return bundled_rules_dir()
