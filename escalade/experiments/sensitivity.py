"""Global sensitivity analysis: which uncertain parameters drive an outcome, and how much.

The math layer (``sample``, ``analyze``, ``run_analysis``) knows nothing of scenarios or the
simulator: it samples a box of parameters (``PATH=LOW:HIGH`` each, uniform), and it turns one
model output per sample row into sensitivity indices with SALib. The wiring at the end
(``sensitivity_design``, ``indices_from_summaries``) makes each row a cell of a ``Design`` whose
overrides are ``{path: value}``, and reads one number per row per outcome back from the cells'
summaries.

Two methods:

* ``sobol`` - variance-based (Saltelli sampling, Jansen/Saltelli estimators). ``S1`` is the share
  of output variance a parameter explains alone, ``ST`` the share it is involved in, interactions
  included; ``ST - S1`` measures interactions. Costs ``samples * (D + 2)`` model runs.
* ``morris`` - elementary-effects screening. ``mu_star`` ranks parameters by the mean absolute
  change of the output over a step of 2/3 of the parameter's range, divided by 2/3 (output units
  per whole range, so parameters of different units compare); ``sigma`` flags non-linearity or
  interaction; ``mu`` (signed) near 0 while ``mu_star`` is large means the effect changes sign.
  Costs ``samples * (D + 1)`` runs: cheap, qualitative.

Monte Carlo outputs, and why every point must use the same seed
----------------------------------------------------------------
Each output here is itself a Monte Carlo estimate: ``Y(x) = f(x) + e(x)``, where ``e`` is the
sampling noise of the replicates. Sobol's total index is estimated from differences between two
points that differ in one parameter, ``E[(Y(A) - Y(AB_i))^2] / 2V``. If the noise at the two points
is independent, each difference carries ``2 var(e)`` of pure noise, so *every* ``ST_i`` is inflated by
about ``var(e) / V`` - a parameter the model ignores looks as if it mattered that much - and the
noise also enters ``V``, shrinking every ``S1``. Morris's ``mu_star`` is inflated the same way
(the mean of ``|noise difference|`` is not zero).

Common random numbers fix most of this: simulate every point with the same seed, so replicate r sees
the same random stream everywhere and the noise is nearly the same at two neighbouring points; it
cancels in the differences. Then a parameter the model ignores gives *identical* outputs and gets
indices of exactly 0, which is a free check that the wiring is right. What remains is the noise of
one frozen random stream, which shrinks like ``1/sqrt(replicates)``; the bootstrap confidence
intervals do not include it, so use enough replicates that the outcome is stable at one point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from escalade.errors import UserError
from escalade.experiments.design import MAX_CELLS, Design, check_cells, cross, integer_paths, prepare
from escalade.outcomes import outcome_names, outcome_value

METHODS = ("sobol", "morris")

#: Morris grid: 4 levels (0, 1/3, 2/3, 1 of each range) with a step of 2/3 of the range - the
#: standard choice (an even number, so every level is reached with equal probability).
MORRIS_LEVELS = 4
#: Level of the bootstrap confidence intervals SALib reports as ``*_conf`` (half-widths).
CONF_LEVEL = 0.95

#: Which values each method's indices carry, in order.
INDEX_KEYS: dict[str, tuple[str, ...]] = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
}

#: ``Index.flag`` when every output was the same: there is no variance to apportion, so the
#: indices are 0 by convention (nothing explains anything) instead of SALib's 0/0 = NaN.
FLAG_CONSTANT = "constant output"
#: ``Index.flag`` when SALib still produced a NaN or infinity that was replaced by 0.0.
FLAG_NAN = "NaN replaced by 0"

_EXAMPLE = "actors.IRN.resolve=0.5:0.95"


@dataclass(frozen=True)
class Problem:
    """A box of uniformly distributed parameters: one scenario path and its ``(low, high)`` each."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]

    @property
    def num_vars(self) -> int:
        return len(self.names)

    def salib(self) -> dict:
        """The problem as SALib wants it. A fresh dict each call: SALib adds keys to the one it gets."""
        return {"num_vars": self.num_vars, "names": list(self.names),
                "bounds": [[lo, hi] for lo, hi in self.bounds]}


@dataclass(frozen=True)
class Index:
    """The sensitivity of one outcome to one parameter.

    ``values`` holds ``S1, S1_conf, ST, ST_conf`` (sobol) or ``mu_star, mu_star_conf, sigma, mu``
    (morris); ``*_conf`` are half-widths of 95% bootstrap intervals. ``flag`` is empty when the
    values were estimated, else says why they are 0 (``FLAG_CONSTANT``, ``FLAG_NAN``).
    """

    param: str
    method: str
    values: dict[str, float]
    flag: str = field(default="")

    def as_dict(self) -> dict:
        """A flat row for JSON, CSV or a table: param, method, the values, then the flag."""
        return {"param": self.param, "method": self.method, **self.values, "flag": self.flag}


def parse_param(spec: str) -> tuple[str, float, float]:
    """``PATH=LOW:HIGH`` -> ``(PATH, low, high)``, both finite and ``low < high``."""
    path, sep, rng = spec.partition("=")
    lo, colon, hi = rng.partition(":")
    path = path.strip()
    why = ""
    if not sep or not path:
        why = "no PATH= before the range"
    elif not colon:
        why = "the range needs LOW:HIGH"
    else:
        try:
            low, high = float(lo), float(hi)
        except ValueError:
            why = f"LOW and HIGH must be numbers, got {lo.strip()!r} and {hi.strip()!r}"
        else:
            if not (math.isfinite(low) and math.isfinite(high)):
                why = "LOW and HIGH must be finite"
            elif not low < high:
                why = f"LOW must be below HIGH, got {low:g} >= {high:g}"
    if why:
        raise UserError(f"--param {spec!r}: {why}; expected PATH=LOW:HIGH with LOW < HIGH, "
                        f"e.g. {_EXAMPLE}")
    return path, low, high


def make_problem(params: list[tuple[str, float, float]]) -> Problem:
    """The problem of the given ``(path, low, high)`` parameters, each path once."""
    if not params:
        raise UserError(f"--param: give at least one parameter to vary, e.g. --param {_EXAMPLE}")
    names = [p for p, _, _ in params]
    repeated = sorted({p for p in names if names.count(p) > 1})
    if repeated:
        raise UserError(f"--param: each path once, got {', '.join(repeated)} more than once")
    for path, low, high in params:
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise UserError(f"--param {path}={low}:{high}: expected finite LOW < HIGH, e.g. {_EXAMPLE}")
    return Problem(tuple(names), tuple((float(lo), float(hi)) for _, lo, hi in params))


def rows_needed(problem: Problem, method: str, samples: int) -> int:
    """How many points (model runs) ``sample`` returns: the cost of the analysis."""
    _check_method(method)
    return samples * (problem.num_vars + (2 if method == "sobol" else 1))


def sample(problem: Problem, method: str, samples: int, seed: int) -> np.ndarray:
    """The points to run, one row per point, columns in ``problem.names`` order.

    sobol: a scrambled Sobol' sequence arranged by Saltelli's scheme, ``samples * (D + 2)`` rows
    in blocks of ``D + 2`` (A, A with column i from B for each i, B). ``calc_second_order=False``:
    second-order indices would nearly double the cost (``2D + 2`` rows per block) and, estimated from
    noisy Monte Carlo outputs, are mostly noise; ``ST - S1`` already says how much a parameter
    interacts. ``samples`` must be a power of 2, or the Sobol' points lose their balance.

    morris: ``samples`` random trajectories on a 4-level grid, ``samples * (D + 1)`` rows in blocks
    of ``D + 1`` (each row moves one parameter by 2/3 of its range).

    The same ``seed`` gives the same points, bit for bit.
    """
    _check_method(method)
    seed = _check_seed(seed)
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 2:
        raise UserError(f"--samples: need a whole number of at least 2, got {samples!r}")
    samples = int(samples)
    if method == "sobol":
        if samples & (samples - 1):
            low = 1 << (samples.bit_length() - 1)
            raise UserError(f"--samples {samples}: sobol needs a power of 2 (its points are balanced "
                            f"only then), e.g. {low} or {low * 2}")
        return sobol_sample.sample(problem.salib(), N=samples, calc_second_order=False, seed=seed)
    return morris_sample.sample(problem.salib(), N=samples, num_levels=MORRIS_LEVELS, seed=seed)


def analyze(problem: Problem, method: str, X: np.ndarray, Y: np.ndarray, seed: int) -> list[Index]:
    """Sensitivity indices of the output ``Y`` (one value per row of ``X``), one ``Index`` per parameter.

    ``X`` must be what ``sample`` returned for the same problem and method, rows in the same order
    (SALib reads the design from the row order). ``seed`` fixes the bootstrap behind the confidence
    intervals, so the same inputs give the same indices.

    Outputs that are all equal (an outcome that never happens anywhere in the box, say) have no
    variance to apportion: Sobol's estimators would divide 0 by 0. Every index is then 0 - no
    parameter explains any variation - flagged ``FLAG_CONSTANT`` rather than NaN.

    No NaN ever leaves this function: any non-finite value SALib still produces is replaced by 0.0
    and flagged ``FLAG_NAN``. NaN is invalid JSON, sorts unpredictably in rankings and breaks plots;
    the only way SALib gets one from finite outputs is a variance of (nearly) 0, where "explains
    nothing" is the right reading. Non-finite *outputs* are refused (``UserError``): they mean the
    outcome is undefined at some points, and no index of it would mean anything.
    """
    _check_method(method)
    seed = _check_seed(seed)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    D = problem.num_vars
    per = D + (2 if method == "sobol" else 1)
    if X.ndim != 2 or X.shape[1] != D or X.shape[0] == 0 or X.shape[0] % per:
        raise ValueError(f"{method}: X must be the {per}*N x {D} matrix sample() gave, got shape {X.shape}")
    if Y.shape != (X.shape[0],):
        raise ValueError(f"{method}: need one output per row of X ({X.shape[0]}), got shape {Y.shape}")
    bad = int(np.count_nonzero(~np.isfinite(Y)))
    if bad:
        raise UserError(f"{method}: {bad} of {Y.size} outputs are not finite (NaN or infinite), so "
                        "the outcome is undefined at some points; choose an outcome defined everywhere")

    keys = INDEX_KEYS[method]
    if np.ptp(Y) == 0:
        return [Index(name, method, dict.fromkeys(keys, 0.0), FLAG_CONSTANT) for name in problem.names]

    if method == "sobol":
        res = sobol_analyze.analyze(problem.salib(), Y, calc_second_order=False, conf_level=CONF_LEVEL,
                                    seed=_bootstrap_seed(seed), print_to_console=False)
    else:
        res = morris_analyze.analyze(problem.salib(), X, Y, conf_level=CONF_LEVEL,
                                     num_levels=MORRIS_LEVELS, seed=seed)
    columns = {k: np.ma.filled(np.ma.asarray(res[k], dtype=np.float64), np.nan) for k in keys}
    out = []
    for i, name in enumerate(problem.names):
        values = {k: float(columns[k][i]) for k in keys}
        flag = ""
        if not all(math.isfinite(v) for v in values.values()):
            values = {k: v if math.isfinite(v) else 0.0 for k, v in values.items()}
            flag = FLAG_NAN
        out.append(Index(name, method, values, flag))
    return out


def run_analysis(func: Callable[[np.ndarray], np.ndarray], problem: Problem, method: str,
                 samples: int, seed: int) -> list[Index]:
    """Sample, evaluate ``func`` once on the whole matrix (rows are points), analyse.

    ``func`` gets the full ``rows x D`` matrix so it can batch the runs; it must return one output
    per row, in row order. For a Monte Carlo model, it should simulate every row with the same seed
    (common random numbers; see the module docstring).
    """
    X = sample(problem, method, samples, seed)
    Y = np.asarray(func(X), dtype=np.float64)
    return analyze(problem, method, X, Y, seed)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise UserError(f"--method {method!r}: expected one of {', '.join(METHODS)}")


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UserError(f"--seed: need a whole number >= 0, got {seed!r}")
    return int(seed)  # SALib's Morris accepts a Python int, not a numpy one


def _bootstrap_seed(seed: int) -> int:
    """The seed for Sobol's bootstrap: SALib tests ``if seed:``, so 0 would draw from numpy's global
    generator and the intervals would change from run to run. 0 is mapped to a fixed non-zero value."""
    return seed if seed else int(np.random.SeedSequence(0).generate_state(1)[0]) or 1


# --- wiring to the simulator ---------------------------------------------------------------


def sensitivity_design(scenario: str, params: list[tuple[str, float, float]], outcomes: list[str],
                       method: str, samples: int, runs: int, seed: int, policy: str | None = None,
                       overrides: list[str] | None = None, days: int | None = None,
                       max_cells: int = MAX_CELLS) -> Design:
    """A design with one cell per sample row, all on one seed (common random numbers).

    The spec keeps the problem, method and outcomes, so the indices can be recomputed from the
    stored cells alone (after ``--resume``, say).
    """
    problem = make_problem(params)
    _check_method(method)
    if not isinstance(samples, bool) and isinstance(samples, int | np.integer):
        check_cells(rows_needed(problem, method, int(samples)), max_cells, f"--samples {samples}")
    if not outcomes:
        raise UserError("--outcome: name at least one outcome, e.g. --outcome regional_war")
    _, compiled = prepare(scenario, policy, overrides, days)
    known = outcome_names(compiled)
    for name in outcomes:
        if name not in known:
            raise UserError(f"--outcome {name}: unknown; expected one of {known}")
    X = sample(problem, method, samples, seed)
    points = [{k: float(x) for k, x in zip(problem.names, row, strict=True)} for row in X]
    spec = {"design": "sensitivity", "method": method, "samples": samples, "outcomes": list(outcomes),
            "params": [[k, lo, hi] for k, lo, hi in params],
            "integer_params": integer_paths(scenario, policy, overrides, list(problem.names))}
    return Design("sensitivity", scenario, cross(points, [policy]), runs, seed, days,
                  tuple(overrides or ()), spec=spec)


NOISE_KEYS = {"sobol": ("S1", "ST"), "morris": ("mu_star",)}
NOISE_RESAMPLES = 100


def _point_estimates(problem: Problem, method: str, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    """Just the indices, no bootstrap of SALib's own (that is what makes the loop below cheap)."""
    if np.ptp(Y) == 0:
        return {k: np.zeros(problem.num_vars) for k in NOISE_KEYS[method]}
    if method == "sobol":
        res = sobol_analyze.analyze(problem.salib(), Y, calc_second_order=False, num_resamples=2,
                                    conf_level=CONF_LEVEL, seed=1, print_to_console=False)
    else:
        res = morris_analyze.analyze(problem.salib(), X, Y, num_resamples=2, conf_level=CONF_LEVEL,
                                     num_levels=MORRIS_LEVELS, seed=1)
    return {k: np.nan_to_num(np.asarray(res[k], dtype=np.float64)) for k in NOISE_KEYS[method]}


def noise_half_widths(problem: Problem, method: str, X: np.ndarray, values: np.ndarray, seed: int,
                      resamples: int = NOISE_RESAMPLES) -> dict[str, np.ndarray]:
    """Half-widths of 95% intervals for the Monte Carlo noise of the indices.

    ``values`` is (points, runs): each replicate's outcome at each point. Replicates are drawn
    again with replacement, the same draw at every point (they share random numbers, so that is
    how their noise is correlated), the outputs are re-averaged and the indices recomputed. The
    spread of those indices is what a different seed could have given; SALib's own intervals
    only cover the sampling of the points.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5A17]))
    runs = values.shape[1]
    draws: dict[str, list[np.ndarray]] = {k: [] for k in NOISE_KEYS[method]}
    for _ in range(resamples):
        idx = rng.integers(0, runs, runs)
        est = _point_estimates(problem, method, X, values[:, idx].mean(axis=1))
        for k, v in est.items():
            draws[k].append(v)
    return {k: (np.percentile(np.array(v), 97.5, axis=0) - np.percentile(np.array(v), 2.5, axis=0)) / 2
            for k, v in draws.items()}


def indices_from_summaries(design: Design, summaries: dict[int, dict[str, Any]],
                           values: dict[str, dict[int, np.ndarray]] | None = None) -> list[dict[str, Any]]:
    """Indices of every outcome in the design's spec, from each cell's summary JSON.

    With ``values`` (outcome -> cell -> per-replicate values) each index also gets a
    ``<key>_noise`` half-width: the Monte Carlo noise of the points' outputs (see
    ``noise_half_widths``).
    """
    spec = design.spec
    problem = make_problem([(k, lo, hi) for k, lo, hi in spec["params"]])
    missing = [c.index for c in design.cells if c.index not in summaries]
    if missing:
        raise UserError(f"sensitivity: {len(missing)} of {len(design.cells)} points are not finished; "
                        "resume the result first")
    X = np.array([[c.params[k] for k in problem.names] for c in design.cells], dtype=np.float64)
    rows: list[dict[str, Any]] = []
    for outcome in spec["outcomes"]:
        Y = np.array([outcome_value(summaries[c.index], outcome) for c in design.cells])
        noise: dict[str, np.ndarray] = {}
        if values is not None and outcome in values:
            per_cell = np.stack([values[outcome][c.index] for c in design.cells])
            noise = noise_half_widths(problem, spec["method"], X, per_cell, design.seed)
        for p, ix in enumerate(analyze(problem, spec["method"], X, Y, design.seed)):
            rows.append({"outcome": outcome, **ix.as_dict(),
                         **{f"{k}_noise": float(v[p]) for k, v in noise.items()}})
    return rows
