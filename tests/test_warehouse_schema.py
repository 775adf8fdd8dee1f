"""One warehouse schema definition: every kept table is defined in core/warehouse_schema.py,
and an older warehouse gains the columns added since, without breaking the stages' writes."""

from __future__ import annotations

import re

import duckdb

from core import warehouse, warehouse_schema
from core.settings import PROJECT_ROOT
from resolver.linkage import review_queue

STAGE_PACKAGES = ("core", "resolver", "graph", "risk", "responsible", "layers", "api", "crimegraph")


def test_no_stage_defines_a_kept_table_of_its_own() -> None:
    defined = []
    for package in STAGE_PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if path.name == "warehouse_schema.py":
                continue
            found = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", path.read_text())
            defined += [f"{path.relative_to(PROJECT_ROOT)}: {name}" for name in found]
    assert defined == []


def test_every_stage_table_list_names_defined_tables() -> None:
    from resolver.linkage import places, warehouse_incidents, warehouse_people
    from responsible import interventions
    from responsible.retention import apply

    for stage in (
        places,
        warehouse_incidents,
        warehouse_people,
        review_queue,
        interventions,
        apply,
    ):
        assert set(stage.TABLES) <= set(warehouse_schema.TABLES), stage.__name__
    assert not set(warehouse_schema.TABLES) & set(warehouse_schema.DERIVED)


def test_an_older_warehouse_gains_the_added_columns_and_decisions_still_write(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))  # as a warehouse made before the columns were added
    old.execute(
        warehouse_schema.TABLES["quarantine"].replace("raw           VARCHAR", "raw VARCHAR")
    )
    old.execute(
        "CREATE TABLE match_decisions (pair_id VARCHAR PRIMARY KEY, left_system VARCHAR NOT NULL, "
        "left_record_id VARCHAR NOT NULL, right_system VARCHAR NOT NULL, right_record_id VARCHAR "
        "NOT NULL, decision VARCHAR NOT NULL, decided_by VARCHAR NOT NULL, decided_at TIMESTAMP "
        "NOT NULL, reason VARCHAR)"
    )
    old.close()
    with warehouse.connect(path) as con:
        review_queue.ensure_schema(con)
        columns = {
            table: [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
            ).fetchall()]
            for table in ("quarantine", "match_decisions")
        }  # fmt: skip
        assert columns["quarantine"][-1] == "severity"
        assert columns["match_decisions"][-2:] == ["decision_id", "origin"]
        con.execute("INSERT INTO review_queue VALUES ('p1', 'a', '1', 'b', '2', 0.5, 0.0, '{}', 1)")
        review_queue.decide(con, "p1", "not_a_match", who="steward", reason="twins")
        assert con.execute(
            "SELECT decision, decided_by, origin FROM match_decisions"
        ).fetchall() == [("not_a_match", "steward", None)]
