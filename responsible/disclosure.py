"""Disclosure control for the public tier: what a resident may see of a map cell.

Two rules, applied wherever a public answer is built (GraphQL layers, a map click,
vector tiles, the live ``riskChanged`` feed):

1. **Only open data.** A public feature carries fields derived from open police.uk data
   alone, each in a form that cannot be turned back into a count: the risk score is
   recomputed without the offender-network component (which comes from agency records
   and people) and rounded; harm, near-repeat and exact hotspot statistics are withheld
   (harm is a fixed weight times a count, a Gi* z-score is linear in counts); hotspots
   say only hot, cold or neither; forecasts are rounded.
2. **Counts by the cell-key method** (ONS, Census 2021): every published count gets a
   small perturbation chosen by the cell's key — a keyed hash (HMAC with a server secret)
   of which count it is and of its value, as ONS's key changes with the records in the
   cell — so the same cell always shows the same value (asking again averages nothing
   away), a cell whose count changes draws a new perturbation (watching it cross 5, or
   tick up live, does not reveal its noise), and different cells, groups, resolutions and
   months carry independent noise; a count under 5, before or after perturbation, is shown as
   "fewer than 5". Subtracting one published count from another (all crime minus the
   other groups, a parent cell minus its children, one month's window minus the next)
   then gives the true count plus the sum of several independent perturbations, never
   the count itself.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

FEWER_THAN_5 = "fewer than 5"
SMALL_COUNT = 5
# The perturbation table: a cell key 0..255 falls in one band, which gives the change.
# P(-2) = P(+2) = 0.1, P(-1) = P(+1) = 0.2, P(0) = 0.4.
_PTABLE = ((26, -2), (77, -1), (179, 0), (230, 1), (256, 2))
MAX_PERTURBATION = 2
SCORE_DECIMALS = 1
OPEN_SCORE_WEIGHTS_EXCLUDE = frozenset({"network"})

# Public fields per layer, besides the ones every feature keeps.
_KEPT = ("id", "month", "crimeGroup", "forceCode", "model", "basis")


def cell_key(secret: bytes, *identity: object) -> int:
    """The cell's key, 0..255: a keyed hash of which count this is and its value."""
    message = "|".join(str(part) for part in identity).encode()
    return hmac.new(secret, message, hashlib.sha256).digest()[0]


def perturbation(key: int) -> int:
    for upper, change in _PTABLE:
        if key < upper:
            return change
    raise ValueError(f"cell key out of range: {key}")


def published_count(count: float | int | None, secret: bytes, *identity: object) -> int | str:
    """A count as the public sees it: perturbed by its cell key, or "fewer than 5"."""
    if count is None:
        return FEWER_THAN_5
    true = int(count)
    if true < SMALL_COUNT:
        return FEWER_THAN_5
    shown = true + perturbation(cell_key(secret, *identity, true))
    return FEWER_THAN_5 if shown < SMALL_COUNT else shown


def open_score(
    properties: dict[str, Any], means: dict[str, float], weights: dict[str, float]
) -> float:
    """The risk score from open data only: the weighted mean of each component relative
    to its mean over the slice, without the components agency records feed."""
    chosen = {k: w for k, w in weights.items() if k not in OPEN_SCORE_WEIGHTS_EXCLUDE}
    total = 0.0
    for component, weight in chosen.items():
        value = properties.get(property_name(component))
        mean = means.get(component, 0.0)
        if isinstance(value, int | float) and mean > 0:
            total += weight * value / mean
    return total / sum(chosen.values())


def property_name(column: str) -> str:
    """A warehouse column's name as a feature property (``near_repeat`` → ``nearRepeat``)."""
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)


def public_properties(
    layer: str,
    properties: dict[str, Any],
    secret: bytes,
    *,
    means: dict[str, float] | None = None,
    weights: dict[str, float] | None = None,
    level: str = "",
    resolution: int = -1,
) -> dict[str, Any]:
    """The public form of one feature's properties for ``layer`` (risk, hotspots,
    forecast); ``means`` and ``weights``: the slice's component means and the score
    weights, for the risk layer's open score."""
    out = {k: properties[k] for k in _KEPT if k in properties}
    identity = (layer, properties.get("month"), level, resolution, properties.get("crimeGroup"))
    area = properties.get("id")
    if layer == "risk":
        out["incidents"] = published_count(properties.get("incidents"), secret, *identity, area)
        if means is not None and weights is not None:
            out["score"] = round(open_score(properties, means, weights), SCORE_DECIMALS)
    elif layer == "hotspots":
        out["hotspot"] = hotspot_class(properties)
    elif layer == "forecast":
        expected = properties.get("expected")
        out["expected"] = round(float(expected), SCORE_DECIMALS) if expected is not None else None
    return out


def hotspot_class(properties: dict[str, Any]) -> str:
    """Hot, cold or neither at 5% (the q value, the false discovery rate, where the layer
    has one; else the p value), nothing finer."""
    q, z = properties.get("qValue", properties.get("pValue")), properties.get("giZ")
    if q is None or z is None or q >= 0.05:
        return "none"
    return "hot" if z > 0 else "cold"
