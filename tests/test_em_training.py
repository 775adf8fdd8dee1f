"""EM over training blocks: a session whose m probabilities underflow is abandoned and the
others still run; any other failure still fails."""

from __future__ import annotations

import pytest

from resolver.linkage import em

UNDERFLOW = (
    "m_probability value 2.19e-308 is below the minimum allowed value of 1e-300. Values "
    "this small cannot be represented accurately as float64"
)


class _Training:
    """Splink's ``linker.training`` surface em.train uses, failing where it is told to."""

    def __init__(self, failures: dict[str, Exception]) -> None:
        self.failures, self.trained = failures, []

    def estimate_parameters_using_expectation_maximisation(self, block, max_pairs):
        if block in self.failures:
            raise self.failures[block]
        self.trained.append((block, max_pairs))


def test_an_underflowing_session_is_skipped_and_the_rest_run(caplog) -> None:
    training = _Training({"dob": ValueError(UNDERFLOW)})
    em.train(training, ["name", "dob", "postcode"], 1e6)
    assert training.trained == [("name", 1e6), ("postcode", 1e6)]
    assert "EM on dob stopped early" in caplog.text


def test_other_failures_still_fail() -> None:
    with pytest.raises(ValueError, match="something else"):
        em.train(_Training({"dob": ValueError("something else")}), ["dob"], 1e6)
