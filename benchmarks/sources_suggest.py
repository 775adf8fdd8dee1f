"""Field-mapping suggester benchmark: accuracy on extracts the matcher has never seen.

Simulates a fresh world (its own seed), then makes variants of each of the four systems'
extracts the way other forces and councils would send them: columns renamed from a
HELD-OUT vocabulary written here and deliberately not shared with the matcher's synonym
lists (the run checks and reports any exact overlap), reordered, re-cased, values
re-formatted (dates, postcodes, sex and role codes), the file format switched. Truth is
the system's own registry ``fields`` carried through the renames; a column the registry
leaves unmapped (the council's title) is right only when left unmapped.

Score = share of source columns whose suggested field equals the truth field. Beside it,
in the same run on the same files: the header-name-only baseline (the matcher's header
scorer alone, no value evidence), so the value evidence's contribution is visible. A
stress set with meaningless headers (col1..colN: values alone) is reported apart, not in
the overall figure.

Run: ``python -m benchmarks.sources_suggest [--warehouse PATH] [--variants N] [--seed S]``.
Writes var/bench/sources_suggest.json.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import random
import re
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from core.settings import PROJECT_ROOT, load_settings
from resolver import standardise as std
from resolver.readers import read_rows
from resolver.suggest import STOPWORDS, SYNONYMS, header_tokens, suggest_mapping

OUT = PROJECT_ROOT / "var" / "bench" / "sources_suggest.json"
SYSTEMS = {"police_a": "csv", "police_b": "parquet", "council_asb": "jsonl", "social_care": "csv"}
KINDS = ("renamed", "renamed+recased", "renamed+reformatted", "renamed+format", "all")

# How other forces' and councils' systems name the same columns. HELD OUT: written for
# this benchmark only; the matcher never sees these lists.
HELD_OUT: dict[str, dict[str, tuple[str, ...]]] = {
    "police_a": {
        "Occurrence Ref": ("OCC_REF_NO", "Occ Serial", "OccurrenceSerialNo", "STORM Log Ref",
                           "Niche Occurrence ID", "OCC NO"),
        "Crime ID": ("Police UK Crime ID", "CRIME_ID_HASH", "Crime Identifier",
                     "Published Crime ID", "CrimeIdentifier"),
        "Nominal Ref": ("NOMINAL_ID_NO", "Nominal URN No", "Person Index Ref", "NominalNo",
                        "Nom Ref Number", "PNC Person Ref"),
        "Involvement": ("INVOLVEMENT_TYPE_CD", "Nominal Involvement", "Inv Type",
                        "Occurrence Role", "Link Type"),
        "Surname": ("FAMILY_NM", "Person Last Name", "SURNAME_TXT_UPPER", "Nominal Surname",
                    "LName", "Nom Surname"),
        "Forename(s)": ("GIVEN_NMS", "All Forenames", "Nominal Forenames", "FORENAME_1",
                        "Person First Name", "FNames"),
        "DOB": ("BIRTH_DT", "Date Of Birth (Nominal)", "D.O.B.", "Nominal DOB", "NominalBirthDate",
                "Born Date"),
        "Sex": ("GENDER_CD", "Nominal Sex", "NominalSexCode", "Person Gender", "M/F"),
        "Home Address": ("HOME_ADDR_TXT", "Nominal Home Address", "Address (Home)",
                         "Usual Address", "Res Addr", "Home Addr Full"),
        "Home Postcode": ("HOME_PCODE", "Nominal Postcode", "Home Post Code", "ResPostcode",
                          "Postcode (Home)"),
        "Offence": ("HO_OFFENCE_DESC", "Offence Title Text", "Offence Name Recorded",
                    "Crime Classification Desc", "OffenceDesc", "Primary Offence"),
        "Date Committed": ("COMMITTED_FROM_DT", "Offence Date From", "Date/Time Committed",
                           "Committed From", "Crime Date (From)"),
        "Location": ("OCC_LOCATION", "Location Desc", "Scene Address", "Offence Location Text",
                     "Locus Desc", "Street Location"),
        "Latitude": ("LAT_WGS84", "Y_Lat", "GeoLat", "Latitude (WGS84)", "Lat Deg"),
        "Longitude": ("LONG_WGS84", "X_Long", "GeoLong", "Longitude (WGS84)", "Lon Deg"),
    },
    "police_b": {
        "record_id": ("RECORD_KEY_NO", "Row Ref", "RecordNo", "Extract Row ID", "Line Reference",
                      "UNIQUE_ROW_ID"),
        "person_id": ("PERSON_URN_NO", "Person Key (Internal)", "Nominal Index No",
                      "Subject Ref No", "Person No", "INDIVIDUAL_ID_NO"),
        "first_name": ("FIRST_FORENAME", "Given_Nm_1", "Forename 1", "Person Forename",
                       "FirstNm", "F_NAME"),
        "middle_name": ("OTHER_FORENAMES_TXT", "Middle_Names_Txt", "Forename 2", "Second Name",
                        "Middle Nm", "Additional Forenames"),
        "last_name": ("FAMILY_NAME_TXT", "Surname/Family Name", "PersonSurname", "LAST_NM",
                      "Sname", "Current Surname"),
        "date_of_birth": ("BIRTH_DATE_DT", "Nominal_DateOfBirth", "DOB_DT", "Person DOB",
                          "Birth Dt", "D_O_B"),
        "gender": ("SEX_CD", "Gender Description", "PersonSex", "Stated Gender", "Sex/Gender"),
        "address_line_1": ("ADDR_LINE1", "Street Address", "Premises and Street",
                           "House & Street", "Address 1", "AddressLine1"),
        "town": ("POST_TOWN_NM", "Town/City", "Locality Name", "TownName", "Settlement",
                 "Town Or City"),
        "post_code": ("PCODE", "Address Postal Code", "Postcode_Home_Addr", "PostCd",
                      "Address Postcode"),
        "occurrence_id": ("OCCURRENCE_URN_REF", "Incident No", "EventRef", "Occ Number",
                          "Crime Occurrence ID", "Log Ref"),
        "offence_description": ("HO_OFFENCE_TITLE", "Crime Type Desc", "Offence Wording",
                                "Notifiable Offence", "HOCR Description", "Offence Group"),
        "occurred_on": ("DATE_OCCURRED_FROM", "Offence Start Date", "FromDate",
                        "Incident Date/Time", "When Occurred", "Event Start"),
        "role_code": ("INVOLVEMENT_CD", "Role In Occurrence", "Nominal Role", "Party Type Code",
                      "InvType", "Involvement Code"),
        "crime_reference": ("CRIME_REF_NO", "Crime Number (Home Office)", "CrimeRefNumber",
                            "Recorded Crime ID", "Crime URN"),
        "lat": ("LATITUDE_DD", "Lat (WGS84)", "GPS_LAT", "LocationLatitude", "Y_Coord_Lat"),
        "lon": ("LONGITUDE_DD", "Lng (WGS84)", "GPS_LONG", "LocationLongitude", "X_Coord_Long"),
    },
    "council_asb": {
        "CaseRef": ("ASB_CASE_NO", "Case Number (ASB)", "ECINS Case ID", "CaseReferenceCode",
                    "Case File URN", "ASB Ref"),
        "CaseOpened": ("DATE_OPENED_DT", "Case Open Date", "OpenedOn", "Date Case Created",
                       "Date First Reported", "ReportReceivedDate"),
        "CaseType": ("ASB_CATEGORY", "Case Category", "Problem Type", "Nature of ASB",
                     "Complaint Type", "Issue Type"),
        "IncidentLocation": ("INCIDENT_LOC", "Location of ASB", "Problem Location",
                             "Where Occurred", "Incident Street", "Locus Of Incident"),
        "PartyRole": ("PARTY_TYPE_CD", "Role In Case", "Case Party Role", "Party Category",
                      "Involved As (Party)", "PartyRoleDesc"),
        "Title": ("TITLE_CD", "Person Title", "NameTitle", "Ttl", "Title (Mr/Mrs)",
                  "Form of Address"),
        "Given name": ("Party Forename", "FORENAME_OF_PARTY", "Christian Nm", "Party First Name",
                       "P_FIRSTNAME", "Forename(s) of party"),
        "Family name": ("Party Surname", "SURNAME_OF_PARTY", "Last Nm", "PartyLastName",
                        "Family/Last name"),
        "Date of birth": ("PARTY_DOB", "Birth Date (if known)", "DOB (approx)",
                          "PartyDateOfBirth", "Date Born"),
        "Address": ("PARTY_ADDRESS", "Correspondence Address", "Contact Address",
                    "Full Address", "Party Addr", "Address Of Party"),
        "UPRN": ("PROPERTY_UPRN", "UPRN_NO", "Property Ref (UPRN)", "LLPG UPRN",
                 "Unique Property Ref", "BLPU_UPRN"),
        "Police ref": ("POLICE_REF_NO", "Police Crime No", "Linked Police Ref",
                       "Police Reference Number", "Police Occurrence Ref", "PoliceRefNumber"),
    },
    "social_care": {
        "Referral ID": ("REFERRAL_NO", "Referral Seq", "ReferralRef", "Contact/Referral No",
                        "Episode Ref", "WCCIS Referral ID"),
        "Client ID": ("Mosaic Person ID", "WCCIS ID", "Service User No", "LCS_PERSON_ID",
                      "ClientNo", "CLT_ID"),
        "Client surname": ("CLIENT_LAST_NM", "Service User Surname", "Child Surname",
                           "CLT_SURNAME", "Surname (Client)"),
        "Client forename": ("CLIENT_FIRST_NM", "Service User Forename", "Child Forename",
                            "CLT_FORENAME", "Forename (Client)"),
        "Client DOB": ("CLIENT_BIRTH_DT", "Service User DOB", "Child DOB",
                       "Date of Birth (Client)", "CLT_DOB"),
        "Gender": ("Gender (ONS code)", "SexCd", "CLIENT_GENDER", "Gender Identity Code",
                   "Legal Gender Cd"),
        "Client address": ("CLIENT_ADDR", "Service User Address", "Address of Client",
                           "Current Address", "Home Address Line"),
        "Client postcode": ("CLIENT_PCODE", "Service User Postcode", "Postcode of Client",
                            "Current Postcode", "Home PostCd"),
        "Referral date": ("REFERRAL_DT", "Date Referral Received", "Contact Date",
                          "ReferralReceived", "Date of Contact"),
        "Concern type": ("PRIMARY_CONCERN", "Referral Reason Code", "Category of Concern",
                         "Presenting Issue", "Need Code", "Concern Category"),
        "Police reference": ("POLICE_REF_TXT", "Police Crime Ref", "Linked Police Crime No",
                             "PoliceReferenceNo", "Police Notification No"),
    },
}  # fmt: skip

DATE_OUT = ("%d-%m-%Y", "%Y/%m/%d", "%d %b %Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")
SEX_SCHEMES = ({"M": "M", "F": "F", "U": "U"}, {"M": "Male", "F": "Female", "U": "Unknown"},
               {"M": "1", "F": "2", "U": "9"}, {"M": "m", "F": "f", "U": "u"})  # fmt: skip
ROLE_SCHEMES = ("upper", "title", "letter")


@dataclasses.dataclass
class Variant:
    system: str
    kind: str
    index: int
    path: Path
    file_format: str
    truth: dict[str, str | None]
    renames: dict[str, str]


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]


def recase(name: str, style: str) -> str:
    words = _words(name)
    if style == "upper":
        return name.upper()
    if style == "lower":
        return name.lower()
    if style == "snake":
        return "_".join(w.lower() for w in words)
    if style == "camel":
        return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    if style == "pascal":
        return "".join(w[:1].upper() + w[1:].lower() for w in words)
    return name


def _read(path: Path, file_format: str) -> list[dict]:
    return [r.values for r in read_rows(path, file_format) if r.values is not None]


def _reformat_rows(rows: list[dict], spec: dict, rng: random.Random) -> list[dict]:
    """Dates to another layout, postcodes squashed or lower-cased, sex and role recoded."""
    fields = spec["fields"]
    formats = spec.get("date_formats", {})
    out = [dict(r) for r in rows]
    for column, target in fields.items():
        if target in ("date_of_birth", "incident_date"):
            fmt = rng.choice(DATE_OUT)
            for row in out:
                value = row.get(column)
                try:
                    parsed = std.parse_date(value, formats.get(target), today=date(2026, 1, 1))
                except std.StandardiseError:
                    continue
                if parsed is None:
                    continue
                if parsed.precision == "day":
                    row[column] = parsed.as_date().strftime(fmt)
                elif parsed.precision == "month":
                    row[column] = parsed.as_date().strftime("%m-%Y" if "%d-" in fmt else "%m/%Y")
        elif target in ("postcode", "incident_postcode"):
            style = rng.choice(("nospace", "lower", "nospace-lower"))
            for row in out:
                value = row.get(column)
                if value:
                    value = value.replace(" ", "") if "nospace" in style else value
                    row[column] = value.lower() if "lower" in style else value
        elif target == "sex":
            scheme = rng.choice(SEX_SCHEMES)
            codes = {k.casefold(): v for k, v in spec.get("codes", {}).get("sex", {}).items()}
            for row in out:
                value = row.get(column)
                if value:
                    try:
                        canonical = std.standardise_sex(codes.get(value.casefold(), value))
                    except std.StandardiseError:
                        continue
                    row[column] = scheme.get(canonical or "", value)
        elif target == "role":
            scheme = rng.choice(ROLE_SCHEMES)
            codes = {k.casefold(): v for k, v in spec.get("codes", {}).get("role", {}).items()}
            for row in out:
                value = row.get(column)
                if value:
                    role = codes.get(value.casefold(), value.casefold())
                    row[column] = {"upper": role.upper(), "title": role.title()}.get(
                        scheme, role[0].upper()
                    )
    return out


def _write(path: Path, file_format: str, columns: list[str], rows: list[dict]) -> None:
    if file_format == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    elif file_format == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                obj = {c: (row.get(c) if row.get(c) != "" else None) for c in columns}
                handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        schema = pa.schema([(c, pa.string()) for c in columns])
        data = [{c: (row.get(c) or None) for c in columns} for row in rows]
        pq.write_table(pa.Table.from_pylist(data, schema=schema), path)


def make_variants(sim: Path, out: Path, per_system: int, seed: int) -> list[Variant]:
    rng = random.Random(seed)
    variants = []
    out.mkdir(parents=True, exist_ok=True)
    for system, original_format in SYSTEMS.items():
        spec = yaml.safe_load((sim / f"{system}.yaml").read_text())
        rows = _read(sim / f"{system}.{original_format}", original_format)
        columns = list(HELD_OUT[system])
        for index in range(per_system + 1):
            kind = KINDS[index % len(KINDS)] if index < per_system else "opaque"
            order = columns[:]
            rng.shuffle(order)
            if kind == "opaque":
                renames = {c: f"col{i + 1}" for i, c in enumerate(order)}
            else:
                renames = {c: rng.choice(HELD_OUT[system][c]) for c in columns}
            if kind in ("renamed+recased", "all"):
                style = rng.choice(("upper", "lower", "snake", "camel", "pascal"))
                renames = {c: recase(n, style) for c, n in renames.items()}
                if len(set(renames.values())) < len(renames):  # recasing merged two names
                    renames = {c: f"{n}_{i}" for i, (c, n) in enumerate(renames.items())}
            data = rows
            if kind in ("renamed+reformatted", "all", "opaque"):
                data = _reformat_rows(rows, spec, rng)
            file_format = original_format
            if kind in ("renamed+format", "all", "opaque"):
                file_format = rng.choice([f for f in ("csv", "jsonl", "parquet")
                                          if f != original_format])  # fmt: skip
            ext = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}[file_format]
            path = out / f"{system}-{index:02d}-{kind.replace('+', '_')}.{ext}"
            renamed = [{renames[c]: r.get(c) for c in order} for r in data]
            _write(path, file_format, [renames[c] for c in order], renamed)
            truth = {renames[c]: spec["fields"].get(c) for c in order}
            variants.append(Variant(system, kind, index, path, file_format, truth, renames))
    return variants


def _literal(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return tuple(w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w)


def held_out_overlap() -> dict[str, list[str]]:
    """Held-out names that equal a matcher synonym: ``literal`` word for word (must stay
    empty: the vocabularies are not shared), ``normalised`` only after the matcher's generic
    normalisation (abbreviations such as DT, NO, NM; compounds; plurals) — reported so the
    reader sees how much of the header score comes from those rules."""
    synonyms = {tuple(p.split()) for phrases in SYNONYMS.values() for p in phrases}
    normalised_synonyms = {
        tuple(t for t in phrase.split() if t not in STOPWORDS)
        for phrases in SYNONYMS.values()
        for phrase in phrases
    }
    names = [n for columns in HELD_OUT.values() for ns in columns.values() for n in ns]
    return {
        "literal": sorted(n for n in names if _literal(n) in synonyms),
        "normalised": sorted(n for n in names if header_tokens(n) in normalised_synonyms),
    }


def _score(variants: list[Variant], use_values: bool) -> dict:
    total = right = 0
    by_system: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    started = time.perf_counter()
    for v in variants:
        suggestion = suggest_mapping(v.path, use_values=use_values)
        for c in suggestion.columns:
            truth = v.truth[c.column]
            ok = c.field == truth
            total += 1
            right += ok
            for bucket in (by_system[v.system], by_kind[v.kind]):
                bucket[0] += ok
                bucket[1] += 1
            if not ok:
                original = next(k for k, n in v.renames.items() if n == c.column)
                wrong.append({
                    "variant": v.path.name, "column": c.column, "original": original,
                    "truth": truth, "suggested": c.field, "confidence": c.confidence,
                    "evidence": c.evidence,
                })  # fmt: skip
    seconds = time.perf_counter() - started

    def share(pair: list[int]) -> float:
        return round(pair[0] / pair[1], 4) if pair[1] else 0.0

    return {
        "accuracy": round(right / total, 4) if total else 0.0,
        "columns": total,
        "right": right,
        "by_system": {k: share(v) for k, v in sorted(by_system.items())},
        "by_kind": {k: share(by_kind[k]) for k in (*KINDS, "opaque") if k in by_kind},
        "wrong": wrong,
        "seconds": round(seconds, 2),
        "seconds_per_file": round(seconds / max(1, len(variants)), 3),
    }


def _warehouse(args, settings, tmp: Path) -> Path:
    if args.warehouse:
        return Path(args.warehouse)
    if settings.warehouse_path.exists():
        return settings.warehouse_path
    from crimegraph import pipeline

    print("no warehouse: ingesting police.uk into a temporary one (~15 s) ...")
    temporary = settings.with_data_dir(tmp / "data")
    temporary.data_dir.mkdir(parents=True, exist_ok=True)
    pipeline.ingest_police_uk(temporary, [pipeline.default_police_uk_glob(settings)])
    return temporary.warehouse_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", help="a warehouse with police.uk incidents to reuse")
    parser.add_argument("--variants", type=int, default=10, help="variants per system")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    from simulate.run import simulate

    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="crimegraph-suggest-") as tmp_name:
        tmp = Path(tmp_name)
        warehouse = _warehouse(args, settings, tmp)
        print(f"simulating {args.people:,} people (seed {args.seed}) ...")
        simulate(
            seed=args.seed,
            people=args.people,
            out=tmp / "sim",
            warehouse=warehouse,
            lsoa_boundaries=settings.source_data_dir / "geo" / "lsoa21-wales.geojson.gz",
            log=lambda m: None,
        )
        variants = make_variants(tmp / "sim", tmp / "variants", args.variants, args.seed)
        scored = [v for v in variants if v.kind != "opaque"]
        opaque = [v for v in variants if v.kind == "opaque"]
        print(f"scoring {len(scored)} variants (+{len(opaque)} opaque-header stress files) ...")
        matcher = _score(scored, use_values=True)
        baseline = _score(scored, use_values=False)
        stress = _score(opaque, use_values=True)
    overlap = held_out_overlap()
    figures = {
        "seed": args.seed,
        "people": args.people,
        "variants_per_system": args.variants,
        "variants": len(scored),
        "target": 0.95,
        "matcher": matcher,
        "header_only_baseline": baseline,
        "opaque_headers_stress": stress,
        "held_out_names": sum(len(n) for cols in HELD_OUT.values() for n in cols.values()),
        "held_out_exact_overlap_with_synonyms": overlap,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n")
    _print_table(matcher, baseline, stress)
    if overlap["literal"]:
        print(f"WARNING: held-out names equal to matcher synonyms: {overlap['literal']}")
    print(
        f"held-out names equal to a synonym only after generic normalisation: "
        f"{len(overlap['normalised'])} of {figures['held_out_names']}"
    )
    print(f"written to {OUT}")


def _print_table(matcher: dict, baseline: dict, stress: dict) -> None:
    rows = [("overall", matcher["accuracy"], baseline["accuracy"])]
    rows += [(f"system {k}", v, baseline["by_system"][k]) for k, v in matcher["by_system"].items()]
    rows += [(f"kind {k}", v, baseline["by_kind"][k]) for k, v in matcher["by_kind"].items()]
    print(f"\n{'':32} {'matcher':>9} {'header-only':>12}")
    for label, a, b in rows:
        print(f"{label:32} {a:>9.1%} {b:>12.1%}")
    print(f"{'opaque headers (values only)':32} {stress['accuracy']:>9.1%} {'-':>12}")
    print(f"\n{len(matcher['wrong'])} wrong of {matcher['columns']} columns (matcher):")
    for w in matcher["wrong"]:
        print(f"  {w['variant']:40} {w['column']!r:34} truth={w['truth']} "
              f"got={w['suggested']} ({w['confidence']:.2f})")  # fmt: skip
    if stress["wrong"]:
        print(f"\nopaque headers: {len(stress['wrong'])} wrong of {stress['columns']}:")
        for w in stress["wrong"]:
            print(f"  {w['variant']:40} {w['original']!r:24} truth={w['truth']} "
                  f"got={w['suggested']} ({w['confidence']:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
