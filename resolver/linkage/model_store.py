"""Trained linkage models kept in the warehouse (``linkage_models``): each run's Splink
settings as versioned JSON, so a result can be traced to the model that made it and live
linking scores with the model the batch trained."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb


def next_version(con: duckdb.DuckDBPyConnection, model: str) -> int:
    """The version the next stored run of ``model`` takes: 1, 2, 3, ..."""
    return con.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM linkage_models WHERE model = ?", [model]
    ).fetchall()[0][0]


def store_model(
    con: duckdb.DuckDBPyConnection,
    model: str,
    version: int,
    *,
    records: int,
    entities: int,
    settings: dict[str, Any],
) -> None:
    """Keep one run's trained settings; call inside the transaction writing its links."""
    con.execute(
        "INSERT INTO linkage_models (model, version, trained_at, records, persons, "
        "settings_json) VALUES (?, ?, ?, ?, ?, ?)",
        [model, version, datetime.now(UTC).replace(tzinfo=None), records, entities,
         json.dumps(settings)],
    )  # fmt: skip
