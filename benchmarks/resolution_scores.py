"""Scoring a resolution against the truth: pairwise and cluster precision, recall and F1,
the same for every set, resolver and reference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

OUTPUT_COLUMNS = ("source_system", "source_record_id", "person_id", "match_probability")


@dataclass(frozen=True)
class PairScores:
    records: int
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
            "true_pairs": self.true_pairs,
            "predicted_pairs": self.predicted_pairs,
            "true_positive_pairs": self.true_positive_pairs,
        }


def pair_scores(con: duckdb.DuckDBPyConnection, predicted: str, truth: str) -> PairScores:
    """Pairwise scores of ``predicted`` (key, cluster) against ``truth`` (key, cluster).

    Both are table or view names with columns ``source_system, source_record_id,
    cluster_id``. Every truth record counts; one the prediction lacks is a singleton.
    Pairs are counted as Σ n(n-1)/2 over predicted clusters, true clusters and their
    intersections, so a million records cost a few group-bys, not billions of pairs.
    """
    row = con.execute(
        f"""
        WITH joined AS (
            SELECT t.cluster_id AS true_cluster,
                   coalesce(p.cluster_id::VARCHAR,
                            '__missing__:' || t.source_system || ':' || t.source_record_id)
                       AS predicted_cluster
            FROM {truth} t
            LEFT JOIN {predicted} p
              ON p.source_system = t.source_system AND p.source_record_id = t.source_record_id
        ),
        cells AS (SELECT count(*) AS n FROM joined GROUP BY true_cluster, predicted_cluster),
        truths AS (SELECT count(*) AS n FROM joined GROUP BY true_cluster),
        preds AS (SELECT count(*) AS n FROM joined GROUP BY predicted_cluster)
        SELECT (SELECT count(*) FROM joined),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM truths),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM preds),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM cells)
        """
    ).fetchone()
    return PairScores(*(int(v) for v in row))


def score_maps(
    predicted: Mapping[tuple[str, str], str], truth: Mapping[tuple[str, str], str]
) -> PairScores:
    """:func:`pair_scores` for small in-memory maps (key → cluster), e.g. in tests."""

    def table(mapping: Mapping[tuple[str, str], str]) -> pa.Table:
        keys = list(mapping)
        return pa.table(
            {
                "source_system": pa.array([k[0] for k in keys], pa.string()),
                "source_record_id": pa.array([k[1] for k in keys], pa.string()),
                "cluster_id": pa.array([str(mapping[k]) for k in keys], pa.string()),
            }
        )

    with duckdb.connect() as con:
        con.register("predicted", table(predicted))
        con.register("truth", table(truth))
        return pair_scores(con, "predicted", "truth")


def csv_relation(path: Path) -> str:
    escaped = str(path).replace("'", "''")
    return f"read_csv('{escaped}', header=true, all_varchar=true)"


def score_output(output_path: Path, truth_path: Path, input_path: Path) -> dict:
    """Scores plus checks that the output honours the contract (one row per input row)."""
    with duckdb.connect() as con:
        con.execute(f"CREATE VIEW truth AS SELECT * FROM {csv_relation(truth_path)}")
        con.execute(f"CREATE TABLE output AS SELECT * FROM {csv_relation(output_path)}")
        columns = [c[0] for c in con.execute("DESCRIBE output").fetchall()]
        absent = [c for c in OUTPUT_COLUMNS if c not in columns]
        if absent:
            return {"error": f"output lacks columns {absent}"}
        con.execute(
            "CREATE VIEW predicted AS SELECT source_system, source_record_id, "
            "person_id AS cluster_id FROM output"
        )
        problems = {}
        (rows,) = con.execute("SELECT count(*) FROM output").fetchone()
        (inputs,) = con.execute(f"SELECT count(*) FROM {csv_relation(input_path)}").fetchone()
        if rows != inputs:
            problems["rows_out_vs_in"] = [rows, inputs]
        (duplicates,) = con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM output GROUP BY source_system, "
            "source_record_id HAVING count(*) > 1)"
        ).fetchone()
        (missing,) = con.execute(
            "SELECT count(*) FROM truth t ANTI JOIN output o "
            "ON o.source_system = t.source_system AND o.source_record_id = t.source_record_id"
        ).fetchone()
        (no_person,) = con.execute(
            "SELECT count(*) FROM output WHERE nullif(trim(person_id), '') IS NULL"
        ).fetchone()
        (bad_probability,) = con.execute(
            "SELECT count(*) FROM output WHERE nullif(trim(match_probability), '') IS NOT NULL "
            "AND coalesce(NOT (try_cast(match_probability AS DOUBLE) BETWEEN 0 AND 1), true)"
        ).fetchone()
        for name, count in (
            ("duplicate_keys", duplicates),
            ("input_rows_missing", missing),
            ("rows_without_person_id", no_person),
            ("match_probability_not_in_0_1", bad_probability),
        ):
            if count:
                problems[name] = count
        if duplicates:  # score each key once
            con.execute(
                "CREATE OR REPLACE VIEW predicted AS SELECT source_system, source_record_id, "
                "min(person_id) AS cluster_id FROM output GROUP BY ALL"
            )
        scores = pair_scores(con, "predicted", "truth").as_dict()
        (people,) = con.execute("SELECT count(DISTINCT cluster_id) FROM predicted").fetchone()
        scores["clusters"] = people
        if problems:
            scores["contract_problems"] = problems
        return scores


# -- running resolvers ----------------------------------------------------------------------
