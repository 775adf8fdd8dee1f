"""Resolve places: the addresses of person records and the locations of incident records.

Every home address, postcode, UPRN and incident point in the warehouse becomes a place
record; the places model (Splink, trained without labels) scores pairs; pairs above the
threshold join into one canonical place, with a stable id (kept while most of its records
stay together), a representative address, and coordinates: the records' own where they
have them, else the postcode's ONS grid reference.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
from splink import Linker, block_on

from resolver.linkage import em, places_model
from resolver.linkage.backend import DUCKDB, LinkageBackend
from resolver.linkage.prepare import POSTCODE_AT_END, _expand_abbreviations

MODEL_NAME = "places"
CLUSTER_THRESHOLD = 0.9
SEED = 20_261_124

# the warehouse tables this stage writes (defined in core/warehouse_schema.py)
TABLES = ("linkage_models", "places", "place_links")

# One row per person or incident record that says anything about where.
PLACE_RECORDS = """
SELECT 'person' AS record_kind, source_system, person_record_id AS record_id,
       address, postcode, uprn, NULL::DOUBLE AS latitude, NULL::DOUBLE AS longitude
FROM (SELECT DISTINCT ON (source_system, person_record_id) * FROM person_records
      ORDER BY source_system, person_record_id, source_file, row_number)
WHERE address IS NOT NULL OR postcode IS NOT NULL OR uprn IS NOT NULL
UNION ALL
SELECT 'incident', source_system, incident_record_id, incident_address, incident_postcode,
       NULL, latitude, longitude
FROM (SELECT DISTINCT ON (source_system, incident_record_id) * FROM incident_records
      ORDER BY source_system, incident_record_id, source_file, row_number)
WHERE incident_address IS NOT NULL OR incident_postcode IS NOT NULL OR latitude IS NOT NULL
ORDER BY record_kind, source_system, record_id
"""


def prepare_places(con: duckdb.DuckDBPyConnection, source: str = "place_input") -> None:
    """Create `places_prepared` from `source` (the columns of PLACE_RECORDS)."""
    cleaned = _expand_abbreviations(
        "regexp_replace(regexp_replace(upper(strip_accents(coalesce(address, ''))), "
        "'[^A-Z0-9 ]+', ' ', 'g'), '^\\s*(ON OR NEAR|NEAR)\\s+', '')"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE places_prepared AS
        WITH base AS (
            SELECT row_number() OVER () - 1 AS unique_id, record_kind, source_system, record_id,
                   nullif(trim(regexp_replace(regexp_replace({cleaned}, '{POSTCODE_AT_END}', ''),
                                              '\\s+', ' ', 'g')), '') AS address,
                   nullif(regexp_replace(upper(coalesce(postcode, '')), '[^A-Z0-9]', '', 'g'),
                          '') AS postcode_compact,
                   nullif(trim(uprn), '') AS uprn, latitude, longitude
            FROM {source}
        )
        SELECT unique_id, record_kind, source_system, record_id, address,
               coalesce(regexp_extract_all(address, '\\b[0-9]+[A-Z]?\\b'), []) AS numbers,
               nullif(trim(regexp_replace(regexp_replace(address,
                   '\\b(FLAT|UNIT|APARTMENT|APT)\\b|\\b[0-9]+[A-Z]?\\b', '', 'g'),
                   '\\s+', ' ', 'g')), '') AS street,
               CASE WHEN length(postcode_compact) BETWEEN 5 AND 7
                    THEN substr(postcode_compact, 1, length(postcode_compact) - 3) || ' '
                         || right(postcode_compact, 3) END AS postcode,
               CASE WHEN length(postcode_compact) BETWEEN 5 AND 7
                    THEN substr(postcode_compact, 1, length(postcode_compact) - 3) END
                   AS postcode_district,
               uprn, round(latitude, 6) AS latitude, round(longitude, 6) AS longitude
        FROM base ORDER BY unique_id
        """
    )


@dataclass
class PlacesResult:
    records: int
    places: int
    pairs_scored: int
    model: dict


def resolve_places(
    con: duckdb.DuckDBPyConnection,
    *,
    cluster_threshold: float = CLUSTER_THRESHOLD,
    backend: LinkageBackend = DUCKDB,
) -> PlacesResult:
    """Score and cluster `places_prepared`; writes `places_resolved` (unique_id → member_key, p)."""
    records = con.execute("SELECT count(*) FROM places_prepared").fetchall()[0][0]
    settings = places_model.places_settings(places_model.blocking_rules())
    linker = Linker(backend.register(con, "places_prepared"), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("postcode", "numbers"), block_on("uprn")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(3e6, max(1e5, records * 20.0)), seed=SEED
    )
    em.train(linker.training, places_model.em_blocks(), 2e6)
    model = places_model.floor_m_probabilities(linker.misc.save_model_to_json())
    linker = Linker(backend.register(con, "places_prepared"), model, log_level=logging.ERROR)
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=cluster_threshold
    )
    con.register("place_pairs", backend.relation(predictions))
    con.register("place_clusters", backend.relation(clusters))
    con.execute(
        """
        CREATE OR REPLACE TABLE places_resolved AS
        WITH members AS (
            SELECT p.unique_id, p.record_kind, p.source_system, p.record_id, c.cluster_id
            FROM places_prepared p JOIN place_clusters c USING (unique_id)
        ),
        keys AS (
            SELECT cluster_id, min(record_kind || ':' || source_system || '|' || record_id)
                   AS member_key, count(*) AS size
            FROM members GROUP BY cluster_id
        )
        SELECT m.unique_id, m.record_kind, m.source_system, m.record_id, k.member_key,
               CASE WHEN k.size = 1 THEN 1.0 ELSE coalesce(s.p, 1.0) END AS match_probability
        FROM members m JOIN keys k USING (cluster_id)
        LEFT JOIN (
            SELECT x.unique_id, max(x.match_probability) AS p FROM (
                SELECT pp.unique_id_l AS unique_id, pp.unique_id_r AS other, pp.match_probability
                FROM place_pairs pp
                UNION ALL
                SELECT pp.unique_id_r, pp.unique_id_l, pp.match_probability FROM place_pairs pp
            ) x
            JOIN place_clusters a ON a.unique_id = x.unique_id
            JOIN place_clusters b ON b.unique_id = x.other
            WHERE a.cluster_id = b.cluster_id AND x.match_probability >= ?
            GROUP BY x.unique_id
        ) s USING (unique_id)
        ORDER BY m.unique_id
        """,
        [cluster_threshold],
    )
    pairs = con.execute("SELECT count(*) FROM place_pairs").fetchall()[0][0]
    con.unregister("place_pairs")
    con.unregister("place_clusters")
    places = con.execute("SELECT count(DISTINCT member_key) FROM places_resolved").fetchall()[0][0]
    return PlacesResult(records, places, pairs, linker.misc.save_model_to_json())
