"""Proper scores for yes/no forecasts, skill against baselines, and reliability.

* Brier score (Brier 1950): (f - o)^2, and the log score (Good 1952): -log of the probability
  given to what happened, both lower-is-better and strictly proper, computed by ``scoringrules``.
  Forecasts are clipped to [1e-3, 1 - 1e-3] for the log score only, so that one confident miss
  (a persistence forecast of exactly 0 or 1) costs log(1000) ~ 6.9 rather than infinity.
* Skill against a baseline: 1 - S_model / S_baseline (Murphy 1988); positive means better than
  the baseline. Its interval is a percentile bootstrap over questions; with several cuts
  (rolling origin), cuts are resampled first and questions within each drawn cut, because the
  questions of one cut share one state of the world and are not independent of each other.
* Reliability (calibration) diagram data: forecasts binned, the mean forecast against the
  observed frequency in each bin, with counts (Murphy & Winkler 1977).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import scoringrules as sr

CLIP = 1e-3
BOOTSTRAP = 2000


def brier(forecast: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Per-question Brier scores."""
    f = np.asarray(forecast, dtype=float)
    return np.asarray(sr.brier_score(np.asarray(outcome, dtype=float), f), dtype=float)


def log_score(forecast: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Per-question log scores (negative log-likelihood), forecasts clipped to [CLIP, 1 - CLIP]."""
    f = np.clip(np.asarray(forecast, dtype=float), CLIP, 1.0 - CLIP)
    return np.asarray(sr.log_score(np.asarray(outcome, dtype=float), f), dtype=float)


SCORERS = {"brier": brier, "log": log_score}


def _ratio_skill(model: np.ndarray, base: np.ndarray) -> float | None:
    b = float(base.mean())
    if b <= 0.0:
        return None  # a perfect baseline: no skill can be measured against it
    return 1.0 - float(model.mean()) / b


def _draw_skill(model: np.ndarray, base: np.ndarray) -> float:
    """Skill of one bootstrap draw. A draw in which the baseline is perfect is the worst case for
    the model (-inf unless the model is perfect too, then 0): dropping it would make the
    interval too kind to the model."""
    s = _ratio_skill(model, base)
    if s is not None:
        return s
    return 0.0 if float(model.mean()) <= 0.0 else -math.inf


def skill(model: np.ndarray, base: np.ndarray, groups: Sequence[Any] | None = None,
          seed: int = 0, draws: int = BOOTSTRAP) -> dict[str, float | None]:
    """Skill of ``model`` against ``base`` (per-question scores), with a 95% bootstrap interval.

    ``groups`` labels each question with its cut; when there are several cuts the bootstrap
    resamples cuts, then questions within them.
    """
    model = np.asarray(model, dtype=float)
    base = np.asarray(base, dtype=float)
    value = _ratio_skill(model, base)
    if value is None or len(model) == 0:
        return {"value": value, "ci_low": None, "ci_high": None, "unbounded_below": False}
    rng = np.random.default_rng(seed)
    labels = np.asarray(groups if groups is not None else np.zeros(len(model)))
    members = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    stats = np.empty(draws)
    for k in range(draws):
        chosen = rng.integers(0, len(members), len(members)) if len(members) > 1 else [0]
        idx = np.concatenate([rng.choice(members[g], len(members[g])) for g in chosen])
        stats[k] = _draw_skill(model[idx], base[idx])
    # Order statistics, not interpolation: some draws may be -inf.
    low, high = np.percentile(stats, [2.5, 97.5], method="inverted_cdf")
    unbounded = bool(np.isneginf(low))
    return {"value": value, "ci_low": None if unbounded else float(low),
            "ci_high": None if np.isneginf(high) else float(high),
            "unbounded_below": unbounded}


def format_skill(v: dict[str, Any], digits: int = 3) -> str:
    """A skill with its interval as text: '+0.30 [-0.03, +0.57]', '−∞' for an unbounded end."""
    if v["value"] is None:
        return "n/a"
    f = f"{{:+.{digits}f}}"
    if v.get("unbounded_below"):
        high = "" if v["ci_high"] is None else f.format(v["ci_high"])
        return f"{f.format(v['value'])} [−∞, {high}]"
    if v["ci_low"] is None:
        return f.format(v["value"])
    return f"{f.format(v['value'])} [{f.format(v['ci_low'])}, {f.format(v['ci_high'])}]"


def reliability(forecast: np.ndarray, outcome: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Binned forecasts against observed frequencies; empty bins are left out."""
    f = np.asarray(forecast, dtype=float)
    o = np.asarray(outcome, dtype=float)
    # Bin k holds [k/bins, (k+1)/bins); the small allowance keeps 0.3 (= 300/1000 runs) in its
    # own bin despite floating-point edges, and 1.0 goes in the last bin.
    which = np.minimum(np.floor(f * bins + 1e-9).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        m = which == b
        if m.any():
            rows.append({"bin_low": b / bins, "bin_high": (b + 1) / bins,
                         "mean_forecast": float(f[m].mean()), "observed": float(o[m].mean()),
                         "count": int(m.sum())})
    return rows
