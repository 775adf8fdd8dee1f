"""Label-tuned references for person resolution: how far the people model's own evidence
lets any weighting of it go, on one benchmark set.

The set is blocked, compared and scored exactly as a run does it
(``resolver.linkage.people.score_pairs``), but every candidate pair is kept, with the level
each comparison gave it. Then, with the truth:

- ``blocking_cap``: the cluster scores if every candidate pair were judged right (the
  connected components of the truly matching candidate pairs). No weighting of these
  pairs can do better: a true pair that is never a candidate is only found through others.
- ``label_tuned``: LightGBM trained on the truth over the comparison levels and the match
  weight, scored out of fold (5 folds, grouped by true person, so a person's matching
  pairs are never both learnt and scored), then clustered by the production clusterer at
  the threshold that does best on the answer.

Neither is a resolver: both learn from the labels, and the threshold is picked on the
answer. They show whether a shortfall lies in how the model weighs its comparisons
(the unsupervised run well below ``label_tuned``) or in the comparisons and blocking
themselves (the run close to it).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb
import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.model_selection import GroupKFold

from benchmarks.resolution_scores import PairScores
from resolver.linkage import clustering, people
from resolver.linkage.prepare import load_contract_csv, prepare

FOLDS = 5
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
GBM_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 63,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "num_threads": 2,
    "verbose": -1,
    "seed": 7,
    # Matches are rare (a few in a thousand candidate pairs) and some sets separate them
    # perfectly: without these, leaves that hold only matches get unbounded values and a
    # fold's model can come out inverted.
    "lambda_l2": 1.0,
    "min_sum_hessian_in_leaf": 1.0,
}
GBM_ROUNDS = 150


def _scored_pairs(input_path: Path, truth_path: Path, work: Path):
    """(pairs with levels, records with true person and date, dates reliable?)."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect(str(work / "reference.duckdb"))
    try:
        con.execute("SET preserve_insertion_order = true")
        load_contract_csv(con, input_path)
        prepare(con)
        people.score_pairs(con, threshold=None)
        columns = con.sql("SELECT * FROM splink_pairs LIMIT 0").columns
        levels = [c for c in columns if c.startswith("gamma_")]
        pairs = con.sql(
            f"SELECT unique_id_l, unique_id_r, match_weight, {', '.join(levels)} FROM splink_pairs"
        ).df()
        people.drop_scored_pairs(con)
        truth = str(truth_path).replace("'", "''")
        records = con.sql(
            "SELECT p.unique_id, p.dob_text, t.cluster_id FROM people_prepared p "
            f"JOIN read_csv('{truth}', header=true, all_varchar=true) t "
            "USING (source_system, source_record_id) ORDER BY p.unique_id"
        ).df()
        reliable = clustering.dates_reliable(people.same_person_dates(con))
    finally:
        con.close()
    return pairs, levels, records, reliable


def _scores(person: np.ndarray, predicted: np.ndarray) -> PairScores:
    """Pairwise scores of a clustering (label per record) against the true persons."""

    def pairs(labels: np.ndarray) -> int:
        sizes = np.unique(labels, return_counts=True)[1].astype(np.int64)
        return int((sizes * (sizes - 1) // 2).sum())

    both = pd.factorize(pd.Series(person).astype(str) + "|" + pd.Series(predicted).astype(str))
    return PairScores(len(person), pairs(person), pairs(predicted), pairs(both[0]))


def _out_of_fold(features: pd.DataFrame, levels: list[str], label, groups) -> np.ndarray:
    features = features.copy()
    for column in levels:
        features[column] = features[column].astype("category")
    scores = np.zeros(len(features))
    for train, test in GroupKFold(n_splits=FOLDS).split(features, label, groups):
        data = lgb.Dataset(features.iloc[train], label[train], categorical_feature=levels)
        model = lgb.train(GBM_PARAMS, data, GBM_ROUNDS)
        scores[test] = model.predict(features.iloc[test])
    return scores


def reference(input_path: Path, truth_path: Path, work: Path) -> dict:
    """The set's blocking cap and label-tuned reference (see module doc)."""
    started = time.perf_counter()
    pairs, levels, records, dates_reliable = _scored_pairs(input_path, truth_path, work)
    n = len(records)
    person = pd.factorize(records["cluster_id"])[0]
    position = pd.Series(np.arange(n), index=records["unique_id"].to_numpy())
    left = position[pairs["unique_id_l"].to_numpy()].to_numpy()
    right = position[pairs["unique_id_r"].to_numpy()].to_numpy()
    label = (person[left] == person[right]).astype(np.int8)

    matching = label == 1
    graph = coo_matrix((np.ones(matching.sum()), (left[matching], right[matching])), (n, n))
    cap = _scores(person, connected_components(graph, directed=False)[1])

    tuned = _out_of_fold(pairs[[*levels, "match_weight"]], levels, label, person[left])
    known = records["dob_text"].where(records["dob_text"].notna(), None)
    dates = dict(zip(range(n), known, strict=True))
    best: tuple[float, PairScores] | None = None
    for threshold in THRESHOLDS:
        kept = tuned >= threshold
        edges = list(
            zip(left[kept].tolist(), right[kept].tolist(), tuned[kept].tolist(), strict=True)
        )
        cluster_of, _ = clustering.cluster(
            list(range(n)), dates if dates_reliable else {}, edges, threshold
        )
        scores = _scores(person, np.array([cluster_of[i] for i in range(n)]))
        if best is None or scores.f1 > best[1].f1:
            best = (threshold, scores)
    threshold, label_tuned = best
    return {
        "candidate_pairs": len(pairs),
        "blocking_recall": round(int(label.sum()) / cap.true_pairs, 5) if cap.true_pairs else 1.0,
        "blocking_cap": cap.as_dict(),
        "label_tuned": {**label_tuned.as_dict(), "threshold": threshold},
        "date_veto": dates_reliable,
        "seconds": round(time.perf_counter() - started, 1),
    }
