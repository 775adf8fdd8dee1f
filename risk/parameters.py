"""The risk stage's tunables (score weights, look-back months, the backtest's window,
shares and tuning forces, the default forecaster per group), read once from
``risk/parameters.yaml`` so that changing one is an edit to data, not to code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.errors import InvalidInput

PARAMETERS_FILE = Path(__file__).with_name("parameters.yaml")


class RiskParametersError(InvalidInput):
    """A parameters file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Backtest:
    months: tuple[str, ...]
    shares: tuple[float, ...]
    tuning_forces: tuple[str, ...]
    target_groups: tuple[str, ...]


@dataclass(frozen=True)
class RiskParameters:
    score_weights: dict[str, float]
    recent_months: int
    recent_score_months: int
    backtest: Backtest
    default_forecasters: dict[str, dict[str, Any]]  # group -> {forecaster: kind, **params}


def _need(document: dict, key: str, kind: type | tuple[type, ...], path: Path) -> Any:
    value = document.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RiskParametersError(f"{path}: {key}: missing or not a {kind}")
    return value


def load_parameters(path: Path = PARAMETERS_FILE) -> RiskParameters:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RiskParametersError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise RiskParametersError(f"{path}: not a mapping of parameters")
    weights = _need(document, "score_weights", dict, path)
    backtest = _need(document, "backtest", dict, path)
    defaults = _need(document, "default_forecasters", dict, path)
    for group, spec in defaults.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("forecaster"), str):
            raise RiskParametersError(f"{path}: default_forecasters.{group}: needs 'forecaster'")
    return RiskParameters(
        score_weights={str(k): float(v) for k, v in weights.items()},
        recent_months=int(_need(document, "recent_months", int, path)),
        recent_score_months=int(_need(document, "recent_score_months", int, path)),
        backtest=Backtest(
            months=tuple(str(m) for m in _need(backtest, "months", list, path)),
            shares=tuple(float(s) for s in _need(backtest, "shares", list, path)),
            tuning_forces=tuple(_need(backtest, "tuning_forces", list, path)),
            target_groups=tuple(_need(backtest, "target_groups", list, path)),
        ),
        default_forecasters={str(g): dict(spec) for g, spec in defaults.items()},
    )


PARAMETERS = load_parameters()
