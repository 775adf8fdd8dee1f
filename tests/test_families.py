"""The family correction: configurations relatives share, measured in the data (pure
DuckDB, no Splink run)."""

from __future__ import annotations

import math
from pathlib import Path

from resolver.linkage import families
from tests.contract_input import prepared

OTHER = "All other comparisons"
MODEL = {  # the m probabilities a trained people model might hold
    "comparisons": [
        {
            "output_column_name": name,
            "comparison_levels": [
                {"label_for_charts": top, "m_probability": m},
                {"label_for_charts": OTHER, "m_probability": 1 - m},
            ],
        }
        for name, top, m in (
            ("forename", "Exact match on forename", 0.9),
            ("surname", "Exact match on surname", 0.92),
            ("date_of_birth", "exact", 0.88),
            ("home", "same address and postcode", 0.8),
        )
    ]
}


def _pair(con, left: tuple, right: tuple, condition: str) -> bool:
    return con.execute(
        f"SELECT {condition} FROM people_prepared l, people_prepared r "
        "WHERE l.source_record_id = ? AND r.source_record_id = ?",
        [left, right],
    ).fetchall()[0][0]


def test_outright_forenames_are_different_names_not_variants(tmp_path: Path) -> None:
    rows = [
        ("a", "1", "Oliver", "Shaw", "16/08/2014", "M", "59 Valley Road", "SR2 9DB"),
        ("a", "2", "Omar", "Shaw", "16/08/2014", "M", "59 Valley Road", "SR2 9DB"),
        ("a", "3", "Bob", "Shaw", "", "M", "", ""),
        ("a", "4", "Robert", "Shaw", "", "M", "", ""),
        ("a", "5", "Jon", "Shaw", "", "M", "", ""),
        ("a", "6", "John", "Shaw", "", "M", "", ""),
        ("a", "7", "Anne Mary", "Shaw", "", "F", "", ""),
        ("a", "8", "Mary", "Shaw", "", "F", "", ""),
        ("a", "9", "Shaw", "Oliver", "", "M", "", ""),
    ]
    con = prepared(tmp_path, rows)
    outright = families.outright_forenames()
    assert _pair(con, "1", "2", outright)
    assert not _pair(con, "3", "4", outright)  # a familiar form
    assert not _pair(con, "5", "6", outright)  # a slip
    assert not _pair(con, "7", "8", outright)  # a middle name
    assert not _pair(con, "1", "9", outright)  # forename and surname swapped
    assert _pair(con, "1", "2", families.same_home())


def _homes(n: int, *, twins: bool) -> list[tuple]:
    """n homes, each with a person recorded twice and, if ``twins``, a twin recorded once."""
    rows = []
    names = ("Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Noah", "Freya")
    others = ("Kacper", "Zainab", "Teddy", "Willow", "Rhys", "Seren", "Arjun", "Maryam")
    for i in range(n):
        surname = "Fam" + chr(97 + i // 26 % 26) + chr(97 + i % 26)  # names hold no digits
        dob = f"{1 + i % 28:02d}/0{1 + i % 9}/20{10 + i % 9}"
        home, postcode = f"{i} Heol Las", f"CF{5 + i % 9} {i % 7}AB"
        name = names[i % len(names)]
        rows += [("police", f"P{i}", name, surname, dob, "", home, postcode),
                 ("council", f"C{i}", name, surname, dob, "", home, postcode)]  # fmt: skip
        if twins:
            twin = others[i % len(others)]
            rows.append(("social_care", f"S{i}", twin, surname, dob, "", home, postcode))
    return rows


def test_twins_in_the_data_lower_their_configuration_to_a_non_match(tmp_path: Path) -> None:
    records = 300 * 3
    con = prepared(tmp_path, _homes(300, twins=True))
    prior = 300 / (records * (records - 1) / 2)  # one matching pair per home
    corrections = families.measure(con, MODEL, prior, records, trusted={"forename"})
    twins = next(c for c in corrections if c.signature.name == "twins at one home")
    assert twins.pairs_in_data == 600  # each twin against both of the sibling's records
    assert twins.matches_expected < 5
    posterior_odds = twins.bits + math.log2(prior / (1 - prior))
    assert posterior_odds < -5  # alone, the configuration now says: two people
    # without the forename trusted, no forename signature is measured
    assert all(
        c.signature.trusts != "forename"
        for c in families.measure(con, MODEL, prior, records, trusted={"date_of_birth"})
    )


def test_no_twins_in_the_data_no_correction(tmp_path: Path) -> None:
    records = 300 * 2
    con = prepared(tmp_path, _homes(300, twins=False))
    prior = 300 / (records * (records - 1) / 2)
    corrections = families.measure(con, MODEL, prior, records, trusted={"forename"})
    assert not corrections  # nothing beyond one person's slips: Splink's weights stand


def test_rescoring_lowers_only_the_pairs_in_a_signature(tmp_path: Path) -> None:
    con = prepared(tmp_path, _homes(300, twins=True))
    ids = dict(con.execute("SELECT source_record_id, unique_id FROM people_prepared").fetchall())
    con.execute(
        "CREATE TABLE scored AS SELECT * FROM (VALUES "
        "(?, ?, 30.0, 1.0, 8.0, 0.0, 8.0, 0.0, 10.0, 4.0), "
        "(?, ?, 25.0, 1.0, -4.0, 0.0, 8.0, 0.0, 10.0, 11.0)"
        ") t(unique_id_l, unique_id_r, match_weight, match_probability, mw_forename, "
        "mw_tf_adj_forename, "
        "mw_surname, mw_tf_adj_surname, mw_date_of_birth, mw_home)",
        [ids["P0"], ids["C0"], ids["P0"], ids["S0"]],
    )
    correction = families.Correction(families.SIGNATURES[0], 600, 1.0, -3.0)
    columns = con.sql("SELECT * FROM scored LIMIT 0").columns
    families.prepare_records(con, "people_prepared")
    sql = families.rescored_sql("scored", columns, [correction])
    weights = dict(
        ((left, right), weight)
        for left, right, weight in con.execute(
            f"SELECT unique_id_l, unique_id_r, match_weight FROM ({sql})"
        ).fetchall()
    )
    assert weights[(ids["P0"], ids["C0"])] == 30.0  # one person's two records: untouched
    # the twin pair: 25 - (-4 + 8 + 10 + 11) + (-3) = -3
    assert weights[(ids["P0"], ids["S0"])] == -3.0
