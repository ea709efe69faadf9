"""The Python API for notebooks and scripts: ``escalade.run``, ``compare``, ``sweep``, ``sensitivity``.

Each call runs the same designs as the CLI (common random numbers, the same seed gives the same
numbers), stores the result unless ``store=False``, and returns a result object with
``.outcomes`` (a tidy DataFrame of probabilities with 95% intervals) and ``.to_pandas()`` (one
row per replicate). ``escalade.load(id)`` gives the same object back for a stored result.

Overrides are given as a mapping ``{"actors.IRN.resolve": 0.9}`` or as ``--set`` strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from escalade.engine.run import RawResult
from escalade.errors import UserError
from escalade.experiments.design import (
    Cell,
    Design,
    check,
    format_value,
    integer_paths,
    run_cells,
    run_design,
)
from escalade.outcomes import Summary, summarise
from escalade.outcomes import compare as paired_compare
from escalade.scenario.load import LoadedScenario
from escalade.storage.record import execute, resume
from escalade.storage.store import Store, cell_frame

Overrides = Mapping[str, Any] | Sequence[str] | None


@dataclass(frozen=True)
class Finished:
    """A finished cell: its summary, and its raw arrays when they were kept in memory."""

    cell: Cell
    loaded: LoadedScenario | None
    summary: Summary
    raw: RawResult | None = None


def as_overrides(values: Overrides) -> list[str]:
    if values is None:
        return []
    if isinstance(values, Mapping):
        return [f"{k}={format_value(v)}" for k, v in values.items()]
    if isinstance(values, str):
        return [values]
    return list(values)


def execute_design(design: Design, results: str | Path | None = None, store: bool = True,
                   keep_raw: bool = True, on_chunk: Callable[[int, int], None] | None = None,
                   chunk: int | None = None, on_begin: Callable[[str], None] | None = None,
                   on_cell: Callable[[Finished], None] | None = None,
                   resume_id: str | None = None, command: str | None = None
                   ) -> tuple[str | None, list[Finished]]:
    """Run (or resume) a design, storing each cell unless ``store`` is False.

    Returns the stored id (None when not stored) and the cells finished by this call; their raw
    arrays are kept only with ``keep_raw``, so a long sweep does not hold every replicate.
    """
    kept: list[Finished] = []

    def finish(res: Any) -> None:
        done = Finished(res.cell, res.loaded, summarise(res.raw), res.raw if keep_raw else None)
        kept.append(done)
        if on_cell is not None:
            on_cell(done)

    if not store:
        check(design)
        for res in run_cells(design, on_chunk=on_chunk, chunk=chunk):
            finish(res)
        return None, kept
    st = Store(results)
    if resume_id is not None:
        rid, _, _ = resume(st, resume_id, on_chunk, finish, chunk)
        return rid, kept
    rid = execute(st, design, command, on_chunk, finish, chunk, on_begin)
    return rid, kept


@dataclass
class Result:
    """A stored or in-memory result: what was run (``design``) and each cell's summary."""

    id: str | None
    design: Design
    cells: list[Finished]
    results: str | Path | None = None
    _frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return self.design.kind

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per cell and outcome: policy, swept parameters, p and its 95% interval."""
        rows = []
        for c in self.cells:
            for name, est in c.summary.outcomes.items():
                rows.append({"cell": c.cell.index, "point": c.cell.point, "policy": c.cell.policy,
                             **c.cell.params, "outcome": name, "p": est.value,
                             "ci_low": est.ci_low, "ci_high": est.ci_high})
        return pd.DataFrame(rows)

    @property
    def actors(self) -> pd.DataFrame:
        """Per-actor means (strikes, casualties, leaders lost ...) with intervals, per cell."""
        rows = []
        for c in self.cells:
            for aid, metrics in c.summary.actors.items():
                for m, est in metrics.items():
                    rows.append({"cell": c.cell.index, "policy": c.cell.policy, **c.cell.params,
                                 "actor": aid, "metric": m, "mean": est.value,
                                 "ci_low": est.ci_low, "ci_high": est.ci_high})
        return pd.DataFrame(rows)

    def to_pandas(self) -> pd.DataFrame:
        """Per-replicate outcomes of every cell (event days, actor tallies, strikes by pair)."""
        if self._frame is None:
            if self.id is not None:
                self._frame = Store(self.results).replicates(self.id)
            elif all(c.raw is not None and c.loaded is not None for c in self.cells):
                from escalade.experiments.design import CellResult

                frames = [cell_frame("", CellResult(c.cell, c.loaded, c.raw))  # type: ignore[arg-type]
                          for c in self.cells]
                self._frame = pd.concat(frames, ignore_index=True).drop(columns="result_id")
            else:
                raise UserError("to_pandas: this result was neither stored nor kept in memory")
        return self._frame

    def report(self, out: str | Path | None = None, png_dir: str | Path | None = None) -> Path:
        """Write the HTML report (and PNG figures) of a stored result; returns the HTML path."""
        if self.id is None:
            raise UserError("report: only stored results have reports (run with store=True)")
        return report(self.id, out, png_dir, self.results)


@dataclass
class CompareResult(Result):
    baseline: str | None = None

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences of each policy against the baseline (common random numbers)."""
        raws = {c.cell.policy: c.raw for c in self.cells}
        if any(r is None for r in raws.values()):
            raws = {c.cell.policy: self._raw(c) for c in self.cells}
        base = raws[self.baseline]
        rows = []
        for pol, raw in raws.items():
            if pol == self.baseline:
                continue
            for name, est in paired_compare(base, raw).items():  # type: ignore[arg-type]
                rows.append({"policy": pol, "baseline": self.baseline, "outcome": name,
                             "diff": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high})
        return pd.DataFrame(rows)

    def _raw(self, c: Finished) -> RawResult:
        from escalade.experiments.design import load_cell
        from escalade.storage.store import raw_from_frame

        st = Store(self.results)
        _, compiled = load_cell(self.design.with_scenario(str(st.data_dir(str(self.id)) / "scenario.yaml")),
                                c.cell)
        return raw_from_frame(st.replicates(str(self.id), c.cell.index), compiled, self.design.seed)


@dataclass
class SensitivityResult(Result):
    index_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def indices(self) -> pd.DataFrame:
        """One row per outcome and parameter: S1, ST with half-widths (sobol) or mu*, sigma (morris)."""
        return pd.DataFrame(self.index_rows)


def run(scenario: str = "levant-2024", policy: str | None = None, runs: int = 10_000, seed: int = 0,
        days: int | None = None, set: Overrides = None, engine: str = "fast", keep_paths: bool = False,
        store: bool = True, results: str | Path | None = None) -> Result:
    """Run one scenario under one policy."""
    design = run_design("run", scenario, [policy], runs, seed, days, as_overrides(set), engine, keep_paths)
    rid, cells = execute_design(design, results, store, command="escalade.run()")
    return Result(rid, design, cells, results)


def compare(scenario: str = "levant-2024", policies: Sequence[str] = ("informal", "formal-pact"),
            runs: int = 10_000, seed: int = 0, days: int | None = None, set: Overrides = None,
            keep_paths: bool = False, store: bool = True, results: str | Path | None = None
            ) -> CompareResult:
    """Several policies on common random numbers; ``.differences`` are paired against the first."""
    names = [policies] if isinstance(policies, str) else list(policies)
    if len(names) < 2 or len(frozenset(names)) != len(names):
        raise UserError(f"compare: give at least two different policies, got {names}")
    design = run_design("compare", scenario, list(names), runs, seed, days, as_overrides(set),
                        keep_paths=keep_paths)
    rid, cells = execute_design(design, results, store, command="escalade.compare()")
    return CompareResult(rid, design, cells, results, baseline=names[0])


def _range(where: str, value: Any) -> tuple[float, float]:
    """A (low, high) pair of finite numbers with low < high, or a clear error."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: expected (low, high), two numbers, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise UserError(f"{where}: expected finite low < high, got ({lo}, {hi})")
    return lo, hi


def sweep(scenario: str = "levant-2024", grid: Mapping[str, Sequence[Any]] | None = None,
          lhs: Mapping[str, tuple[float, float]] | None = None, samples: int = 10,
          policies: Sequence[str | None] = (None,), runs: int = 2_000, seed: int = 0,
          days: int | None = None, set: Overrides = None, keep_paths: bool = False, store: bool = True,
          results: str | Path | None = None) -> Result:
    """A full grid (``grid={path: [values]}``) or a Latin hypercube (``lhs={path: (lo, hi)}``)."""
    from escalade.experiments.sweep import grid_points, lhs_points, sweep_design

    policies = [policies] if isinstance(policies, str) else list(policies)
    if bool(grid) == bool(lhs):
        raise UserError("sweep: give either grid={path: [values]} or lhs={path: (low, high)}")
    if grid:
        for k, v in grid.items():
            if isinstance(v, str | bytes) or not hasattr(v, "__iter__") or not len(list(v)):
                raise UserError(f"sweep: grid[{k!r}]: expected a list of values, got {v!r}")
        points = grid_points([(k, [x.item() if hasattr(x, "item") else x for x in v])
                              for k, v in grid.items()])
        spec: dict[str, Any] = {"design": "grid", "grid": {k: list(v) for k, v in grid.items()}}
    else:
        assert lhs is not None
        ranges = [(k, *_range(f"sweep: lhs[{k!r}]", v)) for k, v in lhs.items()]
        for k, lo, hi in ranges:
            if not lo < hi:
                raise UserError(f"sweep: lhs {k}: expected (low, high) with low < high, got ({lo}, {hi})")
        ints = integer_paths(scenario, next(iter(policies), None), as_overrides(set),
                             [k for k, _, _ in ranges])
        points = lhs_points(ranges, samples, seed, ints)
        spec = {"design": "lhs", "lhs": {k: [lo, hi] for k, lo, hi in ranges}, "samples": samples}
    design = sweep_design(scenario, points, list(policies), runs, seed, as_overrides(set), days,
                          keep_paths, spec)
    rid, cells = execute_design(design, results, store, keep_raw=not store, command="escalade.sweep()")
    return Result(rid, design, cells, results)


def sensitivity(scenario: str = "levant-2024", params: Mapping[str, tuple[float, float]] | None = None,
                outcomes: Sequence[str] = ("regional_war",), method: str = "sobol", samples: int = 32,
                policy: str | None = None, runs: int = 500, seed: int = 0, days: int | None = None,
                set: Overrides = None, store: bool = True, results: str | Path | None = None
                ) -> SensitivityResult:
    """Sobol indices or Morris screening of ``outcomes`` over the ``params`` box."""
    from escalade.experiments.sensitivity import indices_from_summaries, sensitivity_design

    if not params or not isinstance(params, Mapping):
        raise UserError(f"sensitivity: give params={{path: (low, high)}}, got {params!r}")
    ranges = [(k, *_range(f"sensitivity: params[{k!r}]", v)) for k, v in params.items()]
    design = sensitivity_design(scenario, ranges, list(outcomes), method, samples, runs, seed, policy,
                                as_overrides(set), days)
    rid, cells = execute_design(design, results, store, keep_raw=not store, command="escalade.sensitivity()")
    rows = (Store(results).indices(rid) if rid is not None
            else indices_from_summaries(design, {c.cell.index: c.summary.to_json() for c in cells}))
    return SensitivityResult(rid, design, cells, results, index_rows=rows)


def load(result_id: str, results: str | Path | None = None) -> Result:
    """A stored result as the object its call returned (summaries from the catalogue)."""
    st = Store(results)
    stored = st.get(result_id)
    result_id = stored.id
    design = stored.design
    cells = [Finished(Cell(c["cell"], c["point"], c["policy"], c["params"]), None,
                      Summary.from_json(c["summary"])) for c in stored.cells]
    if design.kind == "compare":
        return CompareResult(result_id, design, cells, results, baseline=design.cells[0].policy)
    if design.kind == "sensitivity":
        return SensitivityResult(result_id, design, cells, results, index_rows=st.indices(result_id))
    return Result(result_id, design, cells, results)


def resume_result(result_id: str, results: str | Path | None = None) -> Result:
    """Finish an interrupted sweep or sensitivity analysis and return it whole."""
    design = Store(results).get(result_id).design
    execute_design(design, results, True, keep_raw=False, resume_id=result_id)
    return load(result_id, results)


def report(result_id: str, out: str | Path | None = None, png_dir: str | Path | None = None,
           results: str | Path | None = None) -> Path:
    """Write the self-contained HTML report of a stored result (and PNGs into ``png_dir``)."""
    from escalade.reports.build import write_report

    return write_report(Store(results), result_id, Path(out) if out else None,
                        Path(png_dir) if png_dir else None)
