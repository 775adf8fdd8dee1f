"""Settings come from the environment; every CLI command answers --help."""

import pytest
from typer.testing import CliRunner

from core.settings import load_settings
from crimegraph.cli import app


def test_settings_read_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7999")
    monkeypatch.setenv("NEO4J_PASSWORD", "from-the-environment")
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRIMEGRAPH_API_PORT", "8123")
    settings = load_settings()
    assert settings.neo4j.bolt_port == 7999
    assert settings.neo4j.password == "from-the-environment"
    assert settings.warehouse_path == tmp_path / "warehouse.duckdb"
    assert settings.api.port == 8123
    assert "from-the-environment" not in repr(settings)


def test_without_a_password_one_is_generated_once_and_kept_private(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(tmp_path))
    first = load_settings().neo4j.password
    assert len(first) >= 16 and load_settings().neo4j.password == first
    assert (tmp_path / "neo4j" / "password").stat().st_mode & 0o077 == 0


def test_the_api_is_production_unless_told_otherwise(monkeypatch, tmp_path) -> None:
    """Outside `crimegraph demo` nothing opens GraphiQL or invents credentials by default."""
    from api.config import load_api_config

    monkeypatch.delenv("CRIMEGRAPH_ENV", raising=False)
    monkeypatch.delenv("CRIMEGRAPH_JWT_SECRET", raising=False)
    monkeypatch.delenv("CRIMEGRAPH_API_KEYS", raising=False)
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(tmp_path))
    config = load_api_config(load_settings())
    assert config.production and config.demo_keys_path is None
    assert not (tmp_path / "api").exists()
    monkeypatch.setenv("CRIMEGRAPH_ENV", "development")
    assert load_api_config(load_settings()).demo_keys_path is not None


def test_bad_settings_are_named(monkeypatch) -> None:
    monkeypatch.setenv("CRIMEGRAPH_API_PORT", "eighty")
    with pytest.raises(ValueError, match="CRIMEGRAPH_API_PORT"):
        load_settings()
    monkeypatch.delenv("CRIMEGRAPH_API_PORT")
    monkeypatch.setenv("NEO4J_PASSWORD", "short")
    with pytest.raises(ValueError, match="at least 8"):
        load_settings()


@pytest.mark.parametrize(
    "command",
    [
        [], ["neo4j"], ["neo4j", "start"], ["neo4j", "stop"], ["neo4j", "status"],
        ["neo4j", "provision"], ["ingest"], ["simulate"], ["sources"], ["sources", "suggest"],
        ["resolve"], ["resolve", "people"], ["review"], ["review", "list"], ["review", "show"],
        ["review", "decide"], ["load"], ["quarantine"],
        ["serve"], ["demo"],
    ],
)  # fmt: skip
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
