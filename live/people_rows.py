"""From linked person entries to the graph write's rows and the journal's outcomes.

Pure: the applier links a batch (``live.linking``), writes these rows with
``cypher/live/people.cypher`` and records each entry's outcome, which every API process
reads back to announce new review pairs (``reviewNeeded``) and which rebuilds the
linking index after a restart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from live.journal import Entry
from live.linking import NEW, REVIEW, Linked, new_person_id, record_key
from resolver.linkage import review_queue

SEEN, DUPLICATE = "seen", "duplicate"
_RECORD_FIELDS = ("system", "record_id", "record_ref", "forename", "middle_names", "surname",
                  "date_of_birth", "dob_precision", "sex", "address", "postcode")  # fmt: skip


@dataclass(frozen=True)
class Split:
    """A batch's person entries: the first entry per record key, and later ones (the
    same record in another row, e.g. another involvement: only that is written)."""

    first: list[Entry]
    again: list[Entry]


def split(entries: list[Entry]) -> Split:
    first: dict[str, Entry] = {}
    again: list[Entry] = []
    for entry in entries:
        key = record_key(entry.payload["system"], entry.payload["record_id"])
        if key in first:
            again.append(entry)
        else:
            first[key] = entry
    return Split(list(first.values()), again)


def unlinked(entries: list[Entry], id_key: bytes) -> list[Linked]:
    """Every entry a new person (no trained model to compare with)."""
    return [
        Linked(
            record_key(e.payload["system"], e.payload["record_id"]),
            NEW,
            new_person_id(e.key, id_key),
            1.0,
            None,
        )
        for e in entries
    ]


def _split_key(key: str) -> tuple[str, str]:
    system, _, record_id = key.partition(":")
    return system, record_id


def graph_row(entry: Entry, linked: Linked, model_version: int | None) -> dict[str, Any]:
    """One row of ``cypher/live/people.cypher``."""
    p = entry.payload
    pair = None
    if linked.decision == REVIEW and linked.best is not None:
        best = linked.best
        pair = {
            "pair_id": review_queue.pair_id(_split_key(best.key), (p["system"], p["record_id"])),
            "left_key": best.key,
            "match_probability": best.match_probability,
            "match_weight": best.match_weight,
            "evidence": json.dumps(best.evidence),
            "model_version": model_version,
        }
    name = " ".join(part for part in (p.get("forename"), p.get("surname")) if part) or None
    return {
        **{f: p.get(f) for f in _RECORD_FIELDS},
        "seq": entry.seq,
        "key": linked.key,
        "person_id": linked.person_id,
        "name": name,
        "person_dob": p.get("date_of_birth") if p.get("dob_precision") == "day" else None,
        "match_probability": linked.match_probability,
        "model_version": model_version,
        "role": p.get("role"),
        "police_reference": p.get("police_reference"),
        "involvement_only": False,
        "pair": pair,
    }


def involvement_row(entry: Entry) -> dict[str, Any]:
    """A later row of a record already in this batch: only its involvement is written."""
    p = entry.payload
    return {
        **{f: p.get(f) for f in _RECORD_FIELDS},
        "seq": entry.seq,
        "key": record_key(p["system"], p["record_id"]),
        "role": p.get("role"),
        "police_reference": p.get("police_reference"),
        "involvement_only": True,
        "pair": None,
    }


def outcome(row: dict[str, Any], linked: Linked, seen: bool, held_person: str | None) -> str:
    """What applying one entry gave, as the journal keeps it (JSON)."""
    if seen:
        return json.dumps({"decision": SEEN, "person_id": held_person})
    found = {"decision": linked.decision, "person_id": linked.person_id,
             "match_probability": linked.match_probability}  # fmt: skip
    if row["pair"] is not None:
        pair = row["pair"]
        found |= {"pair_id": pair["pair_id"], "pair_probability": pair["match_probability"],
                  "left": pair["left_key"], "right": row["key"]}  # fmt: skip
    return json.dumps(found)


def review_event(found: dict[str, Any]) -> dict[str, Any] | None:
    """The ``reviewNeeded`` event for an applied entry's outcome, if it opened a pair."""
    if found.get("decision") != REVIEW or "pair_id" not in found:
        return None
    return {
        "pair_id": found["pair_id"],
        "match_probability": found["pair_probability"],
        "left": found["left"],
        "right": found["right"],
    }
