"""ATRS 2.4.2.7 (model performance): figures from `make bench` (var/bench/*.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


def _flatten(value: Any, wanted: re.Pattern, prefix: str = "") -> dict[str, Any]:
    """Numeric leaves whose last key matches ``wanted``, keyed by their dotted path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out |= _flatten(inner, wanted, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, bool | int | float) and wanted.search(prefix.rsplit(".", 1)[-1]):
        return {prefix: value}
    return {}


def bench_figures(bench_dir: Path) -> dict[str, dict]:
    """Accuracy, fairness and speed figures from ``make bench`` (var/bench/*.json)."""
    wanted = re.compile(
        r"(precision|recall|f1|accuracy|mae|rmse|p95|per_second|skill|gini|ratio|disparit|"
        r"fairness|bias|_met$)",
        re.IGNORECASE,
    )
    out: dict[str, dict] = {}
    for path in sorted(bench_dir.glob("*.json")) if bench_dir.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        flat = _flatten(data, wanted)
        if flat:
            out[path.stem] = dict(list(flat.items())[:40])
    return out
