"""Harm weights per crime type: by default the ``harm`` of each police.uk type in the crime
types file (resolver/crime_types.yaml, which documents where the numbers come from); a
deployment with its own figures passes a file of ``weights: {crime type: number}``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.errors import InvalidInput
from resolver.crime_types import CRIME_TYPES_FILE, POLICE_UK_CRIME_TYPES

DEFAULT_WEIGHTS_FILE = CRIME_TYPES_FILE


class HarmConfigError(InvalidInput):
    """A harm weights file that cannot be used; the message names the file and key."""


def _weights(path: Path, document: Any) -> tuple[str, dict]:
    """The file's weights by crime type, and the key path they sit under (for messages)."""
    if isinstance(document, dict) and isinstance(document.get("types"), dict):
        types = document["types"]
        return "types.{}.harm", {
            name: entry.get("harm") for name, entry in types.items()
            if name in POLICE_UK_CRIME_TYPES and isinstance(entry, dict)
        }  # fmt: skip
    weights = document.get("weights") if isinstance(document, dict) else None
    if not isinstance(weights, dict):
        raise HarmConfigError(f"{path}: no 'weights' mapping of crime type to number")
    return "weights.{}", weights


def load_harm_weights(path: Path = DEFAULT_WEIGHTS_FILE) -> dict[str, float]:
    """Weight per police.uk crime type; every known type must have a non-negative number."""
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise HarmConfigError(f"{path}: cannot be read as YAML: {exc}") from exc
    key, weights = _weights(path, document)
    result: dict[str, float] = {}
    for crime_type, value in weights.items():
        if crime_type not in POLICE_UK_CRIME_TYPES:
            raise HarmConfigError(f"{path}: {key.format(crime_type)}: not a police.uk crime type")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise HarmConfigError(
                f"{path}: {key.format(crime_type)}: not a non-negative number: {value!r}"
            )
        result[crime_type] = float(value)
    missing = sorted(set(POLICE_UK_CRIME_TYPES) - set(result))
    if missing:
        raise HarmConfigError(f"{path}: weights: no weight for {', '.join(missing)}")
    return result
