"""Real data for the responsible-use tests: Gwent's 2025 police.uk street files ingested
into a warehouse of its own through the real CLI (about 70,000 crimes)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from core.settings import load_settings
from crimegraph.cli import app
from risk import events

FORCE = "gwent"


def gwent_glob() -> str:
    street = load_settings().source_data_dir / "police-uk" / "street"
    return str(street / "*" / f"*-{FORCE}-street.csv.gz")


def ingest_gwent(data_dir: Path, monkeypatch) -> Path:
    """Ingest Gwent into ``data_dir``'s warehouse; returns its path."""
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(data_dir))
    result = CliRunner().invoke(app, ["ingest", "police-uk", gwent_glob()])
    assert result.exit_code == 0, result.output
    return data_dir / "warehouse.duckdb"


def crimes(warehouse: Path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return events.from_warehouse(con)


def gwent_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding Gwent's 2025 crimes, for a module-scoped fixture."""
    with pytest.MonkeyPatch.context() as mp:
        return ingest_gwent(tmp_path_factory.mktemp("gwent"), mp)
