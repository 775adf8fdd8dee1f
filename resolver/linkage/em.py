"""Splink's expectation-maximisation over a model's training blocks, one session each."""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger("crimegraph.linkage")


def train(training, blocks: Iterable, max_pairs: float) -> None:
    """EM on each block in turn (``linker.training``). A session whose m probabilities
    underflow (a level the block's pairs all but never show: it happens now and then, by
    the order DuckDB sums in) is abandoned with a warning, and the estimates the other
    sessions make stand, rather than failing the whole resolution."""
    for block in blocks:
        try:
            training.estimate_parameters_using_expectation_maximisation(block, max_pairs=max_pairs)
        except ValueError as exc:
            if "below the minimum allowed value" not in str(exc):
                raise
            log.warning("EM on %s stopped early: %s", block, exc)
