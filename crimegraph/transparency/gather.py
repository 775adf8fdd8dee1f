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

import re
from datetime import UTC, datetime
from pathlib import Path

import yaml

from core import warehouse
from core.settings import PROJECT_ROOT, Settings
from crimegraph.transparency.figures import bench_figures
from crimegraph.transparency.models import (
    doc,
    gds_algorithms,
    linkage_models,
    risk_models,
    server_versions,
)
from crimegraph.transparency.sources import sources

OWNER_FILE = Path(__file__).with_name("owner.yaml")
STANDARD_VERSION = "ATRS v3.0"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def oversight() -> dict:
    """ATRS 2.3: who decides what, from the review loop and the API's role table."""
    from api.permissions import FIELD_ROLES
    from layers import store as layers
    from resolver.linkage import review_queue

    roles: dict[str, list[str]] = {}
    for field_name, allowed in FIELD_ROLES.items():
        for role in allowed:
            roles.setdefault(role, []).append(field_name)
    low, high = review_queue.REVIEW_BAND
    return {
        "review_band": [low, high],
        "decisions": list(review_queue.DECISIONS),
        "roles": {role: sorted(fields) for role, fields in sorted(roles.items())},
        "small_count_threshold": layers.SMALL_COUNT,
        "human_decisions_and_review": (
            f"Pairs the person model scores between {low} and {high} are queued for a data "
            f"steward, who sees both records and each comparison's match weight and decides "
            f"({', '.join(review_queue.DECISIONS)}); decisions and unmerges bind every later run. "
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
    from responsible.retention.policy import load_policy

    owner = yaml.safe_load((owner_file or OWNER_FILE).read_text(encoding="utf-8")) or {}
    policy = load_policy(policy_path or settings.retention.policy)
    con = None
    if settings.warehouse_path.exists():
        con = warehouse.connect_read_only(settings.warehouse_path)
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
            "one_sentence_description": doc(__import__("crimegraph")),
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
            "docs/graph-model.md, docs/risk.md)".format(**server_versions()),
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
