"""Retention without a graph: the policy file, expiry per record type, holds, links, and the
warehouse removal with its cascade and hashed log."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core import warehouse
from core.settings import load_settings
from resolver.linkage import places, review_queue, warehouse_incidents, warehouse_people
from responsible.retention import apply as retention
from responsible.retention.expiry import (
    EXPIRED,
    HELD,
    INDEFINITE,
    LINKED,
    NO_RULE,
    RETAINED,
    UNDATED,
    Candidate,
    decide,
    dob_latest,
    judge,
)
from responsible.retention.plan import make_plan
from responsible.retention.policy import Period, RetentionPolicyError, load_policy, parse_period
from tests.test_simulate import SYSTEMS

POLICY = """
version: test-1
quarantine: {period: 30 days}
rules:
  - {system: [pa, pb], record_type: incident, group: g3, period: 6 years, from: incident_date}
  - {system: [pa, pb], record_type: incident, crime_groups: [violence], group: g2,
     period: 10 years, from: incident_date}
  - {system: [pa, pb], record_type: person, group: g3, period: 6 years, from: last_involvement}
  - {system: [pa, pb], record_type: person, roles: [suspect], crime_groups: [violence],
     group: g2, period: 10 years, from: last_involvement}
  - {system: care, record_type: person, group: child, period: 75 years, from: date_of_birth}
  - {system: open, record_type: incident, group: open data, period: indefinite}
holds:
  - {system: pa, record_type: person, record_id: HELD1, reason: legal hold}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def policy(tmp_path):
    return load_policy(write(tmp_path, POLICY))


def test_periods_parse_and_count_on_the_calendar() -> None:
    assert parse_period("6 years") == Period(6, "year")
    assert parse_period("1 Month") == Period(1, "month")
    assert parse_period("indefinite").indefinite
    assert Period(1, "year").after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period(1, "month").after(date(2025, 1, 31)) == date(2025, 2, 28)
    assert Period(13, "month").after(date(2025, 12, 15)) == date(2027, 1, 15)
    assert Period(90, "day").after(date(2025, 1, 1)) == date(2025, 4, 1)
    for bad in ("six years", "6 decades", "", "-1 days", None):
        with pytest.raises(ValueError):
            parse_period(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: []\nversion: 1", "'rules' must be a non-empty list"),
        ("rules:\n  - {system: pa, record_type: person, period: 1 year, from: x}",
         "missing 'version'"),
        ("version: 1\nrules:\n  - {system: pa, record_type: place, period: 1 year}",
         "rules[0].record_type: must be one of person, incident, got 'place'"),
        ("version: 1\nrules:\n  - {system: pa, record_type: person, period: 6 yrs, from: x}",
         "rules[0].period: expected 'N days|months|years' or 'indefinite', got '6 yrs'"),
        ("version: 1\nrules:\n  - {system: pa, record_type: incident, period: 1 year,"
         " from: last_involvement}",
         "rules[0].from: a incident period is counted from one of incident_date, ingested_at, "
         "got 'last_involvement'"),
        ("version: 1\nrules:\n  - {system: pa, record_type: person, period: 1 year}",
         "rules[0]: missing 'from'"),
        ("version: 1\nrules:\n  - {system: pa, record_type: incident, period: 1 year,"
         " from: incident_date, roles: [suspect]}",
         "rules[0].roles: only person rules can filter on roles"),
        ("version: 1\nrules:\n  - {system: pa, record_type: incident, period: 1 year,"
         " from: incident_date, colour: red}",
         "rules[0].colour: unknown key"),
        ("version: 1\nrules:\n  - {system: pa, record_type: person, period: indefinite}\n"
         "holds:\n  - {system: pa, record_type: person, record_id: X}",
         "holds[0]: missing 'reason'"),
        ("version: 1\nrules: [{system: pa, record_type: person, period: indefinite}]\n"
         "quarantine: {period: soon}", "quarantine.period: expected"),
        ("version: [1", "not valid YAML"),
    ],
)  # fmt: skip
def test_a_bad_policy_names_the_file_key_and_value(tmp_path, text, message) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RetentionPolicyError) as error:
        load_policy(path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)
    with pytest.raises(RetentionPolicyError, match="no such file"):
        load_policy(tmp_path / "missing.yaml")


def test_the_shipped_policy_covers_every_simulated_system_and_record_type() -> None:
    policy = load_policy(load_settings().retention.policy)
    for system in SYSTEMS:
        for record_type in ("person", "incident"):
            assert policy.rules_for(system, record_type), (system, record_type)
    assert policy.rules_for("police.uk", "incident")[0].period.indefinite


def person(rid="P1", system="pa", last=None, dob=None, roles=(), groups=()) -> Candidate:
    dates = {"last_involvement": last, "date_of_birth": dob, "ingested_at": date(2025, 6, 1)}
    return Candidate(system, "person", rid, dates, frozenset(roles), frozenset(groups))


def incident(rid="I1", system="pa", when=None, groups=()) -> Candidate:
    dates = {"incident_date": when, "ingested_at": date(2025, 6, 1)}
    return Candidate(system, "incident", rid, dates, crime_groups=frozenset(groups))


def test_expiry_per_record_type_with_the_longest_matching_rule_governing(policy) -> None:
    day = date(2025, 3, 10)
    theft = judge(policy, incident(when=day, groups=["theft"]), date(2031, 3, 10))
    assert (theft.reason, theft.group, theft.expires) == (EXPIRED, "g3", date(2031, 3, 10))
    assert judge(policy, incident(when=day, groups=["theft"]), date(2031, 3, 9)).reason == RETAINED
    violent = judge(policy, incident(when=day, groups=["violence"]), date(2031, 3, 10))
    assert (violent.reason, violent.group) == (RETAINED, "g2")
    # A victim of violence is group 3; a suspect of violence group 2 (the longer period).
    victim = judge(
        policy, person(last=day, roles=["victim"], groups=["violence"]), date(2032, 1, 1)
    )
    suspect = judge(
        policy, person(last=day, roles=["suspect", "victim"], groups=["violence"]), date(2032, 1, 1)
    )
    assert (victim.reason, suspect.reason, suspect.group) == (EXPIRED, RETAINED, "g2")
    assert judge(policy, person(last=None), date(2099, 1, 1)).reason == UNDATED
    assert judge(policy, person(system="nobody", last=day), date(2099, 1, 1)).reason == NO_RULE
    open_data = judge(policy, incident(system="open", when=day), date(2099, 1, 1))
    assert open_data.reason == INDEFINITE
    child = person(system="care", dob=dob_latest(date(1990, 1, 1), "year"))
    assert judge(policy, child, date(2065, 12, 30)).reason == RETAINED
    assert judge(policy, child, date(2065, 12, 31)).reason == EXPIRED


def test_holds_and_links_keep_records_whose_period_has_run(policy) -> None:
    old = date(2010, 1, 1)
    people = [
        person("HELD1", last=old),
        person("GONE", last=old),
        person("KEPT", last=date.today()),
    ]
    incidents = [incident("I_HELD_PERSON", when=old), incident("I_ALONE", when=old),
                 incident("I_KEPT", when=old)]  # fmt: skip
    involved = {("pa", "I_HELD_PERSON"): {("pa", "HELD1")}, ("pa", "I_ALONE"): {("pa", "GONE")},
                ("pa", "I_KEPT"): {("pa", "GONE"), ("pa", "KEPT")}}  # fmt: skip
    held = {("pa", "person", "HELD1")}
    verdicts = {
        v.candidate.record_id: v.reason
        for v in decide(policy, people, incidents, date(2026, 1, 1), held=held, involved=involved)
    }
    assert verdicts == {
        "HELD1": HELD, "GONE": EXPIRED, "KEPT": RETAINED,
        "I_HELD_PERSON": LINKED, "I_ALONE": EXPIRED, "I_KEPT": LINKED,
    }  # fmt: skip


def small_warehouse(path: Path):
    """Two systems, five people, four incidents, written as ingest and resolution would."""
    con = warehouse.connect(path)
    warehouse.ensure_tables(con, "person_records", "incident_records", "involvements")
    for stage in (warehouse_people, places, warehouse_incidents, review_queue):
        warehouse.ensure_tables(con, *stage.TABLES)
    con.execute(
        "INSERT INTO ingest_runs VALUES ('pa', 'pa.csv', 'x', '2025-06-01', 9, 9, 1), "
        "('pb', 'pb.csv', 'y', '2025-06-01', 3, 3, 0)"
    )
    people = [("pa", "pa.csv", 2, "A_OLD"), ("pa", "pa.csv", 3, "A_NEW"),
              ("pa", "pa.csv", 4, "A_SUSPECT"), ("pb", "pb.csv", 2, "B_OLD"),
              ("pa", "pa.csv", 5, "HELD1")]  # fmt: skip
    for system, file, row, rid in people:
        con.execute(
            "INSERT INTO person_records (source_system, source_file, row_number, "
            "person_record_id, surname, address) VALUES (?, ?, ?, ?, 'SMITH', '1 HIGH ST')",
            [system, file, row, rid],
        )
        con.execute("INSERT INTO person_links VALUES (?, ?, ?, 1.0, 1)", [system, rid, f"P_{rid}"])
        con.execute("INSERT INTO place_links VALUES (?, ?, 'person', 'L1', 1.0)", [system, rid])
    incidents = [("pa", "pa.csv", 2, "I_OLD", "2015-01-01", "theft"),
                 ("pa", "pa.csv", 3, "I_NEW", "2025-01-01", "theft"),
                 ("pa", "pa.csv", 4, "I_VIOLENT", "2017-01-01", "violence"),
                 ("pb", "pb.csv", 2, "I_B", "2015-01-01", "damage")]  # fmt: skip
    for system, file, row, rid, when, group in incidents:
        con.execute(
            "INSERT INTO incident_records (source_system, source_file, row_number, "
            "incident_record_id, incident_date, crime_group) VALUES (?, ?, ?, ?, ?, ?)",
            [system, file, row, rid, when, group],
        )
        con.execute("INSERT INTO incident_links VALUES (?, ?, ?, 1.0)", [system, rid, f"E_{rid}"])
    involvements = [("pa", "pa.csv", 2, "A_OLD", "I_OLD", "victim"),
                    ("pa", "pa.csv", 3, "A_NEW", "I_NEW", "victim"),
                    ("pa", "pa.csv", 4, "A_SUSPECT", "I_VIOLENT", "suspect"),
                    ("pb", "pb.csv", 2, "B_OLD", "I_B", "witness"),
                    ("pa", "pa.csv", 5, "HELD1", "I_OLD", "witness")]  # fmt: skip
    for system, file, row, pid, iid, role in involvements:
        con.execute(
            "INSERT INTO involvements VALUES (?, ?, ?, ?, ?, ?, ?)",
            [system, file, row, f"r{row}", pid, iid, role],
        )
    con.execute(
        "INSERT INTO quarantine VALUES ('pa', 'pa.csv', 2, 'postcode', 'bad', 'raw', 'field'), "
        "('pa', 'pa.csv', 3, 'postcode', 'bad', 'raw', 'field'), "
        "('pa', 'pa.csv', 9, NULL, 'broken', 'raw', 'row')"
    )
    con.execute(
        "INSERT INTO review_queue VALUES ('q1', 'pa', 'A_OLD', 'pa', 'A_NEW', 0.5, 0, '{}', 1)"
    )
    con.execute(
        "INSERT INTO match_decisions (pair_id, left_system, left_record_id, right_system, "
        "right_record_id, decision, decided_by, decided_at, reason) VALUES ('d1', 'pa', "
        "'A_OLD', 'pb', 'B_OLD', 'not_a_match', 'steward', '2025-07-01', 'twins')"
    )
    return con


def test_apply_removes_expired_records_everywhere_and_logs_hashes(tmp_path, policy) -> None:
    con = small_warehouse(tmp_path / "warehouse.duckdb")
    plan = make_plan(con, policy, date(2026, 1, 1))
    reasons = {(v.candidate.system, v.candidate.record_id): v.reason for v in plan.verdicts}
    assert reasons == {
        ("pa", "A_OLD"): EXPIRED, ("pa", "A_NEW"): RETAINED, ("pa", "A_SUSPECT"): RETAINED,
        ("pb", "B_OLD"): EXPIRED, ("pa", "HELD1"): HELD, ("pa", "I_OLD"): LINKED,
        ("pa", "I_NEW"): RETAINED, ("pa", "I_VIOLENT"): RETAINED, ("pb", "I_B"): EXPIRED,
    }  # fmt: skip
    assert plan.quarantine_expired == [("pa", "pa.csv", 9)]
    key = b"test-key"
    removal = retention.remove_expired(con, plan, key)
    assert removal.records == 3
    left = {r for (r,) in con.execute("SELECT person_record_id FROM person_records").fetchall()}
    assert left == {"A_NEW", "A_SUSPECT", "HELD1"}
    assert con.execute("SELECT incident_record_id FROM incident_records ORDER BY 1").fetchall() == [
        ("I_NEW",),
        ("I_OLD",),
        ("I_VIOLENT",),
    ]
    columns = {"person_links": "person_record_id", "involvements": "person_record_id",
               "place_links": "record_id"}  # fmt: skip
    for table, column in columns.items():
        values = {v for (v,) in con.execute(f"SELECT {column} FROM {table}").fetchall()}
        assert not values & {"A_OLD", "B_OLD"}, table
    assert con.execute("SELECT count(*) FROM incident_links WHERE incident_record_id = 'I_B'")\
        .fetchall()[0][0] == 0  # fmt: skip
    assert con.execute("SELECT source_file, row_number FROM quarantine").fetchall() == [
        ("pa.csv", 3)
    ]  # the removed record's dropped value and the expired rejected row went
    assert con.execute("SELECT count(*) FROM review_queue").fetchall()[0][0] == 0
    decision = con.execute(
        "SELECT left_record_id, right_record_id, decided_by, reason FROM match_decisions"
    ).fetchall()[0]
    assert decision[0] == "expired:" + retention.record_hash(key, "pa", "person", "A_OLD")
    assert decision[1].startswith("expired:") and decision[2:] == ("steward", "twins")
    runs = con.execute("SELECT as_of, policy_version, removed FROM retention_runs").fetchall()
    assert runs[0][:2] == (date(2026, 1, 1), "test-1")
    assert sum(r["count"] for r in json.loads(runs[0][2])) == 3
    hashes = {h for (h,) in con.execute("SELECT record_hash FROM retention_removed").fetchall()}
    assert hashes == {retention.record_hash(key, s, t, r) for s, t, r in
                      [("pa", "person", "A_OLD"), ("pb", "person", "B_OLD"),
                       ("pb", "incident", "I_B")]}  # fmt: skip
    logged = json.dumps(con.execute("SELECT * FROM retention_removed").fetchall())
    assert "A_OLD" not in logged and "B_OLD" not in logged
    # Run again on the same day: nothing more goes.
    again = retention.remove_expired(con, make_plan(con, policy, date(2026, 1, 1)), key)
    assert again.records == 0 and not any(again.derived.values())
    con.close()


def test_the_retention_key_is_made_once_and_kept_private(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CRIMEGRAPH_RETENTION_KEY", raising=False)
    configured = load_settings().retention.key
    first = retention.retention_key(tmp_path, configured)
    assert first == retention.retention_key(tmp_path, configured) and len(first) == 64
    assert (tmp_path / "retention" / "key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("CRIMEGRAPH_RETENTION_KEY", "from-the-environment")
    configured = load_settings().retention.key
    assert retention.retention_key(tmp_path, configured) == b"from-the-environment"


def test_the_plan_command_reports_counts_and_names_a_bad_policy(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from crimegraph.cli import app

    small_warehouse(tmp_path / "warehouse.duckdb").close()
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(tmp_path))
    policy_path = write(tmp_path, POLICY)
    args = ["retention", "plan", "--as-of", "2026-01-01", "--policy", str(policy_path)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    rows = {(r["system"], r["record_type"]): r for r in summary["records"]}
    assert rows[("pa", "person")]["expired"] == 1 and rows[("pa", "person")]["hold"] == 1
    assert rows[("pb", "incident")]["expired"] == 1 and summary["quarantine"]["expired"] == 1
    bad = CliRunner().invoke(app, ["retention", "plan", "--as-of", "soon"])
    assert bad.exit_code == 1
    policy_path.write_text("version: 1\nrules: [{system: pa}]\n", encoding="utf-8")
    broken = CliRunner().invoke(app, args)
    assert broken.exit_code == 1
    assert "rules[0]: missing 'record_type'" in " ".join(broken.output.split())


def test_police_uk_rows_expire_by_month_unless_a_case_is_held(tmp_path) -> None:
    policy = load_policy(
        write(
            tmp_path,
            "version: 2\nrules:\n  - {system: police.uk, record_type: incident, period: 1 year,"
            " from: incident_date, group: open}\nholds:\n  - {incident_id: HELD, reason: case}\n",
        )
    )
    con = warehouse.connect(tmp_path / "warehouse.duckdb")
    for row, (incident_id, month) in enumerate(
        [("OLD", "2024-01"), ("OLD", "2024-02"), ("NEW", "2025-06"), ("HELD", "2023-01")]
    ):
        con.execute(
            "INSERT INTO police_uk_records (source_file, row_number, incident_id, month, "
            "reported_by, force_code, crime_type) VALUES ('f.csv', ?, ?, ?, 'x', 'gwent', "
            "'Burglary')",
            [row, incident_id, month],
        )
    plan = make_plan(con, policy, date(2025, 2, 27))  # OLD's last month ends 29 Feb 2024
    reasons = {v.candidate.record_id: v.reason for v in plan.verdicts}
    assert reasons == {"OLD": RETAINED, "NEW": RETAINED, "HELD": HELD}
    plan = make_plan(con, policy, date(2025, 2, 28))
    assert {v.candidate.record_id: v.reason for v in plan.verdicts}["OLD"] == EXPIRED
    removal = retention.remove_expired(con, plan, b"k")
    assert removal.police_uk_removed and removal.derived["police_uk_rows"] == 2
    left = con.execute("SELECT DISTINCT incident_id FROM police_uk_records ORDER BY 1").fetchall()
    assert left == [("HELD",), ("NEW",)]
    con.close()
