"""Harm weights: the documented config covers every police.uk type; a bad file is named."""

from pathlib import Path

import pytest

from resolver.crime_types import POLICE_UK_CRIME_TYPES
from risk.harm import DEFAULT_WEIGHTS_FILE, HarmConfigError, load_harm_weights


def test_default_weights_cover_every_type_and_cite_their_source() -> None:
    weights = load_harm_weights()
    assert set(weights) == set(POLICE_UK_CRIME_TYPES)
    assert weights["Robbery"] > weights["Shoplifting"] > 0
    text = DEFAULT_WEIGHTS_FILE.read_text()
    assert "Crime Severity Score" in text and "approximation" in text.lower()


def test_a_bad_weight_is_reported_with_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "harm.yaml"
    path.write_text("weights:\n  Robbery: lots\n")
    with pytest.raises(HarmConfigError, match=r"harm.yaml: weights.Robbery: not a non-negative"):
        load_harm_weights(path)


def test_a_missing_type_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "harm.yaml"
    path.write_text("weights:\n  Robbery: 5\n")
    with pytest.raises(HarmConfigError, match="no weight for Anti-social behaviour"):
        load_harm_weights(path)
