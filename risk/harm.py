"""Harm weights per crime type, from the documented YAML config (harm_weights.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from resolver.crime_types import POLICE_UK_CRIME_TYPES

DEFAULT_WEIGHTS_FILE = Path(__file__).with_name("harm_weights.yaml")


class HarmConfigError(ValueError):
    """A harm weights file that cannot be used; the message names the file and key."""


def load_harm_weights(path: Path = DEFAULT_WEIGHTS_FILE) -> dict[str, float]:
    """Weight per police.uk crime type; every known type must have a non-negative number."""
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise HarmConfigError(f"{path}: cannot be read as YAML: {exc}") from exc
    weights = document.get("weights") if isinstance(document, dict) else None
    if not isinstance(weights, dict):
        raise HarmConfigError(f"{path}: no 'weights' mapping of crime type to number")
    result: dict[str, float] = {}
    for crime_type, value in weights.items():
        if crime_type not in POLICE_UK_CRIME_TYPES:
            raise HarmConfigError(f"{path}: weights.{crime_type}: not a police.uk crime type")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise HarmConfigError(
                f"{path}: weights.{crime_type}: not a non-negative number: {value!r}"
            )
        result[crime_type] = float(value)
    missing = sorted(set(POLICE_UK_CRIME_TYPES) - set(result))
    if missing:
        raise HarmConfigError(f"{path}: weights: no weight for {', '.join(missing)}")
    return result
