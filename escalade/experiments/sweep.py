"""Parameter sweeps: a full grid or a Latin hypercube, crossed with policies.

Every point and policy runs with the same seed, so replicate r has the same key everywhere
(common random numbers): differences between points come from the parameters, not from noise.
Points are given as ``--set`` overrides, so anything a scenario file can say can be swept.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scipy.stats import qmc

from escalade.errors import UserError
from escalade.experiments.design import MAX_CELLS, Design, check_cells, cross, run_cells
from escalade.outcomes import Summary, summarise
from escalade.scenario.load import read_value


@dataclass(frozen=True)
class SweepRow:
    """One (point, policy) cell of a sweep and its outcome summary."""

    point: int
    policy: str | None
    params: dict[str, Any]
    scenario_hash: str
    summary: Summary


def parse_grid(spec: str) -> tuple[str, list[Any]]:
    """``K=v1,v2,...`` -> (K, [v1, v2, ...]); each value is read as a YAML scalar."""
    key, sep, values = spec.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not key.strip() or not items:
        raise UserError(f"--grid {spec}: expected PATH=V1,V2,..., e.g. actors.IRN.resolve=0.5,0.9")
    parsed = []
    for v in items:
        try:
            parsed.append(read_value(v, f"--grid {key.strip()}", as_text=False))
        except UserError as exc:
            raise UserError(f"{exc}; '{v[:40]}' is not a value (a number, word or true/false), and "
                            "values are separated by commas") from None
    if len({repr(p) for p in parsed}) != len(parsed):
        raise UserError(f"--grid {spec}: each value once")
    return key.strip(), parsed


def parse_range(spec: str) -> tuple[str, float, float]:
    """``K=lo:hi`` -> (K, lo, hi) with lo < hi."""
    key, sep, rng = spec.partition("=")
    lo, colon, hi = rng.partition(":")
    try:
        low, high = float(lo), float(hi)
    except ValueError:
        low = high = float("nan")
    if not sep or not colon or not key.strip() or not low < high or not math.isfinite(high - low):
        raise UserError(f"--lhs {spec}: expected PATH=LOW:HIGH with LOW < HIGH, "
                        "e.g. actors.IRN.resolve=0.5:0.95")
    return key.strip(), low, high


def grid_points(grids: list[tuple[str, list[Any]]], max_points: int = MAX_CELLS) -> list[dict[str, Any]]:
    """Every combination of the grid values, the last key varying fastest (at most ``max_points``)."""
    keys = [k for k, _ in grids]
    if len(set(keys)) != len(keys):
        raise UserError(f"--grid: each path once, got {keys}")
    check_cells(math.prod(len(v) for _, v in grids), max_points, "--grid")
    return [dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(v for _, v in grids))]


def lhs_points(ranges: list[tuple[str, float, float]], samples: int,
               seed: int, integers: list[str] | tuple[str, ...] = (),
               max_points: int = MAX_CELLS) -> list[dict[str, Any]]:
    """A Latin hypercube of ``samples`` points (scipy.stats.qmc), fixed by ``seed``; values of
    whole-number fields (``integers``) are rounded, so the table shows what was run."""
    if samples < 2:
        raise UserError(f"--samples: a Latin hypercube needs at least 2 samples, got {samples}")
    check_cells(samples, max_points, "--samples")
    unit = qmc.LatinHypercube(d=len(ranges), seed=seed).random(samples)
    lows = [lo for _, lo, _ in ranges]
    highs = [hi for _, _, hi in ranges]
    scaled = qmc.scale(unit, lows, highs)
    return [{k: int(round(float(row[c]))) if k in integers else float(row[c])  # noqa: RUF046
             for c, (k, _, _) in enumerate(ranges)} for row in scaled]


def sweep_design(
    scenario: str,
    points: list[dict[str, Any]],
    policies: list[str | None],
    runs: int,
    seed: int,
    overrides: list[str] | None = None,
    days: int | None = None,
    keep_paths: bool = False,
    spec: dict[str, Any] | None = None,
) -> Design:
    """Every point under every policy, all with one seed (common random numbers)."""
    return Design("sweep", scenario, cross(points, policies), runs, seed, days,
                  tuple(overrides or ()), keep_paths=keep_paths, spec=spec or {})


def run_sweep(
    scenario: str,
    points: list[dict[str, Any]],
    policies: list[str | None],
    runs: int,
    seed: int,
    overrides: list[str] | None = None,
    days: int | None = None,
    on_cell: Callable[[int], None] | None = None,
) -> list[SweepRow]:
    """Run a sweep in memory (nothing stored) and summarise each cell."""
    design = sweep_design(scenario, points, policies, runs, seed, overrides, days)
    rows: list[SweepRow] = []
    for res in run_cells(design):
        rows.append(SweepRow(res.cell.point, res.loaded.policy, res.cell.params, res.loaded.hash,
                             summarise(res.raw)))
        if on_cell is not None:
            on_cell(len(rows))
    return rows
