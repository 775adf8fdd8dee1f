"""The fairness audit, one nation at a time: how risk scores and flagged areas fall across
a nation's LSOAs by deprivation (its own index's deciles: WIMD 2019 for Wales, IMD 2019
for England; the two are not comparable) and population, how much of the
forecast comes from crime the police discover themselves, how well the forecast is
calibrated in each group, and the same with discovered crime down-weighted; plus the
feedback-loop simulation on the real cells' rates.

Scores are recomputed in memory for a held-out month (by default the last month with
data: every score uses only the months before it, and the month's recorded crimes are
the outcome), so the audit never depends on what ``crimegraph risk`` last wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from responsible import feedback
from responsible.deprivation import WALES, Nation
from risk import choices, harm, network, scores
from risk.areas import Level, most_common_per
from risk.discovery import POLICE_DISCOVERED_GROUPS, POLICE_DISCOVERED_TYPES
from risk.grid import ALL_CRIME, build_panel

FLAG_SHARE = 0.10  # the top tenth of LSOAs by All-crime score are "flagged"
CORRECTED_WEIGHT = 0.5
LSOA = Level("lsoa", None)


@dataclass
class Audit:
    nation: Nation
    month: str
    discovered_weight: float
    per_decile: pd.DataFrame  # as recorded (weight 1)
    per_decile_corrected: pd.DataFrame  # discovered crime at ``discovered_weight``
    figures: dict
    loops: dict[str, dict[str, feedback.LoopResult]]  # model -> arm -> result


def lsoa_scores(
    crimes: pd.DataFrame, month: str, con: duckdb.DuckDBPyConnection, weight: float
) -> pd.DataFrame:
    """Every group's LSOA scores for ``month`` with discovered crime at ``weight``."""
    tables = scores.compute(
        crimes,
        [month],
        choices.load(con),
        harm.load_harm_weights(harm.DEFAULT_WEIGHTS_FILE),
        network.exposure_by_location(con),
        [LSOA],
        discovered_weight=weight,
    )
    return tables.risk_scores


def by_decile(
    frame: pd.DataFrame, observed: pd.Series, areas: pd.DataFrame, flag_share: float = FLAG_SHARE
) -> pd.DataFrame:
    """Per deprivation decile: LSOAs, population, mean score, flagged LSOAs and their rate
    per 100,000 people, the police-discovered share of the forecast, and calibration
    (recorded crimes in the month / forecast)."""
    groups = frame.pivot_table(
        index="area_id", columns="crime_group", values="forecast", aggfunc="sum", fill_value=0.0
    )
    every = frame[frame["crime_group"] == ALL_CRIME].set_index("area_id")
    table = areas.set_index("lsoa_code").join(every[["score", "forecast"]], how="left")
    table[["score", "forecast"]] = table[["score", "forecast"]].fillna(0.0)
    single = groups.drop(columns=[ALL_CRIME], errors="ignore")
    found = [g for g in POLICE_DISCOVERED_GROUPS if g in single.columns]
    table["group_forecast"] = single.sum(axis=1).reindex(table.index).fillna(0.0)
    table["discovered_forecast"] = (
        single[found].sum(axis=1).reindex(table.index).fillna(0.0) if found else 0.0
    )
    table["observed"] = observed.reindex(table.index).fillna(0).astype(float)
    cutoff = np.quantile(table["score"], 1 - flag_share)
    table["flagged"] = table["score"] >= cutoff
    out = table.groupby("decile").agg(
        lsoas=("score", "size"),
        population=("population", "sum"),
        mean_score=("score", "mean"),
        flagged=("flagged", "sum"),
        predicted=("forecast", "sum"),
        observed=("observed", "sum"),
        discovered_forecast=("discovered_forecast", "sum"),
        group_forecast=("group_forecast", "sum"),
    )
    out["population_share"] = out["population"] / out["population"].sum()
    out["flagged_share"] = out["flagged"] / max(out["flagged"].sum(), 1)
    out["flag_rate_per_100k"] = out["flagged"] / out["population"] * 1e5
    out["discovered_share"] = out["discovered_forecast"] / out["group_forecast"].where(
        out["group_forecast"] > 0
    )
    out["calibration"] = out["observed"] / out["predicted"].where(out["predicted"] > 0)
    return out.reset_index()


def _rate_ratio(table: pd.DataFrame, most: list[int], least: list[int]) -> float | None:
    def rate(deciles: list[int]) -> float:
        rows = table[table["decile"].isin(deciles)]
        return rows["flagged"].sum() / rows["population"].sum()

    low = rate(least)
    return None if low == 0 else float(rate(most) / low)


def summary(table: pd.DataFrame, prefix: str) -> dict:
    """Headline disparity, discovery and calibration figures of one per-decile table."""
    d = table.set_index("decile")
    total = table["group_forecast"].sum()
    calibration = np.log(table["calibration"].dropna())
    return {
        f"{prefix}.flag_rate_ratio_decile1_vs_10": _rate_ratio(table, [1], [10]),
        f"{prefix}.flag_rate_ratio_most_vs_least_deprived_fifth": _rate_ratio(
            table, [1, 2], [9, 10]
        ),
        f"{prefix}.flagged_share_most_deprived_fifth": float(
            d.loc[[1, 2], "flagged"].sum() / max(d["flagged"].sum(), 1)
        ),
        f"{prefix}.population_share_most_deprived_fifth": float(
            d.loc[[1, 2], "population"].sum() / d["population"].sum()
        ),
        f"{prefix}.recorded_crime_share_most_deprived_fifth": float(
            d.loc[[1, 2], "observed"].sum() / d["observed"].sum()
        ),
        f"{prefix}.mean_score_ratio_decile1_vs_10": float(
            d.loc[1, "mean_score"] / d.loc[10, "mean_score"]
        ),
        f"{prefix}.discovered_share_of_forecast": float(
            table["discovered_forecast"].sum() / total if total else 0.0
        ),
        f"{prefix}.discovered_share_decile1": float(d.loc[1, "discovered_share"]),
        f"{prefix}.discovered_share_decile10": float(d.loc[10, "discovered_share"]),
        f"{prefix}.calibration_decile1": float(d.loc[1, "calibration"]),
        f"{prefix}.calibration_decile10": float(d.loc[10, "calibration"]),
        f"{prefix}.calibration_worst_abs_log": float(calibration.abs().max()),
    }


def _cell_deciles(crimes: pd.DataFrame, areas: pd.DataFrame):
    """The resolution-9 panel with each cell's rates of reported and police-discovered
    crime (monthly means) and the decile of the LSOA holding most of its crimes."""
    panel = build_panel(crimes, 9)
    discovered = panel.events["crime_type"].isin(POLICE_DISCOVERED_TYPES).to_numpy()
    reported_rate = panel.counts(~discovered).mean(axis=1)
    discovered_rate = panel.counts(discovered).mean(axis=1)
    majority = most_common_per(panel.event_cell, panel.events["lsoa_code"].to_numpy())
    decile = areas.set_index("lsoa_code")["decile"]
    cell_decile = majority.map(decile).reindex(range(len(panel.cells))).to_numpy()
    return reported_rate, discovered_rate, cell_decile


def loops(
    crimes: pd.DataFrame, areas: pd.DataFrame, settings: feedback.LoopSettings
) -> tuple[dict[str, dict[str, feedback.LoopResult]], dict]:
    """The feedback loop on the real cells' rates, for a model of all crime and for a
    model of police-discovered crime alone (a drugs and weapons layer)."""
    reported, discovered, cell_decile = _cell_deciles(crimes, areas)
    deprived = np.isin(cell_decile, [1, 2])
    truth = reported + discovered
    runs = {
        "all_crime": feedback.compare(reported, discovered, settings),
        "discovered_only": feedback.compare(np.zeros_like(reported), discovered, settings),
    }
    figures: dict = {
        "loop.cells": len(reported),
        "loop.rounds": settings.rounds,
        "loop.patrolled_share": settings.share,
        "loop.uplift": settings.uplift,
    }
    for model, arms in runs.items():
        base = truth if model == "all_crime" else discovered
        figures[f"loop.{model}.true_share_most_deprived_fifth"] = float(
            base[deprived].sum() / base.sum()
        )
        for arm, run in arms.items():
            key = f"loop.{model}.{arm}"
            figures[f"{key}.inflation_final"] = run.final("inflation")
            figures[f"{key}.lock_in_final"] = run.final("lock_in")
            figures[f"{key}.precision_final"] = run.final("precision")
            figures[f"{key}.distance_final"] = run.final("distance")
            figures[f"{key}.gini"] = run.gini
            figures[f"{key}.patrols_in_most_deprived_fifth"] = float(
                run.patrols[deprived].sum() / run.patrols.sum()
            )
    return runs, figures


def audit(
    con: duckdb.DuckDBPyConnection,
    crimes: pd.DataFrame,
    areas: pd.DataFrame,
    month: str,
    discovered_weight: float = CORRECTED_WEIGHT,
    loop_settings: feedback.LoopSettings | None = None,
    nation: Nation = WALES,
) -> Audit:
    """The whole audit of ``nation`` (its ``areas``) for ``month`` (held out: scores use
    only earlier months). Scores are computed on every crime, so places near a border keep
    their neighbours; the figures and the feedback loop cover the nation's LSOAs only."""
    if month not in set(crimes["month"]):
        raise ValueError(f"month {month}: no crimes recorded that month to audit against")
    observed = crimes[crimes["month"] == month].groupby("lsoa_code").size()
    inside = set(areas["lsoa_code"])
    recorded = by_decile(lsoa_scores(crimes, month, con, 1.0), observed, areas)
    corrected = by_decile(lsoa_scores(crimes, month, con, discovered_weight), observed, areas)
    figures = {
        "nation": nation.code,
        "month": month,
        "discovered_weight": discovered_weight,
        "flag_share": FLAG_SHARE,
        "lsoas": len(areas),
        "crimes_in_month_outside_the_nations_lsoas": int(
            observed[~observed.index.isin(inside)].sum()
        ),
        **summary(recorded, "recorded"),
        **summary(corrected, "corrected"),
    }
    in_nation = crimes[crimes["lsoa_code"].isin(inside)]
    runs, loop_figures = loops(in_nation, areas, loop_settings or feedback.LoopSettings())
    figures.update(loop_figures)
    return Audit(nation, month, discovered_weight, recorded, corrected, figures, runs)
