"""The textbook plain-Splink person resolver, the baseline crimegraph's resolver must beat.

Same contract as ``resolver.linkage.people.resolve_people_file``: reads the contract
input CSV, writes ``source_system,source_record_id,person_id,match_probability`` with one
row per input row. Deliberately the out-of-the-box recipe and nothing more:

- names lower-cased and stripped, dates parsed with ``resolver.standardise.parse_date``
  (unparseable → null), everything else as given;
- comparisons: NameComparison (forename, surname), DateOfBirthComparison, PostcodeComparison,
  LevenshteinAtThresholds (address);
- blocking for prediction: surname, date_of_birth, postcode;
- λ from the deterministic rule forename+surname+date_of_birth (recall 0.7), u by random
  sampling, m by EM on a date_of_birth block and on a surname block;
- clusters: connected components of pairs at match probability ≥ 0.9.

``match_probability`` is the highest probability of any pair at or above the threshold
that touches the record (empty for a record left on its own).

Run alone: ``python -m benchmarks.resolution_baseline INPUT.csv OUTPUT.csv``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

THRESHOLD = 0.9
U_MAX_PAIRS = 1_000_000


def _parse_dates(values: list[str]) -> pa.Table:
    from resolver.standardise import StandardiseError, parse_date

    parsed = []
    for text in values:
        try:
            day = parse_date(text)
            parsed.append(day.as_date() if day else None)
        except (StandardiseError, ValueError, OverflowError):
            parsed.append(None)
    return pa.table({"raw": pa.array(values, pa.string()), "parsed": pa.array(parsed, pa.date32())})


def _prepare(con: duckdb.DuckDBPyConnection, input_path: Path) -> None:
    con.execute(
        "CREATE TABLE raw AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
        [str(input_path)],
    )
    distinct = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT trim(date_of_birth) FROM raw WHERE nullif(trim(date_of_birth), '') "
            "IS NOT NULL"
        ).fetchall()
    ]
    con.register("dob_lookup", _parse_dates(distinct))
    con.execute(
        """
        CREATE TABLE people AS
        SELECT row_number() OVER () AS unique_id,
               source_system, source_record_id,
               nullif(lower(trim(forename)), '') AS forename,
               nullif(lower(trim(surname)), '') AS surname,
               d.parsed AS date_of_birth,
               nullif(trim(address), '') AS address,
               nullif(trim(postcode), '') AS postcode
        FROM raw LEFT JOIN dob_lookup d ON d.raw = trim(raw.date_of_birth)
        """
    )
    con.unregister("dob_lookup")


def resolve_baseline(input_path: Path, output_path: Path) -> dict[str, int]:
    """Link the contract input with plain Splink; write the contract output."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect()
    _prepare(con, input_path)
    db = DuckDBAPI(con)
    records = db.register(con.table("people"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("forename"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.PostcodeComparison("postcode"),
            cl.LevenshteinAtThresholds("address"),
        ],
        additional_columns_to_retain=["source_system", "source_record_id"],
    )
    linker = Linker(records, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    con.register("pairs", predictions.as_duckdbpyrelation())
    con.register("clusters", clusters.as_duckdbpyrelation())
    output_path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""
        COPY (
            WITH touching AS (
                SELECT unique_id_l AS unique_id, match_probability FROM pairs
                UNION ALL
                SELECT unique_id_r, match_probability FROM pairs
            ), best AS (
                SELECT unique_id, max(match_probability) AS match_probability
                FROM touching GROUP BY unique_id
            )
            SELECT p.source_system, p.source_record_id,
                   'B' || c.cluster_id::VARCHAR AS person_id,
                   round(b.match_probability, 6) AS match_probability
            FROM people p
            JOIN clusters c USING (unique_id)
            LEFT JOIN best b USING (unique_id)
            ORDER BY p.unique_id
        ) TO '{output_path}' (HEADER, DELIMITER ',')
        """
    )
    stats = {
        "records": con.execute("SELECT count(*) FROM people").fetchone()[0],
        "pairs_at_threshold": con.execute("SELECT count(*) FROM pairs").fetchone()[0],
        "clusters": con.execute("SELECT count(DISTINCT cluster_id) FROM clusters").fetchone()[0],
    }
    con.close()
    return stats


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.resolution_baseline INPUT.csv OUTPUT.csv")
        return 2
    stats = resolve_baseline(Path(args[0]), Path(args[1]))
    print(", ".join(f"{k} {v:,}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
