"""The fairness audit as a report: fairness.md, PNG plots and fairness.json."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from responsible.fairness import Audit


def _num(value, digits: int = 2, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value * 100:.1f}%" if pct else f"{value:.{digits}f}"


def _decile_table(table: pd.DataFrame) -> list[str]:
    lines = [
        "| decile | LSOAs | population | mean score | flagged | flagged share | population "
        "share | flagged per 100k | discovered share of forecast | recorded / forecast |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.decile} | {r.lsoas} | {r.population:,.0f} | {r.mean_score:.2f} | "
            f"{r.flagged} | {_num(r.flagged_share, pct=True)} | "
            f"{_num(r.population_share, pct=True)} | {r.flag_rate_per_100k:.1f} | "
            f"{_num(r.discovered_share, pct=True)} | {_num(r.calibration)} |"
        )
    return lines


def _bars(audit: Audit, column: str, ylabel: str, title: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.4))
    x = np.arange(1, 11)
    width = 0.4
    for offset, (label, table) in zip(
        (-width / 2, width / 2),
        (
            ("as recorded", audit.per_decile),
            (f"discovered crime x{audit.discovered_weight:g}", audit.per_decile_corrected),
        ),
        strict=True,
    ):
        values = table.set_index("decile").reindex(x)[column].to_numpy(dtype=float)
        ax.bar(x + offset, values, width, label=label)
    if column == "calibration":
        ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(x)
    ax.set_xlabel(f"{audit.nation.index} decile (1 = most deprived)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _loop_plot(audit: Audit, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=False)
    titles = {"all_crime": "model of all crime", "discovered_only": "model of drugs + weapons"}
    for ax, (model, arms) in zip(axes, audit.loops.items(), strict=True):
        for arm, run in arms.items():
            ax.plot(range(1, len(run.inflation) + 1), run.inflation, label=arm)
        ax.axhline(1.0, color="black", lw=0.8)
        ax.set_title(titles[model])
        ax.set_xlabel("round (month of deployment)")
        ax.set_ylabel("predicted / true rate, patrolled cells")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(audit: Audit) -> str:
    f = audit.figures
    w = audit.discovered_weight
    loop_rows = []
    for model, label in (("all_crime", "all crime"), ("discovered_only", "drugs + weapons")):
        for arm in ("uncorrected", "corrected"):
            k = f"loop.{model}.{arm}"
            loop_rows.append(
                f"| {label} | {arm} | {_num(f[f'{k}.inflation_final'])} | "
                f"{_num(f[f'{k}.lock_in_final'], pct=True)} | "
                f"{_num(f[f'{k}.precision_final'], pct=True)} | "
                f"{_num(f[f'{k}.distance_final'])} | "
                f"{_num(f[f'{k}.patrols_in_most_deprived_fifth'], pct=True)} |"
            )
    lines = [
        f"# Fairness audit, {audit.nation.name}, {audit.month}",
        "",
        f"Risk scores of {audit.nation.name}'s LSOAs (2021) for {audit.month}, computed from "
        f"the months before it only; {audit.month}'s recorded crimes are the outcome. "
        f"Deprivation: {audit.nation.index} deciles carried to LSOA 2021 (1 = most deprived "
        f"tenth; {audit.nation.name} is audited on its own index, which does not compare with "
        f"the other nation's); population: {audit.nation.population}. "
        f"Flagged: the top {f['flag_share']:.0%} of LSOAs by All-crime score. Police-discovered "
        "crime: drugs and possession of weapons. See docs/responsible.md for the method.",
        "",
        "## Headline",
        "",
        "| figure | as recorded | discovered crime x" + f"{w:g} |",
        "| --- | --- | --- |",
    ]
    for key, label, pct in (
        ("flagged_share_most_deprived_fifth", "flagged LSOAs in the most deprived fifth", True),
        ("population_share_most_deprived_fifth", "population in the most deprived fifth", True),
        ("recorded_crime_share_most_deprived_fifth", "recorded crime there (the month)", True),
        (
            "flag_rate_ratio_most_vs_least_deprived_fifth",
            "flag rate per person, most vs least deprived fifth",
            False,
        ),
        ("flag_rate_ratio_decile1_vs_10", "flag rate per person, decile 1 vs 10", False),
        ("mean_score_ratio_decile1_vs_10", "mean score, decile 1 vs 10", False),
        ("discovered_share_of_forecast", "police-discovered share of the forecast", True),
        ("calibration_decile1", "recorded / forecast, decile 1", False),
        ("calibration_decile10", "recorded / forecast, decile 10", False),
        ("calibration_worst_abs_log", "worst decile's abs(log(recorded / forecast))", False),
    ):
        lines.append(
            f"| {label} | {_num(f['recorded.' + key], pct=pct)} | "
            f"{_num(f['corrected.' + key], pct=pct)} |"
        )
    lines += [
        "",
        "A ratio of n/a means no LSOA of the least deprived group was flagged.",
        "",
        "## By deprivation decile, as recorded",
        "",
        *_decile_table(audit.per_decile),
        "",
        f"## By deprivation decile, police-discovered crime at weight {w:g}",
        "",
        *_decile_table(audit.per_decile_corrected),
        "",
        "![flagged LSOAs per 100,000 people by decile](fairness_flags.png)",
        "![calibration by decile](fairness_calibration.png)",
        "![police-discovered share of the forecast by decile](fairness_discovered.png)",
        "",
        "## Feedback loop (simulation on the real cells' rates)",
        "",
        f"{f['loop.cells']:,} resolution-9 cells with their 2025 monthly rates of reported and "
        f"police-discovered crime; {f['loop.rounds']} monthly rounds; the model's top "
        f"{f['loop.patrolled_share']:.0%} of cells patrolled; patrols record discovered crime at "
        f"{f['loop.uplift']:g}x its rate. Corrected: a discovered crime recorded in a patrolled "
        f"cell counts 1/{f['loop.uplift']:g} (Ensign et al. 2018). Figures are means over the "
        "last 6 rounds.",
        "",
        "| model | arm | predicted / true (patrolled) | patrols still in round-1 cells | "
        "patrols in truly top cells | distance from true shares | patrols in most deprived "
        "fifth |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *loop_rows,
        "",
        f"The most deprived fifth's cells hold "
        f"{_num(f['loop.all_crime.true_share_most_deprived_fifth'], pct=True)} of the true crime "
        "and "
        f"{_num(f['loop.discovered_only.true_share_most_deprived_fifth'], pct=True)} of the "
        "police-discovered crime.",
        "",
        "![feedback loop](fairness_loop.png)",
        "",
    ]
    return "\n".join(lines)


def write(audit: Audit, out: Path) -> dict[str, Path]:
    """fairness.md, fairness.json and four PNGs into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "markdown": out / "fairness.md",
        "json": out / "fairness.json",
        "flags": out / "fairness_flags.png",
        "calibration": out / "fairness_calibration.png",
        "discovered": out / "fairness_discovered.png",
        "loop": out / "fairness_loop.png",
    }
    _bars(audit, "flag_rate_per_100k", "flagged LSOAs per 100k people",
          "Flagged areas by deprivation", paths["flags"])  # fmt: skip
    _bars(audit, "calibration", "recorded / forecast", "Calibration by deprivation",
          paths["calibration"])  # fmt: skip
    _bars(audit, "discovered_share", "share of forecast", "Police-discovered share of the forecast",
          paths["discovered"])  # fmt: skip
    _loop_plot(audit, paths["loop"])
    paths["markdown"].write_text(markdown(audit))
    figures = {
        **audit.figures,
        "per_decile": audit.per_decile.to_dict(orient="records"),
        "per_decile_corrected": audit.per_decile_corrected.to_dict(orient="records"),
        "loops": {m: {a: r.to_dict() for a, r in arms.items()} for m, arms in audit.loops.items()},
    }
    paths["json"].write_text(json.dumps(figures, indent=2, default=float) + "\n")
    return paths
