"""Settings from options and environment: the seed switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.settings import Settings


@pytest.mark.parametrize(("option", "env", "seed"), [
    (None, None, True), (None, "1", True), (None, "0", False), (None, "false", False),
    (None, " No ", False), (None, "off", False), (True, "0", True), (False, None, False),
    (False, "1", False),
])
def test_seed_switch(option: bool | None, env: str | None, seed: bool) -> None:
    environ = {} if env is None else {"RISKENGINE_SEED": env}
    assert Settings.build(environ, seed=option).seed is seed


@pytest.mark.parametrize(("env", "expected"), [
    ({"XDG_CACHE_HOME": "/x/cache"}, Path("/x/cache/riskengine")),
    ({}, Path.home() / ".cache" / "riskengine"),
    ({"XDG_CACHE_HOME": ""}, Path.home() / ".cache" / "riskengine"),
])
def test_the_user_cache_follows_xdg(env: dict[str, str], expected: Path) -> None:
    assert Settings.build(env).user_cache_dir() == expected
