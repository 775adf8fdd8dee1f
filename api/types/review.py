"""Types for stewards: the review queue, match evidence and decisions."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.types.people import SourceRecord


@strawberry.enum(description="A steward's decision on a pair of records.")
class Decision(Enum):
    MATCH = "match"
    NOT_A_MATCH = "not_a_match"
    UNSURE = "unsure"


@strawberry.type(description="Two records the model was unsure about.")
class ReviewPair:
    id: strawberry.ID
    match_probability: float | None
    match_weight: float | None
    status: str | None
    model_version: int | None
    left: SourceRecord | None
    right: SourceRecord | None


@strawberry.type
class ReviewPairEdge:
    cursor: str
    node: ReviewPair


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="Open review pairs, closest to the boundary first (Relay).")
class ReviewPairConnection:
    edges: list[ReviewPairEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="One comparison's contribution to the match weight.")
class Comparison:
    name: str
    match_weight: float | None


@strawberry.type(description="A steward's decision.")
class MatchDecision:
    id: strawberry.ID
    pair_id: str
    decision: str
    decided_by: str
    decided_at: str
    reason: str


@strawberry.type(description="A source record with the key unmerge takes (system:record_id).")
class PersonRecord:
    key: str
    record: SourceRecord


@strawberry.type(description="The person a record of the pair resolves to today.")
class PersonToday:
    person_id: strawberry.ID
    total_records: int
    records: list[PersonRecord] = strawberry.field(
        description="The person's records, the first 50 by key."
    )


@strawberry.type(description="What a decision would do to the people, at the next run.")
class DecisionEffect:
    decision: Decision
    effect: str


@strawberry.type(description="Both records side by side and each comparison's match weight.")
class MatchEvidence:
    pair: ReviewPair
    comparisons: list[Comparison]
    decisions: list[MatchDecision]
    left_person: PersonToday | None
    right_person: PersonToday | None
    effects: list[DecisionEffect]


@strawberry.type(description="What an unmerge wrote.")
class UnmergeResult:
    person_id: strawberry.ID
    split_records: list[str]
    remaining_records: list[str]
    cannot_link_decisions: int
