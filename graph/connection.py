"""Connections to Neo4j: the Bolt driver and the GDS client, from settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase

from core.settings import Settings

if TYPE_CHECKING:
    from graphdatascience import GraphDataScience


# Server notifications (e.g. "property key does not exist" on a first load into an empty
# graph) are hints for people writing queries, not for people running the pipeline.
_QUIET = {"notifications_min_severity": "OFF"}


def driver(settings: Settings) -> Driver:
    return GraphDatabase.driver(
        settings.neo4j.uri, auth=(settings.neo4j.user, settings.neo4j.password), **_QUIET
    )


def async_driver(settings: Settings) -> AsyncDriver:
    return AsyncGraphDatabase.driver(
        settings.neo4j.uri, auth=(settings.neo4j.user, settings.neo4j.password), **_QUIET
    )


def gds_client(settings: Settings) -> GraphDataScience:
    """The GDS Python client (imported here: it pulls in pandas and pyarrow)."""
    from graphdatascience import GraphDataScience

    return GraphDataScience(settings.neo4j.uri, auth=(settings.neo4j.user, settings.neo4j.password))
