"""Which records a policy lets go on a given day: pure functions, no database.

A record is matched by every rule for its system and record type whose filters it meets
(any of its roles, crime groups or crime types). It expires only when *every* matching
rule has run its course: the longest period governs, as MoPI has the most serious
grouping govern. A rule that cannot be dated (no date of birth, say) or is indefinite
keeps the record, and so does no rule at all: nothing is deleted that the policy does
not clearly let go. Holds keep a record whatever its age.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from responsible.retention.policy import Policy, Rule

EXPIRED = "expired"
RETAINED = "retained"  # its period has not run yet
INDEFINITE = "indefinite"
UNDATED = "undated"  # a matching rule's date is missing
NO_RULE = "no rule"
HELD = "hold"
LINKED = "linked"  # an incident a retained person record is involved in
REASONS = (EXPIRED, RETAINED, INDEFINITE, UNDATED, NO_RULE, HELD, LINKED)


@dataclass(frozen=True)
class Candidate:
    """One source record as retention sees it."""

    system: str
    record_type: str  # person | incident
    record_id: str
    dates: dict[str, date | None] = field(default_factory=dict, hash=False, compare=False)
    roles: frozenset[str] = frozenset()
    crime_groups: frozenset[str] = frozenset()
    crime_types: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.system, self.record_type, self.record_id)


@dataclass(frozen=True)
class Verdict:
    candidate: Candidate
    reason: str
    group: str = ""  # the governing rule's label
    expires: date | None = None

    @property
    def expired(self) -> bool:
        return self.reason == EXPIRED


def matches(rule: Rule, record: Candidate) -> bool:
    if record.system not in rule.systems or record.record_type != rule.record_type:
        return False
    for wanted, has in (
        (rule.roles, record.roles),
        (rule.crime_groups, record.crime_groups),
        (rule.crime_types, record.crime_types),
    ):
        if wanted and not wanted & has:
            return False
    return True


def judge(policy: Policy, record: Candidate, as_of: date) -> Verdict:
    """The record's fate under the policy's rules alone (holds and links come later)."""
    rules = [r for r in policy.rules_for(record.system, record.record_type) if matches(r, record)]
    if not rules:
        return Verdict(record, NO_RULE)
    latest: tuple[date, Rule] | None = None
    for rule in rules:
        if rule.period.indefinite:
            return Verdict(record, INDEFINITE, rule.label())
        start = record.dates.get(rule.date_field)
        if start is None:
            return Verdict(record, UNDATED, rule.label())
        ends = rule.period.after(start)
        if latest is None or ends > latest[0]:
            latest = (ends, rule)
    assert latest is not None
    ends, rule = latest
    return Verdict(record, EXPIRED if ends <= as_of else RETAINED, rule.label(), ends)


def decide(
    policy: Policy,
    people: Iterable[Candidate],
    incidents: Iterable[Candidate],
    as_of: date,
    *,
    held: set[tuple[str, str, str]],
    involved: dict[tuple[str, str], set[tuple[str, str]]],
) -> list[Verdict]:
    """Verdicts for every record: rules, then holds, then links.

    ``held``: keys of records a hold keeps. ``involved``: incident (system, record id) →
    the person (system, record id)s involved in it; an incident a retained person record
    is involved in stays (the person's record is kept whole, as MoPI keeps it while the
    clear period runs).
    """
    verdicts: list[Verdict] = []
    kept_people: set[tuple[str, str]] = set()
    for record in people:
        verdict = judge(policy, record, as_of)
        if verdict.expired and record.key in held:
            verdict = Verdict(record, HELD, verdict.group, verdict.expires)
        if not verdict.expired:
            kept_people.add((record.system, record.record_id))
        verdicts.append(verdict)
    for record in incidents:
        verdict = judge(policy, record, as_of)
        if verdict.expired and record.key in held:
            verdict = Verdict(record, HELD, verdict.group, verdict.expires)
        elif verdict.expired and involved.get((record.system, record.record_id), set()) & (
            kept_people
        ):
            verdict = Verdict(record, LINKED, verdict.group, verdict.expires)
        verdicts.append(verdict)
    return verdicts


def dob_latest(dob: date | None, precision: str | None) -> date | None:
    """The latest day a partial date of birth can mean (so 'until 100' is never early)."""
    if dob is None:
        return None
    if precision == "year":
        return date(dob.year, 12, 31)
    if precision == "month":
        following = date(dob.year + (dob.month == 12), dob.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return dob
