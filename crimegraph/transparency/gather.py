"""The transparency record's content, read from the running configuration.

Field names follow the UK Algorithmic Transparency Recording Standard (ATRS v3.0:
Tier 1, and Tier 2's owner and responsibility, description and rationale, decision-making
process, tool/model/data specification, risks and impact assessments). Every value that
can be read from the system is: sources and their fields from the warehouse, retention
from the policy, Splink models with their settings and versions from ``linkage_models``,
risk weights and harm weights and forecast choices from graph/risk, the GDS algorithms
from graph/analyse.py, roles from api/permissions.py, figures from var/bench/*.json.
Only what the code cannot know (who owns it, agreements, assessments) comes from
``owner.yaml``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from crimegraph.settings import PROJECT_ROOT, Settings

OWNER_FILE = Path(__file__).with_name("owner.yaml")
STANDARD_VERSION = "ATRS v3.0"
PERSONAL_FIELDS = ("forename", "middle_names", "surname", "date_of_birth", "sex", "address",
                   "postcode", "uprn", "email", "phone")  # fmt: skip
INCIDENT_FIELDS = ("incident_date", "crime_type", "description", "incident_address",
                   "incident_postcode", "latitude", "longitude", "police_reference")  # fmt: skip


def _doc(obj: object) -> str:
    """An object's docstring's first paragraph, on one line."""
    text = inspect.getdoc(obj) or ""
    return " ".join(text.split("\n\n")[0].split())


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


def _server_versions() -> dict[str, str]:
    pom = (PROJECT_ROOT / "docker" / "neo4j" / "pom.xml").read_text(encoding="utf-8")
    found = dict(re.findall(r"<(neo4j|gds)\.version>([^<]+)<", pom))
    return {"neo4j": found.get("neo4j", "?"), "gds": found.get("gds", "?")}


def sources(con: duckdb.DuckDBPyConnection | None, policy, owner: dict) -> list[dict]:
    """ATRS 2.4.3 per source system: what it holds, how much, how complete, how long kept."""
    systems: dict[str, dict] = {}
    tables = _tables(con) if con else set()
    if con and "ingest_runs" in tables:
        for system, files, rows_in, loaded, quarantined in con.execute(
            "SELECT source, count(*), sum(rows_in), sum(rows_loaded), sum(rows_quarantined) "
            "FROM ingest_runs GROUP BY source ORDER BY source"
        ).fetchall():
            systems[system] = {"files": files, "rows_in": int(rows_in), "rows_loaded": int(loaded),
                               "rows_quarantined": int(quarantined)}  # fmt: skip
    for system in policy.systems_seen:
        systems.setdefault(system, {})
    out = []
    for system, counts in sorted(systems.items()):
        entry: dict[str, Any] = {"source_data_name": system, "data_modality": "tabular",
                                 "data_quantities": counts}  # fmt: skip
        completeness: dict[str, float] = {}
        for table, fields in (("person_records", PERSONAL_FIELDS),
                              ("incident_records", INCIDENT_FIELDS)):  # fmt: skip
            if con is None or table not in tables:
                continue
            row = con.execute(
                f"SELECT count(*), {', '.join(f'count({f})' for f in fields)} FROM {table} "
                "WHERE source_system = ?",
                [system],
            ).fetchall()[0]
            if row[0]:
                counts[table] = row[0]
                shares = zip(fields, row[1:], strict=True)
                completeness |= {f: round(n / row[0], 3) for f, n in shares if n}
        if system == "police.uk" and con and "police_uk_records" in tables:
            counts["incidents"] = con.execute(
                "SELECT count(DISTINCT incident_id) FROM police_uk_records"
            ).fetchall()[0][0]
            completeness = {"month": 1.0, "crime_type": 1.0, "location (anonymised point)": 1.0,
                            "lsoa_code": 1.0, "last_outcome": 1.0}  # fmt: skip
        entry["fields"] = completeness
        entry["sensitive_attributes"] = [f for f in PERSONAL_FIELDS if f in completeness]
        known = (owner.get("sources") or {}).get(system, {})
        entry["data_collection"] = known.get("collection", "not recorded in owner.yaml")
        entry["data_sharing_agreements"] = known.get("sharing", "not recorded in owner.yaml")
        entry["source_data_url"] = known.get("url", "not public")
        entry["retention"] = [
            {"record_type": r.record_type, "group": r.label(), "period": str(r.period),
             "from": r.date_field or None,
             "filters": {k: sorted(v) for k, v in (("roles", r.roles),
                         ("crime_groups", r.crime_groups), ("crime_types", r.crime_types)) if v}}
            for r in policy.rules if system in r.systems
        ]  # fmt: skip
        out.append(entry)
    return out


def linkage_models(con: duckdb.DuckDBPyConnection | None) -> list[dict]:
    """ATRS 2.4.2 for each Splink model, from its latest stored version."""
    from resolver.linkage import incidents, people, places

    if con is None or "linkage_models" not in _tables(con):
        return []
    tasks = {"people": people, "places": places, "incidents": incidents}
    rows = con.execute(
        "SELECT model, max(version), arg_max(trained_at, version), arg_max(records, version), "
        "arg_max(persons, version), arg_max(settings_json, version) FROM linkage_models "
        "GROUP BY model ORDER BY model"
    ).fetchall()
    out = []
    for model, version, trained_at, records, clusters, settings_json in rows:
        settings = json.loads(settings_json)
        comparisons = [c.get("output_column_name") for c in settings.get("comparisons", [])]
        rules = settings.get("blocking_rules_to_generate_predictions", [])
        blocking = [b.get("blocking_rule", b) if isinstance(b, dict) else b for b in rules]
        out.append(
            {
                "model_name": f"{model} linkage (Splink)",
                "model_version": f"v{version}, trained {trained_at:%Y-%m-%d %H:%M} UTC "
                f"(Splink {_version('splink')})",
                "model_task": _doc(tasks.get(model)) if model in tasks else "",
                "model_input": f"{records:,} source records; compared on: {', '.join(comparisons)}",
                "model_output": f"{clusters:,} clusters (stable ids), match probability per link",
                "model_architecture": (
                    "Fellegi-Sunter probabilistic record linkage: "
                    f"link type {settings.get('link_type')}, prior match probability "
                    f"{settings.get('probability_two_random_records_match', 0):.3g}, m by "
                    f"expectation maximisation (max {settings.get('max_iterations')} "
                    "iterations), u by random sampling; blocking rules: "
                    + "; ".join(str(b) for b in blocking)
                ),
                "datasets": "the warehouse's source records (no labels used in training)",
                "dataset_purposes": "training (unsupervised) and prediction on the same records",
            }
        )
    return out


def risk_models(con: duckdb.DuckDBPyConnection | None) -> list[dict]:
    """ATRS 2.4.2 for the risk score and the forecasters, from graph/risk."""
    from graph.risk import choices, harm, models, scores

    harm_file = Path(harm.__file__).with_name("harm_weights.yaml")
    harm_doc = yaml.safe_load(harm_file.read_text(encoding="utf-8"))
    picked = choices.load(con) if con is not None else choices.DEFAULT_CHOICES
    chosen = sorted(
        f"{group}: {c.model if c.model != 'blend' else c.blend.name()}"
        for group, c in picked.items()
    )
    return [
        {
            "model_name": "place risk score",
            "model_version": "weights "
            + ", ".join(f"{k} {v}" for k, v in scores.SCORE_WEIGHTS.items()),
            "model_task": _doc(scores),
            "model_input": f"police.uk incidents (last {scores.RECENT_MONTHS} months), "
            "offender-network exposure per place, the forecast",
            "model_output": "a score per H3 cell / LSOA, crime group and month, with every "
            "component kept (table risk_scores)",
            "model_architecture": "weighted mean of components normalised to the average "
            f"place; harm weights: {harm_doc.get('units')} "
            f"({' '.join(harm_doc['source'].split())})",
            "datasets": "data.police.uk street-level crimes; the graph's co-offending networks",
            "dataset_purposes": "scoring only (no training)",
        },
        {
            "model_name": "next-month forecasts (blend, LightGBM)",
            "model_version": f"LightGBM {_version('lightgbm')}; chosen per crime group: "
            + "; ".join(chosen),
            "model_task": _doc(models),
            "model_input": "monthly counts per H3 cell and crime group, neighbours' counts",
            "model_output": "expected crimes per cell next month (table forecasts)",
            "model_architecture": "decayed-history blend with an all-crime prior and "
            "neighbours, or a Poisson gradient-boosted tree model with parameters "
            + json.dumps(models.GBM_PARAMS, sort_keys=True),
            "datasets": "data.police.uk street-level crimes, 2025",
            "dataset_purposes": "rolling-origin backtest (training, then testing on each later "
            "month); the model per group is chosen on the backtest",
        },
    ]


def gds_algorithms() -> dict:
    """The Graph Data Science procedures graph/analyse.py calls, read from its source."""
    from graph import analyse

    source = inspect.getsource(analyse)
    procedures = sorted(set(re.findall(r"gds\.([a-z_]+(?:\.[a-z_]+)*)\.(?:write|stream|mutate)\(",
                                       source)))  # fmt: skip
    return {
        "model_name": "offender networks and places (Neo4j Graph Data Science)",
        "model_version": "Neo4j {neo4j}, GDS {gds}".format(**_server_versions()),
        "model_task": _doc(analyse),
        "model_input": "Person, Incident and Location nodes with PARTY_TO and OCCURRED_AT",
        "model_output": "co-offending links, network and community ids, key actors, similar "
        "places, network exposure per place",
        "model_architecture": "GDS procedures: "
        + ", ".join(f"gds.{p}" for p in procedures)
        + f"; co-offending decays with a {analyse.HALF_LIFE_MONTHS:g}-month half-life; "
        f"{analyse.KEY_ACTORS_PER_NETWORK} key actors per network",
        "datasets": "the resolved graph",
        "dataset_purposes": "analysis only (unsupervised)",
    }


def _flatten(value: Any, wanted: re.Pattern, prefix: str = "") -> dict[str, Any]:
    """Numeric leaves whose last key matches ``wanted``, keyed by their dotted path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out |= _flatten(inner, wanted, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, bool | int | float) and wanted.search(prefix.rsplit(".", 1)[-1]):
        return {prefix: value}
    return {}


def bench_figures(bench_dir: Path) -> dict[str, dict]:
    """Accuracy, fairness and speed figures from ``make bench`` (var/bench/*.json)."""
    wanted = re.compile(
        r"(precision|recall|f1|accuracy|mae|rmse|p95|per_second|skill|gini|ratio|disparit|"
        r"fairness|bias|_met$)",
        re.IGNORECASE,
    )
    out: dict[str, dict] = {}
    for path in sorted(bench_dir.glob("*.json")) if bench_dir.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        flat = _flatten(data, wanted)
        if flat:
            out[path.stem] = dict(list(flat.items())[:40])
    return out


def oversight() -> dict:
    """ATRS 2.3: who decides what, from the review loop and the API's role table."""
    from api import layers
    from api.permissions import FIELD_ROLES
    from resolver.linkage import review

    roles: dict[str, list[str]] = {}
    for field_name, allowed in FIELD_ROLES.items():
        for role in allowed:
            roles.setdefault(role, []).append(field_name)
    low, high = review.REVIEW_BAND
    return {
        "review_band": [low, high],
        "decisions": list(review.DECISIONS),
        "roles": {role: sorted(fields) for role, fields in sorted(roles.items())},
        "small_count_threshold": layers.SMALL_COUNT,
        "human_decisions_and_review": (
            f"Pairs the person model scores between {low} and {high} are queued for a data "
            f"steward, who sees both records and each comparison's match weight and decides "
            f"({', '.join(review.DECISIONS)}); decisions and unmerges bind every later run. "
            "The tool decides nothing about a person: investigators and analysts read linked "
            "records, networks and place scores and make their own decisions."
        ),
    }


def build_record(
    settings: Settings,
    *,
    bench_dir: Path | None = None,
    owner_file: Path | None = None,
    policy_path: Path | None = None,
) -> dict:
    """The whole record as one JSON-able dict (``render.markdown`` turns it into a page)."""
    from resolver.retention.policy import load_policy

    owner = yaml.safe_load((owner_file or OWNER_FILE).read_text(encoding="utf-8")) or {}
    policy = load_policy(policy_path or settings.retention_policy_path)
    con = None
    if settings.warehouse_path.exists():
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        data = sources(con, policy, owner)
        splink = linkage_models(con)
        risk = risk_models(con)
    finally:
        if con is not None:
            con.close()
    gds = gds_algorithms()
    figures = bench_figures(bench_dir or settings.data_dir / "bench")
    human = oversight()
    model_list = [m["model_name"] for m in (*splink, *risk, gds)]
    persons = [s for s in data if s["sensitive_attributes"]]
    return {
        "metadata": {
            "standard_version": STANDARD_VERSION,
            "title": owner.get("name", "crimegraph"),
            "organisation_name": owner.get("organisation", ""),
            "organisation_type": owner.get("organisation_type", ""),
            "phase": owner.get("phase", ""),
            "region": owner.get("region", ""),
            "date_updated": datetime.now(UTC).date().isoformat(),
            "one_sentence_description": _doc(__import__("crimegraph")),
        },
        "tier_1": {
            "name": owner.get("name", "crimegraph"),
            "description": (
                "Joins up records about people, places and incidents that police forces, "
                "councils and social services hold separately, works out which records are "
                "the same person, place or incident, and shows the result to investigators "
                "as a graph with where every fact came from; scores places by recent harm "
                "and forecasts where crime is likely next month for a crime map. It assists "
                "people; it makes no decision about anyone."
            ),
            "website_url": owner.get("website_url", ""),
            "contact_email": owner.get("contact_email", ""),
        },
        "owner_and_responsibility": {
            "organisation_or_department": owner.get("organisation", ""),
            "team": owner.get("team", ""),
            "senior_responsible_owner": owner.get("senior_responsible_owner", ""),
            "external_supplier_involvement": " ".join(
                str(owner.get("external_supplier_involvement", "")).split()
            ),
        },
        "description_and_rationale": {
            "detailed_description": (
                f"{len(data)} source systems are mapped to one canonical schema, standardised "
                "and validated (bad rows quarantined with file, line, field and reason); "
                f"{len(splink)} probabilistic linkage models resolve people, places and "
                "incidents; the result is loaded into Neo4j with provenance on every node; "
                "Graph Data Science finds offender networks; place risk scores and forecasts "
                "are computed from police.uk crimes; a GraphQL API serves it by role."
            ),
            "scope": "Designed for: linking records across agencies for investigators, "
            "reviewing uncertain matches, mapping aggregate risk. Not designed for: "
            "predicting whether an individual will offend, scoring individuals, or any "
            "automated decision about a person.",
            "benefit": "Records of one person or event held by several agencies are seen "
            "together, with the evidence for each link, instead of by manual searching.",
            "alternatives_considered": "Deterministic matching on exact name and date of "
            "birth (misses typos, nicknames and partial dates: see the baselines in the "
            "benchmark figures); naive forecasting baselines (last month, moving averages).",
        },
        "decision_making_process": {
            "process_integration": "Outputs inform people; nothing is actioned automatically.",
            "provided_information": "Linked records with provenance and match probability; "
            "review pairs with per-comparison match weights; place scores with every "
            "component; forecasts per cell.",
            "frequency_and_scale_of_usage": {
                s["source_data_name"]: s["data_quantities"] for s in data
            },
            "human_decisions_and_review": human["human_decisions_and_review"],
            "roles": human["roles"],
            "required_training": " ".join(str(owner.get("required_training", "")).split()),
            "appeals_and_review": " ".join(str(owner.get("appeals_and_review", "")).split()),
        },
        "tool_specification": {
            "system_architecture": "DuckDB warehouse → Splink linkage → Neo4j "
            "{neo4j} + GDS {gds} → strawberry GraphQL API and map (see README.md, "
            "docs/graph-model.md, docs/risk.md)".format(**_server_versions()),
            "phase": owner.get("phase", ""),
            "maintenance": " ".join(str(owner.get("maintenance", "")).split()),
            "models": model_list,
        },
        "model_specification": [*splink, *risk, gds],
        "model_performance": figures,
        "data_specification": data,
        "retention_policy": {
            "file": _relative(policy.path),
            "version": policy.version,
            "sha256": policy.sha256,
            "authority": policy.authority,
            "quarantine": str(policy.quarantine) if policy.quarantine else None,
            "holds": len(policy.holds),
        },
        "risks_and_mitigations": _risks(persons, human, policy, figures),
        "impact_assessment": owner.get("impact_assessments") or [],
    }


def _risks(persons: list[dict], human: dict, policy, figures: dict) -> list[dict]:
    readers = [r for r, fields in human["roles"].items() if "person" in fields]
    fairness = sorted(k for k in figures if re.search("fair|impact|bias", k))
    return [
        {
            "risk": "Wrong links: two people merged, or one person split",
            "mitigation": f"Uncertain pairs ({human['review_band'][0]}-"
            f"{human['review_band'][1]}) reviewed by stewards; decisions bind later runs; "
            "unmerge; ids kept stable with lineage; clustering refuses merges that would "
            "give a person two irreconcilable dates of birth.",
        },
        {
            "risk": "Bias and feedback loops in place scores and forecasts",
            "mitigation": "Recorded crime reflects where police look; scores keep every "
            "component so a reader sees why a place ranks high; forecasts are backtested "
            "against naive baselines. "
            + (
                f"Measured in: {', '.join(fairness)}."
                if fairness
                else "No fairness or feedback-loop measurement is on record yet (var/bench)."
            ),
        },
        {
            "risk": "Privacy: person-level data from "
            + ", ".join(s["source_data_name"] for s in persons),
            "mitigation": f"Person-level reads only for {', '.join(readers) or 'nobody'}, "
            "each with a stated purpose and written to an append-only audit log (auditor "
            f"role); the public sees aggregates only, counts under "
            f"{human['small_count_threshold']} suppressed; retention policy "
            f"{policy.version} with {len(policy.rules)} rules removes expired records "
            "from the warehouse and graph and logs it with ids hashed.",
        },
        {
            "risk": "Unauthorised access",
            "mitigation": "Roles from signed tokens or hashed API keys, enforced per field "
            "on the server; Neo4j and the API bind to loopback; secrets from the "
            "environment; every Cypher statement parameterised.",
        },
        {
            "risk": "Poor source data",
            "mitigation": "Rows that fail validation are quarantined with the reason and "
            "counted per file (rows in = loaded + quarantined); nothing is dropped silently.",
        },
    ]
