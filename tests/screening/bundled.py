"""The bundled screening rules, as the screening tests read them."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from riskengine.screening.config import ScreeningConfig

RULES = Path(__file__).resolve().parents[2] / "rules"
# Listed names a screener in a test also holds, so that a query has company to lose to.
DISTRACTORS = ("CARGO LINK COMPANY LIMITED", "LINK TRADING LLC", "DALIAN YONGKANG "
               "INTERNATIONAL TRADING CO., LTD.", "FAST SHIPPING FZE", "SERVIS PLUS OOO")


def bundled_config() -> ScreeningConfig:
    """rules/screening.yaml, validated."""
    data = YAML(typ="safe").load((RULES / "screening.yaml").read_text("utf-8"))
    return ScreeningConfig.model_validate(data)
