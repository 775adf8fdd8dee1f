"""Every Prometheus metric crimegraph exports, defined once (``prometheus_client``).

The stages record into these; the API serves them at ``/metrics`` (``api/observe.py``).
With several server workers, ``crimegraph serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
directory the workers share, and each scrape adds every worker's values up. Labels take
only bounded values (route names, schema field names, roles, outcomes), never anything a
caller chooses, so no request can grow the series without limit.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# HTTP and GraphQL
REQUEST_SECONDS = Histogram(
    "crimegraph_http_request_seconds",
    "HTTP requests by route, role and status, and how long they took",
    ["route", "role", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
FIELD_SECONDS = Histogram(
    "crimegraph_graphql_field_seconds",
    "GraphQL operations by top-level field and role (one observation per field asked for)",
    ["field", "role"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CACHE_ANSWERS = Counter(
    "crimegraph_cache_answers_total",
    "Layer and tile answers by cache and whether the cache held them",
    ["cache", "outcome"],
)
AUDIT_ENTRIES = Counter(
    "crimegraph_audit_entries_total", "Audit entries committed (one per person-level read)"
)
# Neo4j, as the API's reads see it (the driver exposes no pool figures of its own)
NEO4J_READ_SECONDS = Histogram(
    "crimegraph_neo4j_read_seconds",
    "Reads the API ran on Neo4j, by outcome",
    ["outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
NEO4J_READS_IN_FLIGHT = Gauge(
    "crimegraph_neo4j_reads_in_flight",
    "Reads waiting on Neo4j now (a pool connection each)",
    multiprocess_mode="livesum",
)
# Live
LIVE_RECORDS = Counter(
    "crimegraph_live_records_total",
    "Records offered to live intake, by source and outcome",
    ["source", "outcome"],
)
LIVE_APPLIED = Counter("crimegraph_live_applied_total", "Journal entries the applier applied")
LIVE_STORED = Counter(
    "crimegraph_live_stored_total",
    "Applied journal entries written into the warehouse, by outcome (stored: rows written; "
    "duplicate: the graph already held the record)",
    ["outcome"],
)
LIVE_APPLY_LAG_SECONDS = Histogram(
    "crimegraph_live_apply_lag_seconds",
    "From a record's acceptance to the graph having it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
