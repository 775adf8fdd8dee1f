"""Live ingest's pure parts: record checks, the journal's idempotency and order, and
which risk cells an incident touches."""

from __future__ import annotations

import asyncio
import os

import h3

from core.rejections import RejectedRow
from layers.store import ALL_CRIME
from live import overlay
from live.journal import Journal
from live.records import standardise
from resolver.adapters.base import StandardRecord
from resolver.adapters.registry import live_adapters
from tests.conftest import BROKEN_POLICE_UK


def _crime(**overrides):
    record = {
        "Crime ID": "c1",
        "Month": "2025-03",
        "Reported by": "Gwent Police",
        "Longitude": "-3.0",
        "Latitude": "51.6",
        "LSOA code": "W01001500",
        "Crime type": "Robbery",
    }
    return {**record, **overrides}


def test_records_are_checked_with_the_batch_rules_and_named_by_position() -> None:
    good, bad_type, asb_without_id, asb, numeric = standardise(
        live_adapters(None),
        "police.uk",
        [
            _crime(),
            _crime(**{"Crime type": "Littering"}),
            _crime(**{"Crime ID": "", "Crime type": "Anti-social behaviour"}),
            _crime(**{"Crime ID": "", "Crime type": "Anti-social behaviour", "recordId": "r9"}),
            _crime(Longitude=-3.0, Latitude=51.6),
        ],
    )
    assert isinstance(good, StandardRecord)
    assert (good.key, good.record_id) == ("police.uk:c1@2025-03", "c1@2025-03")
    assert good.payload["incident_id"] == "c1"
    assert good.payload["crime_group"] == "robbery"
    assert good.payload["force_code"] == "gwent"
    assert good.payload["h3_cell"] == h3.latlng_to_cell(51.6, -3.0, 9)
    assert bad_type == RejectedRow(2, "Crime type", "unknown crime type 'Littering'")
    assert bad_type.message.startswith("record 2, field 'Crime type'")
    assert isinstance(asb_without_id, RejectedRow) and asb_without_id.field == "recordId"
    assert isinstance(asb, StandardRecord) and asb.number_by is not None
    assert isinstance(numeric, StandardRecord)


def test_asb_reports_get_the_ids_the_batch_gives_the_same_rows(tmp_path) -> None:
    """Anti-social behaviour has no Crime ID: live, identical reports are numbered in the
    order they arrive (a redelivery takes no number), so a month sent live has the
    incident ids the batch gives its file, and a later batch load duplicates nothing."""
    from resolver import readers
    from resolver.police_uk_columnar import parse_street_file

    batch = parse_street_file(BROKEN_POLICE_UK).records["incident_id"].to_pylist()
    rows = [
        {**row.values, "recordId": f"line-{row.row_number}"}
        for row in readers.read_csv(BROKEN_POLICE_UK)
        if row.values and row.values["Crime type"] == "Anti-social behaviour"
    ]
    assert len(rows) >= 2 and rows[0] == {**rows[1], "recordId": rows[0]["recordId"]}
    journal = Journal(tmp_path / "journal.sqlite")
    checked = standardise(live_adapters(None), "police.uk", list(reversed(rows)))
    assert all(isinstance(c, StandardRecord) for c in checked)
    assert journal.append(checked) == [True] * len(rows)
    assert journal.append(checked[:1]) == [False]  # redelivered: no new number
    live = [e.payload["incident_id"] for e in journal.pending()]
    assert sorted(live) == sorted(i for i in batch if i.startswith("asb:"))
    assert len(set(live)) == len(rows)


def test_journal_stores_a_key_once_and_hands_entries_out_in_order(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    entries = [
        StandardRecord(f"k{n}", "police.uk", f"r{n}", "incident", {"n": n}) for n in range(3)
    ]
    assert journal.append(entries) == [True, True, True]
    assert journal.append(
        [entries[1], StandardRecord("k3", "police.uk", "r3", "incident", {})]
    ) == [
        False,
        True,
    ]
    pending = journal.pending()
    assert [e.key for e in pending] == ["k0", "k1", "k2", "k3"]
    journal.mark_applied({pending[0].seq: "new", pending[1].seq: "duplicate"})
    journal.close()
    reopened = Journal(tmp_path / "journal.sqlite")  # as after a restart
    assert [e.key for e in reopened.pending()] == ["k2", "k3"]
    assert [e.payload for e in reopened.applied("new", "incident")] == [{"n": 0}]
    assert reopened.counts() == {"entries": 4, "pending": 2}


def test_an_incident_touches_its_cells_and_area_in_the_months_it_counts_for() -> None:
    keys = [
        ("2025-03", "h3", 9, ALL_CRIME),
        ("2025-03", "h3", 9, "robbery"),
        ("2025-03", "h3", 9, "burglary"),
        ("2025-05", "h3", 7, ALL_CRIME),
        ("2025-06", "lsoa", -1, ALL_CRIME),
        ("2025-07", "h3", 9, ALL_CRIME),  # four months on: no longer counted
        ("2025-02", "h3", 9, ALL_CRIME),  # before the incident
    ]
    incident = {
        "latitude": 51.6,
        "longitude": -3.0,
        "month": "2025-03",
        "crime_type": "Robbery",
        "crime_group": "robbery",
        "lsoa_code": "W01001500",
    }
    updates = overlay.risk_updates(keys, [incident, incident], {"Robbery": 2.5})
    cell9 = h3.latlng_to_cell(51.6, -3.0, 9)
    assert updates == {
        (keys[0], cell9): (5.0, 2),
        (keys[1], cell9): (5.0, 2),
        (keys[3], h3.latlng_to_cell(51.6, -3.0, 7)): (5.0, 2),
        (keys[4], "W01001500"): (5.0, 2),
    }


def test_one_applier_leads_and_every_process_follows_what_it_applied(tmp_path) -> None:
    """Two API workers on one journal: only one may write the graph, but the other's
    subscribers still hear each new incident once, with the time it was applied."""
    from live.applier import INCIDENT_ADDED, NEW, Applier
    from live.broadcast import Broadcaster

    path = tmp_path / "journal.sqlite"
    leader_journal, follower_journal = Journal(path), Journal(path)

    def applier(journal: Journal) -> Applier:
        return Applier(journal, None, lambda: None, Broadcaster(), {}, id_key=b"k")  # type: ignore[arg-type]

    leader, follower = applier(leader_journal), applier(follower_journal)
    assert leader._lead() and not follower._lead()

    async def hear() -> list:
        async with follower.broadcaster.listen(INCIDENT_ADDED) as queue:
            task = asyncio.create_task(follower._follow())
            entries = [
                StandardRecord(f"k{n}", "police.uk", f"r{n}", "incident", {"n": n}) for n in (0, 1)
            ]
            leader_journal.append(entries)
            pending = leader_journal.pending()
            leader_journal.mark_applied({pending[0].seq: NEW, pending[1].seq: "duplicate"})
            heard = [await asyncio.wait_for(queue.get(), 5)]
            await asyncio.sleep(0.3)  # nothing more arrives: the duplicate is not news
            task.cancel()
            return heard + [queue.get_nowait() for _ in range(queue.qsize())]

    heard = asyncio.run(hear())
    assert [e["n"] for e in heard] == [0]
    assert heard[0]["applied_at"] is not None
    os.close(leader._lock_file)  # the leading process ends
    assert follower._lead()  # the leader is gone: another process takes over


def test_a_reused_idempotency_key_is_told_from_a_redelivery(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    first = StandardRecord("k1", "police.uk", "r1", "incident", {"month": "2025-01"})
    assert journal.append([first]) == [True]
    assert not journal.reuses_key(first)  # the same record again: a duplicate
    other = StandardRecord("k1", "police.uk", "r1", "incident", {"month": "2025-02"})
    assert journal.append([other]) == [False]
    assert journal.reuses_key(other)  # same key, different content: a conflict
    assert journal.reuses_key(
        StandardRecord("k1", "police.uk", "r9", "incident", {"month": "2025-01"})
    )
    assert not journal.reuses_key(StandardRecord("k2", "police.uk", "r2", "incident", {}))
