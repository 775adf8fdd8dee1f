"""Resolve people: train the people model without labels, score pairs, cluster, give ids.

The headless contract (``crimegraph resolve people IN.csv --out OUT.csv``): IN has
``source_system,source_record_id,forename,surname,date_of_birth,sex,address,postcode``
(any value may be empty; extra columns ignored); OUT has one row per input row,
``source_system,source_record_id,person_id,match_probability`` where match_probability is
the strongest link holding the record in its cluster (1 for a record alone).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
from splink import Linker

from core.errors import InvalidInput
from resolver.linkage import (
    blocking,
    clustering,
    em,
    families,
    households,
    people_model,
    prior,
    stable_ids,
)
from resolver.linkage.backend import DUCKDB, LinkageBackend
from resolver.linkage.prepare import CONTRACT_COLUMNS, column_fill, load_contract_csv, prepare

PREDICT_THRESHOLD = 0.1  # low enough that the refined prior (prior.MAX_SHIFT) loses no link
SEED = 20_261_123  # u sampling is seeded: the same input gives the same ids
U_SAMPLE_PAIRS = 3e6
EM_MAX_PAIRS = 2e6  # large blocks are sampled: EM needs shape, not every pair
CLUSTER_THRESHOLD = 0.6


def pair_budget(records: int) -> int:
    """How many candidate pairs to score: generous for small extracts, bounded for large.

    Scoring runs at roughly 200,000 pairs a second on two cores; 20 million keeps a
    national-scale million-record run within a few minutes.
    """
    return max(5_000_000, min(40 * records, 20_000_000))


class ResolveInputError(InvalidInput):
    """Input that does not meet the contract: a one-line, user-facing message."""


@dataclass
class ResolveResult:
    records: int
    clusters: int
    pairs_scored: int
    model: dict = field(default_factory=dict, repr=False)  # the trained Splink model


def _check_input(path: Path) -> None:
    if not path.is_file():
        raise ResolveInputError(f"{path}: no such file")
    with path.open(encoding="utf-8", errors="replace") as handle:
        header = handle.readline().strip()
    if not header:
        raise ResolveInputError(f"{path}: empty file (no header row)")
    columns = {c.strip().strip('"') for c in header.split(",")}
    missing = [c for c in CONTRACT_COLUMNS if c not in columns]
    if missing:
        raise ResolveInputError(f"{path}: missing column(s) {', '.join(missing)}")


@dataclass
class ScoredPairs:
    """What :func:`score_pairs` leaves: the trained linker, the record count and the
    refined prior; the pairs themselves are the view ``splink_pairs`` in ``con``."""

    linker: Linker
    records: int
    prior: float
    trusted: set[str]  # fields the data shows may tell relatives apart (see families)
    corrections: list[families.Correction] = field(default_factory=list)


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    *,
    backend: LinkageBackend = DUCKDB,
    threshold: float | None = PREDICT_THRESHOLD,
) -> ScoredPairs:
    """Train the people model on `people_prepared` without labels and score the candidate
    pairs; registers ``splink_pairs`` (re-weighted with the refined prior and for families)
    in ``con``.

    The pairs keep each comparison's level and match weight (the family correction
    replaces some; stewards see them as evidence). ``threshold=None`` keeps every candidate
    pair (the refined prior is still measured on the pairs from PREDICT_THRESHOLD, so the
    weights are the ones a run uses). The family correction (resolver.linkage.families)
    follows the prior's.
    """
    fill = column_fill(con)
    have = {c for c, share in fill.items() if share >= people_model.MIN_FILL}
    records = con.execute("SELECT count(*) FROM people_prepared").fetchall()[0][0]
    rules, _costs = blocking.choose_rules(con, have, pair_budget(records))
    shared_address = (
        households.shared_address_surname_rates(con) if {"surname", "address"} <= have else None
    )
    settings = people_model.people_settings(fill, rules, backend.name, shared_address)
    # Each comparison's weight is kept: the family correction replaces some of them.
    settings.retain_intermediate_calculation_columns = True
    agreeing = prior.agreeing_pairs(con, have)
    first_prior = prior.first_guess(agreeing, records)
    settings.probability_two_random_records_match = first_prior
    table = backend.register(con, "people_prepared")
    # Splink warns about levels a dataset never shows; those start from priors by design.
    linker = Linker(table, settings, log_level=logging.ERROR)
    training = linker.training
    training.estimate_u_using_random_sampling(
        max_pairs=min(U_SAMPLE_PAIRS, max(1e5, records * 20.0)), seed=SEED
    )
    em.train(training, people_model.em_blocks(have), EM_MAX_PAIRS)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    con.register("splink_scored", backend.relation(predictions))
    con.register(
        "splink_kept",
        con.sql(f"SELECT * FROM splink_scored WHERE match_probability >= {PREDICT_THRESHOLD}"),
    )
    refined = prior.refined(con, have, agreeing, records, first_prior, "splink_kept")
    con.unregister("splink_kept")
    con.register("splink_prior", con.sql(prior.rescored_sql("splink_scored", first_prior, refined)))
    trusted = {
        field
        for field, reliable in (
            ("date_of_birth", clustering.dates_reliable(same_person_dates(con))),
            ("forename", families.forenames_reliable(con)),
        )
        if reliable
    }
    corrections = families.measure(
        con, linker.misc.save_model_to_json(), refined, records, trusted=trusted
    )
    columns = con.sql("SELECT * FROM splink_prior LIMIT 0").columns
    con.register(
        "splink_pairs",
        con.sql(families.rescored_sql("splink_prior", columns, corrections)),
    )
    return ScoredPairs(linker, records, refined, trusted, corrections)


def drop_scored_pairs(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("splink_pairs", "splink_prior", "splink_scored"):
        con.unregister(view)
    families.drop(con)


def resolve(
    con: duckdb.DuckDBPyConnection,
    *,
    cluster_threshold: float = CLUSTER_THRESHOLD,
    must_link: list[tuple[int, int]] = (),
    cannot_link: list[tuple[int, int]] = (),
    review_band: tuple[float, float] | None = None,
    backend: LinkageBackend = DUCKDB,
    id_key: bytes = b"",
) -> ResolveResult:
    """Resolve `people_prepared` in `con`; writes table `people_resolved`.

    Splink trains and scores on ``backend`` (DuckDB in `con` by default; SparkBackend
    for Spark, the same model in Spark's SQL).

    Stewards' decisions enter as record pairs (`unique_id`s): must-link pairs are joined
    whatever the model says, cannot-link pairs are never put in one person. With
    `review_band`, pairs scored inside it are kept, with the match weight each comparison
    contributed, in table `review_candidates`.
    """
    scored = score_pairs(con, backend=backend)
    linker, records = scored.linker, scored.records
    edges = con.execute(
        "SELECT unique_id_l, unique_id_r, match_probability FROM splink_pairs "
        "WHERE match_probability >= ?",
        [cluster_threshold],
    ).fetchall()
    pairs = con.execute("SELECT count(*) FROM splink_pairs").fetchall()[0][0]
    if review_band is not None:
        _keep_review_candidates(con, linker, review_band)
    drop_scored_pairs(con)
    edges += [(a, b, 1.0) for a, b in must_link]
    ids_and_dates = con.execute("SELECT unique_id, dob_text FROM people_prepared").fetchall()
    cluster_of, holding = clustering.cluster(
        [r for r, _ in ids_and_dates],
        dict(ids_and_dates) if "date_of_birth" in scored.trusted else {},
        edges,
        cluster_threshold,
        cannot_link=cannot_link,
        must_link=must_link,
        forenames=record_forenames(con) if "forename" in scored.trusted else None,
        confirmed_dates=confirmed_dates(con),
    )
    clusters = pa.table(
        {
            "unique_id": pa.array(list(cluster_of), pa.int64()),
            "cluster_id": pa.array(list(cluster_of.values()), pa.int64()),
            "p": pa.array([holding[r] for r in cluster_of], pa.float64()),
        }
    )
    con.register("clusters", clusters)
    con.execute(
        """
        CREATE OR REPLACE TABLE people_resolved AS
        WITH members AS (
            SELECT p.unique_id, p.source_system, p.source_record_id, c.cluster_id, c.p
            FROM people_prepared p JOIN clusters c USING (unique_id)
        ),
        keys AS (
            SELECT cluster_id, min(source_system || '|' || source_record_id) AS member_key
            FROM members GROUP BY cluster_id
        )
        SELECT m.unique_id, m.source_system, m.source_record_id, k.member_key,
               m.p AS match_probability
        FROM members m JOIN keys k USING (cluster_id)
        """
    )
    con.unregister("clusters")
    keys = [k for (k,) in con.execute("SELECT DISTINCT member_key FROM people_resolved").fetchall()]
    con.register(
        "person_ids_arrow",
        pa.table(
            {"member_key": keys, "person_id": [stable_ids.id_for_key(k, id_key) for k in keys]}
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE person_ids AS SELECT * FROM person_ids_arrow")
    con.unregister("person_ids_arrow")
    model = linker.misc.save_model_to_json()
    model["probability_two_random_records_match"] = scored.prior  # what the pairs were scored with
    model[families.MODEL_KEY] = {
        "trusted": sorted(scored.trusted),
        "corrections": [c.stored() for c in scored.corrections],
    }
    return ResolveResult(records, len(keys), pairs, model)


def confirmed_dates(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Records whose full date of birth another record of the same name holds too."""
    rows = con.execute(
        "SELECT unique_id FROM (SELECT unique_id, count(*) OVER (PARTITION BY forename, "
        "surname, dob_text) AS n FROM people_prepared WHERE dob_text IS NOT NULL "
        "AND forename IS NOT NULL AND surname IS NOT NULL) WHERE n > 1"
    ).fetchall()
    return {uid for (uid,) in rows}


def record_forenames(con: duckdb.DuckDBPyConnection) -> dict[int, clustering.Forename]:
    """Each record's forename with its variants, for the clustering's coherence check."""
    rows = con.execute(
        "SELECT unique_id, forename, forename_aliases, middle_names, coalesce(surname, '') "
        "FROM people_prepared WHERE forename IS NOT NULL"
    ).fetchall()
    return {
        uid: clustering.Forename.prepared(name, aliases, middle, surname)
        for uid, name, aliases, middle, surname in rows
    }


def same_person_dates(con: duckdb.DuckDBPyConnection, sample: int = 20_000) -> list:
    """Date pairs of records agreeing on forename, surname and address (a sample)."""
    return con.execute(
        "SELECT * FROM (SELECT l.dob_text, r.dob_text FROM people_prepared l "
        "JOIN people_prepared r ON l.forename = r.forename AND l.surname = r.surname "
        "AND l.address = r.address AND l.unique_id < r.unique_id "
        "WHERE l.dob_text IS NOT NULL AND r.dob_text IS NOT NULL) "
        f"USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (7)"
    ).fetchall()


def _keep_review_candidates(con, linker: Linker, band: tuple[float, float]) -> None:
    """Pairs in the uncertain band, with each comparison's match weight as evidence (and
    the family correction's, under ``family``)."""
    comparisons = [c["output_column_name"] for c in linker.misc.save_model_to_json()["comparisons"]]
    evidence = ", ".join(f"'{c}': round(mw_{c}, 2)" for c in [*comparisons, "family"])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE review_candidates AS
        SELECT unique_id_l, unique_id_r, match_probability, match_weight,
               to_json({{{evidence}}}) AS evidence
        FROM splink_pairs WHERE match_probability >= ? AND match_probability < ?
        """,
        list(band),
    )


def resolve_people_file(
    input_path: Path,
    output_path: Path,
    *,
    cluster_threshold: float = CLUSTER_THRESHOLD,
    backend: LinkageBackend = DUCKDB,
    id_key: bytes = b"",
) -> ResolveResult:
    """The headless contract: IN.csv → OUT.csv (see module docstring); Splink's pairwise
    work on ``backend``. The output's person ids are keyed under ``id_key`` (the CLI
    passes the server's id key; the ids served by the API come from warehouse runs)."""
    _check_input(input_path)
    logging.getLogger("splink").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="crimegraph-resolve-") as work:
        con = duckdb.connect(str(Path(work) / "resolve.duckdb"))
        try:
            con.execute("SET preserve_insertion_order = true")
            try:
                records = load_contract_csv(con, input_path)
            except (ValueError, duckdb.Error) as exc:
                raise ResolveInputError(f"{input_path}: {str(exc).splitlines()[0]}") from exc
            if records == 0:
                raise ResolveInputError(f"{input_path}: no rows after the header")
            prepare(con)
            result = resolve(
                con, cluster_threshold=cluster_threshold, backend=backend, id_key=id_key
            )
            output_path.parent.mkdir(parents=True, exist_ok=True)
            con.execute(
                "COPY (SELECT r.source_system, r.source_record_id, i.person_id, "
                "round(r.match_probability, 6) AS match_probability "
                "FROM people_resolved r JOIN person_ids i USING (member_key) ORDER BY r.unique_id) "
                "TO ? (HEADER, DELIMITER ',')",
                [str(output_path)],
            )
        finally:
            con.close()
    return result
