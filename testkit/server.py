"""`crimegraph serve` in its own process, for tests and benchmarks over real HTTP."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from core.settings import Settings
from testkit.instances import free_port

JWT_SECRET = secrets.token_urlsafe(32)


@contextlib.contextmanager
def serve(
    neo4j_settings: Settings, data_dir: Path, ready: tuple[int, ...] = (200,), **env: str
) -> Iterator[str]:
    """``crimegraph serve`` in its own process; yields its base URL once /healthz answers
    with a status in ``ready`` (503 too: up while its Neo4j is not)."""
    port = free_port()
    full_env = {
        **os.environ,
        "NEO4J_URI": neo4j_settings.neo4j.uri,
        "NEO4J_USER": neo4j_settings.neo4j.user,
        "NEO4J_PASSWORD": neo4j_settings.neo4j.password,
        "CRIMEGRAPH_DATA_DIR": str(data_dir),
        "CRIMEGRAPH_JWT_SECRET": JWT_SECRET,
        "CRIMEGRAPH_ENV": "development",  # a test asks for production by passing it
        **env,
    }
    # The server's log goes to a file: a pipe nobody reads fills up after a few hundred
    # access-log lines and then blocks the server mid-request.
    log = (data_dir / "server.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", "serve", "--port", str(port)],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code in ready:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"API did not start: {log.read().decode()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
