"""Versioned schemas: a newer crimegraph opens a warehouse and a graph made by an older
one and migrates them, keeping every row, and refuses one made by a newer crimegraph.

``fixtures/warehouse-v1.duckdb.gz`` was made by main at af5bd3c (before versions were
kept) from 300 Gwent crimes of January 2025 and the 207 person records a 50,000-people
simulation attaches to them: ``crimegraph ingest police-uk``, ``simulate --people 50000
--seed 3``, ``ingest`` the extracts, then ``resolve people``, ``resolve places`` and
``resolve incidents``.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from core import warehouse, warehouse_schema, warehouse_versions
from core.warehouse_versions import SchemaVersionError
from graph import schema_version
from graph.load import apply_schema
from resolver.linkage.warehouse_places import resolve_warehouse_places
from tests.conftest import FIXTURES


def _warehouse_v1(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with gzip.open(FIXTURES / "warehouse-v1.duckdb.gz") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_name <> $versions ORDER BY 1",
        {"versions": warehouse_versions.VERSIONS_TABLE},
    ).fetchall()
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for (t,) in tables}


def test_a_warehouse_made_by_the_last_main_is_migrated_keeping_every_row(
    tmp_path, warehouse_settings
) -> None:
    path = _warehouse_v1(tmp_path)
    with warehouse.connect_read_only(path) as con:  # readers open it as it is
        assert warehouse_versions.version_of(con) == 1
        before = _row_counts(con)
    assert before["person_records"] > 100 and before["police_uk_records"] == 300

    with duckdb.connect(str(path)) as con:
        assert warehouse_versions.migrate(con, path) == [2, 3, 4]
    with warehouse.connect(path) as con:
        assert warehouse_versions.version_of(con) == warehouse_versions.VERSION
        assert _row_counts(con) == before
        migrated = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        assert migrated == [(2,), (3,), (4,)]
        for table, columns in warehouse_schema.ADDED_COLUMNS.items():
            if table in before:
                have = {
                    c
                    for (c,) in con.execute(
                        f"SELECT name FROM pragma_table_info('{table}')"
                    ).fetchall()
                }
                assert {c.split()[0] for c in columns} <= have, table
        # and the stages go on working on it: places re-resolved keep their ids
        places = dict(con.execute("SELECT place_id, address FROM places").fetchall())
        run = resolve_warehouse_places(
            con, warehouse_settings.sources, id_key=warehouse_settings.id_secret
        )
        assert run.records > 0
        again = dict(con.execute("SELECT place_id, address FROM places").fetchall())
        assert len(set(places) & set(again)) >= 0.95 * len(places)


def test_a_new_warehouse_starts_at_the_current_version(tmp_path) -> None:
    with warehouse.connect(tmp_path / "new.duckdb") as con:
        assert warehouse_versions.version_of(con) == warehouse_versions.VERSION
        assert con.execute("SELECT version FROM schema_migrations").fetchall() == [
            (warehouse_versions.VERSION,)
        ]


def test_a_warehouse_from_a_newer_crimegraph_is_refused_and_left_as_it_is(tmp_path) -> None:
    path = tmp_path / "newer.duckdb"
    with warehouse.connect(path) as con:
        con.execute("INSERT INTO schema_migrations VALUES (99, now(), '9.0')")
        con.execute("CREATE TABLE from_the_future (x INTEGER)")
    size = path.stat().st_size
    for opener in (warehouse.connect, warehouse.connect_read_only):
        with pytest.raises(SchemaVersionError, match=r"newer.duckdb: warehouse schema version 99"):
            opener(path)
    assert path.stat().st_size == size
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(99,)]


def _indexes(driver) -> set[str]:
    records, _, _ = driver.execute_query("SHOW INDEXES YIELD name")
    return {r["name"] for r in records}


def test_a_graph_made_before_versions_is_migrated_and_a_newer_one_refused(neo4j_driver) -> None:
    apply_schema(neo4j_driver)  # an empty graph starts at the current version
    assert schema_version.version_of(neo4j_driver) == schema_version.VERSION

    # as the last main left it: data, no version node, none of version 2's indexes
    neo4j_driver.execute_query("MATCH (v:CrimegraphSchema) DELETE v")
    for index in ("audit_entry_at", "audit_entry_who"):
        neo4j_driver.execute_query(f"DROP INDEX {index} IF EXISTS")
    neo4j_driver.execute_query("CREATE (:Force {code: 'gwent', name: 'Gwent'})")
    assert schema_version.version_of(neo4j_driver) == 1
    assert schema_version.migrate(neo4j_driver) == [2]
    assert {"audit_entry_at", "audit_entry_who"} <= _indexes(neo4j_driver)
    assert schema_version.version_of(neo4j_driver) == 2
    assert schema_version.migrate(neo4j_driver) == []
    records, _, _ = neo4j_driver.execute_query("MATCH (f:Force) RETURN f.name AS name")
    assert [r["name"] for r in records] == ["Gwent"]

    neo4j_driver.execute_query("MATCH (v:CrimegraphSchema) SET v.version = 99")
    with pytest.raises(SchemaVersionError, match="graph's schema version 99 is newer"):
        apply_schema(neo4j_driver)
