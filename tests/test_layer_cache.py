"""The layer store's answer cache: a repeated map view is the same answer, any change of
box, audience or geometry is a different one, and invalidate() forgets them all."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from benchmarks.load import Request, answer_ok, slowest_window_rps
from layers.shapes import h3_shape
from layers.store import ALL_CRIME, INCIDENT_COLUMNS, LayerStore
from risk.scores import SCORE_WEIGHTS

CARDIFF = (51.48, -3.18)
BOX = (-3.3, 51.4, -3.0, 51.6)


def _store(incidents: list[int]) -> LayerStore:
    cells = [h3.latlng_to_cell(CARDIFF[0] + n * 0.01, CARDIFF[1], 9) for n in range(3)]
    risk = pd.DataFrame(
        {
            "month": "2025-01",
            "area_level": "h3",
            "resolution": 9,
            "crime_group": ALL_CRIME,
            "area_id": cells,
            "score": [0.9, 0.5, 0.1],
            "incidents": incidents,
            **{component: [1.0, 2.0, 3.0] for component in SCORE_WEIGHTS},  # live rescoring
        }
    )
    none = pd.DataFrame({c: pd.Series(dtype=object) for c in INCIDENT_COLUMNS}).astype(
        {"longitude": np.float64, "latitude": np.float64}
    )
    areas = pd.DataFrame({"lsoa_code": [], "force_code": []})
    return LayerStore({"risk": risk}, none, areas, {})


KEYS = [("2025-01", "h3", 9, ALL_CRIME)]


def test_a_repeated_view_is_the_same_answer_and_others_are_not() -> None:
    store = _store([12, 3, 7])
    first = store.collection("risk", KEYS, BOX, public=False)
    assert store.collection("risk", KEYS, BOX, public=False) is first
    public = store.collection("risk", KEYS, BOX, public=True)
    assert '"incidents":"fewer than 5"' in public.text and "fewer" not in first.text
    bare = store.collection("risk", KEYS, BOX, public=False, geometry=False)
    assert bare.text.count('"geometry":null') == 3 and '"Polygon"' in first.text
    smaller = store.collection("risk", KEYS, (-3.3, 51.4, -3.0, 51.485), public=False)
    assert 0 < smaller.text.count('"Feature"') < 3


def test_invalidate_forgets_answers_and_slices() -> None:
    store = _store([12, 3, 7])
    before = store.collection("risk", KEYS, BOX, public=False)
    assert store.invalidate() == 1
    after = store.collection("risk", KEYS, BOX, public=False)
    assert after is not before and after == before  # rebuilt, from the same cells


def test_the_load_generator_refuses_errors_without_decoding_big_layers() -> None:
    layer = Request("layers", 1.0, "q", {}, "t", "riskLayer")
    features = ",".join(['{"type":"Feature"}'] * 10_000)
    good = b'{"data":{"riskLayer":{"type":"FeatureCollection","features":[' + features.encode()
    assert answer_ok(layer, 200, good + b"]}}}") is None
    assert answer_ok(layer, 200, good + b']}},"errors":[{"message":"x"}]}') == "bad envelope"
    assert answer_ok(layer, 504, b"{}") == "HTTP 504"
    small = Request("review", 1.0, "q", {}, "t")
    assert answer_ok(small, 200, b'{"data":null,"errors":[{"message":"no"}]}') is not None
    assert answer_ok(small, 200, b'{"data":{"reviewQueue":{}}}') is None


def test_the_sustained_rate_is_the_slowest_stretch_not_the_average() -> None:
    per_second = [300, 320, 310, 90, 330, 340, 350, 360]  # one stall in second 3
    assert slowest_window_rps(per_second, 5) == (300 + 320 + 310 + 90 + 330) / 5
    assert slowest_window_rps(per_second, 1) == 90
    assert slowest_window_rps(per_second[:4], 5) is None  # too short a run to say


def test_a_live_change_drops_only_the_tiles_it_touches() -> None:
    """Live incidents rescore a few cells: the tile cache keeps every tile elsewhere, and
    forgets everything after a change it cannot place."""
    from api.tiles import tile_cache, tile_for

    store = _store([12, 3, 7])
    cache = tile_cache()
    answers = cache.current(store)
    cardiff = ("public", "risk", 12, *tile_for(CARDIFF[1], CARDIFF[0], 12), ())
    london = ("public", "risk", 12, *tile_for(-0.12, 51.5, 12), ())
    for key in (cardiff, london):
        cache.keep(answers, store, key, b"tile")
    cell = h3.latlng_to_cell(CARDIFF[0], CARDIFF[1], 9)
    assert store.bump_risk(KEYS[0], cell, harm=10.0, incidents=1) is not None
    store.answers_changed()
    assert store.changed_since(0) == [h3_shape(cell).bounds]
    now = cache.current(store)
    assert now is answers and now.get(london) == b"tile" and now.get(cardiff) is None
    store.invalidate()
    assert cache.current(store).get(london) is None
