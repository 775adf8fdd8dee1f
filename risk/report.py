"""The backtest report: per-month results (CSV), the summary table (CSV and Markdown)
and a plot of PAI at 5% by month, model beside baselines, per group (PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import pandas as pd

from risk.backtest import ALL_FORCES, BASELINES
from risk.choices import ModelChoice


def _markdown(summary: pd.DataFrame) -> str:
    columns = ["crime_group", "force", "role", "share", "model", "pai", "pei", "hit_rate",
               *[f"pai_{b}" for b in BASELINES], "ratio_to_best", "months_below_best",
               "pai_clairvoyant", "clairvoyant_ratio_to_best"]  # fmt: skip
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in summary[columns].itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _plot(results: pd.DataFrame, choices: list[ModelChoice], path: Path) -> None:
    groups = [c.crime_group for c in choices]
    ncols = min(4, len(groups))
    nrows = -(-len(groups) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3.2 * nrows), squeeze=False)
    chosen = {c.crime_group: c.name for c in choices}
    for ax in axes.ravel()[len(groups) :]:
        ax.set_visible(False)
    for ax, group in zip(axes.ravel(), groups, strict=False):
        table = results[
            (results["crime_group"] == group)
            & (results["force"] == ALL_FORCES)
            & (results["share"] == 0.05)
        ]
        for name, style in [(chosen[group], "-o"), *[(b, "--") for b in BASELINES]]:
            line = table[table["model"] == name].sort_values("month")
            label = "model: " + name if name == chosen[group] else name
            ax.plot(line["month"].str[5:], line["pai"], style, label=label)
        ax.set_title(group)
        ax.set_xlabel("month of 2025")
        ax.set_ylabel("PAI at 5% of area")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(
    results: pd.DataFrame, summary: pd.DataFrame, choices: list[ModelChoice], out: Path
) -> dict[str, Path]:
    """Write the report files into ``out``; returns them by kind."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "results": out / "backtest_results.csv",
        "summary": out / "backtest_summary.csv",
        "table": out / "backtest_summary.md",
        "plot": out / "backtest_pai.png",
    }
    results.to_csv(paths["results"], index=False)
    summary.to_csv(paths["summary"], index=False)
    chosen = "\n".join(f"- {c.crime_group}: {c.name}" for c in choices)
    paths["table"].write_text(
        "# Forecast backtest\n\nRolling origin: each month trained on the months before it. "
        "PAI, PEI* and hit rate are means over the months.\n\n"
        f"Chosen models (on the tuning forces only):\n\n{chosen}\n\n"
        "`pai_clairvoyant` is the best clairvoyant reference (risk/ceiling.py): a "
        "ranking by the months on both sides of the target month, tuned on the answer. It is "
        "not a forecast; it shows how far above the baselines the counts let any ranking go."
        f"\n\n{_markdown(summary)}"
    )
    _plot(results, choices, paths["plot"])
    return paths
