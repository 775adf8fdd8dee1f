"""Families: re-score the pairs where relatives look like one person, from counts in the data.

Splink multiplies the evidence of each field as if fields were independent. Within a family
they are not: twins share a surname, a date of birth and a home; a son named after his
father shares forename, surname and home. Scored independently, the shared fields count
many times over and a twin or a father outweighs the one field that differs, so families
merge (the worst error this system can make: a child's name on an adult's record).

For the configurations that families produce, this module replaces the independent
evidence of the fields involved by the configuration's own likelihood ratio, measured:

- ``twins``: the same surname and full date of birth, forenames that differ outright (not
  equal, not a familiar form, an initial or a middle name of the other, and less alike
  than the model's loosest similarity level), at one home or apart;
- ``siblings``: the same surname at one home, forenames that differ outright, dates of birth
  not the same (or not known);
- ``namesakes``: the same surname at one home, forenames alike, full dates of birth years
  apart (no slip explains them) that other records of the name confirm: a parent and child
  of one name, or a grandparent.

For a configuration ``c``, how often one person's records show it, P(c | match), is the
product of the trained model's rates for the fields, with two rates Splink's training
cannot learn (inside a family a twin and an unrelated forename slip look the same to
expectation maximisation, so it learns the families as matches): how often one person's
records carry an outright different forename or a date of birth years out
(``OUTRIGHT_FORENAME_RATE``, ``YEARS_APART_RATE``). How often different people show it,
P(c | non-match), is counted: every record pair in the input with the configuration, less
the matches the model expects among them (less two standard deviations of counting noise).
Where the data holds no more such pairs than one person's slips explain, there is no
correction; it only ever lowers a pair's weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

# How often two records of one person show each slip (prior rates, not learned: see above),
# set from labels: in the historical figures (Splink's set) 489 of 39,891 same-person pairs
# at one address with forename and surname agreeing are years apart; in simulate.kinship
# seed 1 (the set these were decided on; the others are reported, not tuned on) 78 of
# 11,365 same-person pairs have forenames that differ outright and 1.2% dates years apart.
OUTRIGHT_FORENAME_RATE = 0.01  # a different name altogether (a preferred name, a clerk's slip)
YEARS_APART_RATE = 0.01  # a full date of birth years out with no digit slip to explain it
# How often such a slipped date is also held by another record of the same name (a relative's
# date copied onto the record): simulate.kinship has 2 of 63 confirmed same-name pairs at
# one home years apart, FEBRL none.
SLIPPED_DATE_CONFIRMED = 0.05
SIMILAR = 0.85  # the people model's loosest forename similarity level
MIN_YEARS_APART = 3
HOME_LEVELS = (  # the home comparison's levels in which the two records share an address
    "same address and postcode",
    "same postcode, similar or unknown address",
    "same address, postcode differs or unknown",
    "same postcode, different address",
)
MAX_RECORDS_AT_HOME = 50  # hostels and "no fixed abode" are not family homes
# Forenames are trusted (to tell relatives apart) while fewer than this share of the pairs
# agreeing on surname, full date of birth and postcode carry different names: twins are a
# few percent of such pairs; FEBRL's corrupted duplicates 10-15%, the historical figures 9%.
UNRELIABLE_FORENAME_SHARE = 0.05
MIN_PAIRS = 30


def outright_forenames(left: str = "l", right: str = "r") -> str:
    """SQL: forenames that are different names, not variants of one (both known)."""
    return (
        f"{left}.forename IS NOT NULL AND {right}.forename IS NOT NULL "
        f"AND length({left}.forename) > 1 AND length({right}.forename) > 1 "
        f"AND {left}.forename <> {right}.forename "
        f"AND jaro_winkler_similarity({left}.forename, {right}.forename) < {SIMILAR} "
        f"AND NOT {_near_alias(left, right)} AND NOT {_near_alias(right, left)} "
        f"AND NOT list_contains({_middle(left)}, {right}.forename) "
        f"AND NOT list_contains({_middle(right)}, {left}.forename) "
        f"AND jaro_winkler_similarity({left}.forename, coalesce({right}.surname, '')) < {SIMILAR} "
        f"AND jaro_winkler_similarity({right}.forename, coalesce({left}.surname, '')) < {SIMILAR}"
    )


def _near_alias(side: str, other: str) -> str:
    """SQL: ``other``'s forename is one of ``side``'s familiar forms, or a slip in one."""
    return (
        f"coalesce(list_bool_or(list_transform({side}.forename_aliases, "
        f"lambda x: jaro_winkler_similarity(x, {other}.forename) >= {SIMILAR})), false)"
    )


def _middle(side: str) -> str:
    return f"string_split(coalesce({side}.middle_names, ''), ' ')"


def alike_forenames(left: str = "l", right: str = "r") -> str:
    """SQL: forenames equal or variants of one name (a familiar form, a slip)."""
    return (
        f"{left}.forename IS NOT NULL AND {right}.forename IS NOT NULL "
        f"AND ({left}.forename = {right}.forename "
        f"OR jaro_winkler_similarity({left}.forename, {right}.forename) >= {SIMILAR} "
        f"OR list_contains({left}.forename_aliases, {right}.forename) "
        f"OR list_contains({right}.forename_aliases, {left}.forename))"
    )


def years_apart(left: str = "l", right: str = "r") -> str:
    """SQL: two full dates of birth years apart that no slip explains, each held by another
    record of the same name too (a date two records agree on is someone's date, not a
    slip: FEBRL's corrupted dates are each on one record, a father's and his son's recur)."""
    return (
        f"{left}.dob_text IS NOT NULL AND {right}.dob_text IS NOT NULL "
        f"AND abs({left}.dob_year - {right}.dob_year) >= {MIN_YEARS_APART} "
        f"AND damerau_levenshtein({left}.dob_text, {right}.dob_text) > 1 "
        f"AND {left}.dob_confirmed AND {right}.dob_confirmed"
    )


def same_home(left: str = "l", right: str = "r") -> str:
    return f"({left}.address = {right}.address OR {left}.postcode = {right}.postcode)"


@dataclass(frozen=True)
class Signature:
    """One family configuration: its SQL over a pair (l, r), the comparisons it covers and
    the field it trusts to tell relatives apart (``forename`` or ``date_of_birth``)."""

    name: str
    condition: str
    covers: tuple[str, ...]
    trusts: str


SIGNATURES = (
    Signature(
        "twins at one home",
        f"l.surname = r.surname AND l.dob_text = r.dob_text AND {outright_forenames()} "
        f"AND {same_home()}",
        ("forename", "surname", "date_of_birth", "home"),
        "forename",
    ),
    Signature(
        "twins apart",
        f"l.surname = r.surname AND l.dob_text = r.dob_text AND {outright_forenames()} "
        f"AND NOT coalesce({same_home()}, false)",
        ("forename", "surname", "date_of_birth"),
        "forename",
    ),
    Signature(
        "siblings at one home",
        f"l.surname = r.surname AND l.dob_text IS DISTINCT FROM r.dob_text "
        f"AND {outright_forenames()} AND {same_home()}",
        ("forename", "surname", "home"),
        "forename",
    ),
    Signature(
        "namesakes at one home",
        f"l.surname = r.surname AND {alike_forenames()} AND {years_apart()} AND {same_home()}",
        ("forename", "surname", "date_of_birth", "home"),
        "date_of_birth",
    ),
)


@dataclass(frozen=True)
class Correction:
    """A signature's measured evidence: log2 of P(c | match) / P(c | non-match)."""

    signature: Signature
    pairs_in_data: int
    matches_expected: float
    bits: float

    def stored(self) -> dict:
        """As kept with the trained model (live linking applies it to new records)."""
        return {
            "signature": self.signature.name,
            "pairs_in_data": self.pairs_in_data,
            "matches_expected": round(self.matches_expected, 2),
            "bits": self.bits,
        }

    @classmethod
    def from_stored(cls, entry: dict) -> Correction:
        signature = next(s for s in SIGNATURES if s.name == entry["signature"])
        return cls(signature, entry["pairs_in_data"], entry["matches_expected"], entry["bits"])


def _m(model: dict, comparison: str) -> dict[str, float]:
    for c in model["comparisons"]:
        if c["output_column_name"] == comparison:
            return {
                level.get("label_for_charts", ""): level.get("m_probability") or 0.0
                for level in c["comparison_levels"]
                if not level.get("is_null_level")
            }
    return {}


def _match_rate(signature: Signature, model: dict, confirmed: float) -> float | None:
    """P(signature | match) from the trained model and the slip rates (``confirmed``: the
    share of dates another record confirms); None when the model lacks a comparison the
    signature needs."""
    forename, surname = _m(model, "forename"), _m(model, "surname")
    dob, home = _m(model, "date_of_birth"), _m(model, "home")
    if not (forename and surname and dob) or ("home" in signature.covers and not home):
        return None
    surname_same = 1.0 - sum(
        v
        for label, v in surname.items()
        if label != "same surname at the same address" and not label.startswith("Exact match")
    )  # the model's rates of every way a surname can differ, taken from one
    at_home = sum(home.get(level, 0.0) for level in HOME_LEVELS) if home else 0.0
    if signature.name.startswith("twins"):
        rate = surname_same * dob.get("exact", 0.0) * OUTRIGHT_FORENAME_RATE
        return rate * (at_home if signature.name.endswith("home") else 1.0 - at_home)
    if signature.name.startswith("siblings"):
        return surname_same * OUTRIGHT_FORENAME_RATE * at_home * (1.0 - dob.get("exact", 0.0))
    both_confirmed = confirmed * SLIPPED_DATE_CONFIRMED
    return (
        surname_same * (1.0 - OUTRIGHT_FORENAME_RATE) * YEARS_APART_RATE * at_home * both_confirmed
    )


FAMILY_WEIGHT = "mw_family"  # the pair's family correction, in bits (0 or less)
MODEL_KEY = "crimegraph_families"  # the stored model's entry: trusted fields, corrections
RECORDS = "family_records"  # the compared columns of people_prepared, with dob_confirmed


def prepare_records(con: duckdb.DuckDBPyConnection, table: str, among: str | None = None) -> float:
    """``RECORDS``: each record's compared columns, and whether another record of the same
    forename and surname holds its date of birth; returns the share of dated records with a
    namesake in the data whose date is so confirmed (how often a true date recurs; a slipped
    one recurs only when copied from a relative: SLIPPED_DATE_CONFIRMED). With ``among``
    (SQL giving unique_ids), only those records are kept, confirmed against all of
    ``table`` (live linking: the pairs of one batch against the resolved people)."""
    columns = (
        "unique_id, forename, forename_aliases, middle_names, surname, dob_text, dob_year, "
        "address, postcode"
    )
    if among is not None:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {RECORDS} AS
            WITH kept AS (SELECT {columns} FROM {table} WHERE unique_id IN ({among})),
            held AS (
                SELECT forename, surname, dob_text, count(*) AS n FROM {table}
                WHERE (forename, surname, dob_text) IN
                      (SELECT (forename, surname, dob_text) FROM kept)
                GROUP BY ALL
            )
            SELECT kept.*, coalesce(held.n, 0) > 1 AS dob_confirmed, 0 AS namesakes
            FROM kept LEFT JOIN held USING (forename, surname, dob_text)
            """
        )
        return 0.0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {RECORDS} AS SELECT {columns}, "
        "dob_text IS NOT NULL AND count(*) OVER (PARTITION BY forename, surname, dob_text) > 1 "
        "AS dob_confirmed, count(dob_text) OVER (PARTITION BY forename, surname) AS namesakes "
        f"FROM {table}"
    )
    ((share,),) = con.execute(
        f"SELECT avg(dob_confirmed::DOUBLE) FROM {RECORDS} "
        "WHERE dob_text IS NOT NULL AND namesakes > 1"
    ).fetchall()
    return float(share or 0.0)


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what ``measure`` left for ``rescored_sql`` once the pairs are consumed."""
    con.execute(f"DROP TABLE IF EXISTS {RECORDS}")


def _counted(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Record pairs of ``table`` in each signature: pairs sharing a surname and either a date
    of birth or a home (addresses held by few records), classified."""
    keyed = (
        f"SELECT unique_id, forename, forename_aliases, middle_names, surname, dob_text, "
        f"dob_year, address, postcode, dob_confirmed FROM {table} WHERE surname IS NOT NULL"
    )
    cases = ", ".join(f'count(*) FILTER (WHERE {s.condition}) AS "{s.name}"' for s in SIGNATURES)
    homes = (
        f"SELECT {{0}} FROM {table} WHERE {{0}} IS NOT NULL GROUP BY {{0}} "
        f"HAVING count(*) <= {MAX_RECORDS_AT_HOME}"
    )
    row = con.execute(
        f"""
        WITH people AS ({keyed}),
        small_addresses AS ({homes.format("address")}),
        small_postcodes AS ({homes.format("postcode")}),
        pairs AS (
            SELECT l.unique_id AS a, r.unique_id AS b FROM people l JOIN people r
              ON l.surname = r.surname AND l.dob_text = r.dob_text AND l.unique_id < r.unique_id
            UNION
            SELECT l.unique_id, r.unique_id FROM people l JOIN small_addresses USING (address)
              JOIN people r ON l.surname = r.surname AND l.address = r.address
              AND l.unique_id < r.unique_id
            UNION
            SELECT l.unique_id, r.unique_id FROM people l JOIN small_postcodes USING (postcode)
              JOIN people r ON l.surname = r.surname AND l.postcode = r.postcode
              AND l.unique_id < r.unique_id
        )
        SELECT {cases} FROM pairs
        JOIN people l ON l.unique_id = pairs.a JOIN people r ON r.unique_id = pairs.b
        """
    ).fetchall()[0]
    return {s.name: int(n or 0) for s, n in zip(SIGNATURES, row, strict=True)}


def forenames_reliable(con: duckdb.DuckDBPyConnection, table: str = "people_prepared") -> bool:
    """Whether forenames may tell relatives apart, measured on ``table`` (too few pairs to
    tell: yes)."""
    ((pairs, outright),) = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {outright_forenames()}) FROM {table} l "
        f"JOIN {table} r ON l.surname = r.surname AND l.dob_text = r.dob_text "
        "AND l.postcode = r.postcode AND l.unique_id < r.unique_id "
        "WHERE l.forename IS NOT NULL AND r.forename IS NOT NULL"
    ).fetchall()
    return pairs < MIN_PAIRS or outright < UNRELIABLE_FORENAME_SHARE * pairs


def measure(
    con: duckdb.DuckDBPyConnection, model: dict, prior: float, records: int, *,
    trusted: set[str], table: str = "people_prepared",
) -> list[Correction]:  # fmt: skip
    """The corrections the data in ``table`` supports under the trained ``model`` (its
    m probabilities) and the ``prior`` (the chance two random records are one person), for
    the signatures whose telling field is ``trusted`` (``forename``, ``date_of_birth``).
    Leaves ``RECORDS`` for ``rescored_sql``; ``drop`` it when done."""
    all_pairs = max(1, records * (records - 1) // 2)
    matches = prior * all_pairs
    non_matches = all_pairs - matches
    confirmed = prepare_records(con, table)
    counted = _counted(con, RECORDS)
    corrections = []
    for signature in SIGNATURES:
        rate = _match_rate(signature, model, confirmed)
        if rate is None or signature.trusts not in trusted:
            continue
        expected = matches * rate
        # Different people in the configuration: the pairs beyond what one person's slips
        # explain, less two standard deviations of counting noise; none, no correction.
        observed = counted[signature.name]
        different_people = observed - expected - 2.0 * math.sqrt(observed)
        if rate <= 0 or different_people <= 0:
            continue
        bits = math.log2(rate / (different_people / non_matches))
        corrections.append(Correction(signature, observed, expected, bits))
    return corrections


def rescored_sql(scored: str, columns: list[str], corrections: list[Correction]) -> str:
    """``scored`` (Splink's pairs with each comparison's ``mw_`` columns, named in
    ``columns``) with the weight of every pair in a signature lowered to the signature's
    measured evidence (never raised), and by how much in ``FAMILY_WEIGHT`` (0 or less), so
    the evidence a steward sees adds up."""
    if not corrections:
        return f"SELECT *, 0.0 AS {FAMILY_WEIGHT} FROM {scored}"
    cases = []
    for c in corrections:
        weights = [
            f"coalesce(s.{column}, 0)"
            for name in c.signature.covers
            for column in (f"mw_{name}", f"mw_tf_adj_{name}")
            if column in columns
        ]
        covered = " + ".join(weights) or "0"
        cases.append(f"WHEN {c.signature.condition} THEN s.match_weight - ({covered}) + {c.bits!r}")
    adjusted = f"least(s.match_weight, CASE {' '.join(cases)} ELSE s.match_weight END)"
    return (
        f"SELECT s.* REPLACE ({adjusted} AS match_weight, "
        f"1 / (1 + pow(2, -{adjusted})) AS match_probability), "
        f"{adjusted} - s.match_weight AS {FAMILY_WEIGHT} "
        f"FROM {scored} s JOIN {RECORDS} l ON l.unique_id = s.unique_id_l "
        f"JOIN {RECORDS} r ON r.unique_id = s.unique_id_r"
    )
