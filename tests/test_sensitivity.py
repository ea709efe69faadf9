"""Global sensitivity: SALib wiring checked on Ishigami's analytic indices, dummies, seeds, bad specs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from escalade.errors import UserError
from escalade.experiments.sensitivity import (
    FLAG_CONSTANT,
    INDEX_KEYS,
    METHODS,
    Index,
    Problem,
    analyze,
    make_problem,
    parse_param,
    rows_needed,
    run_analysis,
    sample,
)

# Ishigami, a = 7, b = 0.1, x_i ~ U(-pi, pi); x4 is a dummy the function ignores.
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0, "x4": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437, "x4": 0.0}


def ishigami(X: np.ndarray) -> np.ndarray:
    return np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])


def ishigami_problem() -> Problem:
    return make_problem([parse_param(f"x{i}={-math.pi}:{math.pi}") for i in (1, 2, 3, 4)])


def by_param(indices: list[Index]) -> dict[str, dict[str, float]]:
    return {i.param: i.values for i in indices}


def test_sobol_recovers_ishigami_analytic_indices() -> None:
    problem = ishigami_problem()
    indices = run_analysis(ishigami, problem, "sobol", 1024, seed=5)
    assert [i.param for i in indices] == ["x1", "x2", "x3", "x4"]
    for idx in indices:
        v = idx.values
        assert idx.method == "sobol" and idx.flag == "" and set(v) == set(INDEX_KEYS["sobol"])
        # The bootstrap intervals must be tight enough for the comparison to be able to fail.
        assert 0 <= v["S1_conf"] < 0.15 and 0 <= v["ST_conf"] < 0.15
        assert abs(v["S1"] - ISHIGAMI_S1[idx.param]) <= 3 * v["S1_conf"] + 0.01, idx
        assert abs(v["ST"] - ISHIGAMI_ST[idx.param]) <= 3 * v["ST_conf"] + 0.01, idx
    v = by_param(indices)
    assert v["x3"]["ST"] > 0.15 > abs(v["x3"]["S1"])  # x3 acts only through its interaction with x1


def test_morris_on_ishigami() -> None:
    # On the 4-level grid {-pi, -pi/3, pi/3, pi} a step of 2/3 of the range pairs -pi with pi/3 and
    # -pi/3 with pi, so (EE = change / (2/3)):
    #  x2: 7 sin^2 changes by 7 * 3/4 every time            -> mu_star = 7.875 exactly, no spread;
    #  x1: sin changes by sqrt(3)/2, times 1 + 0.1 x3^4, x3^4 = pi^4 or (pi/3)^4 half the time each;
    #  x3: 0.1 sin(x1) (pi^4 - (pi/3)^4), sin(x1) = 0 half the time, +-sqrt(3)/2 otherwise: the sign
    #      flips with x1, so mu ~ 0 while mu_star is large (a pure interaction).
    h = math.sqrt(3) / 2
    expected = {"x1": h * (1 + 0.1 * (math.pi**4 + (math.pi / 3) ** 4) / 2) * 1.5,
                "x2": 7 * 0.75 * 1.5,
                "x3": 0.1 * (math.pi**4 - (math.pi / 3) ** 4) * h / 2 * 1.5,
                "x4": 0.0}
    problem = ishigami_problem()
    v = by_param(run_analysis(ishigami, problem, "morris", 512, seed=5))
    for name, mu_star in expected.items():
        assert set(v[name]) == set(INDEX_KEYS["morris"])
        assert v[name]["mu_star_conf"] < 1.0
        assert abs(v[name]["mu_star"] - mu_star) <= 3 * v[name]["mu_star_conf"] + 1e-6, (name, v[name])
    assert v["x1"]["mu_star"] > v["x3"]["mu_star"] > 4.0
    assert abs(v["x3"]["mu"]) < 0.3 * v["x3"]["mu_star"] < v["x3"]["sigma"]
    assert v["x4"] == dict.fromkeys(INDEX_KEYS["morris"], 0.0)  # ignored: every step changes nothing


@pytest.mark.parametrize("method", METHODS)
def test_a_parameter_the_model_ignores_gets_zero(method: str) -> None:
    problem = make_problem([("a", 0.0, 1.0), ("dummy", 10.0, 20.0), ("b", -1.0, 1.0)])
    samples = 256 if method == "sobol" else 64
    v = by_param(run_analysis(lambda X: X[:, 0] ** 2 + X[:, 2], problem, method, samples, seed=1))
    if method == "sobol":
        assert abs(v["dummy"]["S1"]) <= v["dummy"]["S1_conf"] + 1e-9
        assert abs(v["dummy"]["ST"]) <= v["dummy"]["ST_conf"] + 1e-9
        assert v["a"]["ST"] > 0.1 and v["b"]["ST"] > 0.1
    else:
        assert v["dummy"]["mu_star"] == 0.0 and v["a"]["mu_star"] > 0.1


def test_common_random_numbers_keep_monte_carlo_noise_out_of_total_indices() -> None:
    # Y = a Monte Carlo estimate of P(U < x) from 20 replicates; "dummy" is ignored by the model.
    problem = make_problem([("x", 0.0, 1.0), ("dummy", 0.0, 1.0)])

    def mc(X: np.ndarray, common: bool) -> np.ndarray:
        rng = np.random.default_rng(3)
        u = rng.random(20) if common else rng.random((len(X), 20))
        return (u < X[:, [0]]).mean(axis=1)

    crn = by_param(run_analysis(lambda X: mc(X, True), problem, "sobol", 256, seed=2))
    indep = by_param(run_analysis(lambda X: mc(X, False), problem, "sobol", 256, seed=2))
    assert crn["dummy"]["ST"] == 0.0  # same stream everywhere: the dummy changes nothing at all
    assert indep["dummy"]["ST"] > 3 * indep["dummy"]["ST_conf"]  # fresh noise looks like an effect


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_samples_and_indices(method: str) -> None:
    problem = ishigami_problem()
    samples = 64 if method == "sobol" else 16
    X = sample(problem, method, samples, seed=7)
    assert X.shape == (rows_needed(problem, method, samples), 4)
    assert X.shape[0] == samples * (4 + (2 if method == "sobol" else 1))
    assert np.abs(X).max() <= math.pi
    assert np.array_equal(X, sample(problem, method, samples, seed=7))
    assert not np.array_equal(X, sample(problem, method, samples, seed=8))
    a = analyze(problem, method, X, ishigami(X), seed=7)
    assert a == analyze(problem, method, X, ishigami(X), seed=7)
    assert a == run_analysis(ishigami, problem, method, samples, seed=7)


def test_seed_zero_is_reproducible_too() -> None:
    # SALib's Sobol bootstrap treats seed 0 as "no seed"; ours must not.
    problem = ishigami_problem()
    X = sample(problem, "sobol", 32, seed=0)
    assert analyze(problem, "sobol", X, ishigami(X), 0) == analyze(problem, "sobol", X, ishigami(X), 0)


@pytest.mark.parametrize("method", METHODS)
def test_constant_output_gives_flagged_zeros_not_nan(method: str) -> None:
    problem = make_problem([("a", 0.0, 1.0), ("b", 0.0, 1.0)])
    indices = run_analysis(lambda X: np.full(len(X), 0.25), problem, method, 16, seed=1)
    for idx in indices:
        assert idx.flag == FLAG_CONSTANT
        assert idx.values == dict.fromkeys(INDEX_KEYS[method], 0.0)
        json.dumps(idx.as_dict(), allow_nan=False)


def test_as_dict_is_a_flat_row() -> None:
    idx = Index("a.b", "sobol", {"S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1})
    assert idx.as_dict() == {"param": "a.b", "method": "sobol", "S1": 0.5, "S1_conf": 0.1,
                             "ST": 0.6, "ST_conf": 0.1, "flag": ""}


def test_problem_for_salib() -> None:
    problem = make_problem([parse_param(" actors.IRN.resolve = 0.5:0.95 "), parse_param("b=-2:-1e-1")])
    assert problem.names == ("actors.IRN.resolve", "b")
    assert problem.salib() == {"num_vars": 2, "names": ["actors.IRN.resolve", "b"],
                               "bounds": [[0.5, 0.95], [-2.0, -0.1]]}


@pytest.mark.parametrize("spec", ["a.b", "a.b=1", "=0:1", "a=x:1", "a=2:1", "a=1:1", "a=0:inf", "a=:1"])
def test_bad_param_spec(spec: str) -> None:
    with pytest.raises(UserError, match=r"--param") as err:
        parse_param(spec)
    assert spec in str(err.value) and "actors.IRN.resolve=0.5:0.95" in str(err.value)


def test_low_not_below_high_says_so() -> None:
    with pytest.raises(UserError, match="LOW must be below HIGH"):
        parse_param("a=0.9:0.5")


def test_repeated_or_missing_params() -> None:
    with pytest.raises(UserError, match=r"--param.*a\.b"):
        make_problem([("a.b", 0, 1), ("c", 0, 1), ("a.b", 2, 3)])
    with pytest.raises(UserError, match="--param"):
        make_problem([])


@pytest.mark.parametrize(("samples", "hint"), [(1000, "512 or 1024"), (3, "2 or 4"), (100, "64 or 128")])
def test_sobol_needs_a_power_of_two(samples: int, hint: str) -> None:
    with pytest.raises(UserError, match=f"--samples {samples}.*power of 2.*{hint}"):
        sample(ishigami_problem(), "sobol", samples, seed=1)


def test_morris_takes_any_count_and_both_need_two() -> None:
    assert sample(ishigami_problem(), "morris", 10, seed=1).shape == (50, 4)
    for method in METHODS:
        with pytest.raises(UserError, match="--samples"):
            sample(ishigami_problem(), method, 1, seed=1)


def test_unknown_method_and_bad_seed() -> None:
    with pytest.raises(UserError, match=r"--method 'fast'.*sobol, morris"):
        sample(ishigami_problem(), "fast", 64, seed=1)
    with pytest.raises(UserError, match="--method"):
        analyze(ishigami_problem(), "fast", np.zeros((6, 4)), np.zeros(6), seed=1)
    with pytest.raises(UserError, match="--seed"):
        sample(ishigami_problem(), "sobol", 64, seed=-1)


def test_outputs_must_match_rows_and_be_finite() -> None:
    problem = ishigami_problem()
    X = sample(problem, "sobol", 8, seed=1)
    with pytest.raises(ValueError, match="one output per row"):
        analyze(problem, "sobol", X, ishigami(X)[:-1], seed=1)
    with pytest.raises(ValueError, match="matrix sample"):
        analyze(problem, "sobol", X[:, :3], ishigami(X), seed=1)
    Y = ishigami(X)
    Y[3] = np.nan
    with pytest.raises(UserError, match="1 of 48 outputs are not finite"):
        analyze(problem, "sobol", X, Y, seed=1)
    # A column vector is accepted as well as a flat one.
    flat = analyze(problem, "sobol", X, ishigami(X), seed=1)
    assert analyze(problem, "sobol", X, ishigami(X)[:, None], seed=1) == flat


def test_noise_intervals_shrink_with_replicates_and_vanish_without_noise() -> None:
    """The replicate bootstrap measures the points' Monte Carlo noise: none, none; 16x the
    replicates, about a quarter of the half-width (1/sqrt(n))."""
    from escalade.experiments.sensitivity import noise_half_widths

    problem = ishigami_problem()
    X = sample(problem, "sobol", 64, seed=5)
    f = ishigami(X)
    rng = np.random.default_rng(2)

    def widths(runs: int) -> np.ndarray:
        shared = rng.normal(size=runs)  # replicate r's draw, the same at every point (CRN)
        own = rng.normal(size=(len(X), runs))
        values = f[:, None] + 2.0 * (0.5 * shared[None, :] + own)  # noise that CRN does not cancel
        return noise_half_widths(problem, "sobol", X, values, seed=1)["ST"]

    small, large = widths(50), widths(800)
    assert np.all(large < small)
    assert 0.1 < float(np.mean(large / small)) < 0.5  # about 1/4
    exact = np.repeat(f[:, None], 30, axis=1)
    assert np.all(noise_half_widths(problem, "sobol", X, exact, seed=1)["ST"] == 0.0)
