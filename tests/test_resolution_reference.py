"""The label-tuned references of the resolution benchmark, on FEBRL3 (5,000 records)."""

from benchmarks.resolution_data import write_febrl3
from benchmarks.resolution_reference import reference


def test_the_references_bound_what_the_comparisons_allow(tmp_path) -> None:
    prepared = write_febrl3(tmp_path / "febrl3")
    result = reference(prepared.input_path, prepared.truth_path, tmp_path)
    cap, tuned = result["blocking_cap"], result["label_tuned"]
    assert result["candidate_pairs"] > 0 and 0.9 < result["blocking_recall"] <= 1
    assert cap["precision"] == 1.0 and cap["true_pairs"] == tuned["true_pairs"] > 0
    # A model trained on the truth cannot beat judging every candidate pair right.
    assert 0.95 < tuned["f1"] <= cap["f1"]
    assert tuned["threshold"] in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
