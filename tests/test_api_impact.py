"""interventionImpact and interventions over real HTTP: analysts read the stored
estimate; other roles are refused; bad and unknown ids are named."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from core import warehouse
from core.settings import load_settings
from responsible import impact, interventions
from responsible.counts import Counts
from responsible.inject import inject, patch
from tests.api_world import world

pytestmark = pytest.mark.neo4j

QUERY = """query ($id: String!) { interventionImpact(id: $id) { id name startMonth endMonth
  crimeGroups cells impact { treatedCells placebos verdict ringVerdict
  differenceInDifferences { estimate low high } syntheticControl { estimate low high }
  ring { estimate } weightedDisplacementQuotient } } }"""


def _synthetic_counts() -> Counts:
    """A small seeded town: 469 cells, 12 months of Poisson crime."""
    rng = np.random.default_rng(4)
    cells = np.array(sorted(h3.grid_disk(h3.latlng_to_cell(51.59, -2.99, 9), 12)))
    rates = rng.gamma(2.0, 2.0, len(cells))
    values = rng.poisson(rates[:, None] * np.ones(12)).astype(float)
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    return Counts(cells, months, values, values + 1, np.array(["gwent"] * len(cells)))


@pytest.fixture(scope="module")
def api(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("api-impact")) as w:
        yield w


@pytest.fixture(scope="module")
def registered(api):
    """Two interventions in the served warehouse; the first with a real estimate."""
    counts = _synthetic_counts()
    cells = patch(counts, str(counts.cells[len(counts.cells) // 2]), 7)
    injected = inject(counts, cells, "2025-07", "2025-12", reduction=0.4, seed=1)
    result = impact.estimate(injected.counts, cells, "2025-07", "2025-12", seed=1)
    path = load_settings().with_data_dir(api.data_dir).warehouse_path
    with warehouse.connect(path) as con:
        first = interventions.register(
            con, "test pilot", "cells", cells, cells, "2025-07", "2025-12", ["burglary"]
        )
        interventions.save_result(con, first.intervention_id, result.to_dict(), None)
        second = interventions.register(
            con, "not yet estimated", "cells", cells, cells, "2025-09", "2025-10", []
        )
    return first, second, result


def test_analyst_reads_the_stored_estimate(api, registered):
    first, second, result = registered
    body = api.gql(QUERY, {"id": first.intervention_id}, role="analyst")
    assert "errors" not in body, body
    item = body["data"]["interventionImpact"]
    assert item["name"] == "test pilot" and item["crimeGroups"] == ["burglary"]
    assert sorted(item["cells"]) == sorted(first.cells)
    estimate = item["impact"]
    assert estimate["treatedCells"] == result.treated_cells
    assert estimate["verdict"] == result.verdict
    did = estimate["differenceInDifferences"]
    assert did["estimate"] == pytest.approx(result.did.estimate)
    assert did["low"] == pytest.approx(result.did.low)
    assert estimate["syntheticControl"]["high"] == pytest.approx(result.synthetic.high)
    pending = api.gql(QUERY, {"id": second.intervention_id}, role="analyst")
    assert pending["data"]["interventionImpact"]["impact"] is None
    listed = api.gql("{ interventions { id impact { verdict } } }", role="analyst")
    ids = [i["id"] for i in listed["data"]["interventions"]]
    assert ids == [first.intervention_id, second.intervention_id]


def test_other_roles_are_refused(api, registered):
    first, *_ = registered
    for role in ("public", "investigator", "steward", "auditor"):
        body = api.gql(QUERY, {"id": first.intervention_id}, role=role)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (role, body)
        assert first.intervention_id not in str(body.get("data"))


def test_bad_and_unknown_ids(api, registered):
    bad = api.gql(QUERY, {"id": "'; DROP TABLE interventions; --"}, role="analyst")
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
    unknown = api.gql(QUERY, {"id": "iv-00000000"}, role="analyst")
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "iv-00000000" in unknown["errors"][0]["message"]
