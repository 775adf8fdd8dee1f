"""The layer cost bound's arithmetic (pure): boxes, resolutions, aliases, fragments and
variables all count, before any resolver runs."""

from __future__ import annotations

import pytest
from graphql import parse

from api.cost import MAX_CELLS, box_km2, field_cost, request_cost

WALES = {"west": -5.5, "south": 51.3, "east": -2.6, "north": 53.5}
ENGLAND_AND_WALES = {"west": -6.0, "south": 49.9, "east": 1.8, "north": 55.8}


def test_a_box_is_measured_in_square_kilometres() -> None:
    one_degree_at_the_equator = box_km2({"west": 0, "south": 0, "east": 1, "north": 1})
    assert 12_000 < one_degree_at_the_equator < 12_400
    assert box_km2({"west": 1, "south": 50, "east": 0, "north": 51}) == 0  # refused elsewhere
    assert 40_000 < box_km2(WALES) < 55_000


def test_finer_resolutions_groups_and_lsoas_cost_more() -> None:
    res9 = field_cost("riskLayer", {"bbox": WALES})
    assert 300_000 < res9 < MAX_CELLS
    assert field_cost("riskLayer", {"bbox": WALES, "resolution": 7}) < res9 / 40
    assert field_cost("hotspots", {"bbox": WALES, "crimeGroups": ["a", "b"]}) == 2 * res9
    assert field_cost("riskLayer", {"bbox": ENGLAND_AND_WALES}) > MAX_CELLS  # ask res 7/8
    assert field_cost("riskLayer", {"bbox": ENGLAND_AND_WALES, "resolution": 8}) < MAX_CELLS
    assert field_cost("areas", {"bbox": WALES}) == field_cost(
        "riskLayer", {"bbox": WALES, "areaLevel": "LSOA"}
    )


def test_aliases_fragments_and_variables_all_count() -> None:
    one = "query($b: BBox!) { riskLayer(bbox: $b) }"
    single = request_cost(parse(one), None, {"b": WALES})
    assert single == field_cost("riskLayer", {"bbox": WALES})
    aliased = (
        "query($b: BBox!) { " + " ".join(f"a{n}: riskLayer(bbox: $b)" for n in range(20)) + " }"
    )
    assert request_cost(parse(aliased), None, {"b": WALES}) == pytest.approx(20 * single)
    assert 20 * single > MAX_CELLS
    fragment = (
        "query Q($b: BBox!) { ...F ... on Query { hotspots(bbox: $b) } } "
        "fragment F on Query { riskLayer(bbox: $b) }"
    )
    assert request_cost(parse(fragment), "Q", {"b": WALES}) == pytest.approx(2 * single)
    literal = (
        '{ riskLayer(bbox: {west: -5.5, south: 51.3, east: -2.6, north: 53.5}) cell(id: "x") }'
    )
    assert request_cost(parse(literal), None, None) == single
    two = "query A { months } query B($b: BBox!) { riskLayer(bbox: $b) }"
    assert request_cost(parse(two), "A", {"b": WALES}) == 0
    assert request_cost(parse(two), "B", {"b": WALES}) == single


def test_boxes_the_resolver_refuses_are_left_to_its_message() -> None:
    """An absurd or too-wide box costs nothing here: the resolver refuses it with the
    argument named (BAD_USER_INPUT), a more useful answer than a cost."""
    huge = {"west": -1e308, "south": -1e308, "east": 1e308, "north": 1e308}
    assert field_cost("riskLayer", {"bbox": huge}) == 0
    assert (
        field_cost("riskLayer", {"bbox": {"west": -60, "south": 10, "east": 0, "north": 52}}) == 0
    )
    for junk in ("a string", [1, 2], {"west": "x"}, None):
        assert field_cost("riskLayer", {"bbox": junk}) >= 0


def test_fields_without_arguments_cost_the_country() -> None:
    """`{ areas }` (no box) is every LSOA; graphql-core parses a field without arguments
    with arguments=None."""
    assert request_cost(parse("{ a: areas b: months }"), None, None) == field_cost("areas", {})
