"""The shared-address surname rates the people model scores households with."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver.linkage.households import MIN_PAIRS, shared_address_surname_rates
from tests.contract_input import prepared
from tests.names import FORENAMES, SURNAMES


def _homes(n: int, *, other_surname_every: int) -> list[tuple]:
    """n homes, each with a parent recorded twice (same name and date of birth, once with a
    surname slip every fifth home) and a child with an unlike forename and date of birth;
    the child has another surname in every ``other_surname_every``-th home."""
    rows = []
    for i in range(n):
        surname = SURNAMES[i % len(SURNAMES)]
        parent, child = FORENAMES[i % len(FORENAMES)], "Zoe"  # unlike every parent's name
        address, postcode = f"{i} Heol Las, Cardiff", f"CF{5 + i % 9} {i % 7}AB"
        slip = surname + "x" if i % 5 == 0 else surname
        other = surname if i % other_surname_every else SURNAMES[(i + 3) % len(SURNAMES)]
        rows += [
            ("police_a", f"A{i}", parent, surname, "02/02/1970", "M", address, postcode),
            ("police_b", f"B{i}", parent, slip, "1970-02-02", "Male", address, postcode),
            ("council", f"C{i}", child, other, "15 Jun 2005", "", address, ""),
        ]
    return rows


def test_rates_are_measured_given_the_shared_address(tmp_path: Path) -> None:
    con = prepared(tmp_path, _homes(100, other_surname_every=4))
    rates = shared_address_surname_rates(con)
    assert rates is not None
    assert rates.same_person_pairs == 100
    assert rates.m == pytest.approx(0.8)  # one parent in five has a surname slip
    # Parent-child pairs: 2 per home, the child's surname the parent's in 3 homes of 4
    # (against the slipped record too, except in the slipped homes).
    assert rates.different_people_pairs == 200
    # 75 homes share the surname: both pairs agree, or one in the 15 slipped homes.
    assert rates.u == pytest.approx((75 * 2 - 15) / 200)


def test_no_rates_without_enough_pairs_at_shared_addresses(tmp_path: Path) -> None:
    con = prepared(tmp_path, _homes(MIN_PAIRS - 1, other_surname_every=4))
    assert shared_address_surname_rates(con) is None


def test_addresses_that_are_not_family_homes_change_nothing(tmp_path: Path) -> None:
    """A birthplace or a workplace: different people there seldom share a surname."""
    con = prepared(tmp_path, _homes(100, other_surname_every=1))  # no child shares it
    assert shared_address_surname_rates(con) is None


def test_unlike_forenames_without_conflicting_dates_are_no_household(tmp_path: Path) -> None:
    """Unlike forenames at one address with no dates of birth to tell them apart may be one
    person's records with the forename mangled (as in FEBRL's duplicates)."""
    rows = _homes(100, other_surname_every=4)
    undated = [(*r[:4], "", *r[5:]) if r[1].startswith("C") else r for r in rows]
    assert shared_address_surname_rates(prepared(tmp_path, undated)) is None


def test_crowded_addresses_are_not_households(tmp_path: Path) -> None:
    rows = _homes(60, other_surname_every=4)
    hostel = [
        ("council", f"H{i}", FORENAMES[i % len(FORENAMES)], SURNAMES[i % len(SURNAMES)], "", "",
         "No Fixed Abode", "")
        for i in range(200)
    ]  # fmt: skip
    with_hostel = shared_address_surname_rates(prepared(tmp_path, rows + hostel))
    without = shared_address_surname_rates(prepared(tmp_path, rows))
    assert with_hostel == without


def test_a_population_with_households_is_not_merged_into_them(tmp_path: Path) -> None:
    """Simulated Welsh records of whole households (1-3 records a person): sharing a home
    and a surname does not make a parent and child one person. Scored as independent
    evidence, precision here is about 0.95; given the shared address, about 0.99."""
    from benchmarks.resolution_data import write_scale
    from benchmarks.resolution_scores import score_output
    from resolver.linkage.people import resolve_people_file

    prepared = write_scale(tmp_path, records=6000)
    output = tmp_path / "out.csv"
    resolve_people_file(prepared.input_path, output)
    scores = score_output(output, prepared.truth_path, prepared.input_path)
    assert scores["precision"] >= 0.975, scores
    assert scores["recall"] >= 0.96, scores
