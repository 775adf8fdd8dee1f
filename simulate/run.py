"""``crimegraph simulate``: build the world, write the four extracts and, apart, the truth."""

from __future__ import annotations

import csv
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from simulate.extracts import build_extracts, write_extract
from simulate.geo import load_postcodes
from simulate.population import PopulationBuilder
from simulate.world import World, build_world, read_incidents


@dataclass
class SimulationReport:
    out: Path
    people: int
    events: int
    involvements: int
    rows_by_system: dict[str, int]
    broken_rows: int


def _write_csv(path: Path, rows: list[dict]) -> None:
    if not rows:
        path.write_text("")
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _write_truth(world: World, extracts, broken: list[dict], truth_dir: Path) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(truth_dir / "people.csv", [
        {"person_uid": p.person_uid, "forename": p.forename, "middle_names": p.middle_names or "",
         "surname": p.surname, "birth_surname": p.birth_surname or "", "sex": p.sex,
         "date_of_birth": p.date_of_birth.isoformat(), "address_uid": p.address.address_uid,
         "previous_address_uid": p.previous_address.address_uid if p.previous_address else "",
         "household": p.household, "twin_of": p.twin_of or "",
         "parent_of": " ".join(p.parent_of)}
        for p in world.people
    ])  # fmt: skip
    _write_csv(truth_dir / "addresses.csv", [
        {"address_uid": a.address_uid, "uprn": a.uprn, "line": a.line, "town": a.town,
         "postcode": a.postcode, "latitude": round(a.latitude, 6),
         "longitude": round(a.longitude, 6), "lsoa": a.lsoa or "", "h3": a.h3_cell}
        for a in world.addresses
    ])  # fmt: skip
    _write_csv(truth_dir / "events.csv", [
        {"event_uid": e.event_uid, "police_incident_id": e.police_incident_id or "",
         "crime_type": e.crime_type, "date": e.day.isoformat(), "force_code": e.force_code}
        for e in world.events.values()
    ])  # fmt: skip
    records = [row for extract in extracts for row in extract.truth]
    _write_csv(truth_dir / "records.csv", records)
    _write_csv(truth_dir / "broken_rows.csv", broken)


def simulate(
    *,
    seed: int,
    people: int,
    out: Path,
    warehouse: Path,
    lsoa_boundaries: Path,
    broken_rate: float = 0.002,
    offence_rate: float = 1.0,
    log: Callable[[str], None] = print,
) -> SimulationReport:
    """Write ``out/<system>.<ext>`` and ``out/<system>.yaml`` per system; truth in ``out/truth``.

    ``offence_rate`` multiplies how much of the incident record the population takes part
    in (1.0: as much as a population of that size would in Wales).
    """
    if not warehouse.exists():
        raise FileNotFoundError(
            f"no warehouse at {warehouse}: run `crimegraph ingest police-uk` first "
            "(the simulation attaches people to the real incidents)"
        )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        incidents = read_incidents(con)
    if not incidents:
        raise ValueError(f"{warehouse} holds no located incidents to attach people to")
    log(f"placing {people:,} people at real postcodes ...")
    postcodes = load_postcodes(lsoa_boundaries)
    builder = PopulationBuilder(random.Random(seed), postcodes)
    population = builder.build(people)
    log(f"attaching them to {len(incidents):,} real incidents ...")
    world = build_world(
        population, builder.addresses, incidents, seed=seed, offence_rate=offence_rate
    )
    log("writing the extracts ...")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    extracts = build_extracts(world, seed)
    rng = random.Random(seed + 99)
    broken: list[dict] = []
    for extract in extracts:
        broken += write_extract(extract, out, rng, broken_rate)
    _write_truth(world, extracts, broken, out / "truth")
    return SimulationReport(
        out=out,
        people=len(population),
        events=len(world.events),
        involvements=len(world.involvements),
        rows_by_system={e.system: len(e.truth) for e in extracts},
        broken_rows=len(broken),
    )
