"""Forecasters behind one protocol: chosen by name from data, stored and read back, and
forecasting exactly as the models they wrap."""

import duckdb
import h3
import numpy as np
import pytest

from risk import forecasters
from risk.choices import DEFAULT_CHOICES, ModelChoice, for_group, load, save
from risk.forecasters import Blend, ForecasterError, Gbm
from risk.grid import ALL_CRIME, ring_matrix
from risk.models import BlendParams, Series, blend, gbm
from risk.parameters import PARAMETERS

CENTRE = h3.latlng_to_cell(51.48, -3.18, 9)
CELLS = np.array(sorted(h3.grid_disk(CENTRE, 2)))  # 19 cells


def _series() -> Series:
    rng = np.random.default_rng(3)
    group = rng.poisson(1.5, size=(len(CELLS), 12)).astype(float)
    return Series(group, group * 3 + 1, ring_matrix(CELLS, 1), ring_matrix(CELLS, 2))


def test_each_forecaster_forecasts_as_the_model_it_wraps() -> None:
    series, rows = _series(), np.ones(len(CELLS), bool)
    chosen = Blend(6.0, 2.0, 0.2)
    assert np.array_equal(
        forecasters.forecast(chosen, series, 11, rows), blend(series, 11, BlendParams(6, 2, 0.2))
    )
    assert np.allclose(forecasters.forecast(Gbm(), series, 11, rows), gbm(series, 11, rows))


def test_forecasters_are_chosen_by_kind_and_refuse_what_they_do_not_take() -> None:
    assert forecasters.forecaster("blend", half_life=6.0).name == "blend(h=6,prior=0.5,nb=0.1)"
    assert forecasters.forecaster("gbm").name == "gbm"
    with pytest.raises(ForecasterError, match="unknown forecaster 'prophet'"):
        forecasters.forecaster("prophet")
    with pytest.raises(ForecasterError, match="takes no parameter"):
        forecasters.forecaster("gbm", half_life=3.0)


def test_candidate_names_are_unique() -> None:
    names = [c.name for c in forecasters.candidates()]
    assert len(names) == len(set(names)) and "gbm" in names


def test_a_stored_choice_reads_back_as_it_was_saved() -> None:
    con = duckdb.connect()
    assert load(con) == DEFAULT_CHOICES  # nothing stored: the parameters file's defaults
    stored = [ModelChoice(ALL_CRIME, Blend(12.0, 8.0, 0.5)), ModelChoice("vehicle", Gbm())]
    save(con, stored)
    assert load(con) == {c.crime_group: c for c in stored}


def test_the_defaults_come_from_the_parameters_file() -> None:
    assert set(DEFAULT_CHOICES) == set(PARAMETERS.default_forecasters)
    assert for_group(DEFAULT_CHOICES, "vehicle").forecaster == Gbm()
    assert for_group(DEFAULT_CHOICES, "no such group") == DEFAULT_CHOICES[ALL_CRIME]
