"""How much a shared surname says once two records share an address, measured on the data.

Splink scores comparisons as if independent. People at one address mostly share a surname
(parents, children, siblings, spouses), so among different people at the same address an
exact surname is common, not the 1-in-40 chance it is between strangers. Scored
independently, the surname counts again on top of the address and, with a different
forename and no date of birth to contradict it, merges a household into one person. The
people model therefore scores "same surname at the same address" by its rates *given* the
shared address, estimated here from pairs that share an address:

- different people: forenames clearly unalike (not familiar forms or middle names of
  each other) and dates of birth more than two digits apart, the usual case of two
  household members (either alone is also how one person's record gets corrupted: in
  FEBRL's duplicates a mangled forename at the same address is common);
- the same person: forename and date of birth both exactly equal.

Addresses held by many records (hostels, "no fixed abode") are left out: they are not
households and would make the join quadratic. When different people at one address rarely
share a surname (the "address" is a birthplace or a business, say), the data has no
households to correct for, and the usual surname scoring, with term frequencies, stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

MIN_PAIRS = 50  # fewer pairs than this on either side: no household evidence to go on
MAX_RECORDS_AT_ADDRESS = 50
UNALIKE = 0.7  # Jaro-Winkler below this: different forenames, not a slip or a variant
HOUSEHOLD_SHARE = 0.2  # different people at one address sharing a surname this often: homes


@dataclass(frozen=True)
class SharedAddressRates:
    """P(exact surname | same address) for the same person (m) and for different people (u)."""

    m: float
    u: float
    same_person_pairs: int
    different_people_pairs: int


def shared_address_surname_rates(
    con: duckdb.DuckDBPyConnection, table: str = "people_prepared"
) -> SharedAddressRates | None:
    """The rates from ``table`` (people_prepared's columns), or None when there are too few
    pairs to tell or the addresses are not family homes."""
    ((same, m, different, u),) = con.execute(
        f"""
        WITH homes AS (
            SELECT address FROM {table} WHERE address IS NOT NULL
            GROUP BY address HAVING count(*) BETWEEN 2 AND {MAX_RECORDS_AT_ADDRESS}
        ),
        at_home AS (
            SELECT unique_id, forename, forename_aliases, middle_names, surname, dob_text,
                   address
            FROM {table} JOIN homes USING (address)
            WHERE surname IS NOT NULL AND forename IS NOT NULL
        ),
        pairs AS (
            SELECT l.surname = r.surname AS same_surname,
                   l.forename = r.forename AND l.dob_text = r.dob_text AS same_person,
                   jaro_winkler_similarity(l.forename, r.forename) < {UNALIKE}
                   AND NOT coalesce(list_contains(l.forename_aliases, r.forename), false)
                   AND NOT coalesce(list_contains(r.forename_aliases, l.forename), false)
                   AND r.forename IS DISTINCT FROM l.middle_names
                   AND l.forename IS DISTINCT FROM r.middle_names
                   AND damerau_levenshtein(l.dob_text, r.dob_text) > 2 AS different_people
            FROM at_home l JOIN at_home r ON l.address = r.address AND l.unique_id < r.unique_id
        )
        SELECT count(*) FILTER (same_person), avg(same_surname::DOUBLE) FILTER (same_person),
               count(*) FILTER (different_people),
               avg(same_surname::DOUBLE) FILTER (different_people)
        FROM pairs
        """
    ).fetchall()  # all: a result left open would block the connection's next query
    if same < MIN_PAIRS or different < MIN_PAIRS or u < HOUSEHOLD_SHARE:
        return None
    return SharedAddressRates(_bounded(m), _bounded(u), same, different)


def _bounded(rate: float) -> float:
    """Keep a rate off 0 and 1, where a match weight would be infinite."""
    return min(0.999, max(0.001, rate))
