"""The transparency record is generated from the configuration: every source, every model,
every role and the retention rules appear, in the ATRS sections."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from core.settings import PROJECT_ROOT, load_settings
from crimegraph.cli import app
from crimegraph.transparency.gather import build_record
from crimegraph.transparency.render import markdown
from responsible.retention.policy import load_policy
from tests.test_retention_policy import POLICY, small_warehouse


def _warehouse_with_models(tmp_path):
    con = small_warehouse(tmp_path / "warehouse.duckdb")
    settings_json = json.dumps(
        {"link_type": "dedupe_only", "probability_two_random_records_match": 0.001,
         "max_iterations": 10, "comparisons": [{"output_column_name": "surname"}],
         "blocking_rules_to_generate_predictions": [{"blocking_rule": "l.x = r.x"}]}
    )  # fmt: skip
    for model in ("people", "places", "incidents"):
        con.execute(
            "INSERT INTO linkage_models VALUES (?, 2, '2025-06-01 10:00', 5, 4, ?)",
            [model, settings_json],
        )
    con.close()


def test_the_record_names_every_source_model_role_and_retention_rule(tmp_path) -> None:
    _warehouse_with_models(tmp_path)
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(POLICY, encoding="utf-8")
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "resolution.json").write_text(json.dumps({"sets": {"x": {"f1": 0.91, "n": 3}}}))
    base = load_settings().with_data_dir(tmp_path)
    retention = base.retention.model_copy(update={"policy": policy_path})
    settings = base.model_copy(update={"retention": retention})
    record = build_record(settings)
    page = markdown(record)

    policy = load_policy(policy_path)
    systems = {s["source_data_name"] for s in record["data_specification"]}
    assert systems == {"pa", "pb", "care", "open"} == set(policy.systems_seen)
    models = record["tool_specification"]["models"]
    for name in ("people linkage (Splink)", "places linkage (Splink)",
                 "incidents linkage (Splink)", "place risk score",
                 "next-month forecasts (blend, LightGBM)"):  # fmt: skip
        assert name in models and f"##### {name}" in page
    assert any("Graph Data Science" in m for m in models)
    gds = record["model_specification"][-1]["model_architecture"]
    assert "gds.wcc" in gds and "gds.louvain" in gds
    for system in systems:
        assert f"##### {system}" in page
    for role in ("investigator", "analyst", "steward", "auditor", "public"):
        assert f"| {role} |" in page
    pa = next(s for s in record["data_specification"] if s["source_data_name"] == "pa")
    assert {r["group"] for r in pa["retention"]} == {"g2", "g3"}
    assert pa["data_quantities"]["person_records"] == 4 and "surname" in pa["sensitive_attributes"]
    assert record["model_performance"] == {"resolution": {"sets.x.f1": 0.91}}
    assert "v2, trained 2025-06-01 10:00" in page
    for heading in ("## Tier 1", "### 2.1 Owner", "### 2.2 Description", "### 2.3 Decision",
                    "### 2.4 Tool", "#### 2.4.3 Data", "### 2.5 Risks"):  # fmt: skip
        assert heading in page


def test_the_command_writes_markdown_and_json(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(tmp_path))
    out = tmp_path / "docs" / "record.md"
    result = CliRunner().invoke(app, ["transparency", "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.with_suffix(".json").read_text())
    assert "ATRS v3.0" in out.read_text() and record["metadata"]["standard_version"] == "ATRS v3.0"


def test_the_committed_record_covers_the_shipped_policy_and_every_model() -> None:
    page = (PROJECT_ROOT / "docs" / "transparency-record.md").read_text(encoding="utf-8")
    for system in load_policy(load_settings().retention.policy).systems_seen:
        assert f"##### {system}" in page
    for model in ("people", "places", "incidents"):
        assert f"##### {model} linkage (Splink)" in page
