"""What a policy would remove from the warehouse on a given day (the dry run).

Reads every source record with the dates and facts the policy's rules look at, resolves
the holds to record keys, and judges each record (``expiry.decide``). Nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import duckdb

from core import warehouse
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from responsible.retention.expiry import (
    EXPIRED,
    INDEFINITE,
    NO_RULE,
    REASONS,
    Candidate,
    Verdict,
    decide,
    dob_latest,
)
from responsible.retention.policy import Policy

POLICE_UK = "police.uk"


_PEOPLE = """
WITH runs AS (SELECT source, source_file, ingested_at FROM ingest_runs),
inv AS (
    SELECT v.source_system, v.person_record_id, max(i.incident_date) AS last_involvement,
           list(DISTINCT v.role) FILTER (WHERE v.role IS NOT NULL) AS roles,
           list(DISTINCT i.crime_group) FILTER (WHERE i.crime_group IS NOT NULL) AS groups,
           list(DISTINCT i.crime_type) FILTER (WHERE i.crime_type IS NOT NULL) AS types
    FROM involvements v
    LEFT JOIN incident_records i ON i.source_system = v.source_system
                                AND i.incident_record_id = v.incident_record_id
    WHERE v.person_record_id IS NOT NULL
    GROUP BY ALL
)
SELECT p.source_system, p.person_record_id, max(p.date_of_birth), any_value(p.dob_precision),
       coalesce(max(r.ingested_at), max(l.accepted_at))::DATE, any_value(inv.last_involvement),
       any_value(inv.roles), any_value(inv.groups), any_value(inv.types)
FROM person_records p
LEFT JOIN runs r ON r.source = p.source_system AND r.source_file = p.source_file
LEFT JOIN live_records l ON p.source_file = 'live:' || l.journal_id AND l.seq = p.row_number
LEFT JOIN inv ON inv.source_system = p.source_system AND inv.person_record_id = p.person_record_id
GROUP BY p.source_system, p.person_record_id
ORDER BY ALL
"""

_INCIDENTS = """
SELECT i.source_system, i.incident_record_id, max(i.incident_date),
       coalesce(max(r.ingested_at), max(l.accepted_at))::DATE,
       list(DISTINCT i.crime_group) FILTER (WHERE i.crime_group IS NOT NULL),
       list(DISTINCT i.crime_type) FILTER (WHERE i.crime_type IS NOT NULL)
FROM incident_records i
LEFT JOIN ingest_runs r ON r.source = i.source_system AND r.source_file = i.source_file
LEFT JOIN live_records l ON i.source_file = 'live:' || l.journal_id AND l.seq = i.row_number
GROUP BY ALL ORDER BY ALL
"""

# A row that arrived live (source_file 'live:<journal id>', row_number its seq) was
# ingested when live intake accepted it (live_records, the ledger live/warehouse_rows.py
# keeps).
# police.uk publishes months only: an incident counts from the last day of its latest month.
_POLICE_UK = """
SELECT p.incident_id, last_day(strptime(max(p.month), '%Y-%m'))::DATE,
       coalesce(max(r.ingested_at), max(l.accepted_at))::DATE, list(DISTINCT p.crime_type)
FROM police_uk_records p
LEFT JOIN ingest_runs r ON r.source = 'police.uk' AND r.source_file = p.source_file
LEFT JOIN live_records l ON p.source_file = 'live:' || l.journal_id AND l.seq = p.row_number
GROUP BY p.incident_id ORDER BY p.incident_id
"""


@dataclass
class Plan:
    as_of: date
    policy: Policy
    verdicts: list[Verdict]
    quarantine_expired: list[tuple[str, str, int]] = field(default_factory=list)
    quarantine_total: int = 0
    # Records judged wholesale: (system, record type) → (reason, group, count), for a
    # system no rule can remove (police.uk's 300,000 incidents under an indefinite rule).
    wholesale: dict[tuple[str, str], tuple[str, str, int]] = field(default_factory=dict)

    @property
    def expired(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.expired]

    def summary(self) -> list[dict]:
        """One row per (system, record type): how many records, and why each stays or goes."""
        rows: dict[tuple[str, str], dict] = {}
        for v in self.verdicts:
            key = (v.candidate.system, v.candidate.record_type)
            row = rows.setdefault(
                key,
                {"system": key[0], "record_type": key[1], "records": 0,
                 **dict.fromkeys(REASONS, 0), "expired_by_group": Counter()},
            )  # fmt: skip
            row["records"] += 1
            row[v.reason] += 1
            if v.expired:
                row["expired_by_group"][v.group] += 1
        for (system, record_type), (reason, _group, count) in self.wholesale.items():
            rows[(system, record_type)] = {
                "system": system, "record_type": record_type, "records": count,
                **dict.fromkeys(REASONS, 0), reason: count, "expired_by_group": Counter(),
            }  # fmt: skip
        return [
            {**r, "expired_by_group": dict(sorted(r["expired_by_group"].items()))}
            for _, r in sorted(rows.items())
        ]


def _frozen(values: list | None) -> frozenset[str]:
    return frozenset(values or [])


def people(con: duckdb.DuckDBPyConnection) -> list[Candidate]:
    if not warehouse.table_exists(con, "person_records"):
        return []
    out = []
    for system, rid, dob, precision, ingested, last, roles, groups, types in con.execute(
        _PEOPLE
    ).fetchall():
        out.append(
            Candidate(
                system,
                "person",
                rid,
                {
                    "date_of_birth": dob_latest(dob, precision),
                    "ingested_at": ingested,
                    "last_involvement": last,
                },
                _frozen(roles),
                _frozen(groups),
                _frozen(types),
            )
        )
    return out


def police_uk_wholesale(
    con: duckdb.DuckDBPyConnection, policy: Policy
) -> tuple[str, str, int] | None:
    """police.uk judged in one go when no rule for it can remove anything (none, or all
    indefinite): reason, group and how many incidents; None when each must be judged."""
    if not warehouse.table_exists(con, "police_uk_records"):
        return None
    rules = policy.rules_for(POLICE_UK, "incident")
    if any(not r.period.indefinite for r in rules):
        return None
    count = con.execute("SELECT count(DISTINCT incident_id) FROM police_uk_records").fetchall()
    if not rules:
        return (NO_RULE, "", count[0][0])
    return (INDEFINITE, rules[0].label(), count[0][0])


def incidents(con: duckdb.DuckDBPyConnection, *, police_uk: bool = True) -> list[Candidate]:
    out = []
    if warehouse.table_exists(con, "incident_records"):
        for system, rid, when, ingested, groups, types in con.execute(_INCIDENTS).fetchall():
            out.append(
                Candidate(
                    system,
                    "incident",
                    rid,
                    {"incident_date": when, "ingested_at": ingested},
                    crime_groups=_frozen(groups),
                    crime_types=_frozen(types),
                )
            )
    if police_uk and warehouse.table_exists(con, "police_uk_records"):
        for incident_id, when, ingested, types in con.execute(_POLICE_UK).fetchall():
            out.append(
                Candidate(
                    POLICE_UK,
                    "incident",
                    incident_id,
                    {"incident_date": when, "ingested_at": ingested},
                    crime_groups=frozenset(POLICE_UK_CRIME_TYPES.get(t, "other") for t in types),
                    crime_types=frozenset(types),
                )
            )
    return out


def involved(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Incident record → the person records involved in it (same system)."""
    if not warehouse.table_exists(con, "involvements"):
        return {}
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for system, incident, person in con.execute(
        "SELECT DISTINCT source_system, incident_record_id, person_record_id FROM involvements "
        "WHERE incident_record_id IS NOT NULL AND person_record_id IS NOT NULL"
    ).fetchall():
        out.setdefault((system, incident), set()).add((system, person))
    return out


def held_keys(
    con: duckdb.DuckDBPyConnection,
    policy: Policy,
    links: dict[tuple[str, str], set[tuple[str, str]]],
) -> set[tuple[str, str, str]]:
    """Every record key a hold keeps: named records, a held incident's records and the
    people in them, a held person's records (their incidents stay through the links)."""
    held: set[tuple[str, str, str]] = set()
    for hold in policy.holds:
        if hold.system and hold.record_type and hold.record_id:
            held.add((hold.system, hold.record_type, hold.record_id))
        if hold.incident_id:
            records: list[tuple[str, str]] = []
            if warehouse.table_exists(con, "incident_links"):
                records = con.execute(
                    "SELECT source_system, incident_record_id FROM incident_links "
                    "WHERE incident_id = ?",
                    [hold.incident_id],
                ).fetchall()
            held.add((POLICE_UK, "incident", hold.incident_id))
            for system, record_id in records:
                held.add((system, "incident", record_id))
                held.update((s, "person", p) for s, p in links.get((system, record_id), ()))
        if hold.person_id and warehouse.table_exists(con, "person_links"):
            for system, record_id in con.execute(
                "SELECT source_system, person_record_id FROM person_links WHERE person_id = ?",
                [hold.person_id],
            ).fetchall():
                held.add((system, "person", record_id))
    return held


def quarantine(
    con: duckdb.DuckDBPyConnection, policy: Policy, as_of: date
) -> tuple[list[tuple[str, str, int]], int]:
    """Rejected rows (severity 'row') past the policy's quarantine period, and the total.

    Rows kept with a dropped value (severity 'field') belong to their record and go with it.
    """
    if not warehouse.table_exists(con, "quarantine"):
        return [], 0
    rows = con.execute(
        "SELECT q.source, q.source_file, q.row_number, max(r.ingested_at)::DATE FROM quarantine q "
        "LEFT JOIN ingest_runs r ON r.source = q.source AND r.source_file = q.source_file "
        "WHERE coalesce(q.severity, 'row') = 'row' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    if policy.quarantine is None or policy.quarantine.indefinite:
        return [], len(rows)
    period = policy.quarantine
    gone = [(s, f, n) for s, f, n, at in rows if at is not None and period.after(at) <= as_of]
    return gone, len(rows)


def make_plan(con: duckdb.DuckDBPyConnection, policy: Policy, as_of: date) -> Plan:
    """Judge every source record in the warehouse against the policy on ``as_of``."""
    warehouse.ensure_tables(con, "live_records")  # when live rows were ingested
    links = involved(con)
    wholesale = police_uk_wholesale(con, policy)
    verdicts = decide(
        policy,
        people(con),
        incidents(con, police_uk=wholesale is None),
        as_of,
        held=held_keys(con, policy, links),
        involved=links,
    )
    gone, total = quarantine(con, policy, as_of)
    plan = Plan(as_of, policy, verdicts, gone, total)
    if wholesale is not None:
        plan.wholesale[(POLICE_UK, "incident")] = wholesale
    return plan


__all__ = ["EXPIRED", "Plan", "make_plan"]
