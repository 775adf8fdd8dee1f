"""A small world for API tests: the fixture crimes in the warehouse and the graph, map
layers over their cells, three people with source records, a review pair; and an API
server in its own process, with one signed token per role."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx

from api.auth import ROLES, issue_jwt
from core import warehouse
from core.settings import Settings, load_settings
from crimegraph import pipeline
from graph.connection import driver as sync_driver
from graph.load import load_graph
from testkit.cypher import TESTS
from testkit.instances import empty_graph
from testkit.server import JWT_SECRET, serve
from tests.conftest import BROKEN_POLICE_UK
from tests.names import FORENAMES, SURNAMES

PERSON_A, PERSON_B, PERSON_C = "P-A", "P-B", "P-C"
PAIR = "pair-1"
BIG_CELL_COUNT = 7  # one cell gets an exact count at or above the suppression threshold


@dataclasses.dataclass(frozen=True)
class World:
    url: str
    tokens: dict[str, str]  # role → bearer token
    incidents: list[str]
    cells: list[str]
    lsoa: str
    location: str  # the location of the first incident
    neo4j: Settings
    data_dir: Path

    def headers(self, role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[role]}"} if role != "public" else {}

    def gql(self, query: str, variables: dict | None = None, role: str = "public") -> dict:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers(role),
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()


def _empty_graph(settings: Settings) -> None:
    with sync_driver(settings) as drv:
        empty_graph(drv)


def _write_layers(path: Path) -> tuple[list[str], str]:
    """risk_scores, hotspots and forecasts rows for every cell holding a fixture crime."""
    con = duckdb.connect(str(path))
    try:
        cells = con.execute(
            "SELECT l.h3_cell, any_value(l.lsoa_code), count(*), any_value(i.force_code) "
            "FROM incidents i JOIN locations l USING (location_id) GROUP BY 1 ORDER BY 1"
        ).fetchall()
        con.execute(
            "CREATE OR REPLACE TABLE risk_scores (month VARCHAR, area_level VARCHAR, "
            "resolution INTEGER, area_id VARCHAR, force_code VARCHAR, crime_group VARCHAR, "
            "score DOUBLE, harm DOUBLE, near_repeat DOUBLE, network DOUBLE, forecast DOUBLE, "
            "incidents INTEGER)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE hotspots (month VARCHAR, area_level VARCHAR, "
            "resolution INTEGER, area_id VARCHAR, crime_group VARCHAR, gi_z DOUBLE, "
            "p_value DOUBLE)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE forecasts (month VARCHAR, resolution INTEGER, cell VARCHAR, "
            "crime_group VARCHAR, expected DOUBLE, model VARCHAR)"
        )
        for n, (cell, _lsoa, count, force) in enumerate(cells):
            incidents = BIG_CELL_COUNT if n == 0 else count
            con.execute(
                "INSERT INTO risk_scores VALUES ('2025-01', 'h3', 9, ?, ?, 'All crime', ?, ?, "
                "0.1, 0.2, 0.3, ?)",
                [cell, force, 0.5 + n / 100, 1.0 + n, incidents],
            )
            con.execute(
                "INSERT INTO hotspots VALUES ('2025-01', 'h3', 9, ?, 'All crime', 2.1, 0.03)",
                [cell],
            )
            con.execute(
                "INSERT INTO forecasts VALUES ('2025-02', 9, ?, 'All crime', 1.5, 'poisson')",
                [cell],
            )
        lsoa = next(lsoa for _c, lsoa, _n, _f in cells if lsoa and lsoa.startswith("W"))
        con.execute(
            "INSERT INTO risk_scores VALUES ('2025-01', 'lsoa', NULL, ?, 'south-wales', "
            "'All crime', 0.7, 3.0, 0.1, 0.1, 0.2, 3)",
            [lsoa],
        )
        return [c for c, *_ in cells], lsoa
    finally:
        con.close()


def _record(system, record_id, forename, surname, dob, postcode, p, incidents):
    return {
        "system": system,
        "record_id": record_id,
        "forename": forename,
        "surname": surname,
        "date_of_birth": dob,
        "sex": "M",
        "address": "1 HIGH STREET CARDIFF",
        "postcode": postcode,
        "match_probability": p,
        "incidents": [{"incident_id": i, "role": role} for i, role in incidents],
    }


def _seed_people(settings: Settings, incidents: list[str]) -> None:
    i0, i1, i2 = incidents[:3]
    people = [
        {
            "person_id": PERSON_A,
            "name": "JOHN SMITH",
            "date_of_birth": "1990-04-03",
            "sex": "M",
            "network_id": "1",
            "records": [
                _record(
                    "police_a",
                    "A1",
                    "JOHN",
                    "SMITH",
                    "1990-04-03",
                    "CF10 1AA",
                    0.98,
                    [(i0, "suspect"), (i1, "suspect")],
                ),
                _record("social_care", "S1", "JON", "SMITH", "1990-04", "CF10 1AA", 0.91, []),
            ],
        },
        {
            "person_id": PERSON_B,
            "name": "JANE JONES",
            "date_of_birth": "1985-01-02",
            "sex": "F",
            "network_id": "1",
            "records": [
                _record(
                    "police_b",
                    "B1",
                    "JANE",
                    "JONES",
                    "1985-01-02",
                    "NP20 1AA",
                    1.0,
                    [(i1, "suspect"), (i2, "victim")],
                ),
            ],
        },
        {
            "person_id": PERSON_C,
            "name": "BOB EVANS",
            "date_of_birth": "1970-07-07",
            "sex": "M",
            "network_id": "2",
            "records": [
                _record(
                    "council_asb",
                    "C1",
                    "BOB",
                    "EVANS",
                    "1970-07-07",
                    "SA1 1AA",
                    1.0,
                    [(i2, "witness")],
                ),
            ],
        },
    ]
    pairs = [
        {
            "pair_id": PAIR,
            "left_key": "police_a:A1",
            "right_key": "police_b:B1",
            "match_probability": 0.45,
            "match_weight": -0.3,
            "evidence": json.dumps({"forename": -2.1, "surname": -3.0, "home": 1.2}),
        }
    ]
    links = [{"source": PERSON_A, "target": PERSON_B, "weight": 1.0, "incidents": 1}]
    with sync_driver(settings) as drv:
        drv.execute_query(TESTS.statement("seed_people"), people=people)
        drv.execute_query(TESTS.statement("seed_review"), pairs=pairs)
        drv.execute_query(TESTS.statement("seed_co_offending"), links=links)


@contextlib.contextmanager
def world(neo4j_settings: Settings, data_dir: Path, **env: str) -> Iterator[World]:
    """The seeded world and a server over it."""
    _empty_graph(neo4j_settings)
    settings = load_settings().with_data_dir(data_dir)
    pipeline.ingest_police_uk(settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(settings.warehouse_path) as con:
        rows = con.execute(
            "SELECT incident_id, location_id FROM incidents WHERE location_id IS NOT NULL "
            "ORDER BY incident_id"
        ).fetchall()
    incidents = [r[0] for r in rows]
    with sync_driver(neo4j_settings) as drv, warehouse.connect(settings.warehouse_path) as con:
        load_graph(con, drv)
    cells, lsoa = _write_layers(settings.warehouse_path)
    _seed_people(neo4j_settings, incidents)
    tokens = {role: issue_jwt(JWT_SECRET, role, f"test-{role}") for role in ROLES}
    with serve(neo4j_settings, data_dir, **env) as url:
        yield World(url, tokens, incidents, cells, lsoa, rows[0][1], neo4j_settings, data_dir)


def graph_counts(settings: Settings) -> dict[str, int]:
    from graph.load import graph_counts as counts

    with sync_driver(settings) as drv:
        return counts(drv)


AGENCY = "test_agency"
AGENCY_SPEC = {
    "system": AGENCY,
    "title": "A person-carrying test source",
    "format": "csv",
    "file": f"{AGENCY}.csv",
    "entity_types": ["person", "incident"],
    "fields": {
        "Nominal Ref": "person_id", "Surname": "surname", "Forename(s)": "forename",
        "DOB": "date_of_birth", "Sex": "sex", "Home Address": "address",
        "Home Postcode": "postcode", "Occurrence Ref": "incident_id",
        "Crime ID": "police_reference", "Involvement": "role",
    },
    "date_formats": {"date_of_birth": ["%d/%m/%Y"]},
}  # fmt: skip
AGENCY_COLUMNS = list(AGENCY_SPEC["fields"])


def agency_people(n: int) -> list[dict[str, str]]:
    """Distinct people (a population for the model to learn from), a third of them
    recorded twice with a slip in the surname, as rows of the test agency's extract."""
    first, last = FORENAMES, SURNAMES
    rows = []
    for i in range(n):
        f, s = first[i % len(first)], last[(i // len(first)) % len(last)]
        row = {
            "Nominal Ref": f"F{i}",
            "Surname": s,
            "Forename(s)": f,
            "DOB": f"{1 + (i * 7) % 28:02d}/{1 + (i * 5) % 12:02d}/{1940 + (i * 11) % 65}",
            "Sex": "F" if first.index(f) % 2 else "M",
            "Home Address": f"{i} Station Road, Cardiff",
            "Home Postcode": f"CF{10 + i % 40} {i % 9}AB",
            "Occurrence Ref": f"OCC{i}",
            "Crime ID": "",
            "Involvement": "victim",
        }
        rows.append(row)
        if i % 3 == 0:
            typo = s[:-1] + ("e" if s[-1] != "e" else "a")
            rows.append({**row, "Nominal Ref": f"O{i}", "Surname": typo,
                         "Home Address": f"{i} Station Rd, Cardiff"})  # fmt: skip
    return rows


def _resolved_agency(settings: Settings, people: int) -> None:
    """The test agency's extract and registry YAML where the live path looks for sources,
    ingested into the warehouse and resolved (a trained people model, person links)."""
    import csv

    import yaml

    from resolver.linkage.warehouse_people import resolve_warehouse_people

    folder = settings.data_dir / "simulated"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{AGENCY}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, AGENCY_COLUMNS)
        writer.writeheader()
        writer.writerows(agency_people(people))
    spec = folder / f"{AGENCY}.yaml"
    spec.write_text(yaml.safe_dump(AGENCY_SPEC), encoding="utf-8")
    pipeline.ingest_source(settings, spec)
    with warehouse.connect(settings.warehouse_path) as con:
        resolve_warehouse_people(con, id_key=settings.id_secret)


@contextlib.contextmanager
def people_world(
    neo4j_settings: Settings, data_dir: Path, people: int = 600, **env: str
) -> Iterator[World]:
    """The fixture crimes and a resolved person source in the warehouse and the graph
    (batch-loaded), and a server over them whose live path links people."""
    _empty_graph(neo4j_settings)
    settings = load_settings().with_data_dir(data_dir)
    pipeline.ingest_police_uk(settings, [str(BROKEN_POLICE_UK)])
    _resolved_agency(settings, people)
    with warehouse.connect(settings.warehouse_path) as con:
        rows = con.execute(
            "SELECT incident_id, location_id FROM incidents WHERE location_id IS NOT NULL "
            "ORDER BY incident_id"
        ).fetchall()
    with sync_driver(neo4j_settings) as drv, warehouse.connect(settings.warehouse_path) as con:
        load_graph(con, drv)
    cells, lsoa = _write_layers(settings.warehouse_path)
    tokens = {role: issue_jwt(JWT_SECRET, role, f"test-{role}") for role in ROLES}
    with serve(neo4j_settings, data_dir, **env) as url:
        yield World(url, tokens, [r[0] for r in rows], cells, lsoa, rows[0][1], neo4j_settings,
                    data_dir)  # fmt: skip
