"""The four systems' extracts: each its own schema, formats, codes and habits.

- ``police_a`` (South Wales, Gwent): CSV, ``Surname``/``Forename(s)``, ``DOB`` dd/mm/yyyy.
- ``police_b`` (North Wales, Dyfed-Powys): Parquet, ``last_name``/``first_name``, ISO dates,
  ``gender`` words, specific offence wording.
- ``council_asb``: JSON lines, one party per line, ``Family name``, free-text address with
  the postcode inside it, sometimes a UPRN, dates like ``3 Apr 1990``.
- ``social_care``: CSV, ``Client surname``, partial dates of birth, ONS sex codes 1/2/9.

Police and council both record many of the same anti-social behaviour incidents.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from simulate.errors import ErrorProfile
from simulate.names import NamePool
from simulate.population import REFERENCE_DAY, Person
from simulate.systems import HeldPerson, PersonRegistry
from simulate.world import Event, World

OFFENCE_WORDING = {
    "Violence and sexual offences": (
        "Common assault",
        "Assault occasioning ABH",
        "GBH",
        "Harassment",
        "Stalking",
        "Sexual assault",
        "Threats to kill",
    ),
    "Robbery": ("Personal robbery", "Business robbery"),
    "Theft from the person": ("Pickpocketing", "Snatch theft"),
    "Burglary": ("Burglary dwelling", "Burglary non-dwelling", "Aggravated burglary"),
    "Criminal damage and arson": ("Criminal damage", "Arson", "Graffiti"),
    "Vehicle crime": ("Theft from motor vehicle", "Theft of motor vehicle", "Vehicle interference"),
    "Bicycle theft": ("Cycle theft",),
    "Other theft": ("Other theft",),
    "Shoplifting": ("Shop theft",),
    "Drugs": ("Possession of cannabis", "Supply of controlled drugs"),
    "Possession of weapons": (
        "Possession of a bladed article",
        "Possession of an offensive weapon",
    ),
    "Public order": ("Section 4", "Section 5", "Affray"),
    "Other crime": ("Fraud", "Perverting the course of justice"),
    "Anti-social behaviour": ("Anti-social behaviour",),
}
ASB_CASE_TYPES = ("Noise nuisance", "Rowdy behaviour", "Nuisance youths", "Neighbour dispute")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

PROFILES = {
    "police_a": ErrorProfile(typo=0.02, nickname=0.03, dob_missing=0.01, postcode_format=0.15),
    "police_b": ErrorProfile(typo=0.03, nickname=0.03, dob_missing=0.01, dob_day_month_swap=0.03),
    "council_asb": ErrorProfile(
        typo=0.05,
        nickname=0.12,
        dob_missing=0.45,
        swap_names=0.02,
        address_abbreviated=0.6,
        postcode_format=0.5,
        uprn_present=0.5,
        duplicate_person=0.06,
    ),
    "social_care": ErrorProfile(
        typo=0.03, nickname=0.06, dob_missing=0.05, postcode_missing=0.08, duplicate_person=0.05
    ),
}


@dataclass
class Extract:
    """Rows as one system exports them, plus its registry entry and the truth behind each row."""

    system: str
    title: str
    file_format: str
    columns: list[str]
    spec: dict
    rows: list[dict] = field(default_factory=list)
    truth: list[dict] = field(default_factory=list)  # one per row

    @property
    def file_name(self) -> str:
        return f"{self.system}.{self.file_format}"

    def add(
        self,
        row: dict,
        held: HeldPerson | None,
        event: Event | None,
        role: str,
        incident_ref: str | None,
    ) -> None:
        self.rows.append(row)
        self.truth.append(
            {
                "person_record_id": held.record_id if held else None,
                "person_uid": held.person_uid if held else None,
                "incident_ref": incident_ref,
                "event_uid": event.event_uid if event else None,
                "police_incident_id": event.police_incident_id if event else None,
                "role": role,
                "address_uid": held.address.address_uid if held else None,
            }
        )


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _pretty(day: date | None, rng: random.Random) -> str:
    if day is None:
        return ""
    return rng.choice((f"{day.day} {MONTHS[day.month - 1]} {day.year}", day.strftime("%d/%m/%Y")))


def _partial_dob(day: date | None, rng: random.Random) -> str:
    if day is None:
        return ""
    roll = rng.random()
    if roll < 0.15:
        return f"{day.month:02d}/{day.year}"
    if roll < 0.22:
        return str(day.year)
    return day.strftime("%d/%m/%Y")


class ExtractBuilder:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.rng = random.Random(seed + 17)
        self.names = NamePool(self.rng)
        self.by_uid = {p.person_uid: p for p in world.people}
        self.by_event: dict[str, list] = defaultdict(list)
        for inv in world.involvements:
            self.by_event[inv.event_uid].append(inv)
        self.registries = {
            name: PersonRegistry(prefix, PROFILES[name], self.rng, self.names)
            for name, prefix in (
                ("police_a", "N"),
                ("police_b", "PB"),
                ("council_asb", "CP"),
                ("social_care", "SC"),
            )
        }

    def _offence(self, event: Event) -> str:
        return self.rng.choice(OFFENCE_WORDING.get(event.crime_type, (event.crime_type,)))

    # -- police A ---------------------------------------------------------------
    def police_a(self) -> Extract:
        columns = [
            "Occurrence Ref",
            "Crime ID",
            "Nominal Ref",
            "Involvement",
            "Surname",
            "Forename(s)",
            "DOB",
            "Sex",
            "Home Address",
            "Home Postcode",
            "Offence",
            "Date Committed",
            "Location",
            "Latitude",
            "Longitude",
        ]
        spec = {
            "system": "police_a",
            "title": "South Wales and Gwent police records system (nominals linked to occurrences)",
            "format": "csv",
            "entity_types": ["person", "incident"],
            "fields": {
                "Occurrence Ref": "incident_id",
                "Crime ID": "police_reference",
                "Nominal Ref": "person_id",
                "Involvement": "role",
                "Surname": "surname",
                "Forename(s)": "forename",
                "DOB": "date_of_birth",
                "Sex": "sex",
                "Home Address": "address",
                "Home Postcode": "postcode",
                "Offence": "crime_type",
                "Date Committed": "incident_date",
                "Location": "incident_address",
                "Latitude": "latitude",
                "Longitude": "longitude",
            },
            "date_formats": {"date_of_birth": ["%d/%m/%Y"], "incident_date": ["%d/%m/%Y"]},
            "codes": {
                "role": {
                    "SUSPECT": "suspect",
                    "VICTIM": "victim",
                    "WITNESS": "witness",
                    "REPORTER": "reporter",
                }
            },
        }
        extract = Extract("police_a", spec["title"], "csv", columns, spec)
        self._police(extract, ("south-wales", "gwent"), self._police_a_row)
        return extract

    def _police_a_row(self, held: HeldPerson, event: Event, role: str, ref: str) -> dict:
        forenames = " ".join(x for x in (held.forename, held.middle_names) if x)
        return {
            "Occurrence Ref": ref,
            "Crime ID": event.crime_id or "",
            "Nominal Ref": held.record_id,
            "Involvement": role.upper(),
            "Surname": held.surname.upper(),
            "Forename(s)": forenames,
            "DOB": _dmy(held.date_of_birth),
            "Sex": held.sex or "U",
            "Home Address": f"{held.address_line}, {held.address.town}",
            "Home Postcode": held.postcode or "",
            "Offence": self._offence(event),
            "Date Committed": _dmy(event.day),
            "Location": event.location_name or "",
            "Latitude": f"{event.latitude:.6f}",
            "Longitude": f"{event.longitude:.6f}",
        }

    # -- police B ---------------------------------------------------------------
    def police_b(self) -> Extract:
        columns = [
            "record_id",
            "person_id",
            "first_name",
            "middle_name",
            "last_name",
            "date_of_birth",
            "gender",
            "address_line_1",
            "town",
            "post_code",
            "occurrence_id",
            "offence_description",
            "occurred_on",
            "role_code",
            "crime_reference",
            "lat",
            "lon",
        ]
        spec = {
            "system": "police_b",
            "title": "North Wales and Dyfed-Powys police records system",
            "format": "parquet",
            "entity_types": ["person", "incident"],
            "fields": {
                "record_id": "record_id",
                "person_id": "person_id",
                "first_name": "forename",
                "middle_name": "middle_names",
                "last_name": "surname",
                "date_of_birth": "date_of_birth",
                "gender": "sex",
                "address_line_1": "address",
                "town": "address",
                "post_code": "postcode",
                "occurrence_id": "incident_id",
                "offence_description": "crime_type",
                "occurred_on": "incident_date",
                "role_code": "role",
                "crime_reference": "police_reference",
                "lat": "latitude",
                "lon": "longitude",
            },
            "date_formats": {"date_of_birth": ["%Y-%m-%d"], "incident_date": ["%Y-%m-%d"]},
            "codes": {
                "role": {"S": "suspect", "V": "victim", "W": "witness", "R": "reporter"},
                "sex": {"Male": "M", "Female": "F", "Unknown": "U"},
            },
        }
        extract = Extract("police_b", spec["title"], "parquet", columns, spec)
        self._police(extract, ("north-wales", "dyfed-powys"), self._police_b_row)
        return extract

    def _police_b_row(self, held: HeldPerson, event: Event, role: str, ref: str) -> dict:
        n = len(self._rows_b) + 1
        self._rows_b.append(n)
        return {
            "record_id": f"R{n:08d}",
            "person_id": held.record_id,
            "first_name": held.forename.title(),
            "middle_name": held.middle_names,
            "last_name": held.surname.title(),
            "date_of_birth": held.date_of_birth.isoformat() if held.date_of_birth else None,
            "gender": {"M": "Male", "F": "Female"}.get(held.sex or "", "Unknown"),
            "address_line_1": held.address_line,
            "town": held.address.town,
            "post_code": held.postcode,
            "occurrence_id": ref,
            "offence_description": self._offence(event),
            "occurred_on": event.day.isoformat(),
            "role_code": role[0].upper(),
            "crime_reference": event.crime_id,
            "lat": round(event.latitude, 6),
            "lon": round(event.longitude, 6),
        }

    def _police(self, extract: Extract, forces: tuple[str, ...], render) -> None:
        self._rows_b: list[int] = []
        registry = self.registries[extract.system]
        refs = 0
        for event_uid in sorted(self.by_event):
            event = self.world.events[event_uid]
            if event.force_code not in forces or event.police_incident_id is None:
                continue
            if event.crime_type == "Anti-social behaviour" and self.rng.random() < 0.3:
                continue  # not every ASB report gets names attached by the police
            refs += 1
            prefix = "".join(w[0] for w in event.force_code.split("-")).upper()
            ref = f"{prefix}/{event.day:%y}/{refs:06d}"
            for inv in self.by_event[event_uid]:
                held = registry.held(self.by_uid[inv.person_uid], event.day)
                extract.add(render(held, event, inv.role, ref), held, event, inv.role, ref)

    # -- council ASB ----------------------------------------------------------------
    def council_asb(self) -> Extract:
        columns = [
            "CaseRef",
            "CaseOpened",
            "CaseType",
            "IncidentLocation",
            "PartyRole",
            "Title",
            "Given name",
            "Family name",
            "Date of birth",
            "Address",
            "UPRN",
            "Police ref",
        ]
        spec = {
            "system": "council_asb",
            "title": "Council anti-social behaviour case management (one party per line)",
            "format": "jsonl",
            "entity_types": ["person", "incident"],
            "fields": {
                "CaseRef": "incident_id",
                "CaseOpened": "incident_date",
                "CaseType": "crime_type",
                "IncidentLocation": "incident_address",
                "PartyRole": "role",
                "Given name": "forename",
                "Family name": "surname",
                "Date of birth": "date_of_birth",
                "Address": "address",
                "UPRN": "uprn",
                "Police ref": "police_reference",
            },
            "date_formats": {
                "date_of_birth": ["%d %b %Y", "%d/%m/%Y"],
                "incident_date": ["%d/%m/%Y"],
            },
            "codes": {
                "role": {
                    "Perpetrator": "suspect",
                    "Complainant": "reporter",
                    "Victim": "victim",
                    "Witness": "witness",
                }
            },
        }
        extract = Extract("council_asb", spec["title"], "jsonl", columns, spec)
        registry = self.registries["council_asb"]
        cases = 0
        for event_uid in sorted(self.by_event):
            event = self.world.events[event_uid]
            is_asb = event.crime_type == "Anti-social behaviour"
            is_damage = event.crime_type == "Criminal damage and arson"
            if not (
                (is_asb and self.rng.random() < 0.6) or (is_damage and self.rng.random() < 0.15)
            ):
                continue
            cases += 1
            ref = f"ASB-{event.day:%Y}-{cases:05d}"
            opened = event.day + timedelta(days=self.rng.choice((0, 0, 1, 2, 3, 7)))
            case_type = self.rng.choice(ASB_CASE_TYPES) if is_asb else "Criminal damage"
            place = (event.location_name or "").removeprefix("On or near ").strip()
            for inv in self.by_event[event_uid]:
                held = registry.held(self.by_uid[inv.person_uid], event.day)
                role = {
                    "suspect": "Perpetrator",
                    "reporter": "Complainant",
                    "victim": "Victim",
                    "witness": "Witness",
                }[inv.role]
                title = {"M": "Mr", "F": self.rng.choice(("Mrs", "Ms", "Miss"))}.get(
                    held.sex or "", ""
                )
                row = {
                    "CaseRef": ref,
                    "CaseOpened": _dmy(opened),
                    "CaseType": case_type,
                    "IncidentLocation": f"near {place}" if place else "",
                    "PartyRole": role,
                    "Title": title,
                    "Given name": held.forename,
                    "Family name": held.surname,
                    "Date of birth": _pretty(held.date_of_birth, self.rng),
                    "Address": " ".join(
                        x for x in (f"{held.address_line}, {held.address.town}", held.postcode) if x
                    ),
                    "UPRN": held.uprn or "",
                    "Police ref": event.crime_id
                    if event.crime_id and self.rng.random() < 0.3
                    else "",
                }
                extract.add(row, held, event, inv.role, ref)
        return extract

    # -- social care ----------------------------------------------------------------
    def social_care(self) -> Extract:
        columns = [
            "Referral ID",
            "Client ID",
            "Client surname",
            "Client forename",
            "Client DOB",
            "Gender",
            "Client address",
            "Client postcode",
            "Referral date",
            "Concern type",
            "Police reference",
        ]
        spec = {
            "system": "social_care",
            "title": "Children's and adults' social care referrals",
            "format": "csv",
            "entity_types": ["person", "incident"],
            "fields": {
                "Referral ID": "incident_id",
                "Client ID": "person_id",
                "Client surname": "surname",
                "Client forename": "forename",
                "Client DOB": "date_of_birth",
                "Gender": "sex",
                "Client address": "address",
                "Client postcode": "postcode",
                "Referral date": "incident_date",
                "Concern type": "crime_type",
                "Police reference": "police_reference",
            },
            "date_formats": {
                "date_of_birth": ["%d/%m/%Y", "%m/%Y", "%Y"],
                "incident_date": ["%Y-%m-%d"],
            },
            "codes": {
                "sex": {"1": "M", "2": "F", "9": "U"},
                "crime_type": {
                    "Child at risk of harm": "Violence and sexual offences",
                    "Neglect": "Safeguarding concern",
                    "Child in need assessment": "Safeguarding concern",
                },
            },
        }
        extract = Extract("social_care", spec["title"], "csv", columns, spec)
        registry = self.registries["social_care"]
        referrals = 0

        def refer(person: Person, event: Event | None, when: date, concern: str) -> None:
            nonlocal referrals
            referrals += 1
            ref = f"REF{referrals:07d}"
            held = registry.held(person, when)
            row = {
                "Referral ID": ref,
                "Client ID": held.record_id,
                "Client surname": held.surname,
                "Client forename": held.forename,
                "Client DOB": _partial_dob(held.date_of_birth, self.rng),
                "Gender": {"M": "1", "F": "2"}.get(held.sex or "", "9"),
                "Client address": f"{held.address_line}, {held.address.town}",
                "Client postcode": held.postcode or "",
                "Referral date": (when + timedelta(days=self.rng.randint(0, 21))).isoformat(),
                "Concern type": concern,
                "Police reference": (event.crime_id or "")
                if event and self.rng.random() < 0.4
                else "",
            }
            extract.add(row, held, event, "subject", ref)

        households = defaultdict(set)
        for p in self.world.people:
            households[p.household].add(p.person_uid)
        for event_uid in sorted(self.by_event):
            event = self.world.events[event_uid]
            invs = self.by_event[event_uid]
            suspects = {i.person_uid for i in invs if i.role == "suspect"}
            for inv in invs:
                person = self.by_uid[inv.person_uid]
                age = person.age_on(event.day)
                if inv.role == "victim" and suspects & households[person.household]:
                    refer(person, event, event.day, "Domestic abuse")
                elif age < 18 and inv.role == "victim" and self.rng.random() < 0.6:
                    refer(person, event, event.day, "Child at risk of harm")
                elif (
                    age < 18
                    and inv.role == "suspect"
                    and event.crime_type in ("Drugs", "Possession of weapons", "Robbery")
                ):
                    refer(
                        person,
                        event,
                        event.day,
                        self.rng.choice(("County lines", "Child criminal exploitation")),
                    )
        children = [p for p in self.world.people if p.age_on(REFERENCE_DAY) < 18]
        for person in self.rng.sample(children, k=min(len(children), max(1, len(children) // 60))):
            when = REFERENCE_DAY - timedelta(days=self.rng.randint(0, 364))
            refer(person, None, when, self.rng.choice(("Neglect", "Child in need assessment")))
        return extract


def build_extracts(world: World, seed: int) -> list[Extract]:
    builder = ExtractBuilder(world, seed)
    return [builder.police_a(), builder.police_b(), builder.council_asb(), builder.social_care()]


# -- writing -------------------------------------------------------------------------------
BROKEN_KINDS = (
    "wrong column count",
    "unparseable date",
    "bad encoding",
    "empty id",
    "impossible date of birth",
)


def _break(extract: Extract, row: dict, kind: str) -> dict | bytes:
    """A copy of a row damaged in one way, or raw bytes for damage below the text level."""
    spec_fields = extract.spec["fields"]
    by_canonical = {v: k for k, v in spec_fields.items()}
    row = dict(row)
    if kind == "unparseable date":
        row[by_canonical["incident_date"]] = "31/31/2025"
    elif kind == "empty id":
        key = by_canonical.get("person_id") or by_canonical["incident_id"]
        row[key] = ""
    elif kind == "impossible date of birth":
        future = REFERENCE_DAY + timedelta(days=400)
        row[by_canonical["date_of_birth"]] = (
            future.isoformat() if extract.file_format == "parquet" else future.strftime("%d/%m/%Y")
        )
    return row


def write_extract(
    extract: Extract, out: Path, rng: random.Random, broken_rate: float
) -> list[dict]:
    """Write the extract (with injected broken rows) and its registry YAML; log the breakage."""
    broken: list[dict] = []
    rows: list[dict | bytes] = []
    truth: list[dict] = []
    kinds = (
        BROKEN_KINDS
        if extract.file_format != "parquet"
        else ("unparseable date", "empty id", "impossible date of birth")
    )
    for row, row_truth in zip(extract.rows, extract.truth, strict=True):
        if broken_rate and rng.random() < broken_rate:
            kind = rng.choice(kinds)
            rows.append(
                _break(extract, row, kind)
                if kind not in ("wrong column count", "bad encoding")
                else (kind, row)
            )
            broken.append(
                {
                    "system": extract.system,
                    "file": extract.file_name,
                    "kind": kind,
                    "index": len(rows) - 1,
                }
            )
            truth.append({**row_truth, "broken": kind})
        rows.append(row)
        truth.append({**row_truth, "broken": ""})
    path = out / extract.file_name
    first_line = 2 if extract.file_format == "csv" else 1
    if extract.file_format == "csv":
        _write_csv(path, extract.columns, rows)
    elif extract.file_format == "jsonl":
        _write_jsonl(path, rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows, schema=_parquet_schema(extract.columns)), path)
    for entry in broken:
        entry["row_number"] = entry.pop("index") + first_line
    for n, entry in enumerate(truth):
        entry.update(system=extract.system, file=extract.file_name, row_number=n + first_line)
    spec = {**extract.spec, "file": extract.file_name}
    (out / f"{extract.system}.yaml").write_text(
        yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    )
    extract.truth = truth
    return broken


def _parquet_schema(columns: list[str]) -> pa.Schema:
    numeric = {"lat", "lon"}
    return pa.schema([(c, pa.float64() if c in numeric else pa.string()) for c in columns])


def _write_csv(path: Path, columns: list[str], rows: list) -> None:
    with path.open("wb") as handle:
        handle.write((",".join(columns) + "\n").encode())
        for row in rows:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            if isinstance(row, tuple):
                kind, clean = row
                values = [str(clean.get(c, "")) for c in columns]
                if kind == "wrong column count":
                    writer.writerow(values[:-3])
                    handle.write(buffer.getvalue().encode())
                else:  # bad encoding: bytes that are not UTF-8 inside a name
                    writer.writerow(values)
                    handle.write(_bad_bytes(buffer.getvalue()))
                continue
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
            handle.write(buffer.getvalue().encode())


def _bad_bytes(line: str) -> bytes:
    """The line with invalid UTF-8 inserted into its fifth field."""
    parts = line.split(",")
    index = min(4, len(parts) - 1)
    parts[index] = parts[index] + "\udcff"
    return ",".join(parts).encode("utf-8", "surrogateescape")


def _write_jsonl(path: Path, rows: list) -> None:
    with path.open("wb") as handle:
        for row in rows:
            if isinstance(row, tuple):
                kind, clean = row
                text = json.dumps(clean, ensure_ascii=False)
                if kind == "wrong column count":
                    handle.write(text[: len(text) // 2].encode() + b"\n")  # truncated JSON
                else:
                    handle.write(_bad_bytes(text) + b"\n")
                continue
            handle.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
