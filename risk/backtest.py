"""Rolling-origin backtest: for each target month, every model trained on the months
before it, scored by hit rate, PAI and PEI* at shares of the area, per crime group and
per force; and the choice of model per group, made on the tuning forces only so that the
held-out forces show how the choice generalises. Beside them, the clairvoyant references
(``risk/ceiling.py``) show how far above the baselines the counts let any ranking go."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from risk import ceiling, forecasters, models
from risk.baselines import baselines
from risk.choices import ModelChoice
from risk.grid import Panel, build_panel, ring_matrix
from risk.metrics import accuracy
from risk.parameters import PARAMETERS

# The window, shares, tuning forces and target groups are data (risk/parameters.yaml).
BACKTEST_MONTHS = list(PARAMETERS.backtest.months)
SHARES = PARAMETERS.backtest.shares
TUNING_FORCES = PARAMETERS.backtest.tuning_forces
TARGET_GROUPS = PARAMETERS.backtest.target_groups
ALL_FORCES = "all"  # every force's cells ranked together
BASELINES = ("baseline_last3", "baseline_halving", "baseline_all_crime")


def candidates(series: models.Series, t: int, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Every model's forecast for month t on the cells ``rows``: baselines first."""
    out = {
        name: scores[rows] for name, scores in baselines(series.group, series.all_crime, t).items()
    }
    for candidate in forecasters.candidates():
        out[candidate.name] = forecasters.forecast(candidate, series, t, rows)
    return out


def references(series: models.Series, t: int, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The clairvoyant references for month t: scored beside the models, never chosen."""
    return {params.name(): ceiling.clairvoyant(series, t, params)[rows] for params in ceiling.GRID}


def series_for(panel: Panel, group: str, rings) -> models.Series:
    return models.Series(panel.counts(panel.group_mask(group)), panel.counts(), *rings)


def evaluate(
    events: pd.DataFrame,
    months: Iterable[str] = BACKTEST_MONTHS,
    groups: Iterable[str] = TARGET_GROUPS,
    resolution: int = 9,
    on_step: Callable[[str, str], None] | None = None,
) -> pd.DataFrame:
    """One row per (month, group, force, model, share): hit_rate, pai, pei, crimes, cells."""
    months = list(months)
    panel = build_panel(events, resolution, last_month=max(months))
    rings = (ring_matrix(panel.cells, 1), ring_matrix(panel.cells, 2))
    rows = []
    for group in groups:
        series = series_for(panel, group, rings)
        for month in months:
            t = panel.month_index(month)
            study = series.all_crime[:, :t].sum(axis=1) > 0
            forecasts = candidates(series, t, study) | references(series, t, study)
            actual = series.group[study, t]
            force = panel.force[study]
            areas = [(ALL_FORCES, np.ones(len(actual), bool))]
            areas += [(f, force == f) for f in sorted(set(force))]
            for area, inside in areas:
                for name, scores in forecasts.items():
                    for share in SHARES:
                        acc = accuracy(scores[inside], actual[inside], share)
                        rows.append(
                            (month, group, area, name, share, acc.hit_rate, acc.pai, acc.pei,
                             float(actual[inside].sum()), int(inside.sum()))
                        )  # fmt: skip
            if on_step:
                on_step(group, month)
    return pd.DataFrame(
        rows,
        columns=["month", "crime_group", "force", "model", "share", "hit_rate", "pai", "pei",
                 "crimes", "cells"],
    )  # fmt: skip


def choose(
    results: pd.DataFrame, tuning_forces: Iterable[str] = TUNING_FORCES
) -> list[ModelChoice]:
    """Per group, the non-baseline model with the best mean PAI at 5% over the months,
    averaged over the tuning forces (the held-out forces play no part). The clairvoyant
    references are never candidates: they see later months."""
    tuning = results[
        results["force"].isin(list(tuning_forces))
        & (results["share"] == 0.05)
        & ~results["model"].isin(BASELINES)
        & ~results["model"].map(ceiling.is_reference)
    ]
    means = tuning.groupby(["crime_group", "model"])["pai"].mean().reset_index()
    by_name = {candidate.name: candidate for candidate in forecasters.candidates()}
    choices = []
    for group, table in means.groupby("crime_group", sort=False):
        best = table.sort_values(["pai", "model"], ascending=[False, True]).iloc[0]["model"]
        choices.append(ModelChoice(group, by_name[best]))
    return choices


def summarise(
    results: pd.DataFrame,
    choices: list[ModelChoice],
    tuning_forces: Iterable[str] = TUNING_FORCES,
) -> pd.DataFrame:
    """Per group, force and share: the chosen model's mean PAI, PEI* and hit rate over the
    months beside each baseline's mean PAI, the best baseline and the ratio to it, and the
    months in which the model fell below that baseline."""
    chosen = {c.crime_group: c.name for c in choices}
    tuning_forces = set(tuning_forces)
    rows = []
    keys = ["crime_group", "force", "share"]
    for (group, force, share), table in results.groupby(keys, sort=False):
        if group not in chosen:
            continue
        model = table[table["model"] == chosen[group]].set_index("month")
        base = {name: table[table["model"] == name].set_index("month")["pai"] for name in BASELINES}
        base_means = {name: float(np.nanmean(s)) for name, s in base.items()}
        best = max(base_means, key=lambda n: base_means[n])
        model_pai = float(np.nanmean(model["pai"]))
        clairvoyant = table[table["model"].map(ceiling.is_reference)].groupby("model")["pai"].mean()
        ceiling_pai = float(clairvoyant.max()) if len(clairvoyant) else np.nan
        rows.append(
            {
                "crime_group": group,
                "force": force,
                "role": "all" if force == ALL_FORCES
                else "tuning" if force in tuning_forces else "held-out",
                "share": share,
                "model": chosen[group],
                "pai": model_pai,
                "pei": float(np.nanmean(model["pei"])),
                "hit_rate": float(np.nanmean(model["hit_rate"])),
                **{f"pai_{name}": value for name, value in base_means.items()},
                "best_baseline": best,
                "ratio_to_best": model_pai / base_means[best] if base_means[best] else np.nan,
                "months_below_best": int((model["pai"] < base[best] - 1e-12).sum()),
                "clairvoyant": clairvoyant.idxmax() if len(clairvoyant) else "",
                "pai_clairvoyant": ceiling_pai,
                "clairvoyant_ratio_to_best": ceiling_pai / base_means[best]
                if base_means[best] else np.nan,
                "crimes": float(model["crimes"].sum()),
            }
        )  # fmt: skip
    return pd.DataFrame(rows)
