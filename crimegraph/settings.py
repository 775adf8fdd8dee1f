"""Every setting crimegraph reads, from environment variables, in one place.

Defaults suit one developer machine: everything lives under ``var/`` in the
checkout, Neo4j listens on loopback only, and a local Neo4j password is generated
once and kept in ``var/neo4j/password`` (mode 600) when ``NEO4J_PASSWORD`` is unset,
so the demo runs on a fresh machine without a secret in the repository.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CYPHER_DIR = PROJECT_ROOT / "cypher"
WEB_DIR = PROJECT_ROOT / "web"
NEO4J_ASSEMBLY_PROJECT = PROJECT_ROOT / "docker" / "neo4j"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={value!r} is not an integer") from exc


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build one with :func:`load_settings`."""

    data_dir: Path
    cache_dir: Path
    source_data_dir: Path
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: str = field(repr=False)
    neo4j_heap: str
    neo4j_pagecache: str
    api_host: str
    api_port: int
    # The retention policy YAML (resolver/retention/policy.py describes it).
    retention_policy_path: Path = PROJECT_ROOT / "resolver" / "retention" / "policy.yaml"

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB warehouse: one file holding every canonical table."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def retention_log_path(self) -> Path:
        """The append-only JSON-lines log of every `crimegraph retention apply`."""
        return self.data_dir / "logs" / "retention.jsonl"

    @property
    def neo4j_instance_dir(self) -> Path:
        """Where the local Neo4j keeps its conf, data, logs and pid file."""
        return self.data_dir / "neo4j"

    @property
    def neo4j_bolt_port(self) -> int:
        return urlparse(self.neo4j_uri).port or 7687

    @property
    def neo4j_bolt_host(self) -> str:
        return urlparse(self.neo4j_uri).hostname or "127.0.0.1"


def _local_password(data_dir: Path) -> str:
    """Read, or create once, the generated password of the local Neo4j instance."""
    path = data_dir / "neo4j" / "password"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def load_settings() -> Settings:
    """Read the environment (see ``.env.example``) into a :class:`Settings`."""
    data_dir = _env_path("CRIMEGRAPH_DATA_DIR", PROJECT_ROOT / "var")
    password = os.environ.get("NEO4J_PASSWORD") or _local_password(data_dir)
    if len(password) < 8:
        raise ValueError("NEO4J_PASSWORD must be at least 8 characters (Neo4j's minimum)")
    return Settings(
        data_dir=data_dir,
        cache_dir=_env_path("CRIMEGRAPH_CACHE_DIR", PROJECT_ROOT / "var" / "cache"),
        source_data_dir=_env_path(
            "CRIMEGRAPH_SOURCE_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"
        ),
        neo4j_uri=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
        neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
        neo4j_password=password,
        neo4j_heap=os.environ.get("NEO4J_HEAP", "2g"),
        neo4j_pagecache=os.environ.get("NEO4J_PAGECACHE", "1g"),
        api_host=os.environ.get("CRIMEGRAPH_API_HOST", "127.0.0.1"),
        api_port=_env_int("CRIMEGRAPH_API_PORT", 8000),
        retention_policy_path=_env_path(
            "CRIMEGRAPH_RETENTION_POLICY", PROJECT_ROOT / "resolver" / "retention" / "policy.yaml"
        ),
    )
