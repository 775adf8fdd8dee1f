"""The explainable risk score per area, crime group and month, with every component kept.

For month M (the month the score is for; everything comes from the months before it):
- ``harm``: harm-weighted crimes of the last 3 months (resolver/crime_types.yaml; approx. days),
- ``near_repeat``: decayed incidents nearby (near_repeat.py),
- ``network``: offender-network exposure at the area's locations (network.py),
- ``forecast``: expected crimes in M from the group's chosen model (backtest.py).
``score`` is their weighted mean after dividing each by its mean over the areas of the
same month, level and group (1 = an average place), so each component reads as "times
the average" and the weights say how much each counts. See docs/risk.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from risk import discovery, hotspots
from risk.areas import BASE_RESOLUTION, AreaMap, Level, area_map, sum_by_area
from risk.choices import ModelChoice, for_group
from risk.grid import ALL_CRIME, build_panel, cells_of, ring_matrix
from risk.models import Series
from risk.near_repeat import near_repeat
from risk.parameters import PARAMETERS

SCORE_WEIGHTS = PARAMETERS.score_weights  # risk/parameters.yaml
RECENT_MONTHS = PARAMETERS.recent_months
DEFAULT_LEVELS = (Level("h3", 9), Level("h3", 8), Level("h3", 7), Level("lsoa", None))


@dataclass
class RiskTables:
    risk_scores: pd.DataFrame
    hotspots: pd.DataFrame
    forecasts: pd.DataFrame
    network_available: bool


def combine(frame: pd.DataFrame, network_available: bool) -> np.ndarray:
    """The weighted mean of each component relative to its mean over ``frame``'s rows."""
    weights = {k: w for k, w in SCORE_WEIGHTS.items() if network_available or k != "network"}
    score = np.zeros(len(frame))
    for component, weight in weights.items():
        values = frame[component].to_numpy(dtype=float)
        mean = values.mean() if len(values) else 0.0
        if mean > 0:
            score += weight * values / mean
    return score / sum(weights.values())


def _network_by_area(network: pd.DataFrame | None, amap: AreaMap) -> tuple[np.ndarray, ...]:
    exposure = np.zeros(len(amap.ids))
    networks = np.zeros(len(amap.ids), dtype=int)
    if network is None or network.empty:
        return exposure, networks
    if amap.level.area_level == "lsoa":
        codes = network["lsoa_code"].to_numpy(dtype=object)
    else:
        codes = cells_of(
            network["latitude"].to_numpy(), network["longitude"].to_numpy(),
            amap.level.resolution,
        )  # fmt: skip
    position = {a: i for i, a in enumerate(amap.ids)}
    for code, exp, nets in zip(codes, network["exposure"], network["networks"], strict=True):
        i = position.get(code)
        if i is not None:
            exposure[i] += float(exp or 0)
            networks[i] = max(networks[i], int(nets or 0))
    return exposure, networks


def compute(
    events: pd.DataFrame,
    months: Iterable[str],
    choices: dict[str, ModelChoice],
    harm_weights: dict[str, float],
    network: pd.DataFrame | None = None,
    levels: Iterable[Level] = DEFAULT_LEVELS,
    on_step: Callable[[str], None] | None = None,
    discovered_weight: float = 1.0,
) -> RiskTables:
    """Scores, hotspots and forecasts for ``months`` (a month past the data is a forecast),
    gathered into frames: for a few months or areas (the fairness audit, tests); the
    risk stage streams ``frames`` into the warehouse instead.

    ``discovered_weight`` < 1 counts police-discovered crimes (drugs, possession of
    weapons) at that weight in the forecasts, near-repeat and harm (discovery.py), so
    where officers already patrol weighs less; ``incidents`` stays the recorded count."""
    gathered: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for name, frame in frames(
        events, months, choices, harm_weights, network, levels, on_step, discovered_weight
    ):
        gathered[name].append(frame)
    return RiskTables(  # LSOA-only levels (the fairness audit) have no hotspots or forecasts
        *(pd.concat(gathered[n], ignore_index=True) if gathered[n] else pd.DataFrame()
          for n in TABLES),
        network is not None,
    )  # fmt: skip


TABLES = ("risk_scores", "hotspots", "forecasts")


def frames(
    events: pd.DataFrame,
    months: Iterable[str],
    choices: dict[str, ModelChoice],
    harm_weights: dict[str, float],
    network: pd.DataFrame | None = None,
    levels: Iterable[Level] = DEFAULT_LEVELS,
    on_step: Callable[[str], None] | None = None,
    discovered_weight: float = 1.0,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The risk tables as (table, frame) pairs, one month, level and group at a time, so
    no more than one of them is held (see ``compute`` for the arguments)."""
    months = sorted(months)
    panel = build_panel(events, BASE_RESOLUTION, last_month=months[-1])
    rings = [ring_matrix(panel.cells, k) for k in range(3)]
    weight = discovery.event_weights(panel.events["crime_type"], discovered_weight)
    all_counts = panel.counts(weights=weight)
    event_month = panel.event_month
    harm = panel.events["crime_type"].map(harm_weights).fillna(0.0).to_numpy() * weight
    data_months = set(panel.events["month"])
    maps = [area_map(panel, level) for level in levels]
    area_rings = {
        m.level.resolution: ring_matrix(m.ids, 1) for m in maps if m.level.area_level == "h3"
    }
    networks = [_network_by_area(network, m) for m in maps]
    groups = [ALL_CRIME, *sorted(panel.events["crime_group"].dropna().unique())]
    for group in groups:
        group_mask = panel.group_mask(group)
        in_group = np.ones(len(harm), bool) if group_mask is None else group_mask
        series = Series(panel.counts(group_mask, weight), all_counts, rings[1], rings[2])
        choice = for_group(choices, group)
        for month in months:
            t = panel.month_index(month)
            study = all_counts[:, :t].sum(axis=1) > 0
            if not study.any():
                continue
            forecast = np.zeros(len(panel.cells))
            forecast[study] = choice.forecast(series, t, study)
            nearby = near_repeat(series.group, rings, t)
            recent = in_group & (event_month >= t - RECENT_MONTHS) & (event_month < t)
            past = event_month < t
            this_month = in_group & (event_month == t)
            for amap, (exposure, nets) in zip(maps, networks, strict=True):
                covered = sum_by_area(amap, past) > 0
                frame = pd.DataFrame(
                    {
                        "month": month,
                        "area_level": amap.level.area_level,
                        "resolution": amap.level.resolution,
                        "area_id": amap.ids,
                        "force_code": amap.force,
                        "crime_group": group,
                        "harm": sum_by_area(amap, recent, harm),
                        "near_repeat": amap.cell_share.T @ nearby,
                        "network": exposure,
                        "networks": nets,
                        "forecast": amap.cell_share.T @ forecast,
                        "incidents": sum_by_area(amap, recent).astype(int),
                        "model": choice.name,
                    }
                )[covered]
                frame["network_available"] = network is not None
                frame["score"] = combine(frame, network is not None)
                yield "risk_scores", frame
                if amap.level.area_level != "h3":
                    continue
                yield (
                    "forecasts",
                    frame[
                        ["month", "resolution", "area_id", "crime_group", "forecast", "model"]
                    ].rename(columns={"area_id": "cell", "forecast": "expected"}),
                )
                observed = month in data_months
                values = sum_by_area(amap, this_month) if observed else amap.cell_share.T @ forecast
                inside = np.flatnonzero(covered)
                ring = area_rings[amap.level.resolution][inside][:, inside]
                weights = (ring + sparse.identity(len(inside), format="csr")).tocsr()
                z, p = hotspots.gi_star(values[inside], weights)
                hot = pd.DataFrame(
                    {
                        "month": month,
                        "area_level": "h3",
                        "resolution": amap.level.resolution,
                        "area_id": amap.ids[inside],
                        "crime_group": group,
                        "gi_z": z,
                        "p_value": p,
                        "q_value": hotspots.q_values(p),
                        "value": values[inside],
                        "basis": "observed" if observed else "forecast",
                    }
                )
                yield "hotspots", hot
            if on_step:
                on_step(f"{group} {month}")
