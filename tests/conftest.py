"""Shared fixtures. Graph tests run against a real local Neo4j + GDS instance that the
test session starts itself (its own data directory, port and random password), reusing
the project's cached server assembly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings, load_settings
from testkit.instances import empty_graph, instance_settings

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
BROKEN_POLICE_UK = FIXTURES / "police-uk" / "2025-01-broken-street.csv"


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A running Neo4j + GDS for the whole test session, stopped at the end."""
    from graph import neo4j_server

    settings = instance_settings(
        tmp_path_factory.mktemp("neo4j-instance"), heap="1g", pagecache="256m"
    )
    neo4j_server.start(settings, log=lambda _msg: None)
    try:
        yield settings
    finally:
        neo4j_server.stop(settings, log=lambda _msg: None)


@pytest.fixture()
def neo4j_driver(neo4j_settings: Settings):
    """A driver to an emptied database."""
    from graph.connection import driver

    with driver(neo4j_settings) as drv:
        empty_graph(drv)
        with drv.session() as session:
            session.run(
                "CALL gds.graph.list() YIELD graphName "
                "CALL gds.graph.drop(graphName) YIELD graphName AS dropped "
                "RETURN count(*)"
            ).consume()
        yield drv


@pytest.fixture()
def warehouse_settings(tmp_path: Path) -> Settings:
    """Settings whose warehouse is a fresh file in a temporary directory."""
    return load_settings().with_data_dir(tmp_path)
