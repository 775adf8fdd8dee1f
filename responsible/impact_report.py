"""An intervention's estimate as a report: a Markdown table, a PNG of the treated area
against its comparison and synthetic control (and the ring), and the figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from responsible.impact import ImpactResult, Interval
from responsible.interventions import Intervention


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{value * 100:+.1f}%"


def _row(name: str, interval: Interval, how: str) -> str:
    return (
        f"| {name} | {_pct(interval.estimate)} | {_pct(interval.low)} to "
        f"{_pct(interval.high)} | {how} |"
    )


def markdown(item: Intervention, result: ImpactResult, plot_name: str) -> str:
    wdq = "n/a" if result.wdq is None else f"{result.wdq:.2f}"
    lines = [
        f"# Intervention {item.intervention_id}: {item.name}",
        "",
        f"- Area: {item.area_kind}, {len(item.cells)} resolution-9 cells registered, "
        f"{result.treated_cells} with recorded crime; ring (1-2 cells out): "
        f"{result.ring_cells} cells",
        f"- Period: {item.start_month} to {item.end_month}; compared with "
        f"{result.pre_months[0]}..{result.pre_months[-1]} "
        f"({len(result.pre_months)} months before); "
        f"post months with data: {len(result.post_months)}",
        f"- Crime groups: {', '.join(item.crime_groups)}",
        f"- Crimes in the area: {result.treated_pre:.0f} before, {result.treated_post:.0f} "
        f"during (the comparison cells imply {result.expected_post:.0f} without the "
        "intervention)",
        f"- Verdict: **{result.verdict}** in the area; around it: **{result.ring_verdict}**",
        "",
        "| estimate | effect | 95% interval | how |",
        "| --- | --- | --- | --- |",
        _row(
            "Difference-in-differences",
            result.did,
            f"{result.comparison_cells} comparison cells matched on pre-period level and "
            f"trend; interval from {result.placebos} placebo areas",
        ),
        _row(
            "DiD, cell bootstrap",
            result.did_bootstrap,
            "treated cells resampled with their matches; blind to shocks neighbours share",
        ),
        _row(
            "Synthetic control",
            result.synthetic,
            f"{result.donor_cells} donor cells, non-negative weights; placebo interval",
        ),
        _row(
            "Ring (displacement + / diffusion -)",
            result.ring,
            "DiD of the cells 1-2 steps out; placebo interval",
        ),
        "",
        f"Weighted displacement quotient: {wdq} (above 0: diffusion of benefit, below 0: "
        "displacement, per crime the area's change accounts for).",
        "",
        f"![treated area against comparison]({plot_name})",
        "",
    ]
    return "\n".join(lines)


def plot(result: ImpactResult, path: Path, title: str) -> None:
    series = result.series
    months = series["months"]
    x = range(len(months))
    start = months.index(result.post_months[0])
    rows = 2 if series.get("ring") else 1
    fig, axes = plt.subplots(rows, 1, figsize=(8, 3.2 * rows), sharex=True, squeeze=False)
    ax = axes[0][0]
    ax.plot(x, series["treated"], "o-", color="#c0392b", label="area (observed)")
    ax.plot(x, series["comparison"], "s--", color="#2c3e50", label="matched comparison (scaled)")
    ax.plot(x, series["synthetic"], ":", color="#16a085", label="synthetic control")
    ax.set_ylabel("crimes per month")
    ax.set_title(title)
    if rows == 2:
        ring = axes[1][0]
        ring.plot(x, series["ring"], "o-", color="#8e44ad", label="ring 1-2 cells out")
        if "ring_comparison" in series:
            ring.plot(x, series["ring_comparison"], "s--", color="#2c3e50", label="comparison")
        ring.set_ylabel("crimes per month")
    for row in axes:
        row[0].axvspan(start - 0.5, len(months) - 0.5, color="#f1c40f", alpha=0.15)
        row[0].legend(fontsize=8, loc="best")
    axes[-1][0].set_xticks(list(x), months, rotation=45, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(item: Intervention, result: ImpactResult, out: Path) -> dict[str, Path]:
    """Write impact.md, impact.png and impact.json into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "markdown": out / "impact.md",
        "plot": out / "impact.png",
        "json": out / "impact.json",
    }
    plot(result, paths["plot"], f"{item.name} ({', '.join(item.crime_groups)})")
    paths["markdown"].write_text(markdown(item, result, paths["plot"].name))
    paths["json"].write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return paths
