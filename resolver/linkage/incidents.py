"""Resolve incidents: which records, across systems, are one event, and is it a police.uk crime.

Two kinds of evidence. Anchors tie a record to a police.uk incident directly: its police
reference is that incident's Crime ID, or (police records of anti-social behaviour, which
has no Crime ID) it was recorded at that incident's snap point, in its month, as its crime
type. The incidents model (Splink, EM without labels) then links records across systems by
time, crime group, place and shared parties. A cluster holding an anchored record is that
police.uk incident; a cluster with none is an event police.uk does not hold and gets a
stable id of its own. Two records anchored to different police.uk incidents are never
put in one cluster.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import networkx as nx
from splink import Linker

from resolver.linkage import clustering, em, incidents_model, places_model
from resolver.linkage.backend import DUCKDB, LinkageBackend

CLUSTER_THRESHOLD = 0.5
SEED = 20_261_125

# One row per incident record, with its parties (resolved person ids) and its place.
INCIDENT_RECORDS = """
WITH rec AS (
    SELECT DISTINCT ON (source_system, incident_record_id) * FROM incident_records
    ORDER BY source_system, incident_record_id, source_file, row_number
),
parties AS (
    SELECT v.source_system, v.incident_record_id, list(DISTINCT l.person_id) AS parties
    FROM involvements v JOIN person_links l
      ON l.source_system = v.source_system AND l.person_record_id = v.person_record_id
    GROUP BY ALL
),
place AS (
    SELECT source_system, record_id AS incident_record_id, place_id
    FROM place_links WHERE record_kind = 'incident'
)
SELECT row_number() OVER (ORDER BY rec.source_system, rec.incident_record_id) - 1 AS unique_id,
       rec.source_system, rec.incident_record_id, rec.incident_date,
       strftime(rec.incident_date, '%Y-%m') AS month, rec.crime_type, rec.crime_group,
       nullif(trim(rec.police_reference), '') AS police_reference,
       round(rec.latitude, 6) AS latitude, round(rec.longitude, 6) AS longitude,
       nullif(trim(regexp_replace(regexp_replace(upper(coalesce(rec.incident_address, '')),
              '^\\s*(ON OR NEAR|NEAR)\\s+', ''), '[^A-Z0-9 ]+', ' ', 'g')), '') AS street,
       coalesce(list_sort(p.parties), []::VARCHAR[]) AS parties, pl.place_id
FROM rec
LEFT JOIN parties p USING (source_system, incident_record_id)
LEFT JOIN place pl USING (source_system, incident_record_id)
ORDER BY unique_id
"""

# police.uk incidents a record names or was recorded at (ties broken one record per incident).
ANCHORS = """
WITH by_reference AS (
    SELECT r.unique_id, u.incident_id, 1.0 AS p
    FROM incidents_prepared r JOIN police_incidents u ON u.crime_id = r.police_reference
),
at_point AS (
    SELECT r.unique_id, u.incident_id,
           count(*) OVER (PARTITION BY r.unique_id) AS candidates,
           row_number() OVER (PARTITION BY r.unique_id ORDER BY u.incident_id) AS candidate_rank,
           dense_rank() OVER (PARTITION BY u.location_id, u.month, u.crime_type
                              ORDER BY r.unique_id) AS record_rank
    FROM incidents_prepared r
    JOIN police_incidents u
      ON u.location_id = printf('pu:%.6f,%.6f', r.latitude, r.longitude)
     AND u.month = r.month AND u.crime_type = r.crime_type
    WHERE r.unique_id NOT IN (SELECT unique_id FROM by_reference)
)
SELECT unique_id, incident_id, p FROM by_reference
UNION ALL
SELECT unique_id, incident_id, 1.0 / candidates FROM at_point
WHERE candidate_rank = (record_rank - 1) % candidates + 1
"""


@dataclass
class IncidentsResult:
    records: int
    anchored: int
    clusters: int
    pairs_scored: int
    model: dict


def resolve_incidents(
    con: duckdb.DuckDBPyConnection,
    *,
    cluster_threshold: float = CLUSTER_THRESHOLD,
    backend: LinkageBackend = DUCKDB,
) -> IncidentsResult:
    """Link `incidents_prepared` (anchors from `police_incidents`); writes `incidents_resolved`.

    `incidents_resolved`: unique_id, cluster key (smallest member), the police.uk incident the
    cluster is (NULL for an event police.uk does not hold), and the record's probability.
    """
    con.execute(f"CREATE OR REPLACE TABLE incident_anchors AS {ANCHORS}")
    records = con.execute("SELECT count(*) FROM incidents_prepared").fetchall()[0][0]
    anchor = {u: (i, p) for u, i, p in con.execute("SELECT * FROM incident_anchors").fetchall()}
    settings = incidents_model.incidents_settings()
    linker = Linker(backend.register(con, "incidents_prepared"), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [incidents_model.blocking_rules()[1]], recall=0.5
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(3e6, max(1e5, records * 20.0)), seed=SEED
    )
    em.train(linker.training, incidents_model.em_blocks(), 2e6)
    model = places_model.floor_m_probabilities(linker.misc.save_model_to_json())
    linker = Linker(backend.register(con, "incidents_prepared"), model, log_level=logging.ERROR)
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    con.register("incident_predictions", backend.relation(predictions))
    con.execute(
        "CREATE OR REPLACE TABLE incident_pairs AS SELECT unique_id_l, unique_id_r, "
        "match_probability, match_weight FROM incident_predictions "
        "WHERE source_system_l <> source_system_r"
    )
    con.unregister("incident_predictions")
    edges = [
        (a, b, float(p))
        for a, b, p in con.execute(
            "SELECT unique_id_l, unique_id_r, match_probability FROM incident_pairs"
        ).fetchall()
    ]
    pairs = len(edges)
    ids = [u for (u,) in con.execute("SELECT unique_id FROM incidents_prepared").fetchall()]
    cluster_of, holding = clustering.cluster(
        ids,
        {},
        edges,
        cluster_threshold,
        cannot_link=_different_anchors(edges, anchor, cluster_threshold),
    )
    members: dict[int, list[int]] = {}
    for u, c in cluster_of.items():
        members.setdefault(c, []).append(u)
    rows = []
    for group in members.values():
        anchored = sorted((anchor[u] for u in group if u in anchor), key=lambda a: (-a[1], a[0]))
        police_id = anchored[0][0] if anchored else None
        for u in group:
            p = anchor[u][1] if u in anchor else holding[u]
            rows.append((u, min(group), police_id, p))
    con.execute(
        "CREATE OR REPLACE TABLE incidents_resolved (unique_id BIGINT, cluster_key BIGINT, "
        "police_incident_id VARCHAR, match_probability DOUBLE)"
    )
    con.executemany("INSERT INTO incidents_resolved VALUES (?, ?, ?, ?)", rows)
    return IncidentsResult(
        records, len(anchor), len(members), pairs, linker.misc.save_model_to_json()
    )


def _different_anchors(
    edges: list[tuple[int, int, float]], anchor: dict[int, tuple[str, float]], threshold: float
) -> list[tuple[int, int]]:
    """Cannot-link pairs: records anchored to different police.uk incidents that the
    strong links would otherwise bring together."""
    graph = nx.Graph()
    graph.add_edges_from((a, b) for a, b, p in edges if p >= threshold)
    pairs = []
    for component in nx.connected_components(graph):
        anchored = sorted(u for u in component if u in anchor)
        pairs += [
            (a, b)
            for i, a in enumerate(anchored)
            for b in anchored[i + 1 :]
            if anchor[a][0] != anchor[b][0]
        ]
    return pairs
