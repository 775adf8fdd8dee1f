"""Every table crimegraph keeps in the warehouse, defined once.

``TABLES`` are the tables a stage appends to or updates (source records, quarantine, links,
decisions, logs): each is created the first time a stage needs it
(``core.warehouse.ensure_tables``), so whether a table exists still says whether that stage
has run. ``ADDED_COLUMNS`` are columns added after a table's first release, added to an older
warehouse when the table is next opened. ``DERIVED`` are the tables a stage rebuilds whole
from the others (``CREATE OR REPLACE ... AS SELECT``): their columns are their query's, in
the module named.
"""

from __future__ import annotations

TABLES: dict[str, str] = {
    # ingest (resolver/)
    "ingest_runs": """CREATE TABLE IF NOT EXISTS ingest_runs (
    source        VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    file_sha256   VARCHAR NOT NULL,
    ingested_at   TIMESTAMP NOT NULL,
    rows_in       BIGINT NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    PRIMARY KEY (source, source_file)
)
""",
    # Every row of every source that failed validation, with where and why.
    "quarantine": """CREATE TABLE IF NOT EXISTS quarantine (
    source        VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,   -- 1 is the header; the first data row is 2
    field         VARCHAR,           -- NULL when the row as a whole is broken
    reason        VARCHAR NOT NULL,
    raw           VARCHAR            -- the row as read, for a steward to fix
)
""",
    # One row per valid data.police.uk street-level row: the source records.
    "police_uk_records": """CREATE TABLE IF NOT EXISTS police_uk_records (
    source_file   VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,
    incident_id   VARCHAR NOT NULL,
    crime_id      VARCHAR,
    month         VARCHAR NOT NULL,
    reported_by   VARCHAR NOT NULL,
    force_code    VARCHAR NOT NULL,
    falls_within  VARCHAR,
    longitude     DOUBLE,
    latitude      DOUBLE,
    location_id   VARCHAR,
    h3_cell       VARCHAR,
    location      VARCHAR,
    lsoa_code     VARCHAR,
    lsoa_name     VARCHAR,
    crime_type    VARCHAR NOT NULL,
    last_outcome  VARCHAR,
    context       VARCHAR,
    PRIMARY KEY (source_file, row_number)
)
""",
    "person_records": """CREATE TABLE IF NOT EXISTS person_records (
    source_system VARCHAR NOT NULL, source_file VARCHAR NOT NULL, row_number BIGINT NOT NULL,
    person_record_id VARCHAR NOT NULL, forename VARCHAR, middle_names VARCHAR, surname VARCHAR,
    date_of_birth DATE, dob_precision VARCHAR, sex VARCHAR, address VARCHAR, postcode VARCHAR,
    uprn VARCHAR, email VARCHAR, phone VARCHAR,
    PRIMARY KEY (source_system, source_file, person_record_id)
)
""",
    "incident_records": """CREATE TABLE IF NOT EXISTS incident_records (
    source_system VARCHAR NOT NULL, source_file VARCHAR NOT NULL, row_number BIGINT NOT NULL,
    incident_record_id VARCHAR NOT NULL, incident_date DATE, date_precision VARCHAR,
    crime_type VARCHAR, crime_group VARCHAR, crime_type_raw VARCHAR, description VARCHAR,
    incident_address VARCHAR, incident_postcode VARCHAR, latitude DOUBLE, longitude DOUBLE,
    police_reference VARCHAR,
    PRIMARY KEY (source_system, source_file, incident_record_id)
)
""",
    "involvements": """CREATE TABLE IF NOT EXISTS involvements (
    source_system VARCHAR NOT NULL, source_file VARCHAR NOT NULL, row_number BIGINT NOT NULL,
    record_id VARCHAR NOT NULL, person_record_id VARCHAR, incident_record_id VARCHAR,
    role VARCHAR,
    PRIMARY KEY (source_system, source_file, row_number)
)
""",
    # linkage (resolver/linkage/)
    "incident_links": """CREATE TABLE IF NOT EXISTS incident_links (
    source_system VARCHAR NOT NULL, incident_record_id VARCHAR NOT NULL,
    incident_id VARCHAR NOT NULL, match_probability DOUBLE NOT NULL,
    PRIMARY KEY (source_system, incident_record_id)
)
""",
    "extra_incidents": """CREATE TABLE IF NOT EXISTS extra_incidents (
    incident_id VARCHAR PRIMARY KEY, month VARCHAR, crime_type VARCHAR, crime_group VARCHAR,
    latitude DOUBLE, longitude DOUBLE, place_id VARCHAR, force_code VARCHAR
)
""",
    "linkage_models": """CREATE TABLE IF NOT EXISTS linkage_models (
    model VARCHAR NOT NULL, version INTEGER NOT NULL, trained_at TIMESTAMP NOT NULL,
    records BIGINT NOT NULL, persons BIGINT NOT NULL, settings_json JSON NOT NULL,
    PRIMARY KEY (model, version)
)
""",
    "person_links": """CREATE TABLE IF NOT EXISTS person_links (
    source_system VARCHAR NOT NULL, person_record_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL, match_probability DOUBLE NOT NULL, model_version INTEGER,
    PRIMARY KEY (source_system, person_record_id)
)
""",
    "person_lineage": """CREATE TABLE IF NOT EXISTS person_lineage (
    model_version INTEGER NOT NULL, kind VARCHAR NOT NULL, from_person_id VARCHAR NOT NULL,
    to_person_id VARCHAR NOT NULL, records BIGINT NOT NULL
)
""",
    "review_queue": """CREATE TABLE IF NOT EXISTS review_queue (
    pair_id VARCHAR PRIMARY KEY,
    left_system VARCHAR NOT NULL, left_record_id VARCHAR NOT NULL,
    right_system VARCHAR NOT NULL, right_record_id VARCHAR NOT NULL,
    match_probability DOUBLE NOT NULL, match_weight DOUBLE, evidence JSON,
    model_version INTEGER NOT NULL
)
""",
    "match_decisions": """CREATE TABLE IF NOT EXISTS match_decisions (
    pair_id VARCHAR PRIMARY KEY,
    left_system VARCHAR NOT NULL, left_record_id VARCHAR NOT NULL,
    right_system VARCHAR NOT NULL, right_record_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL, decided_by VARCHAR NOT NULL, decided_at TIMESTAMP NOT NULL,
    reason VARCHAR
)
""",
    # What a pair's evidence was when it left the queue decided: the graph keeps showing it,
    # and a clean load must give the same graph as incremental ones.
    "decided_evidence": """CREATE TABLE IF NOT EXISTS decided_evidence (
    pair_id VARCHAR PRIMARY KEY,
    match_probability DOUBLE NOT NULL, match_weight DOUBLE, evidence JSON,
    model_version INTEGER NOT NULL
)
""",
    "places": """CREATE TABLE IF NOT EXISTS places (
    place_id VARCHAR PRIMARY KEY, address VARCHAR, postcode VARCHAR, uprn VARCHAR,
    latitude DOUBLE, longitude DOUBLE, h3_cell VARCHAR, lsoa_code VARCHAR
)
""",
    "place_links": """CREATE TABLE IF NOT EXISTS place_links (
    source_system VARCHAR NOT NULL, record_id VARCHAR NOT NULL, record_kind VARCHAR NOT NULL,
    place_id VARCHAR NOT NULL, match_probability DOUBLE NOT NULL,
    PRIMARY KEY (source_system, record_id, record_kind)
)
""",
    # live intake (live/warehouse_rows.py): every applied journal entry the warehouse has
    # taken, once. Its rows are in the source tables above with source_file
    # 'live:<journal id>' and row_number = seq; outcome 'stored' (rows written) or
    # 'duplicate' (the graph already held the record: nothing written).
    "live_records": """CREATE TABLE IF NOT EXISTS live_records (
    journal_id VARCHAR NOT NULL, seq BIGINT NOT NULL, source VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, idempotency_key VARCHAR NOT NULL, accepted_at TIMESTAMP NOT NULL,
    applied_at TIMESTAMP, stored_at TIMESTAMP NOT NULL, outcome VARCHAR NOT NULL,
    PRIMARY KEY (journal_id, seq)
)
""",
    # The last live entry a stage's output counts (the API's live overlay adds only later
    # ones to the risk layer): stage 'risk'.
    "live_watermarks": """CREATE TABLE IF NOT EXISTS live_watermarks (
    stage VARCHAR PRIMARY KEY, journal_id VARCHAR NOT NULL, through_seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL
)
""",
    # responsible use (responsible/)
    "retention_runs": """CREATE TABLE IF NOT EXISTS retention_runs (
    run_id VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL, as_of DATE NOT NULL,
    policy_path VARCHAR NOT NULL, policy_version VARCHAR NOT NULL,
    policy_sha256 VARCHAR NOT NULL, removed JSON NOT NULL, derived JSON NOT NULL
)
""",
    "retention_removed": """CREATE TABLE IF NOT EXISTS retention_removed (
    run_id VARCHAR NOT NULL, system VARCHAR NOT NULL, record_type VARCHAR NOT NULL,
    rule_group VARCHAR, record_hash VARCHAR NOT NULL
)
""",
    "interventions": """CREATE TABLE IF NOT EXISTS interventions (
    intervention_id VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    area_kind       VARCHAR NOT NULL,   -- cells | lsoas | geojson
    area_spec       VARCHAR NOT NULL,   -- the area as given (JSON)
    cells           VARCHAR[] NOT NULL, -- resolution-9 H3 cells
    start_month     VARCHAR NOT NULL,
    end_month       VARCHAR NOT NULL,
    crime_groups    VARCHAR[] NOT NULL,
    registered_at   TIMESTAMP NOT NULL
)
""",
    "intervention_impacts": """CREATE TABLE IF NOT EXISTS intervention_impacts (
    intervention_id VARCHAR PRIMARY KEY,
    estimated_at    TIMESTAMP NOT NULL,
    result          VARCHAR NOT NULL,   -- ImpactResult as JSON
    report          VARCHAR             -- where the Markdown report was written
)
""",
}

ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    # a row that arrived live: the source's own id for it (its provenance in the graph)
    "police_uk_records": ("record_ref VARCHAR",),
    # whether a problem rejected the row or dropped one value
    "quarantine": ("severity VARCHAR DEFAULT 'row'",),
    # decisions made through the API: their id in the graph, and where they were made
    "match_decisions": ("decision_id VARCHAR", "origin VARCHAR"),
}

# Source rows that arrived through live intake: source_file is LIVE_PREFIX + journal id.
LIVE_PREFIX = "live:"
# live_watermarks.stage of the risk stage.
RISK_WATERMARK = "risk"

# The tables every warehouse has from its first connection.
BASE = ("ingest_runs", "quarantine", "police_uk_records")

DERIVED: dict[str, str] = {
    "incidents": "resolver.canonical",
    "locations": "resolver.canonical",
    "areas": "resolver.canonical",
    "forces": "resolver.canonical",
    "people_prepared": "resolver.linkage.prepare",
    "people_resolved": "resolver.linkage.people",
    "review_candidates": "resolver.linkage.people",
    "places_prepared": "resolver.linkage.places",
    "places_resolved": "resolver.linkage.places",
    "incident_anchors": "resolver.linkage.incidents",
    "incident_pairs": "resolver.linkage.incidents",
    "incidents_resolved": "resolver.linkage.incidents",
    "location_network_exposure": "graph.analyse",
    "risk_scores": "risk.store",
    "hotspots": "risk.store",
    "forecasts": "risk.store",
    "forecast_model_choice": "risk.choices",
}
