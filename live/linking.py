"""Incremental person linking: each live person record against the people already resolved.

At start the applier reads, read-only, the latest trained people model and every
standardised person record with its person id from the warehouse, then closes it; the
records are prepared exactly as ``crimegraph resolve people`` prepares them, into an
in-memory DuckDB. Each batch of new records is prepared the same way and scored against
them with Splink 5's ``predict_between`` (the trained model and blocking rules, term
frequencies from the resolved records). A record's best existing match decides
(``decide``): at or above the top of the review band it joins that person; inside the band
it becomes a person of its own and the pair goes to the stewards' queue; below, a new
person (or, when the model is sure it is the same as an earlier new record of its batch,
that one's new person). Records the graph has taken join the index, so later live
records can match them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker
from splink.backends.duckdb import DuckDBAPI

from core.warehouse import connect_read_only, has_tables
from resolver.linkage import clustering, families, review_queue, stable_ids
from resolver.linkage.prepare import CONTRACT_COLUMNS, prepare
from resolver.linkage.warehouse_people import CONTRACT_RECORDS, MODEL_NAME

LINK, REVIEW, NEW = "link", "review", "new"
REVIEW_BAND = review_queue.REVIEW_BAND  # the batch review queue's band: [low, high)
# A sure match into a person holding a record it cannot share goes to the stewards instead.
COHERENCE_CAP = 0.9

_EXISTING, _IDS, _RAW, _NEW = "people_existing", "people_ids", "raw_new", "people_new"


def decide(probability: float | None, band: tuple[float, float] = REVIEW_BAND) -> str:
    """LINK at or above the band's top, REVIEW inside it, NEW below it (or no candidate)."""
    if probability is None or probability < band[0]:
        return NEW
    return LINK if probability >= band[1] else REVIEW


def new_person_id(idempotency_key: str, id_key: bytes) -> str:
    """A new person's id from the record's idempotency key, keyed under the server's id key
    (``settings.id_secret``): a replay gives the same id, a sender cannot compute it."""
    return stable_ids.id_for_key(f"live|{idempotency_key}", id_key)


def record_key(system: str, record_id: str) -> str:
    """A source record's key in the graph (the batch loader's ``system:record_id``)."""
    return f"{system}:{record_id}"


@dataclass(frozen=True)
class Match:
    """The best existing record for a new one, with the model's evidence."""

    key: str
    person_id: str
    match_probability: float
    match_weight: float
    evidence: dict[str, float]


@dataclass(frozen=True)
class Linked:
    """What linking decided for one new record."""

    key: str
    decision: str
    person_id: str
    match_probability: float  # the link's probability (1.0 for a record alone)
    best: Match | None


def contract_row(payload: dict[str, Any]) -> dict[str, str | None]:
    """A live person payload in the contract's columns, formatted as the warehouse's
    records are (``CONTRACT_RECORDS``), so both sides are prepared identically."""
    dob, precision = payload.get("date_of_birth"), payload.get("dob_precision")
    if dob and precision == "day":
        y, m, d = dob.split("-")
        dob = f"{d}/{m}/{y}"
    elif dob and precision == "month":
        y, m, _ = dob.split("-")
        dob = f"{m}/{y}"
    elif dob and precision == "year":
        dob = dob[:4]
    forename = " ".join(p for p in (payload.get("forename"), payload.get("middle_names")) if p)
    return {
        "source_system": payload["system"],
        "source_record_id": payload["record_id"],
        "forename": forename or None,
        "surname": payload.get("surname"),
        "date_of_birth": dob or None,
        "sex": payload.get("sex"),
        "address": payload.get("address"),
        "postcode": payload.get("postcode"),
    }


def _forename(row: tuple) -> clustering.Forename:
    _uid, _dob, name, aliases, middle, surname = row
    return clustering.Forename.prepared(name, aliases, middle, surname)


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in CONTRACT_COLUMNS})


class PeopleIndex:
    """The resolved people in memory, and the trained model to score new records with.

    Not thread-safe: the single applier calls it from one worker thread at a time.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: dict, version: int) -> None:
        self.con = con
        self.model_version = version
        settings = dict(settings)
        family = settings.pop(families.MODEL_KEY, None) or {}
        self._trusted = set(family.get("trusted", ()))
        self._corrections = [
            families.Correction.from_stored(c) for c in family.get("corrections", ())
        ]
        self.comparisons = [c["output_column_name"] for c in settings["comparisons"]]
        settings = {**settings, "retain_intermediate_calculation_columns": True}
        self._api = DuckDBAPI(con)
        self._existing = self._api.register(_EXISTING, table_name=_EXISTING)
        self._linker = Linker(self._existing, settings, log_level=logging.ERROR)
        for column in self._tf_columns(settings):
            self._linker.table_management.compute_tf_table(column)
        (self._next_id,) = con.execute(
            f"SELECT coalesce(max(unique_id), -1) + 1 FROM {_EXISTING}"
        ).fetchall()[0]
        self._batches = 0
        self._new = None  # the last batch, as registered with Splink

    @staticmethod
    def _tf_columns(settings: dict) -> list[str]:
        return sorted(
            {
                level["tf_adjustment_column"]
                for comparison in settings["comparisons"]
                for level in comparison["comparison_levels"]
                if level.get("tf_adjustment_column")
            }
        )

    @classmethod
    def load(cls, warehouse_path: Path) -> PeopleIndex | None:
        """The index over the warehouse's resolved people; None without a trained model."""
        if not warehouse_path.exists():
            return None
        with connect_read_only(warehouse_path) as wh:
            if not has_tables(wh, "linkage_models", "person_records", "person_links"):
                return None
            model = wh.execute(
                "SELECT version, settings_json FROM linkage_models WHERE model = ? "
                "ORDER BY version DESC LIMIT 1",
                [MODEL_NAME],
            ).fetchall()
            if not model:
                return None
            records = wh.sql(
                f"SELECT r.*, l.person_id FROM ({CONTRACT_RECORDS}) r "
                "JOIN person_links l ON l.source_system = r.source_system "
                "AND l.person_record_id = r.source_record_id "
                "ORDER BY r.source_system, r.source_record_id"
            ).to_arrow_table()
        version, settings = model[0]
        con = duckdb.connect()
        con.register("records", records)
        con.execute("CREATE TABLE raw_existing AS SELECT * FROM records")
        con.unregister("records")
        prepare(con, "raw_existing", target=_EXISTING)
        con.execute(
            f"CREATE TABLE {_IDS} AS SELECT p.unique_id, "
            "p.source_system || ':' || p.source_record_id AS key, r.person_id "
            f"FROM {_EXISTING} p JOIN raw_existing r USING (source_system, source_record_id)"
        )
        con.execute("DROP TABLE raw_existing")
        return cls(con, json.loads(settings), int(version))

    @property
    def size(self) -> int:
        return self.con.execute(f"SELECT count(*) FROM {_EXISTING}").fetchall()[0][0]

    def _prepare_new(self, payloads: list[dict[str, Any]]) -> None:
        self.con.register("incoming", _table([contract_row(p) for p in payloads]))
        self.con.execute(f"CREATE OR REPLACE TABLE {_RAW} AS SELECT * FROM incoming")
        self.con.unregister("incoming")
        prepare(self.con, _RAW, target=_NEW, first_id=self._next_id)

    def best_matches(self, payloads: list[dict[str, Any]]) -> list[Match | None]:
        """Per payload (in order), its most probable existing record at or above the
        review band's bottom, or None."""
        if not payloads:
            return []
        self._prepare_new(payloads)
        self._batches += 1
        new = self._api.register(_NEW, table_name=f"{_NEW}_{self._batches}")
        predictions = self._linker.inference.predict_between(
            self._existing, new, threshold_match_probability=REVIEW_BAND[0], warning_mode="never"
        )
        scored = self._family_rescored(predictions.physical_name)
        weights = ", ".join(f"'{c}': round(mw_{c}, 2)" for c in [*self.comparisons, "family"])
        rows = self.con.execute(
            f"""
            SELECT n.unique_id, i.key, i.person_id, p.match_probability, p.match_weight,
                   to_json({{{weights}}})::VARCHAR
            FROM {_NEW} n
            LEFT JOIN (
                SELECT * FROM ({scored}) WHERE match_probability >= {REVIEW_BAND[0]}
                QUALIFY row_number() OVER (PARTITION BY unique_id_r
                                           ORDER BY match_probability DESC, unique_id_l) = 1
            ) p ON p.unique_id_r = n.unique_id
            LEFT JOIN {_IDS} i ON i.unique_id = p.unique_id_l
            ORDER BY n.unique_id
            """
        ).fetchall()
        direct = {
            (left, right): p
            for left, right, p in self.con.execute(
                f"SELECT unique_id_l, unique_id_r, match_probability FROM ({scored})"
            ).fetchall()
        }
        predictions.drop_table_from_database_and_remove_from_cache()
        families.drop(self.con)
        self._new = new
        matches = []
        for uid, key, person, p, w, evidence in rows:
            if key is None:
                matches.append(None)
                continue
            match = Match(key, person, float(p), float(w), json.loads(evidence))
            if decide(match.match_probability) == LINK and not self._coherent(uid, person, direct):
                # the person holds a record this one cannot share (a twin, a father):
                # not a sure match, so the stewards decide
                match = Match(key, person, min(match.match_probability, COHERENCE_CAP),
                              match.match_weight, match.evidence)  # fmt: skip
            matches.append(match)
        return matches

    def _family_rescored(self, pairs: str) -> str:
        """SQL for ``pairs`` with the batch run's family corrections applied (the same
        signatures, the same measured evidence, dates confirmed against every record)."""
        if not self._corrections:
            return families.rescored_sql(pairs, [], [])
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW people_all AS SELECT * FROM {_EXISTING} "
            f"UNION ALL BY NAME SELECT * FROM {_NEW}"
        )
        families.prepare_records(
            self.con,
            "people_all",
            among=f"SELECT unique_id_l FROM {pairs} UNION SELECT unique_id_r FROM {pairs}",
        )
        columns = self.con.sql(f"SELECT * FROM {pairs} LIMIT 0").columns
        return families.rescored_sql(pairs, columns, self._corrections)

    def _coherent(self, uid: int, person_id: str, direct: dict[tuple[int, int], float]) -> bool:
        """Whether new record ``uid`` may join the person: no record of the person holds a
        date of birth (unless that record itself matched it near-certainly) or a forename
        it cannot share: the batch clustering's check."""
        people = self.con.execute(
            f"SELECT e.unique_id, e.dob_text, e.forename, e.forename_aliases, e.middle_names, "
            f"coalesce(e.surname, '') FROM {_IDS} i JOIN {_EXISTING} e USING (unique_id) "
            f"WHERE i.person_id = ? UNION ALL SELECT unique_id, dob_text, forename, "
            f"forename_aliases, middle_names, coalesce(surname, '') FROM {_NEW} "
            "WHERE unique_id = ?",
            [person_id, uid],
        ).fetchall()
        mine = next(r for r in people if r[0] == uid)
        for other in people:
            if other[0] == uid:
                continue
            sure = direct.get((other[0], uid), 0.0) >= clustering.CONFLICT_OVERRIDE
            dates = "date_of_birth" in self._trusted and bool(mine[1] and other[1]) and not sure
            names = "forename" in self._trusted and bool(mine[2] and other[2])
            if dates and clustering.dates_conflict(mine[1], other[1]):
                return False
            if names and clustering.forenames_conflict(_forename(mine), _forename(other)):
                return False
        return True

    def _sure_pairs(self) -> set[tuple[int, int]]:
        """(earlier, later) positions of records in the last batch the model is sure are
        the same person (after the family correction)."""
        within = self._linker.inference.predict_within(
            self._new, threshold_match_probability=REVIEW_BAND[1], warning_mode="never"
        )
        scored = self._family_rescored(within.physical_name)
        first = self._next_id
        pairs = {
            (min(a, b) - first, max(a, b) - first)
            for a, b in self.con.execute(
                f"SELECT unique_id_l, unique_id_r FROM ({scored}) "
                f"WHERE match_probability >= {REVIEW_BAND[1]}"
            ).fetchall()
        }
        within.drop_table_from_database_and_remove_from_cache()
        families.drop(self.con)
        return pairs

    def link(self, entries: list[tuple[str, dict[str, Any]]], id_key: bytes) -> list[Linked]:
        """Decide each (idempotency key, payload): which person it is, and how sure."""
        matches = self.best_matches([payload for _key, payload in entries])
        decisions = [decide(m.match_probability if m else None) for m in matches]
        same = self._sure_pairs() if decisions.count(NEW) > 1 else set()
        out: list[Linked] = []
        for n, ((idempotency_key, payload), best) in enumerate(zip(entries, matches, strict=True)):
            key = record_key(payload["system"], payload["record_id"])
            decision = decisions[n]
            earlier = next((m for m in range(n) if (m, n) in same), None)
            if decision == LINK and best is not None:
                out.append(Linked(key, LINK, best.person_id, best.match_probability, best))
            elif decision == NEW and earlier is not None:  # the same new person, twice
                out.append(Linked(key, LINK, out[earlier].person_id, 1.0, None))
            else:
                out.append(Linked(key, decision, new_person_id(idempotency_key, id_key), 1.0, best))
        return out

    def add(self, records: list[tuple[dict[str, Any], str]]) -> None:
        """Make (payload, person id) records candidates for later ones (once the graph
        holds them); a record the index holds already (by key) is left as it is."""
        keys = [record_key(p["system"], p["record_id"]) for p, _ in records]
        held = {k for (k,) in self.con.execute(
            f"SELECT key FROM {_IDS} WHERE key IN (SELECT unnest(?::VARCHAR[]))", [keys]
        ).fetchall()}  # fmt: skip
        fresh = {}
        for key, record in zip(keys, records, strict=True):
            if key not in held:
                fresh.setdefault(key, record)
        records = list(fresh.values())
        if not records:
            return
        self._prepare_new([payload for payload, _person in records])
        ids = pa.table(
            {
                "unique_id": pa.array(range(self._next_id, self._next_id + len(records))),
                "key": [record_key(p["system"], p["record_id"]) for p, _ in records],
                "person_id": [person for _, person in records],
            }
        )
        self.con.execute(f"INSERT INTO {_EXISTING} BY NAME SELECT * FROM {_NEW}")
        self.con.register("incoming_ids", ids)
        self.con.execute(f"INSERT INTO {_IDS} BY NAME SELECT * FROM incoming_ids")
        self.con.unregister("incoming_ids")
        self._next_id += len(records)

    def close(self) -> None:
        self.con.close()


def load_index(warehouse_path: Path) -> PeopleIndex | None:
    """``PeopleIndex.load``, logged when there is no model (person records then become
    new people)."""
    index = PeopleIndex.load(warehouse_path)
    if index is None:
        logging.getLogger("crimegraph.live").info(
            "live: no trained people model in %s; live person records are new people",
            warehouse_path,
        )
    return index
