"""Clean stops: SIGTERM or Ctrl-C on the server finishes what is in flight and exits 0
without a traceback, keeping every record it acknowledged; on a batch stage it stops where
it is (exit 130 and a line saying so), whole files kept; a live feed whose API goes away
says so in one line. Each in its own process, signalled for real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import httpx
import pytest

from core.settings import load_settings
from crimegraph.cli import ABORTED
from live.journal import Journal
from testkit.instances import free_port
from testkit.server import JWT_SECRET
from tests.api_world import World, world
from tests.test_live import crime

pytestmark = pytest.mark.neo4j


def _crimegraph(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _server_env(w: World, data_dir) -> dict[str, str]:
    return {
        "NEO4J_URI": w.neo4j.neo4j.uri,
        "NEO4J_PASSWORD": w.neo4j.neo4j.password,
        "CRIMEGRAPH_DATA_DIR": str(data_dir),
        "CRIMEGRAPH_JWT_SECRET": JWT_SECRET,
        "CRIMEGRAPH_ENV": "development",
    }


def _up(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            if httpx.get(f"{url}/livez", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


@pytest.fixture(scope="module")
def w(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("stops")) as seeded:
        yield seeded


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signalled_server_keeps_what_it_acknowledged_and_exits_cleanly(
    w, tmp_path, signum
) -> None:
    port = free_port()
    server = _crimegraph("serve", "--port", str(port), env=_server_env(w, tmp_path))
    url = f"http://127.0.0.1:{port}"
    _up(url, server)
    headers = {**w.headers("ingest"), "content-type": "application/x-ndjson"}
    body = "\n".join(json.dumps(crime(f"stop-{signum}-{n}")) for n in range(20))
    answer = httpx.post(f"{url}/ingest/police.uk", content=body, headers=headers).json()
    assert answer["accepted"] == 20
    server.send_signal(signum)
    started = time.monotonic()
    _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert time.monotonic() - started < 10
    assert "Traceback" not in stderr
    assert "Application shutdown complete" in stderr
    assert _journalled(tmp_path) == 20  # every acknowledged record, applied or not


def test_a_live_feed_whose_api_goes_away_says_so_in_one_line(w, tmp_path) -> None:
    port = free_port()
    env = _server_env(w, tmp_path)
    server = _crimegraph("serve", "--port", str(port), env=env)
    url = f"http://127.0.0.1:{port}"
    _up(url, server)
    feed = _crimegraph(
        "live", "replay", "--url", url, "--rate", "20", "--limit", "2000",
        "--token", w.tokens["ingest"], "--wait", "10", env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while _journalled(tmp_path) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)  # the feed reads its month first, then posts
    assert feed.poll() is None
    server.send_signal(signal.SIGTERM)
    server.communicate(timeout=30)
    _, stderr = feed.communicate(timeout=60)
    assert feed.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert f"the API at {url} went away after" in stderr


def _journalled(data_dir) -> int:
    if not (data_dir / "live" / "journal.sqlite").exists():
        return 0
    journal = Journal(data_dir / "live" / "journal.sqlite")
    try:
        return journal.counts()["entries"]
    finally:
        journal.close()


def test_an_interrupted_batch_stage_keeps_whole_files_and_says_aborted(tmp_path) -> None:
    england = load_settings().source_data_dir / "police-uk" / "england" / "street"
    files = sorted(str(p) for p in england.glob("2025-0[1-6]/*-street.csv*"))
    assert len(files) > 50  # enough to take far longer than the wait below
    ingest = _crimegraph("ingest", "police-uk", *files, env={"CRIMEGRAPH_DATA_DIR": str(tmp_path)})
    warehouse = tmp_path / "warehouse.duckdb"
    deadline = time.monotonic() + 60
    while not warehouse.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(4)
    ingest.send_signal(signal.SIGTERM)
    _, stderr = ingest.communicate(timeout=60)
    assert ingest.returncode == 130, stderr
    assert ABORTED in stderr and "Traceback" not in stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        recorded = dict(con.execute("SELECT source_file, rows_loaded FROM ingest_runs").fetchall())
        loaded = dict(
            con.execute("SELECT source_file, count(*) FROM police_uk_records GROUP BY 1").fetchall()
        )
    assert len(recorded) < len(files)  # it was stopped part way
    assert loaded == {f: n for f, n in recorded.items() if n}  # no half a file
