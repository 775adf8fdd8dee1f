"""Steward fields: the review queue, match evidence, decisions and unmerges.

Review shows person-level records, so each read is audited with the steward's standing
purpose ("match review"); decisions are written for the next resolution run.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from api import arguments, audit
from api.context import driver, principal
from api.errors import NOT_FOUND, BadInput
from api.limits import check_page
from api.resolvers.people import source_record
from api.types.review import (
    Comparison,
    Decision,
    DecisionEffect,
    MatchDecision,
    MatchEvidence,
    PageInfo,
    PersonRecord,
    PersonToday,
    ReviewPair,
    ReviewPairConnection,
    ReviewPairEdge,
    UnmergeResult,
)
from graph import match_review

REVIEW_PURPOSE = "match review"


def encode_cursor(prefix: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{value}".encode()).decode()


def decode_cursor(prefix: str, cursor: str, argument: str = "after") -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(argument, f"{argument} is not a cursor this API issued") from exc
    head, sep, value = text.partition(":")
    if head != prefix or not sep:
        raise BadInput(argument, f"{argument} is not a cursor this API issued")
    return value


def _pair(row: dict[str, Any]) -> ReviewPair:
    p = row["pair"]
    return ReviewPair(
        id=p["pair_id"],
        match_probability=p.get("match_probability"),
        match_weight=p.get("match_weight"),
        status=p.get("status"),
        model_version=p.get("model_version"),
        left=source_record(row["left"]) if row.get("left") else None,
        right=source_record(row["right"]) if row.get("right") else None,
    )


def _decision(d: dict[str, Any]) -> MatchDecision:
    return MatchDecision(
        id=d["decision_id"],
        pair_id=d["pair_id"],
        decision=d["decision"],
        decided_by=d["decided_by"],
        decided_at=str(d["decided_at"]),
        reason=d["reason"],
    )


async def review_queue(
    info: Info, first: int = 20, after: str | None = None
) -> ReviewPairConnection:
    limit = check_page("reviewQueue", first)
    offset = 0
    if after is not None:
        raw = decode_cursor("review", after)
        # ASCII digits only ('²'.isdigit() is true), and a position a queue can have.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
            raise BadInput("after", "after is not a cursor this API issued")
        offset = int(raw) + 1
    rows, total = await review_page(info, offset, limit)
    records = sum((1 if r.get("left") else 0) + (1 if r.get("right") else 0) for r in rows)
    await audit.record(
        driver(info),
        principal(info),
        "reviewQueue",
        REVIEW_PURPOSE,
        records,
        {"first": first, "after": after},
    )
    edges = [
        ReviewPairEdge(cursor=encode_cursor("review", str(offset + n)), node=_pair(row))
        for n, row in enumerate(rows)
    ]
    return ReviewPairConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(rows) < total,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


async def review_page(info: Info, offset: int, limit: int) -> tuple[list[dict], int]:
    return await match_review.review_page(driver(info), offset, limit)


def _person_today(person_id: str | None, total: int, records: list[dict]) -> PersonToday | None:
    if person_id is None:
        return None
    return PersonToday(
        person_id=person_id,
        total_records=total,
        records=[PersonRecord(key=r["key"], record=source_record(r)) for r in records],
    )


async def match_evidence(info: Info, pair_id: strawberry.ID) -> MatchEvidence | None:
    pid = arguments.identifier(pair_id, "pairId")
    found, people = await asyncio.gather(
        match_review.match_evidence(driver(info), pid), match_review.pair_people(driver(info), pid)
    )
    people = people or {}
    shown = len(people.get("left_records") or [])
    if people.get("right_person") != people.get("left_person"):
        shown += len(people.get("right_records") or [])
    records = (1 if found and found.get("left") else 0) + (1 if found and found.get("right") else 0)
    await audit.record(
        driver(info),
        principal(info),
        "matchEvidence",
        REVIEW_PURPOSE,
        max(records, shown),
        {"pairId": pid},
    )
    if found is None:
        return None
    left = _person_today(
        people.get("left_person"), people.get("left_total", 0), people.get("left_records") or []
    )
    right = _person_today(
        people.get("right_person"), people.get("right_total", 0), people.get("right_records") or []
    )
    effects = match_review.decision_effects(
        people.get("left_person"),
        people.get("right_person"),
        people.get("left_total", 0),
        people.get("right_total", 0),
    )
    return MatchEvidence(
        pair=_pair(found),
        comparisons=[
            Comparison(name=c["name"], match_weight=c["match_weight"]) for c in found["comparisons"]
        ],
        decisions=[_decision(d) for d in found["decisions"]],
        left_person=left,
        right_person=right,
        effects=[DecisionEffect(decision=Decision(d), effect=e) for d, e in effects.items()],
    )


async def decide_match(
    info: Info, pair_id: strawberry.ID, decision: Decision, reason: str
) -> MatchDecision:
    pid = arguments.identifier(pair_id, "pairId")
    why = arguments.reason(reason)
    written = await match_review.decide_match(
        driver(info), pid, decision.value, why, principal(info).subject
    )
    if written is None:
        raise GraphQLError(f"no review pair {pid!r}", extensions={"code": NOT_FOUND})
    return _decision(written)


async def unmerge(
    info: Info, person_id: strawberry.ID, record_keys: list[str], reason: str
) -> UnmergeResult:
    pid = arguments.identifier(person_id, "personId")
    why = arguments.reason(reason)
    keys = [arguments.identifier(k, "recordKeys") for k in dict.fromkeys(record_keys)]
    held = await match_review.person_record_keys(driver(info), pid)
    if not held:
        raise GraphQLError(f"no person {pid!r}", extensions={"code": NOT_FOUND})
    strangers = [k for k in keys if k not in held]
    if strangers:
        raise BadInput("recordKeys", f"recordKeys not resolved to {pid}: {', '.join(strangers)}")
    rest = [k for k in held if k not in keys]
    if not keys or not rest:
        raise BadInput("recordKeys", "recordKeys must name some, not all, of the person's records")
    created = await match_review.unmerge(driver(info), keys, rest, why, principal(info).subject)
    return UnmergeResult(
        person_id=pid, split_records=keys, remaining_records=rest, cannot_link_decisions=created
    )
