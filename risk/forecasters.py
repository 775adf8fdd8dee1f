"""The forecasters a crime group can use, behind one protocol and registered by kind.

The backtest scores every candidate, the risk run and ``crimegraph forecast`` use the one
chosen for each group, and both name it by kind and parameters in data (the backtest's
stored choice, ``risk/parameters.yaml``), never by an if/else on a string.

Adding a forecaster: a frozen dataclass here with ``kind``, ``name``, ``params``, ``fit``
and ``predict``, decorated with ``@register`` and listed by :func:`candidates`; the
backtest then scores it beside the others and may choose it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

from core.errors import InvalidInput
from risk import models
from risk.models import BlendParams, Series


class ForecasterError(InvalidInput):
    """A forecaster named by data that is not registered, or with parameters it lacks."""


class Forecaster(Protocol):
    """Expected crimes of a group per cell for month t, from the months before t."""

    kind: ClassVar[str]

    @property
    def name(self) -> str:
        """Unique among the candidates: what the backtest's results call it."""
        ...

    @property
    def params(self) -> dict[str, float]:
        """Its tunable parameters (what a stored choice keeps beside its kind)."""
        ...

    def fit(self, series: Series, t: int, rows: np.ndarray) -> Forecaster:
        """Learn from the months before t on the cells ``rows``; the fitted forecaster."""
        ...

    def predict(self, series: Series, t: int, rows: np.ndarray) -> np.ndarray:
        """Expected crimes in month t for the cells ``rows`` (after :meth:`fit`)."""
        ...


REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    REGISTRY[cls.kind] = cls
    return cls


def forecaster(kind: str, **params: Any) -> Forecaster:
    """The registered forecaster ``kind`` with ``params`` (those it does not take are an
    error, so a typo in data is not silently a default)."""
    cls = REGISTRY.get(kind)
    if cls is None:
        raise ForecasterError(f"unknown forecaster {kind!r}; registered: {', '.join(REGISTRY)}")
    accepted = {f.name for f in dataclasses.fields(cls) if f.init and f.name != "model"}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise ForecasterError(f"forecaster {kind!r} takes no parameter(s) {', '.join(unknown)}")
    return cls(**params)


def forecast(chosen: Forecaster, series: Series, t: int, rows: np.ndarray) -> np.ndarray:
    """Fit for month t, then predict it."""
    return chosen.fit(series, t, rows).predict(series, t, rows)


@register
@dataclass(frozen=True)
class Blend:
    """Own decayed history + all crime's as a prior + the neighbours' (risk/models.py)."""

    kind: ClassVar[str] = "blend"
    half_life: float = 3.0
    prior: float = 0.5
    neighbours: float = 0.1

    @property
    def blend_params(self) -> BlendParams:
        return BlendParams(self.half_life, self.prior, self.neighbours)

    @property
    def name(self) -> str:
        return self.blend_params.name()

    @property
    def params(self) -> dict[str, float]:
        return {"half_life": self.half_life, "prior": self.prior, "neighbours": self.neighbours}

    def fit(self, series: Series, t: int, rows: np.ndarray) -> Blend:
        return self  # nothing to learn: its three parameters are tuned by the backtest

    def predict(self, series: Series, t: int, rows: np.ndarray) -> np.ndarray:
        return models.blend(series, t, self.blend_params)[rows]


@register
@dataclass(frozen=True)
class Gbm:
    """LightGBM, Poisson objective, over lagged and decayed histories (risk/models.py)."""

    kind: ClassVar[str] = "gbm"
    model: Any = field(default=None, compare=False, repr=False)  # set by fit

    @property
    def name(self) -> str:
        return "gbm"

    @property
    def params(self) -> dict[str, float]:
        return {}

    def fit(self, series: Series, t: int, rows: np.ndarray) -> Gbm:
        return dataclasses.replace(self, model=models.gbm_fit(series, t, rows))

    def predict(self, series: Series, t: int, rows: np.ndarray) -> np.ndarray:
        return models.gbm_predict(self.model, series, t, rows)


def candidates() -> list[Forecaster]:
    """Every forecaster the backtest scores and may choose: the blend's grid, then gbm."""
    return [*(Blend(p.half_life, p.prior, p.neighbours) for p in models.BLEND_GRID), Gbm()]


def from_spec(spec: Mapping[str, Any]) -> Forecaster:
    """A forecaster from data: ``{forecaster: kind, **params}``."""
    params = {k: v for k, v in spec.items() if k != "forecaster"}
    return forecaster(str(spec["forecaster"]), **params)
