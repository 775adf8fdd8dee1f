"""ATRS 2.4.2 (model specification): the Splink models stored in the warehouse, the risk
score and forecasters in graph/risk, and the GDS procedures graph/analyse.py calls."""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import re

import duckdb
import yaml

from core.settings import PROJECT_ROOT
from crimegraph.transparency.sources import tables


def doc(obj: object) -> str:
    """An object's docstring's first paragraph, on one line."""
    text = inspect.getdoc(obj) or ""
    return " ".join(text.split("\n\n")[0].split())


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def server_versions() -> dict[str, str]:
    pom = (PROJECT_ROOT / "docker" / "neo4j" / "pom.xml").read_text(encoding="utf-8")
    found = dict(re.findall(r"<(neo4j|gds)\.version>([^<]+)<", pom))
    return {"neo4j": found.get("neo4j", "?"), "gds": found.get("gds", "?")}


def linkage_models(con: duckdb.DuckDBPyConnection | None) -> list[dict]:
    """ATRS 2.4.2 for each Splink model, from its latest stored version."""
    from resolver.linkage import incidents, people, places

    if con is None or "linkage_models" not in tables(con):
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
                "model_task": doc(tasks.get(model)) if model in tasks else "",
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
    """ATRS 2.4.2 for the risk score and the forecasters, from risk."""
    from risk import choices, harm, models, scores

    harm_doc = yaml.safe_load(harm.DEFAULT_WEIGHTS_FILE.read_text(encoding="utf-8"))["harm"]
    picked = choices.load(con) if con is not None else choices.DEFAULT_CHOICES
    chosen = sorted(f"{group}: {c.name}" for group, c in picked.items())
    return [
        {
            "model_name": "place risk score",
            "model_version": "weights "
            + ", ".join(f"{k} {v}" for k, v in scores.SCORE_WEIGHTS.items()),
            "model_task": doc(scores),
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
            "model_task": doc(models),
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
        "model_version": "Neo4j {neo4j}, GDS {gds}".format(**server_versions()),
        "model_task": doc(analyse),
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
