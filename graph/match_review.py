"""Steward reads and writes on the match review loop, as (:ReviewPair) and
(:MatchDecision) nodes the next ``crimegraph resolve people`` picks up."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncDriver

from graph.cypher import read, statement

DECISIONS = ("match", "not_a_match", "unsure")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


async def review_page(
    driver: AsyncDriver, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    # The page and the total at once: two reads on two pooled sessions, one wait.
    records, totals = await asyncio.gather(
        read(driver, "review/review_page", offset=offset, limit=limit),
        read(driver, "review/review_count"),
    )
    return [r.data() for r in records], totals[0]["total"]


async def match_evidence(driver: AsyncDriver, pair_id: str) -> dict[str, Any] | None:
    records = await read(driver, "review/match_evidence", pair_id=pair_id)
    if not records:
        return None
    row = records[0].data()
    evidence = row["pair"].pop("evidence", None)
    weights = json.loads(evidence) if isinstance(evidence, str) else (evidence or {})
    row["comparisons"] = [{"name": k, "match_weight": v} for k, v in weights.items()]
    return row


MAX_PERSON_RECORDS = 50  # records shown per person on the review page


async def pair_people(driver: AsyncDriver, pair_id: str) -> dict[str, Any] | None:
    """The person each record of the pair resolves to today, with its records."""
    records = await read(
        driver, "review/pair_people", pair_id=pair_id, max_records=MAX_PERSON_RECORDS
    )
    return records[0].data() if records else None


def decision_effects(
    left_person: str | None, right_person: str | None, left_total: int, right_total: int
) -> dict[str, str]:
    """What each decision would do to the people the pair's records belong to today
    (applied at the next resolution run), in a steward's words."""
    if left_person is None or right_person is None:
        unresolved = "a record of this pair is not resolved to a person yet"
        return {d: unresolved for d in DECISIONS}
    if left_person == right_person:
        return {
            "match": f"no change: both records are already one person ({left_total} records)",
            "not_a_match": (
                f"splits the person ({left_total} records): these two records can no longer "
                "be one person; the others go with whichever they match best"
            ),
            "unsure": "no change to the person; the pair is marked unsure",
        }
    return {
        "match": (
            f"joins two people ({left_total} and {right_total} records) into one of "
            f"{left_total + right_total} records"
        ),
        "not_a_match": (
            f"keeps two people ({left_total} and {right_total} records); "
            "these two records are never put in one person"
        ),
        "unsure": "no change to either person; the pair is marked unsure",
    }


async def decide_match(
    driver: AsyncDriver, pair_id: str, decision: str, reason: str, decided_by: str
) -> dict[str, Any] | None:
    entry = {
        "decision_id": str(uuid.uuid4()),
        "decision": decision,
        "decided_by": decided_by,
        "decided_at": _now(),
        "reason": reason,
        "origin": "api",
    }
    records, _, _ = await driver.execute_query(
        statement("review/decide_match"), pair_id=pair_id, decision=entry
    )
    return records[0]["decision"] if records else None


async def person_record_keys(driver: AsyncDriver, person_id: str) -> list[str]:
    records = await read(driver, "review/person_records", person_id=person_id)
    return [r["key"] for r in records]


async def unmerge(
    driver: AsyncDriver, split: list[str], rest: list[str], reason: str, decided_by: str
) -> int:
    """Cannot-link decisions between every split-off record and every staying record."""
    at = _now()
    rows = [
        {
            "decision_id": str(uuid.uuid4()),
            "pair_id": f"unmerge:{a}|{b}",
            "left_key": a,
            "right_key": b,
            "decision": "not_a_match",
            "decided_by": decided_by,
            "decided_at": at,
            "reason": reason,
            "origin": "api",
            "kind": "unmerge",
        }
        for a in split
        for b in rest
    ]
    if not rows:
        return 0
    records, _, _ = await driver.execute_query(statement("review/unmerge"), decisions=rows)
    return records[0]["created"]
