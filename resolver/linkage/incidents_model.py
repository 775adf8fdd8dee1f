"""The incidents model: is this the same event, recorded by two agencies?

The evidence is when (a council opens a case days after the police record the crime; a
social-care referral up to weeks later), what (crime group), where (one resolved place,
nearby points, the same street name) and who (resolved people party to both records: the
strongest evidence, since two events rarely share their parties on nearby days).
Only records of different systems can be one event: each system records an event once.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import And, CustomRule

from resolver.linkage.levels import level

DAYS = "abs(date_diff('day', incident_date_l, incident_date_r))"
OTHER_SYSTEM = CustomRule("l.source_system <> r.source_system")


def _when() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="when",
        comparison_levels=[
            cll.NullLevel("incident_date"),
            level(f"{DAYS} = 0", "same day"),
            level(f"{DAYS} <= 3", "within 3 days"),
            level(f"{DAYS} <= 7", "within a week"),
            level(f"{DAYS} <= 21", "within 3 weeks"),
            cll.ElseLevel(),
        ],
    )


def _who() -> cl.CustomComparison:
    size = "array_length(array_intersect(parties_l, parties_r))"
    return cl.CustomComparison(
        output_column_name="who",
        comparison_levels=[
            level("array_length(parties_l) = 0 OR array_length(parties_r) = 0").configure(
                is_null_level=True
            ),
            level(f"{size} >= 2", "two or more parties in common"),
            level(f"{size} = 1", "one party in common"),
            cll.ElseLevel(),
        ],
    )


def _where() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="where",
        comparison_levels=[
            level(
                "(place_id_l IS NULL OR place_id_r IS NULL) "
                "AND (street_l IS NULL OR street_r IS NULL)"
            ).configure(is_null_level=True),
            level("place_id_l = place_id_r", "the same place"),
            cll.DistanceInKMLevel("latitude", "longitude", 0.2),
            cll.ExactMatchLevel("street"),
            cll.JaroWinklerLevel("street", 0.9),
            cll.ElseLevel(),
        ],
    )


def incidents_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            _when(),
            cl.ExactMatch("crime_group").configure(term_frequency_adjustments=True),
            _who(),
            _where(),
            cl.ExactMatch("police_reference").configure(
                m_probabilities=[0.3, 0.7], u_probabilities=[1e-5, 1 - 1e-5]
            ),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source_system", "incident_record_id"],
        max_iterations=25,
    )


def blocking_rules() -> list:
    return [
        # Alone: combined with And, Splink 5 drops most of an exploded rule's pairs. Pairs
        # within one system are dropped after scoring instead (see incidents.resolve).
        block_on("parties", arrays_to_explode=["parties"]),
        And(block_on("police_reference"), OTHER_SYSTEM),
        And(block_on("month", "street"), OTHER_SYSTEM),
        And(block_on("incident_date", "crime_group", "place_id"), OTHER_SYSTEM),
    ]


def em_blocks() -> list:
    """Where to learn what matches look like: records naming one police reference are
    nearly all one event, so EM there learns how far apart in days, place and parties the
    same event's records lie (Splink cannot train on an exploded rule; among month and
    crime-group blocks matches are too rare for EM to find them)."""
    return [And(block_on("police_reference"), OTHER_SYSTEM)]
