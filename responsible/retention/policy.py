"""The retention policy: how long each source system's records of each type are kept.

One YAML file (``responsible/retention/policy.yaml`` by default, or the file
``CRIMEGRAPH_RETENTION_POLICY`` names), in the spirit of the College of Policing's
Management of Police Information (MoPI) guidance: a period per source system and record
type, counted from a named date, with holds that keep records whatever their age::

    version: "2026-11-23"              # logged with every `crimegraph retention apply`
    quarantine: {period: 1 year}       # rejected rows, counted from their ingest
    rules:
      - system: [police_a, police_b]   # one system or several
        record_type: person            # person | incident
        roles: [suspect]               # optional: any of the record's roles
        crime_groups: [violence]       # optional: any of the record's incidents' groups
        group: MoPI group 2            # a label for plans, logs and the transparency record
        period: 10 years               # N days|months|years, or indefinite
        from: last_involvement         # the date the period is counted from
    holds:
      - {system: police_a, record_type: person, record_id: N0000545, reason: "legal hold"}
      - {incident_id: I2b1c..., reason: "linked to Op X (serious case)"}

Errors name the file, the key and the value, so a bad policy never deletes anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

RECORD_TYPES = ("person", "incident")
# The dates a period may be counted from, per record type.
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    # last_involvement: the latest event the record is involved in (MoPI's "clear period").
    "person": ("last_involvement", "date_of_birth", "ingested_at"),
    "incident": ("incident_date", "ingested_at"),
}
UNITS = ("day", "month", "year")
_PERIOD = re.compile(r"^\s*(\d+)\s*(day|month|year)s?\s*$", re.IGNORECASE)


class RetentionPolicyError(ValueError):
    """A policy file that cannot be used, with the file, key and value named."""


@dataclass(frozen=True)
class Period:
    """A length of time; ``amount is None`` means indefinite (kept until reviewed)."""

    amount: int | None
    unit: str = "year"

    @property
    def indefinite(self) -> bool:
        return self.amount is None

    def after(self, start: date) -> date:
        """The day the period ends, counted from ``start`` (29 Feb + 1 year = 28 Feb)."""
        if self.amount is None:
            raise ValueError("an indefinite period has no end")
        if self.unit == "day":
            return date.fromordinal(start.toordinal() + self.amount)
        months = self.amount * (12 if self.unit == "year" else 1)
        index = start.year * 12 + start.month - 1 + months
        year, month = divmod(index, 12)
        return date(year, month + 1, min(start.day, _days_in_month(year, month + 1)))

    def __str__(self) -> str:
        if self.amount is None:
            return "indefinite"
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


def _days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def parse_period(text: object) -> Period:
    """'6 years', '18 months', '90 days' or 'indefinite'; ValueError otherwise."""
    if isinstance(text, str) and text.strip().lower() == "indefinite":
        return Period(None)
    match = _PERIOD.match(str(text)) if isinstance(text, str | int) else None
    if not match:
        raise ValueError(f"expected 'N days|months|years' or 'indefinite', got {text!r}")
    return Period(int(match.group(1)), match.group(2).lower())


@dataclass(frozen=True)
class Rule:
    systems: tuple[str, ...]
    record_type: str
    period: Period
    date_field: str
    group: str
    roles: frozenset[str] = frozenset()
    crime_groups: frozenset[str] = frozenset()
    crime_types: frozenset[str] = frozenset()
    note: str = ""
    index: int = 0  # position in the file, for messages

    def label(self) -> str:
        return self.group or f"rule {self.index + 1}"


@dataclass(frozen=True)
class Hold:
    """Keeps records whatever their age: one source record, or everything linked to a
    resolved incident or person (a serious case, a legal hold)."""

    reason: str
    system: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    incident_id: str | None = None
    person_id: str | None = None


@dataclass(frozen=True)
class Policy:
    path: Path
    version: str
    sha256: str
    title: str
    rules: tuple[Rule, ...]
    holds: tuple[Hold, ...] = ()
    quarantine: Period | None = None
    authority: str = ""
    systems_seen: tuple[str, ...] = field(default=())

    def rules_for(self, system: str, record_type: str) -> list[Rule]:
        return [r for r in self.rules if r.record_type == record_type and system in r.systems]


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise RetentionPolicyError(f"{where}: expected a name or a list of names, got {value!r}")


def _rule(path: Path, index: int, raw: object) -> Rule:
    where = f"{path}: rules[{index}]"
    if not isinstance(raw, dict):
        raise RetentionPolicyError(f"{where}: expected a mapping, got {raw!r}")
    known = {"system", "record_type", "period", "from", "group", "roles", "crime_groups",
             "crime_types", "note"}  # fmt: skip
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise RetentionPolicyError(
            f"{where}.{unknown[0]}: unknown key (known: {', '.join(sorted(known))})"
        )
    for key in ("system", "record_type", "period"):
        if raw.get(key) in (None, "", []):
            raise RetentionPolicyError(f"{where}: missing '{key}'")
    systems = _strings(raw["system"], f"{where}.system")
    record_type = str(raw["record_type"])
    if record_type not in RECORD_TYPES:
        raise RetentionPolicyError(
            f"{where}.record_type: must be one of {', '.join(RECORD_TYPES)}, got {record_type!r}"
        )
    try:
        period = parse_period(raw["period"])
    except ValueError as exc:
        raise RetentionPolicyError(f"{where}.period: {exc}") from exc
    date_field = raw.get("from")
    if date_field is None and not period.indefinite:
        raise RetentionPolicyError(
            f"{where}: missing 'from' (one of {', '.join(DATE_FIELDS[record_type])})"
        )
    if date_field is not None and date_field not in DATE_FIELDS[record_type]:
        raise RetentionPolicyError(
            f"{where}.from: a {record_type} period is counted from one of "
            f"{', '.join(DATE_FIELDS[record_type])}, got {date_field!r}"
        )
    filters = {}
    for key in ("roles", "crime_groups", "crime_types"):
        if raw.get(key) is not None:
            filters[key] = frozenset(_strings(raw[key], f"{where}.{key}"))
    if "roles" in filters and record_type != "person":
        raise RetentionPolicyError(f"{where}.roles: only person rules can filter on roles")
    return Rule(
        systems=systems,
        record_type=record_type,
        period=period,
        date_field=str(date_field or ""),
        group=str(raw.get("group") or ""),
        note=str(raw.get("note") or ""),
        index=index,
        **filters,
    )


def _hold(path: Path, index: int, raw: object) -> Hold:
    where = f"{path}: holds[{index}]"
    if not isinstance(raw, dict):
        raise RetentionPolicyError(f"{where}: expected a mapping, got {raw!r}")
    reason = str(raw.get("reason") or "").strip()
    if not reason:
        raise RetentionPolicyError(f"{where}: missing 'reason' (a hold must say why)")
    if raw.get("incident_id") or raw.get("person_id"):
        return Hold(
            reason=reason,
            incident_id=str(raw["incident_id"]) if raw.get("incident_id") else None,
            person_id=str(raw["person_id"]) if raw.get("person_id") else None,
        )
    for key in ("system", "record_type", "record_id"):
        if not raw.get(key):
            raise RetentionPolicyError(
                f"{where}: missing '{key}' (a hold names system, record_type and record_id, "
                "or an incident_id or person_id)"
            )
    if raw["record_type"] not in RECORD_TYPES:
        raise RetentionPolicyError(
            f"{where}.record_type: must be one of {', '.join(RECORD_TYPES)}, "
            f"got {raw['record_type']!r}"
        )
    return Hold(reason, str(raw["system"]), str(raw["record_type"]), str(raw["record_id"]))


def load_policy(path: Path) -> Policy:
    """Read and check a policy YAML file; errors name the file, key and value."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RetentionPolicyError(f"{path}: no such file") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RetentionPolicyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RetentionPolicyError(f"{path}: expected a mapping at the top level")
    known = {"version", "title", "authority", "quarantine", "rules", "holds"}
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise RetentionPolicyError(
            f"{path}: {unknown[0]}: unknown key (known: {', '.join(sorted(known))})"
        )
    if not raw.get("version"):
        raise RetentionPolicyError(f"{path}: missing 'version' (logged with every apply)")
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise RetentionPolicyError(f"{path}: 'rules' must be a non-empty list")
    holds_raw = raw.get("holds") or []
    if not isinstance(holds_raw, list):
        raise RetentionPolicyError(f"{path}: 'holds' must be a list")
    quarantine = None
    if raw.get("quarantine") is not None:
        section = raw["quarantine"]
        if not isinstance(section, dict) or "period" not in section:
            raise RetentionPolicyError(f"{path}: quarantine: expected {{period: ...}}")
        try:
            quarantine = parse_period(section["period"])
        except ValueError as exc:
            raise RetentionPolicyError(f"{path}: quarantine.period: {exc}") from exc
    rules = tuple(_rule(path, i, r) for i, r in enumerate(rules_raw))
    return Policy(
        path=path,
        version=str(raw["version"]),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=str(raw.get("title") or "retention policy"),
        authority=str(raw.get("authority") or "").strip(),
        rules=rules,
        holds=tuple(_hold(path, i, h) for i, h in enumerate(holds_raw)),
        quarantine=quarantine,
        systems_seen=tuple(dict.fromkeys(s for r in rules for s in r.systems)),
    )
