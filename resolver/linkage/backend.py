"""Where Splink trains and scores pairs: a linkage backend.

Preparation, blocking choice and clustering stay in DuckDB (they are linear in the
records); the pairwise work (quadratic within blocks) runs on the backend. People,
places and incidents all take one, so running resolution on Spark is choosing
:class:`SparkBackend`; the custom comparison levels are written once
(``resolver.linkage.levels``) and Splink translates them for the backend's SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
from splink.backends.duckdb import DuckDBAPI


class LinkageBackend(Protocol):
    """What the linkage stages need of a backend."""

    name: str  # Splink's dialect name: "duckdb", "spark"

    def register(self, con: duckdb.DuckDBPyConnection, table: str) -> Any:
        """Splink's handle on warehouse table ``table`` (``con``), ready for a Linker."""
        ...

    def relation(self, splink_frame: Any) -> Any:
        """A Splink result (pairs, clusters) as something DuckDB can ``register``."""
        ...


@dataclass(frozen=True)
class DuckDBBackend:
    """Splink on the warehouse's own DuckDB connection: no copy of the data."""

    name: str = "duckdb"

    def register(self, con: duckdb.DuckDBPyConnection, table: str) -> Any:
        return DuckDBAPI(con).register(con.table(table))

    def relation(self, splink_frame: Any) -> Any:
        return splink_frame.as_duckdbpyrelation()


@dataclass(frozen=True)
class SparkBackend:
    """Splink on a Spark session (``resolver.linkage.spark.local_session`` or a cluster's):
    the table goes over through Arrow and the results come back the same way."""

    session: Any
    name: str = "spark"

    def register(self, con: duckdb.DuckDBPyConnection, table: str) -> Any:
        from resolver.linkage.spark import splink_api, to_spark

        return splink_api(self.session).register(to_spark(self.session, con, table))

    def relation(self, splink_frame: Any) -> Any:
        return splink_frame.as_spark_dataframe().toArrow()


DUCKDB = DuckDBBackend()
