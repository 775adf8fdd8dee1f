"""Crimes the police mostly find themselves rather than being told of (drugs, possession
of weapons): recorded where officers look, so a model trained on them sends officers back
to where they already were (Lum & Isaac 2016; Ensign et al. 2018). The risk stage can
count them at a lower weight (``discovered_weight``, 1 = as recorded, 0 = left out).
Which types they are is data: ``police_discovered`` in resolver/crime_types.yaml."""

from __future__ import annotations

import numpy as np
import pandas as pd

from resolver.crime_types import POLICE_DISCOVERED_GROUPS, POLICE_DISCOVERED_TYPES

__all__ = ["POLICE_DISCOVERED_GROUPS", "POLICE_DISCOVERED_TYPES", "event_weights"]


def check_weight(weight: float) -> float:
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"discovered_weight must be between 0 and 1, got {weight}")
    return weight


def event_weights(crime_types: pd.Series, discovered_weight: float) -> np.ndarray:
    """Per crime: ``discovered_weight`` for police-discovered types, 1 for the rest."""
    discovered = crime_types.isin(POLICE_DISCOVERED_TYPES).to_numpy()
    return np.where(discovered, check_weight(discovered_weight), 1.0)
