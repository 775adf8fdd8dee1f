"""The places model: Splink comparisons for addresses, postcodes and points.

An address is mostly its numbers (flat, house) and its street: two homes on one street
differ only in the number, so numbers are their own comparison and a record with numbers
against one without (a home against a police "on or near" snap point) is a level EM
weighs, not a null. Postcodes are compared by their structure (unit, sector, district,
area); a UPRN, where a council holds one, is near proof.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from resolver.linkage.levels import level

DIFFERENT_NUMBER_M = 0.002  # a house number mistyped or changed: rare among true matches


def _numbers() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="numbers",
        comparison_levels=[
            level(
                "array_length(numbers_l) = 0 AND array_length(numbers_r) = 0",
                "neither has a number",
            ).configure(is_null_level=True),
            level("numbers_l = numbers_r", "same flat and house numbers"),
            level(
                "array_length(numbers_l) > 0 AND array_length(numbers_r) > 0 "
                "AND numbers_l[array_length(numbers_l)] = numbers_r[array_length(numbers_r)]",
                "same house number, flat differs or missing",
            ),
            level(
                "array_length(numbers_l) = 0 OR array_length(numbers_r) = 0",
                "only one has a number",
            ),
            # Fixed, not learned: in a block of one postcode nearly every pair is two houses,
            # and EM would read the many different-number pairs there as a weak signal.
            cll.ElseLevel().configure(m_probability=DIFFERENT_NUMBER_M, fix_m_probability=True),
        ],
    )


def _street() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="street",
        comparison_levels=[
            cll.NullLevel("street"),
            cll.ExactMatchLevel("street", term_frequency_adjustments=True),
            level(
                "street_l LIKE street_r || ' %' OR street_r LIKE street_l || ' %'",
                "one is the other with the town added",
            ),
            cll.JaroWinklerLevel("street", 0.92),
            cll.JaroWinklerLevel("street", 0.8),
            cll.ElseLevel(),
        ],
    )


def _point() -> cl.CustomComparison:
    distance = cll.DistanceInKMLevel
    return cl.CustomComparison(
        output_column_name="point",
        comparison_levels=[
            level("latitude_l IS NULL OR latitude_r IS NULL").configure(is_null_level=True),
            level("latitude_l = latitude_r AND longitude_l = longitude_r", "the same point"),
            distance("latitude", "longitude", 0.05),
            distance("latitude", "longitude", 0.5),
            cll.ElseLevel(),
        ],
    )


def places_settings(blocking_rules: list) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("uprn"),
            cl.PostcodeComparison("postcode"),
            _numbers(),
            _street(),
            _point(),
        ],
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["record_kind", "source_system", "record_id"],
        max_iterations=25,
    )


def blocking_rules() -> list:
    return [
        block_on("postcode"),
        block_on("uprn"),
        block_on("street", "list_last(numbers)"),
        block_on("latitude", "longitude"),
        block_on("street", "postcode_district"),
    ]


def em_blocks() -> list:
    """Each block frees the comparisons it does not fix to learn; the last (points on one
    street) is where incident locations show how near the same place lies."""
    return [
        block_on("postcode"),
        block_on("street", "list_last(numbers)"),
        block_on("street", "record_kind"),
    ]


M_FLOOR = 1e-4


def floor_m_probabilities(model: dict) -> dict:
    """A level EM never saw among matches gets a small m, not zero.

    Zero would make that level an absolute veto (a typo in a street name could never be
    the same place) on data unlike the data it was trained on.
    """
    for comparison in model["comparisons"]:
        for found in comparison["comparison_levels"]:
            m = found.get("m_probability")
            if m is not None and m < M_FLOOR:
                found["m_probability"] = M_FLOOR
    return model
