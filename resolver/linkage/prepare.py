"""Turn contract input rows into the columns the people model compares, in DuckDB SQL.

Standardisation happens once, set-wise, so a million records cost seconds: names lose
accents, punctuation and titles; forenames carry their familiar and formal forms (Bob ↔ ROBERT)
from the `nicknames` package; surnames are split into parts so Smith-Jones meets Smith; dates of
birth are parsed in the common UK forms (partial ones keep their precision); postcodes
are normalised and cut into district and sector.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

CONTRACT_COLUMNS = (
    "source_system", "source_record_id", "forename", "surname", "date_of_birth", "sex",
    "address", "postcode",
)  # fmt: skip

# Tried in order; the first that parses wins. dd/mm before mm/dd: UK sources.
DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y", "%d %B %Y",
    "%d/%m/%y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
)  # fmt: skip
MONTH_FORMATS = ("%m/%Y", "%Y-%m", "%b %Y", "%B %Y", "%m-%Y")
TITLES = ("MR", "MRS", "MS", "MISS", "DR", "REV", "SIR", "MX", "PROF")
POSTCODE_AT_END = r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\s*$"
ABBREVIATIONS = {
    "RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "CL": "CLOSE",
    "CRES": "CRESCENT", "DR": "DRIVE", "LN": "LANE", "PL": "PLACE", "SQ": "SQUARE",
    "TCE": "TERRACE", "TERR": "TERRACE", "CT": "COURT", "GDNS": "GARDENS", "GRN": "GREEN",
    "PK": "PARK", "FLT": "FLAT",
}  # fmt: skip


def _expand_abbreviations(expression: str) -> str:
    """SQL expanding street-type abbreviations word by word (RD → ROAD; ST is SAINT when it
    starts the address or follows a house number, STREET elsewhere)."""
    expression = f"regexp_replace({expression}, '(^|[0-9] )ST\\b', '\\1SAINT', 'g')"
    for short, full in ABBREVIATIONS.items():
        expression = f"regexp_replace({expression}, '\\b{short}\\b', '{full}', 'g')"
    return expression


@cache
def name_aliases() -> list[tuple[str, list[str]]]:
    """(name, its formal forms and familiar forms), from the `nicknames` package data."""
    from importlib.resources import files

    aliases: dict[str, set[str]] = {}
    with files("nicknames").joinpath("names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["relationship"] != "has_nickname":
                continue
            formal, nick = row["name1"].upper(), row["name2"].upper()
            aliases.setdefault(formal, set()).add(nick)
            aliases.setdefault(nick, set()).add(formal)
    return sorted((name, sorted(others)) for name, others in aliases.items())


def _clean_name(column: str) -> str:
    titles = "|".join(TITLES)
    return (
        f"nullif(trim(regexp_replace(regexp_replace(upper(strip_accents(coalesce({column}, ''))), "
        f"'^\\s*({titles})\\.?\\s+', ''), '[^A-Z'' -]', '', 'g')), '')"
    )


def _date_sql(column: str, formats: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{f}'" for f in formats)
    return f"try_strptime(trim({column}), [{listed}])::DATE"


def load_contract_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str = "raw_input") -> int:
    """Read the contract CSV (all text) into `table`; extra columns ignored.

    Comma-separated, RFC 4180 quoting, strictly: a malformed line raises ValueError naming
    its line, so that no row is dropped or mangled without the steward knowing.
    """
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv(?, header = true, "
        "delim = ',', quote = '\"', escape = '\"', all_varchar = true, strict_mode = true, "
        "store_rejects = true, rejects_table = 'contract_rejects', rejects_scan = 'contract_scan')",
        [str(path)],
    )
    rejects = con.execute(
        "SELECT line, error_type, error_message FROM contract_rejects ORDER BY line"
    ).fetchall()
    if rejects:
        line, kind, message = rejects[0]
        raise ValueError(
            f"line {line}: {kind.lower().replace('_', ' ')} ({message.splitlines()[0]}); "
            f"{len(rejects)} malformed line(s) in all: fix them and run again"
        )
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _name_alias_table(con: duckdb.DuckDBPyConnection) -> None:
    """`name_aliases` as a temp table, loaded once per connection (the live path prepares
    every batch of new records on the same connection)."""
    if con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'name_aliases' AND temporary"
    ).fetchall()[0][0]:
        return
    names, aliases = zip(*name_aliases(), strict=True)
    table = pa.table({"name": list(names), "aliases": list(aliases)})
    con.register("name_aliases_arrow", table)
    con.execute("CREATE TEMP TABLE name_aliases AS SELECT * FROM name_aliases_arrow")
    con.unregister("name_aliases_arrow")


def prepare(
    con: duckdb.DuckDBPyConnection,
    source: str = "raw_input",
    target: str = "people_prepared",
    first_id: int = 0,
) -> None:
    """Create `target` (one row per input row, `unique_id` = `first_id` + input order)."""
    _name_alias_table(con)
    address_sql = _expand_abbreviations(f"regexp_replace(address_upper, '{POSTCODE_AT_END}', '')")
    day = _date_sql("date_of_birth", DATE_FORMATS)
    month = _date_sql("date_of_birth", MONTH_FORMATS)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {target} AS
        WITH base AS (
            SELECT row_number() OVER () - 1 + {int(first_id)} AS unique_id,
                   coalesce(source_system, '') AS source_system,
                   coalesce(source_record_id, '') AS source_record_id,
                   {_clean_name("forename")} AS forename_full,
                   {_clean_name("surname")} AS surname,
                   {day} AS dob_day,
                   CASE WHEN {day} IS NULL THEN {month} END AS dob_month,
                   CASE WHEN {day} IS NULL AND {month} IS NULL
                        AND regexp_full_match(trim(date_of_birth), '\\d{{4}}')
                        THEN trim(date_of_birth)::INTEGER END AS dob_year_only,
                   CASE upper(trim(coalesce(sex, '')))
                        WHEN 'M' THEN 'M' WHEN 'MALE' THEN 'M' WHEN '1' THEN 'M'
                        WHEN 'F' THEN 'F' WHEN 'FEMALE' THEN 'F' WHEN '2' THEN 'F'
                        ELSE NULL END AS sex,
                   nullif(trim(regexp_replace(upper(strip_accents(coalesce(address, ''))),
                          '[^A-Z0-9 ]+', ' ', 'g')), '') AS address_upper,
                   coalesce(
                       nullif(regexp_replace(upper(coalesce(postcode, '')),
                                             '[^A-Z0-9]', '', 'g'), ''),
                       nullif(replace(regexp_extract(upper(coalesce(address, '')),
                                                     '{POSTCODE_AT_END}', 1), ' ', ''), '')
                   ) AS postcode_compact
            FROM {source}
        )
        SELECT unique_id, source_system, source_record_id,
               split_part(forename_full, ' ', 1) AS forename,
               nullif(trim(substr(forename_full,
                                  length(split_part(forename_full, ' ', 1)) + 1)), '')
                   AS middle_names,
               coalesce(n.aliases, []::VARCHAR[]) AS forename_aliases,
               surname,
               list_filter(string_split_regex(surname, '[ -]+'), lambda x: length(x) > 1)
                   AS surname_parts,
               dob_day AS date_of_birth,
               CASE WHEN dob_day IS NOT NULL THEN strftime(dob_day, '%Y%m%d') END AS dob_text,
               coalesce(year(dob_day), year(dob_month), dob_year_only) AS dob_year,
               coalesce(month(dob_day), month(dob_month)) AS dob_month,
               sex,
               nullif(trim(regexp_replace({address_sql}, '\\s+', ' ', 'g')), '') AS address,
               CASE WHEN length(postcode_compact) BETWEEN 5 AND 7
                    THEN substr(postcode_compact, 1, length(postcode_compact) - 3) || ' '
                         || right(postcode_compact, 3)
                    ELSE postcode_compact END AS postcode,
               CASE WHEN length(postcode_compact) BETWEEN 5 AND 7
                    THEN substr(postcode_compact, 1, length(postcode_compact) - 3) END
                   AS postcode_district
        FROM base LEFT JOIN name_aliases n ON n.name = split_part(base.forename_full, ' ', 1)
        ORDER BY unique_id
        """
    )


def column_fill(con: duckdb.DuckDBPyConnection, table: str = "people_prepared") -> dict[str, float]:
    """Share of rows with a value, per compared column (empty columns are left out of models)."""
    columns = ("forename", "surname", "date_of_birth", "dob_year", "sex", "address", "postcode")
    selects = ", ".join(f"avg(({c} IS NOT NULL)::INTEGER) AS {c}" for c in columns)
    row = con.execute(f"SELECT {selects} FROM {table}").fetchall()[0]
    return dict(zip(columns, (float(v or 0) for v in row), strict=True))
