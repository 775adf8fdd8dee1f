"""The people model: Splink comparisons and blocking that know UK records.

Beyond a textbook model it scores what real records do: familiar forms of forenames
(Bob/Robert), a forename recorded as the middle name, double-barrelled and changed
surnames (any shared part), day/month swaps and one-digit slips in dates of birth,
partial dates of birth (a year or month and year agreeing with a full date), postcode
structure (unit, sector, district, area) with term frequencies, a postcode one slip apart
(a wrong or transposed character), names in each other's fields even with a slip, and
households (a shared surname at a shared address, scored given the address).
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from resolver.linkage.households import SharedAddressRates
from resolver.linkage.levels import jaro_winkler, level

MIN_FILL = 0.02  # a column this empty carries no evidence worth a comparison
# Dates of birth this many years apart are not one slip of one person's date, however few
# digits differ (1987 and 1956 are two digits apart and a generation apart).
SLIP_YEARS = 10


def _swapped(jw: str) -> str:
    """Forename and surname in each other's places; one of them may carry a slip too."""
    one, other = (
        f"{jw}(forename_l, surname_r)",
        f"{jw}(surname_l, forename_r)",
    )
    return f"greatest({one}, {other}) >= 0.95 AND least({one}, {other}) >= 0.8"


def _rare(level, *, m: float, u: float):
    """A level some datasets never show: start it from priors, which training refines."""
    return level.configure(m_probability=m, u_probability=u)


def _forename(jw: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=True),
            _rare(
                level(
                    "list_contains(forename_aliases_l, forename_r)",
                    "familiar form (Bob/Robert)",
                ),
                m=0.04,
                u=0.002,
            ),
            _rare(
                level(
                    "middle_names_l = forename_r OR middle_names_r = forename_l",
                    "forename recorded as middle name",
                ),
                m=0.02,
                u=0.0005,
            ),
            _rare(level(_swapped(jw), "forename and surname swapped"), m=0.01, u=0.00001),
            cll.JaroWinklerLevel("forename", 0.92),
            cll.JaroWinklerLevel("forename", 0.85),
            cll.ElseLevel(),
        ],
    )


def _surname(jw: str, shared_address: SharedAddressRates | None) -> cl.CustomComparison:
    """With ``shared_address``, an exact surname at the same address is scored by its rates
    given that address (households share surnames; see resolver.linkage.households), fixed
    through training, and without term frequencies: a rare name is no rarer in its home."""
    household = []
    if shared_address is not None:
        household.append(
            level(
                "surname_l = surname_r AND address_l = address_r",
                "same surname at the same address",
            ).configure(
                m_probability=shared_address.m,
                u_probability=shared_address.u,
                fix_m_probability=True,
                fix_u_probability=True,
            )
        )
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            *household,
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            _rare(
                level(
                    "array_length(array_intersect(surname_parts_l, surname_parts_r)) > 0",
                    "a shared part (double-barrelled or changed)",
                ),
                m=0.03,
                u=0.0005,
            ),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.JaroWinklerLevel("surname", 0.85),
            _rare(
                level(_swapped(jw), "forename and surname swapped"),
                m=0.01,
                u=0.00001,
            ),
            cll.ElseLevel(),
        ],
    )


def _date_of_birth() -> cl.CustomComparison:
    """Dates weighed by how far apart they are: a slip (a digit, a swap, a year) is a typo;
    full dates years apart are different people, a level of their own so that training
    gives it its own (strongly negative) weight rather than sharing one with partial and
    near dates."""
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            level("dob_year_l IS NULL OR dob_year_r IS NULL").configure(is_null_level=True),
            level("dob_text_l = dob_text_r", "exact"),
            _rare(
                level(
                    "dob_year_l = dob_year_r AND month(date_of_birth_l) = day(date_of_birth_r) "
                    "AND day(date_of_birth_l) = month(date_of_birth_r)",
                    "day and month swapped",
                ),
                m=0.02,
                u=0.00003,
            ),
            level("damerau_levenshtein(dob_text_l, dob_text_r) <= 1", "one digit apart"),
            _rare(
                level(
                    "(dob_text_l IS NULL OR dob_text_r IS NULL) AND dob_year_l = dob_year_r "
                    "AND (dob_month_l = dob_month_r OR dob_month_l IS NULL OR dob_month_r IS NULL)",
                    "partial date agrees",
                ),
                m=0.05,
                u=0.003,
            ),
            level(
                "damerau_levenshtein(dob_text_l, dob_text_r) <= 2 "
                f"AND abs(dob_year_l - dob_year_r) < {SLIP_YEARS}",
                "two digits apart",
            ),
            level("abs(dob_year_l - dob_year_r) <= 1", "within a year"),
            level(f"abs(dob_year_l - dob_year_r) < {SLIP_YEARS}", "a few years apart"),
            level(
                "dob_text_l IS NOT NULL AND dob_text_r IS NOT NULL",
                "full dates years apart (another generation, a sibling)",
            ),
            cll.ElseLevel(),
        ],
    )


def _home(jw: str) -> cl.CustomComparison:
    """Address and postcode as one comparison: they say the same thing twice.

    Scored separately, an identical address and postcode would count twice and outweigh
    a different forename and date of birth, merging people who share a home (parents and
    children, siblings, twins).
    """
    both_missing = "(address_{0} IS NULL AND postcode_{0} IS NULL)"
    sector = "regexp_replace(postcode_{0}, '[A-Z]{{2}}$', '')"
    return cl.CustomComparison(
        output_column_name="home",
        comparison_levels=[
            level(f"{both_missing.format('l')} OR {both_missing.format('r')}").configure(
                is_null_level=True
            ),
            _rare(
                level(
                    "address_l = address_r AND postcode_l = postcode_r", "same address and postcode"
                ),
                m=0.6,
                u=1e-05,
            ),
            _rare(
                level(
                    "postcode_l = postcode_r AND (address_l IS NULL OR address_r IS NULL "
                    f"OR {jw}(address_l, address_r) >= 0.85)",
                    "same postcode, similar or unknown address",
                ),
                m=0.15,
                u=0.0001,
            ),
            _rare(
                level("address_l = address_r", "same address, postcode differs or unknown"),
                m=0.05,
                u=1e-05,
            ),
            _rare(
                level("postcode_l = postcode_r", "same postcode, different address"),
                m=0.03,
                u=0.0005,
            ),
            _rare(
                level(
                    "damerau_levenshtein(postcode_l, postcode_r) <= 1 "
                    f"AND {jw}(address_l, address_r) >= 0.8",
                    "similar address, postcode one slip apart",
                ),
                m=0.02,
                u=1e-05,
            ),
            _rare(
                level(f"{jw}(address_l, address_r) >= 0.9", "similar address"),
                m=0.02,
                u=0.0001,
            ),
            _rare(
                level(
                    "damerau_levenshtein(postcode_l, postcode_r) <= 1", "postcode one slip apart"
                ),
                m=0.02,
                u=0.001,
            ),
            _rare(
                level(f"{sector.format('l')} = {sector.format('r')}", "same postcode sector"),
                m=0.03,
                u=0.003,
            ),
            _rare(
                level("postcode_district_l = postcode_district_r", "same postcode district"),
                m=0.03,
                u=0.02,
            ),
            cll.ElseLevel(),
        ],
    )


def people_settings(
    fill: dict[str, float],
    blocking_rules: list,
    backend: str = "duckdb",
    shared_address: SharedAddressRates | None = None,
) -> SettingsCreator:
    """The model for whichever contract columns the input actually fills, in the SQL of
    the backend that will run it (``duckdb`` or ``spark``); ``shared_address``: the
    household rates measured on the input (used when it has surnames and addresses)."""
    jw = jaro_winkler(backend)
    have = {column for column, share in fill.items() if share >= MIN_FILL}
    comparisons = []
    if "forename" in have:
        comparisons.append(_forename(jw))
    if "surname" in have:
        comparisons.append(_surname(jw, shared_address if "address" in have else None))
    if "dob_year" in have:
        comparisons.append(_date_of_birth())
    if "postcode" in have or "address" in have:
        comparisons.append(_home(jw))
    if "sex" in have:
        comparisons.append(cl.ExactMatch("sex"))
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source_system", "source_record_id"],
        max_iterations=20,
    )


def em_blocks(have: set[str]) -> list:
    """Blocks for expectation maximisation: each leaves other comparisons free to learn."""
    blocks = []
    if "dob_year" in have:
        blocks.append(block_on("date_of_birth"))
    if {"forename", "surname"} <= have:
        blocks.append(block_on("forename", "surname"))
    if "postcode" in have and len(blocks) < 2:
        blocks.append(block_on("postcode"))
    return blocks


def deterministic_columns(have: set[str]) -> tuple[str, ...]:
    """Identifiers whose exact agreement all but proves a match."""
    if {"forename", "surname", "dob_year"} <= have:
        return ("forename", "surname", "date_of_birth")
    return tuple(c for c in ("forename", "surname", "postcode") if c in have) or ("surname",)
