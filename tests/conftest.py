"""Shared fixtures. Graph tests run against a real local Neo4j + GDS instance that the
test session starts itself (its own data directory, port and random password), reusing
the project's cached server assembly."""

from __future__ import annotations

import dataclasses
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from crimegraph.settings import PROJECT_ROOT, Settings, load_settings

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
BROKEN_POLICE_UK = FIXTURES / "police-uk" / "2025-01-broken-street.csv"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_settings(data_dir: Path) -> Settings:
    """Settings for a throwaway instance: own data dir, port and password."""
    base = load_settings()
    return dataclasses.replace(
        base,
        data_dir=data_dir,
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_user="neo4j",
        neo4j_password=secrets.token_urlsafe(16),
        neo4j_heap="1g",
        neo4j_pagecache="256m",
    )


def empty_graph(driver) -> None:
    """Delete every node and relationship (auto-commit: IN TRANSACTIONS needs one)."""
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A running Neo4j + GDS for the whole test session, stopped at the end."""
    from graph import neo4j_server

    settings = instance_settings(tmp_path_factory.mktemp("neo4j-instance"))
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
    return dataclasses.replace(load_settings(), data_dir=tmp_path)
