"""The resolution benchmark's pairwise scoring and FEBRL truth parsing, on hand-worked cases."""

import csv

import pytest

from benchmarks.resolution_data import febrl_cluster, febrl_date
from benchmarks.resolution_scores import PairScores, score_maps, score_output

# Truth: people A (3 records), B (2 records), C (1 record): 3 + 1 = 4 true pairs.
TRUTH = {
    ("s", "1"): "A",
    ("s", "2"): "A",
    ("t", "3"): "A",
    ("s", "4"): "B",
    ("t", "5"): "B",
    ("t", "6"): "C",
}


def test_perfect_clustering_scores_one():
    scores = score_maps({k: f"p-{v}" for k, v in TRUTH.items()}, TRUTH)
    assert (scores.true_pairs, scores.predicted_pairs, scores.true_positive_pairs) == (4, 4, 4)
    assert scores.precision == scores.recall == scores.f1 == 1.0


def test_all_singletons_have_no_recall():
    scores = score_maps({k: str(i) for i, k in enumerate(TRUTH)}, TRUTH)
    assert (scores.true_pairs, scores.predicted_pairs, scores.true_positive_pairs) == (4, 0, 0)
    assert scores.precision == 1.0  # nothing claimed, nothing wrong
    assert scores.recall == 0.0
    assert scores.f1 == 0.0


def test_one_wrong_merge_costs_precision_only():
    # C wrongly joined to B: predicted pairs 3 (A) + 3 (B+C) = 6, of which 4 true.
    predicted = {**TRUTH, ("t", "6"): "B"}
    scores = score_maps(predicted, TRUTH)
    assert (scores.predicted_pairs, scores.true_positive_pairs) == (6, 4)
    assert scores.precision == pytest.approx(4 / 6)
    assert scores.recall == 1.0
    assert scores.f1 == pytest.approx(2 * (4 / 6) / (4 / 6 + 1))


def test_one_missed_link_costs_recall_only():
    # Record 3 split off from A: predicted pairs 1 (A minus 3) + 1 (B) = 2, all true.
    predicted = {**TRUTH, ("t", "3"): "split"}
    scores = score_maps(predicted, TRUTH)
    assert (scores.predicted_pairs, scores.true_positive_pairs) == (2, 2)
    assert scores.precision == 1.0
    assert scores.recall == pytest.approx(2 / 4)
    assert scores.f1 == pytest.approx(2 / 3)


def test_same_id_in_two_systems_is_two_records():
    truth = {("a", "1"): "X", ("b", "1"): "Y"}
    scores = score_maps({("a", "1"): "p", ("b", "1"): "p"}, truth)
    assert (scores.true_pairs, scores.predicted_pairs, scores.true_positive_pairs) == (0, 1, 0)
    assert scores.precision == 0.0


def test_record_missing_from_output_counts_as_singleton():
    predicted = {k: v for k, v in TRUTH.items() if k != ("t", "5")}
    scores = score_maps(predicted, TRUTH)
    assert scores.records == 6
    assert (scores.true_pairs, scores.predicted_pairs, scores.true_positive_pairs) == (4, 3, 3)


def test_empty_prediction_of_empty_truth():
    assert PairScores(0, 0, 0, 0).f1 == 1.0


def _write(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_score_output_checks_the_contract(tmp_path):
    keys = list(TRUTH)
    _write(tmp_path / "truth.csv", ["source_system", "source_record_id", "cluster_id"],
           [(s, r, c) for (s, r), c in TRUTH.items()])  # fmt: skip
    _write(tmp_path / "input.csv", ["source_system", "source_record_id", "forename"],
           [(s, r, "x") for s, r in keys])  # fmt: skip
    rows = [(s, r, TRUTH[(s, r)], "0.99") for s, r in keys[:-1]] + [(*keys[0], "A", "1.5")]
    header = ["source_system", "source_record_id", "person_id", "match_probability"]
    _write(tmp_path / "output.csv", header, rows)
    scores = score_output(tmp_path / "output.csv", tmp_path / "truth.csv", tmp_path / "input.csv")
    assert scores["f1"] == 1.0  # the missing record was a singleton in truth too
    assert scores["contract_problems"] == {
        "duplicate_keys": 1,
        "input_rows_missing": 1,
        "match_probability_not_in_0_1": 1,
    }


@pytest.mark.parametrize(
    ("rec_id", "cluster"),
    [
        ("rec-1496-org", "1496"),
        ("rec-1496-dup-3", "1496"),
        ("rec-0-dup-0", "0"),
        (" rec-561-dup-0 ", "561"),
    ],
)
def test_febrl_cluster(rec_id, cluster):
    assert febrl_cluster(rec_id) == cluster


@pytest.mark.parametrize("rec_id", ["rec-12", "1496", "rec-12-dup", "rec-x-org"])
def test_febrl_cluster_refuses_other_ids(rec_id):
    with pytest.raises(ValueError):
        febrl_cluster(rec_id)


def test_febrl_dates():
    assert febrl_date("19560409") == "09/04/1956"
    assert febrl_date("19551192") == "19551192"  # FEBRL's corrupted dates pass through
    assert febrl_date(float("nan")) == ""
