"""Live person linking's pure parts: the decision bands, ids that survive a replay, the
batch mapper's checks on one live record, and what the applier writes and remembers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core.rejections import RejectedRow
from live.journal import Entry
from live.linking import (
    LINK,
    NEW,
    REVIEW,
    REVIEW_BAND,
    Linked,
    Match,
    contract_row,
    decide,
    new_person_id,
)
from live.people_rows import graph_row, outcome, review_event, split
from live.records import standardise as standardise_any
from resolver.adapters.base import StandardRecord
from resolver.adapters.registered import RegisteredAdapter
from resolver.adapters.registry import live_adapters
from resolver.linkage import review_queue
from resolver.sources import load_spec

SPEC = {
    "system": "agency",
    "format": "csv",
    "file": "agency.csv",
    "entity_types": ["person", "incident"],
    "fields": {
        "Ref": "person_id", "Surname": "surname", "Forenames": "forename", "DOB": "date_of_birth",
        "Sex": "sex", "Postcode": "postcode", "Case": "incident_id", "When": "incident_date",
        "Type": "crime_type", "Part": "role",
    },
    "date_formats": {"date_of_birth": ["%d/%m/%Y"], "incident_date": ["%d/%m/%Y"]},
    "codes": {"role": {"P": "suspect"}},
}  # fmt: skip
GOOD = {"Ref": "N1", "Surname": "Smith", "Forenames": "John Paul", "DOB": "03/04/1990",
        "Sex": "M", "Postcode": "cf62 7ab", "Case": "C1", "When": "14/03/2025",
        "Type": "Burglary", "Part": "P"}  # fmt: skip


@pytest.fixture()
def spec(tmp_path: Path):
    (tmp_path / "agency.csv").write_text(",".join(SPEC["fields"]) + "\n")
    path = tmp_path / "agency.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return load_spec(path)


@pytest.mark.parametrize(
    ("probability", "decision"),
    [(None, NEW), (0.0, NEW), (0.2999, NEW), (0.3, REVIEW), (0.6, REVIEW), (0.9499, REVIEW),
     (0.95, LINK), (1.0, LINK)],
)  # fmt: skip
def test_decision_bands_are_the_batch_review_band(probability, decision) -> None:
    assert REVIEW_BAND == review_queue.REVIEW_BAND == (0.3, 0.95)
    assert decide(probability) == decision


def test_a_new_persons_id_comes_from_the_idempotency_key() -> None:
    assert new_person_id("agency:N1@C1", b"k") == new_person_id("agency:N1@C1", b"k")
    assert new_person_id("agency:N1@C1", b"k") != new_person_id("agency:N1@C2", b"k")
    assert new_person_id("agency:N1@C1", b"k").startswith("P")
    assert new_person_id("agency:N1@C1", b"k") != new_person_id("agency:N1@C1", b"other key")


def test_a_live_record_is_mapped_and_checked_as_the_batch_does(spec) -> None:
    good, bad_dob, no_name, no_id, soft, text = RegisteredAdapter(spec).standardise(
        [
            GOOD,
            {**GOOD, "DOB": "31/02/1990"},
            {**GOOD, "Surname": "", "Forenames": ""},
            {**GOOD, "Ref": ""},
            {**GOOD, "Postcode": "NOT A POSTCODE", "Sex": "Q"},
            "a string",
        ],
        [1, 2, 3, 4, 5, 6],
    )
    assert isinstance(good, StandardRecord)
    assert (good.key, good.source, good.record_id, good.kind) == (
        "agency:N1@C1", "agency", "N1@C1", "person",
    )  # fmt: skip
    p = good.payload
    assert (p["record_id"], p["forename"], p["middle_names"], p["surname"]) == (
        "N1", "JOHN", "PAUL", "SMITH",
    )  # fmt: skip
    assert (p["date_of_birth"], p["dob_precision"], p["postcode"]) == (
        "1990-04-03",
        "day",
        "CF62 7AB",
    )
    assert (p["role"], p["incident_record_id"], p["dropped"]) == ("suspect", "C1", [])
    assert isinstance(bad_dob, RejectedRow) and (bad_dob.row, bad_dob.field) == (2, "DOB")
    assert bad_dob.message.startswith("record 2, field 'DOB'")
    assert isinstance(no_name, RejectedRow) and no_name.field == "Surname"
    assert isinstance(no_id, RejectedRow) and no_id.field == "Ref"
    assert isinstance(soft, StandardRecord) and soft.payload["postcode"] is None
    assert [f for f, _ in soft.payload["dropped"]] == ["Postcode", "Sex"]
    assert isinstance(text, RejectedRow) and "JSON object" in text.reason


def test_a_source_without_a_person_id_needs_the_record_id(spec, tmp_path) -> None:
    fields = {k: v for k, v in SPEC["fields"].items() if v != "person_id"}
    (tmp_path / "noid.csv").write_text(",".join(fields) + "\n")
    (tmp_path / "noid.yaml").write_text(
        yaml.safe_dump({**SPEC, "system": "noid", "file": "noid.csv", "fields": fields})
    )
    adapters = live_adapters(tmp_path)
    assert sorted(adapters) == ["agency", "noid", "police.uk"]
    refused, taken = standardise_any(adapters, "noid", [GOOD, {**GOOD, "recordId": "row-7"}])
    assert isinstance(refused, RejectedRow) and refused.field == "recordId"
    assert isinstance(taken, StandardRecord) and taken.key == "noid:row-7"
    assert taken.payload["record_id"] == "row-7"
    with pytest.raises(ValueError, match=r"police\.uk, agency, noid"):
        standardise_any(adapters, "elsewhere", [GOOD])


def test_the_contract_row_formats_dates_as_the_warehouse_does() -> None:
    base = {"system": "s", "record_id": "r", "forename": "JOHN", "middle_names": "PAUL",
            "surname": "SMITH"}  # fmt: skip
    day = contract_row({**base, "date_of_birth": "1990-04-03", "dob_precision": "day"})
    month = contract_row({**base, "date_of_birth": "1990-04-01", "dob_precision": "month"})
    year = contract_row({**base, "date_of_birth": "1990-01-01", "dob_precision": "year"})
    assert (day["date_of_birth"], month["date_of_birth"], year["date_of_birth"]) == (
        "03/04/1990", "04/1990", "1990",
    )  # fmt: skip
    assert day["forename"] == "JOHN PAUL" and day["source_record_id"] == "r"


def _entry(seq: int, record_id: str, key: str | None = None) -> Entry:
    payload = {"system": "agency", "record_id": record_id, "record_ref": record_id,
               "forename": "JOHN", "surname": "SMITH", "date_of_birth": "1990-04-03",
               "dob_precision": "day"}  # fmt: skip
    return Entry(seq, key or f"agency:{record_id}", "agency", record_id, "person", payload, 0.0)


def test_the_same_record_twice_in_a_batch_is_written_once() -> None:
    batch = split([_entry(1, "N1"), _entry(2, "N2"), _entry(3, "N1", key="resend")])
    assert [e.seq for e in batch.first] == [1, 2]
    assert [e.seq for e in batch.again] == [3]


def test_an_uncertain_match_is_a_pair_and_a_review_event() -> None:
    best = Match("other:X:9", "P-OLD", 0.6, 0.58, {"forename": 2.0, "surname": -1.5})
    entry = _entry(4, "N4")
    linked = Linked("agency:N4", REVIEW, new_person_id(entry.key, b"k"), 1.0, best)
    row = graph_row(entry, linked, 3)
    pair = row["pair"]
    assert pair["pair_id"] == review_queue.pair_id(("other", "X:9"), ("agency", "N4"))
    assert (pair["left_key"], pair["model_version"]) == ("other:X:9", 3)
    assert json.loads(pair["evidence"]) == best.evidence
    assert (row["person_id"], row["name"], row["person_dob"]) == (
        new_person_id(entry.key, b"k"), "JOHN SMITH", "1990-04-03",
    )  # fmt: skip
    found = json.loads(outcome(row, linked, seen=False, held_person=None))
    assert review_event(found) == {
        "pair_id": pair["pair_id"], "match_probability": 0.6, "left": "other:X:9",
        "right": "agency:N4",
    }  # fmt: skip
    replayed = json.loads(outcome(row, linked, seen=True, held_person="P-NEW"))
    assert replayed == {"decision": "seen", "person_id": "P-NEW"}
    assert review_event(replayed) is None


def test_a_sure_match_joins_the_person_without_a_pair() -> None:
    best = Match("other:X:9", "P-OLD", 0.99, 7.0, {})
    linked = Linked("agency:N5", LINK, "P-OLD", 0.99, best)
    row = graph_row(_entry(5, "N5"), linked, 1)
    assert (row["person_id"], row["pair"], row["match_probability"]) == ("P-OLD", None, 0.99)
    assert review_event(json.loads(outcome(row, linked, False, None))) is None
