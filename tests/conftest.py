"""Shared fixtures: small, fast runs of the default scenario and a two-actor duel scenario."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from escalade.compile import Compiled, compile_scenario
from escalade.engine.run import RawResult, simulate
from escalade.scenario.load import load_scenario

DATA = Path(__file__).parent / "data"


@cache
def compiled(policy: str | None = None, overrides: tuple[str, ...] = (),
             scenario: str = "levant-2024") -> Compiled:
    return compile_scenario(load_scenario(scenario, policy, list(overrides)).scenario)


def run(policy: str | None = None, overrides: tuple[str, ...] = (), runs: int = 2000,
        seed: int = 11, days: int | None = None, scenario: str = "levant-2024") -> RawResult:
    c = compiled(policy, overrides, scenario)
    if days is not None:
        c = c.with_days(days)
    return simulate(c, runs, seed)


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean of b - a over paired replicates and its Monte Carlo standard error."""
    d = b.astype(float) - a.astype(float)
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d)))


def assert_greater(a: np.ndarray, b: np.ndarray, z: float = 3.0) -> None:
    """b's mean exceeds a's by more than z paired standard errors."""
    diff, se = paired(a, b)
    assert diff > z * se, f"difference {diff:.4f} not > {z} x se {se:.4f}"


@pytest.fixture(autouse=True)
def results_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test stores its results in a fresh folder, never in the working tree."""
    folder = tmp_path_factory.mktemp("results")
    monkeypatch.setenv("ESCALADE_RESULTS", str(folder))
    return folder


@pytest.fixture(scope="session")
def duel_path() -> Path:
    return DATA / "duel.yaml"
