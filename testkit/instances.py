"""Throwaway instances: a free loopback port and settings for a Neo4j of one's own."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

from core.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_settings(data_dir: Path, base: Settings | None = None, **neo4j: str) -> Settings:
    """Settings for a throwaway instance: own data dir, Bolt port and password (more Neo4j
    fields, e.g. ``heap``, by keyword)."""
    base = base or load_settings()
    return base.with_data_dir(data_dir).with_neo4j(
        uri=f"bolt://127.0.0.1:{free_port()}",
        user="neo4j",
        password=secrets.token_urlsafe(16),
        **neo4j,
    )


def empty_graph(driver) -> None:
    """Delete every node and relationship (auto-commit: IN TRANSACTIONS needs one)."""
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
