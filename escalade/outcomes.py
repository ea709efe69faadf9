"""From per-replicate outputs to the numbers users ask for: probabilities and means, with 95% CIs.

Probabilities use Wilson score intervals (good near 0 and 1, where these outcomes often are);
means use the normal approximation, clipped at 0 for counts and other quantities that cannot be
negative; differences between policies are paired by replicate (the same key, hence common random
numbers), so their intervals are much tighter than the intervals of the two probabilities taken
apart. A paired difference of two proportions uses Newcombe's square-and-add score interval
(method 10 of Newcombe 1998), not Wald's, which collapses to [0, 0] when no replicate differs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from escalade.engine.layout import CO_NAMES
from escalade.engine.run import RawResult
from escalade.registry import names_of, of_kind

Z95 = 1.959963984540054

# What each outcome means, for tables (declared with the outcome in escalade.registry).
DESCRIPTIONS = {o.name: o.description for o in of_kind("first_day")}
ACTOR_METRICS = names_of("actor")  # in the engine's column order


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its 95% interval."""

    value: float
    ci_low: float
    ci_high: float

    def as_p(self) -> dict[str, float]:
        return {"p": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}

    def as_mean(self) -> dict[str, float]:
        return {"mean": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


def wilson(k: int, n: int) -> Estimate:
    """Wilson score interval for k successes in n trials."""
    p = k / n
    denom = 1.0 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exact ends: rounding left 1e-19 at k = 0
    high = 1.0 if k == n else min(1.0, centre + half)
    return Estimate(p, low, high)


def mean_ci(x: np.ndarray, lower: float | None = None) -> Estimate:
    """Mean with a normal-approximation interval (replicates are independent).

    ``lower``: the smallest value the quantity can take (0 for a count); the interval is clipped
    there, since the normal interval is symmetric and would reach below it when the mean is within
    two standard errors of it (a pair that almost never strikes).
    """
    n = len(x)
    m = float(np.mean(x))
    se = float(np.std(x, ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    low, high = m - Z95 * se, m + Z95 * se
    if lower is not None:
        low, m = max(low, lower), max(m, lower)
    return Estimate(m, low, high)


def newcombe_paired(both: int, first_only: int, second_only: int, neither: int) -> Estimate:
    """Difference p1 - p2 of two paired proportions with Newcombe's score interval.

    Method 10 of Newcombe (1998), "Improved confidence intervals for the difference between
    binomial proportions based on paired data", Stat Med 17:2635-50: the Wilson intervals of p1
    and p2 combined by square-and-add, with the correlation of the pairs (phi, corrected toward 0
    as the paper prescribes). Unlike Wald's interval it keeps a width when no pair differs: with 0
    discordant pairs among n that never see the event it is [-3.84/(n + 3.84), +3.84/(n + 3.84)]
    (the Wilson ends), not [0, 0]. Checked against published examples in tests.
    """
    n = both + first_only + second_only + neither
    k1, k2 = both + first_only, both + second_only
    w1, w2 = wilson(k1, n), wilson(k2, n)
    p1, p2 = w1.value, w2.value
    margins = (k1, n - k1, k2, n - k2)
    phi = 0.0
    if all(margins):
        cross = both * neither - first_only * second_only
        corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
        phi = corrected / math.sqrt(math.prod(float(m) for m in margins))
    d1l, d1u, d2l, d2u = p1 - w1.ci_low, w1.ci_high - p1, p2 - w2.ci_low, w2.ci_high - p2
    low = (p1 - p2) - math.sqrt(max(0.0, d1l**2 - 2 * phi * d1l * d2u + d2u**2))
    high = (p1 - p2) + math.sqrt(max(0.0, d2l**2 - 2 * phi * d2l * d1u + d1u**2))
    return Estimate(p1 - p2, max(-1.0, low), min(1.0, high))


def indicators(raw: RawResult) -> dict[str, np.ndarray]:
    """Boolean outcome per replicate, including by-horizon versions (``regional_war_30d``)."""
    events = of_kind("first_day")
    out = {o.name: raw.days_out[:, o.column] >= 0 for o in events}
    for o in events:
        if o.horizons:
            for h in raw.compiled.horizons:
                if h < raw.compiled.days:
                    day = raw.days_out[:, o.column]
                    out[f"{o.name}_{h}d"] = (day >= 0) & (day <= h)
    return out


@dataclass(frozen=True)
class Summary:
    """What a cell's replicates add up to. ``counts`` holds the mean of each per-run count of the
    registry (``war_days``), each a top-level key of the JSON; a summary stored before a count
    existed lacks it."""

    outcomes: dict[str, Estimate]
    actors: dict[str, dict[str, Estimate]]
    runs: int
    strikes_by_pair: dict[str, Estimate]  # "ISR>HEZ": mean strikes by ISR on HEZ
    counts: dict[str, Estimate] = field(default_factory=dict)  # "war_days": mean days at war
    # "USA>ISR": {"helped": ..., "abandoned": ...}, mean attacks a run on the protected side that
    # the committed side helped against or left without help (empty for summaries stored before)
    commitments: dict[str, dict[str, Estimate]] = field(default_factory=dict)

    @property
    def war_days(self) -> Estimate | None:
        """Mean days at war, as the Python API offered it before counts were read from the
        registry (None for a summary stored before it was counted)."""
        return self.counts.get("war_days")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: probabilities and means with their 95% intervals."""
        return {
            "runs": self.runs,
            "outcomes": {k: v.as_p() for k, v in self.outcomes.items()},
            "actors": {a: {m: e.value for m, e in ms.items()} for a, ms in self.actors.items()},
            "actors_ci": {a: {m: [e.ci_low, e.ci_high] for m, e in ms.items()}
                          for a, ms in self.actors.items()},
            "strikes_by_pair": {k: e.as_mean() for k, e in self.strikes_by_pair.items()},
            "commitments": {k: {m: e.as_mean() for m, e in ms.items()}
                            for k, ms in self.commitments.items()},
        } | {k: e.as_mean() for k, e in self.counts.items()}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Summary:
        outcomes = {k: Estimate(v["p"], v["ci_low"], v["ci_high"]) for k, v in doc["outcomes"].items()}
        actors = {a: {m: Estimate(v, *doc["actors_ci"][a][m]) for m, v in ms.items()}
                  for a, ms in doc["actors"].items()}
        pairs = {k: Estimate(v["mean"], v["ci_low"], v["ci_high"])
                 for k, v in doc["strikes_by_pair"].items()}
        counts = {o.name: Estimate(c["mean"], c["ci_low"], c["ci_high"])  # absent from summaries
                  for o in of_kind("count") if (c := doc.get(o.name))}  # stored before it was counted
        commitments = {k: {m: Estimate(v["mean"], v["ci_low"], v["ci_high"]) for m, v in ms.items()}
                       for k, ms in doc.get("commitments", {}).items()}
        return cls(outcomes, actors, int(doc["runs"]), pairs, counts, commitments)


def summarise(raw: RawResult) -> Summary:
    n = raw.runs
    outcomes = {k: wilson(int(v.sum()), n) for k, v in indicators(raw).items()}
    ids = raw.compiled.ids
    actors = {  # every actor metric is a count or a non-negative total
        aid: {m: mean_ci(raw.actor_out[:, a, k], lower=0.0) for k, m in enumerate(ACTOR_METRICS)}
        for a, aid in enumerate(ids)
    }
    pairs = {f"{ids[i]}>{ids[j]}": mean_ci(raw.pair_out[:, i, j], lower=0.0)
             for i in range(len(ids)) for j in range(len(ids)) if raw.pair_out[:, i, j].any()}
    counts = {o.name: mean_ci(raw.days_out[:, o.column].astype(np.float64), lower=0.0)
              for o in of_kind("count")}
    commitments = {}
    if raw.commit_out is not None:
        for k, (p, q) in enumerate(raw.compiled.commitments):
            commitments[f"{ids[p]}>{ids[q]}"] = {
                m: mean_ci(raw.commit_out[:, k, c].astype(np.float64), lower=0.0)
                for c, m in enumerate(CO_NAMES)}
    return Summary(outcomes, actors, n, pairs, counts, commitments)


def paired_difference(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Mean of b - a over replicates that share keys, with its 95% interval: Newcombe's score
    interval when both are yes/no outcomes, else the normal interval of the paired differences."""
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        both = int(np.count_nonzero(a & b))
        b_only = int(np.count_nonzero(b & ~a))
        a_only = int(np.count_nonzero(a & ~b))
        return newcombe_paired(both, b_only, a_only, len(a) - both - a_only - b_only)
    return mean_ci(b.astype(np.float64) - a.astype(np.float64))


def compare(base: RawResult, other: RawResult) -> dict[str, Estimate]:
    """Differences other - base of every outcome and actor metric (paired by replicate)."""
    if base.runs != other.runs or base.seed != other.seed:
        raise ValueError("compare needs results with the same runs and seed")
    ia, ib = indicators(base), indicators(other)
    diffs = {k: paired_difference(ia[k], ib[k]) for k in ia}
    for a, aid in enumerate(base.compiled.ids):
        for k, m in enumerate(ACTOR_METRICS):
            diffs[f"{aid}.{m}"] = paired_difference(base.actor_out[:, a, k], other.actor_out[:, a, k])
    return diffs


def outcome_names(compiled: Any) -> list[str]:
    """Every name ``outcome_value`` accepts for a compiled scenario (for checks and messages)."""
    events = of_kind("first_day")
    found = [o.name for o in events]
    for o in events:
        if o.horizons:
            found += [f"{o.name}_{h}d" for h in compiled.horizons if h < compiled.days]
    found += [f"{aid}.{m}" for aid in compiled.ids for m in ACTOR_METRICS]
    return found


def outcome_value(summary: dict[str, Any], name: str) -> float:
    """One number from a summary's JSON: a probability (``regional_war_90d``) or an actor mean
    (``ISR.casualties``). Raises KeyError for a name the summary does not have."""
    if name in summary["outcomes"]:
        return float(summary["outcomes"][name]["p"])
    actor, dot, metric = name.partition(".")
    if dot and actor in summary["actors"] and metric in summary["actors"][actor]:
        return float(summary["actors"][actor][metric])
    raise KeyError(name)
