"""Splink on Spark: the same people model beyond one machine.

Preparation, blocking choice and clustering stay in DuckDB and Python (they are linear in
the records); the pairwise work Splink does (training and scoring, quadratic within
blocks) runs on Spark. Locally that is a ``local[*]`` session; on a cluster, pass the
cluster's session to :func:`resolver.linkage.people.resolve`.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def local_session(cores: int | None = None, memory: str = "4g") -> Iterator:
    """A local Spark session with Splink's similarity functions, stopped on exit.

    No UI and no network beyond loopback; scratch space in a temporary directory.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="crimegraph-spark-") as scratch:
        workers = cores or os.cpu_count() or 2
        session = (
            SparkSession.builder.master(f"local[{workers}]")
            .appName("crimegraph-resolve")
            .config("spark.jars", similarity_jar_location())
            .config("spark.driver.memory", memory)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.local.dir", scratch)
            .config("spark.sql.shuffle.partitions", str(max(4, workers * 2)))
            .config("spark.default.parallelism", str(max(4, workers * 2)))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        session.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
        try:
            yield session
        finally:
            session.stop()


def splink_api(spark):
    """Splink's Spark backend, partitioned for the session's cores rather than a cluster's."""
    from splink.backends.spark import SparkAPI

    partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
    return SparkAPI(
        spark_session=spark,
        break_lineage_method="persist",
        num_partitions_on_repartition=partitions,
    )


def to_spark(spark, con: duckdb.DuckDBPyConnection, table: str):
    """A DuckDB table as a Spark DataFrame (through Arrow, list columns kept)."""
    return spark.createDataFrame(con.table(table).to_arrow_table())
