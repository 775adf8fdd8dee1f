"""The feedback loop of predictive patrolling, simulated (Lum & Isaac 2016; Ensign et al.
2018): patrols go to the cells the model ranks highest; there, officers find more of the
crime the police discover themselves (drugs, weapons); the model is retrained on what was
recorded, so it ranks the patrolled cells higher still.

Each cell has true monthly rates of publicly reported and of police-discovered crime
(from real data). A round is a month: the model (recorded history, counts halving every
``half_life`` months, as the risk stage's baseline) picks the top ``share`` of cells;
reported crime is recorded as it happens (Poisson), discovered crime at ``uplift`` times
its rate in patrolled cells. Uncorrected, the model learns from the records as they are.
Corrected (Ensign et al.'s remedy), a discovered crime recorded in a patrolled cell counts
1/uplift: weighted by the inverse of how much likelier patrols made its discovery.

Runaway shows as: the patrolled cells' predicted rate drifting above their true rate
(``inflation``), patrols locked on the first cells chosen (``lock_in``), and patrols
missing the truly highest-crime cells (``precision``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from risk.baselines import decay_weights


@dataclass(frozen=True)
class LoopSettings:
    rounds: int = 24
    share: float = 0.02  # of cells patrolled each round
    uplift: float = 3.0  # discovered crime recorded per true crime where patrols go
    half_life: float = 3.0
    warmup: int = 6  # months recorded without patrols before the first round
    seed: int = 0


@dataclass
class LoopResult:
    corrected: bool
    inflation: list[float]  # per round: predicted / true rate in the patrolled cells
    lock_in: list[float]  # per round: share of patrols in the first round's cells
    precision: list[float]  # per round: share of patrols in the truly top cells
    gini: float  # of patrols per cell over all rounds
    distance: list[float]  # per round: total variation between predicted and true shares
    patrols: np.ndarray = field(default_factory=lambda: np.zeros(0))  # rounds per cell

    def to_dict(self) -> dict:
        out = asdict(self)
        del out["patrols"]
        return out

    def final(self, name: str, last: int = 6) -> float:
        """Mean of a per-round figure over the last ``last`` rounds."""
        return float(np.mean(getattr(self, name)[-last:]))


def gini(values: np.ndarray) -> float:
    """0: spread evenly over the cells; near 1: all on a few."""
    x = np.sort(np.asarray(values, dtype=float))
    if x.sum() == 0:
        return 0.0
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def simulate(
    reported: np.ndarray, discovered: np.ndarray, settings: LoopSettings, corrected: bool
) -> LoopResult:
    """Run the loop on true monthly rates per cell."""
    rng = np.random.default_rng(settings.seed)
    n = len(reported)
    k = max(1, round(settings.share * n))
    truth = reported + discovered
    true_top = set(np.argsort(-truth, kind="stable")[:k].tolist())
    months = settings.warmup + settings.rounds
    history = np.zeros((n, months))
    for t in range(settings.warmup):
        history[:, t] = rng.poisson(reported) + rng.poisson(discovered)
    patrols = np.zeros(n)
    first: set[int] = set()
    result = LoopResult(corrected, [], [], [], 0.0, [])
    for t in range(settings.warmup, months):
        predicted = history[:, :t] @ decay_weights(t, settings.half_life)
        predicted /= decay_weights(t, settings.half_life).sum()  # a monthly rate
        ties = rng.random(n) * 1e-9  # no cell wins ties by its position
        chosen = np.argsort(-(predicted + ties), kind="stable")[:k]
        patrolled = np.zeros(n, dtype=bool)
        patrolled[chosen] = True
        first = first or set(chosen.tolist())
        patrols[chosen] += 1
        found = rng.poisson(discovered * np.where(patrolled, settings.uplift, 1.0))
        recorded_discovered = np.where(patrolled & corrected, found / settings.uplift, found)
        history[:, t] = rng.poisson(reported) + recorded_discovered
        result.inflation.append(float(predicted[chosen].sum() / truth[chosen].sum()))
        result.lock_in.append(len(first & set(chosen.tolist())) / k)
        result.precision.append(len(true_top & set(chosen.tolist())) / k)
        shares = predicted / predicted.sum() if predicted.sum() else predicted
        result.distance.append(float(0.5 * np.abs(shares - truth / truth.sum()).sum()))
    result.gini = gini(patrols)
    result.patrols = patrols
    return result


def compare(
    reported: np.ndarray, discovered: np.ndarray, settings: LoopSettings | None = None
) -> dict[str, LoopResult]:
    """The loop uncorrected and corrected, on the same rates and seed."""
    settings = settings or LoopSettings()
    return {
        "uncorrected": simulate(reported, discovered, settings, corrected=False),
        "corrected": simulate(reported, discovered, settings, corrected=True),
    }
