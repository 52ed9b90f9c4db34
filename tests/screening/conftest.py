"""Fixtures of the screening tests."""

from __future__ import annotations

import pytest

from riskengine.screening.config import ScreeningConfig
from tests.screening.bundled import bundled_config


@pytest.fixture(scope="module")
def config() -> ScreeningConfig:
    """The bundled screening rules (``rules/screening.yaml``)."""
    return bundled_config()
