"""Reads run as auto-commit queries (graph.cypher.read) against the real server: a pooled
connection the server has closed is retried on a fresh one, as managed transactions were,
so the first investigator after a Neo4j restart gets an answer, not an error."""

from __future__ import annotations

import asyncio
import secrets

import neo4j
import pytest

from graph.cypher import read

pytestmark = pytest.mark.neo4j


def _kill_connections(settings, user_agent: str) -> int:
    """Close, on the server's side, every Bolt connection opened under ``user_agent``."""
    auth = (settings.neo4j.user, settings.neo4j.password)
    with neo4j.GraphDatabase.driver(settings.neo4j.uri, auth=auth) as killer:
        rows, _, _ = killer.execute_query(
            "CALL dbms.listConnections() YIELD connectionId, userAgent "
            "WHERE userAgent = $agent RETURN collect(connectionId) AS ids",
            agent=user_agent,
        )
        ids = rows[0]["ids"]
        killer.execute_query("CALL dbms.killConnections($ids)", ids=ids)
    return len(ids)


def test_a_read_on_connections_the_server_closed_is_answered(neo4j_settings) -> None:
    agent = f"crimegraph-test/{secrets.token_hex(4)}"

    async def run() -> tuple[list, list[list]]:
        auth = (neo4j_settings.neo4j.user, neo4j_settings.neo4j.password)
        async with neo4j.AsyncGraphDatabase.driver(
            neo4j_settings.neo4j.uri, auth=auth, user_agent=agent
        ) as driver:
            warm = await asyncio.gather(*(read(driver, "queries/forces") for _ in range(4)))
            # Called without yielding to the event loop, as on a busy API: the driver has
            # not seen the connections close when the next read takes one from its pool.
            assert _kill_connections(neo4j_settings, agent) >= 1
            after = [await read(driver, "queries/forces") for _ in range(3)]
            return warm[0], after

    before, after = asyncio.run(run())
    assert all([r.data() for r in rows] == [r.data() for r in before] for rows in after)
