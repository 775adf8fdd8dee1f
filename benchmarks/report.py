"""Where benchmarks write their figures: var/bench/<name>.json, also printed."""

from __future__ import annotations

import json
from pathlib import Path

from core.settings import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "var" / "bench"


def write_figures(name: str, figures: dict) -> Path:
    """Round floats to 2 places, write the JSON file and print it."""
    rounded = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
    path = BENCH_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rounded, indent=2) + "\n")
    print(json.dumps(rounded, indent=2))
    print(f"written to {path}")
    return path
