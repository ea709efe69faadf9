"""An experiment as data: which cells (parameter point x policy) to run, with what seed.

Every kind of result (a run, a policy comparison, a sweep, a sensitivity analysis) is a
``Design``: a list of cells that all share one seed, so replicate r meets the same random
numbers in every cell (common random numbers). Because a design is plain JSON, the storage
stage can keep it next to the results and ``--resume`` can finish exactly the cells that are
missing; a cell's outputs depend only on the design, never on which cells ran before it.

This stage only calls the engine's public API; it knows nothing of storage or the CLI. A caller
that wants to keep results passes ``on_cell`` and writes each finished cell itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from escalade.compile import Compiled, compile_scenario
from escalade.engine.layout import N_ACT, N_DAY
from escalade.engine.run import Engine, RawResult, simulate
from escalade.errors import UserError
from escalade.scenario.load import LoadedScenario, load_scenario, value_at

Kind = Literal["run", "compare", "sweep", "sensitivity"]
MAX_SEED = 2**63 - 1  # the catalogue stores seeds as BIGINT


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


# --- how big a job may be ----------------------------------------------------------------------
#: Default caps on a design; a user raises them explicitly (--max-cells, --max-replicates).
MAX_CELLS = 10_000  # points x policies of a sweep or sensitivity analysis
MAX_REPLICATES = 100_000_000  # runs x cells: about 14 hours of one core at 180 days
#: Share of the machine's memory one job may plan to use.
MEMORY_SHARE = 0.8
#: The per-replicate outputs are held several times over while a cell is summarised and stored
#: (the outcome indicators, the replicate table handed to Parquet). Measured: run --runs 300000
#: adds 165 MB of peak memory unstored and 750 MB stored, for 153 MB of outputs (1.1x and 4.9x).
MEMORY_OVERHEAD = 5


def memory_bytes() -> int:
    """Physical memory of this machine (0 when the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


def replicate_bytes(n_actors: int, days: int, keep_paths: bool) -> int:
    """Bytes one replicate's outputs take while its cell is summarised and stored."""
    raw = N_DAY * 4 + n_actors * N_ACT * 8 + n_actors * n_actors * 2 + (days if keep_paths else 0)
    return raw * MEMORY_OVERHEAD


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"


def check_cells(cells: int, max_cells: int = MAX_CELLS, what: str = "the design") -> None:
    """Refuse a design of more cells than the cap, before any cell is built."""
    if cells > max_cells:
        raise UserError(f"{what}: {cells:,} cells (points x policies), more than the limit of "
                        f"{max_cells:,}; use fewer values or samples, or raise the limit with "
                        f"--max-cells {cells}")


def check_memory(runs: int, n_actors: int, days: int, keep_paths: bool = False, held: int = 1,
                 what: str = "--runs") -> None:
    """Refuse ``runs`` replicates (times ``held`` cells kept at once) that cannot fit in memory.

    The engine works in bounded chunks; what grows with ``runs`` is the per-replicate outputs,
    which a cell keeps until it is summarised and stored.
    """
    total = memory_bytes()
    if total <= 0:
        return
    per = replicate_bytes(n_actors, days, keep_paths) * held
    budget = total * MEMORY_SHARE
    if runs * per > budget:
        fit = max(1, int(budget // per))
        cells = f" x {held} cells kept at once" if held > 1 else ""
        raise UserError(
            f"{what} {runs:,}: the per-replicate outputs{cells} need about {_gib(runs * per)} "
            f"({per:,} bytes a replicate while summarised and stored), more than the "
            f"{_gib(budget)} this job may use ({MEMORY_SHARE:.0%} of this machine's {_gib(total)}); "
            f"at most {fit:,} runs fit. Split the job: several calls of at most {fit:,} runs with "
            "different --seed values" + (", or fewer policies per call" if held > 1 else "")
            + (", or without --keep-paths" if keep_paths else ""))


def check_budget(design: Design, keep_raw: bool = True, max_cells: int = MAX_CELLS,
                 max_replicates: int = MAX_REPLICATES) -> None:
    """Refuse, before anything runs, a design bigger than the caps or than memory allows."""
    cells = len(design.cells)
    check_cells(cells, max_cells)
    _, compiled = load_cell(design, design.cells[0])
    check_memory(design.runs, compiled.n_actors, compiled.days, design.keep_paths,
                 cells if keep_raw else 1)
    work = design.runs * cells
    if work > max_replicates:
        times = f" x {cells:,} cells = {work:,} replicates" if cells > 1 else " replicates"
        raise UserError(
            f"--runs {design.runs:,}{times}, more than the limit of {max_replicates:,} (a 180-day "
            "replicate takes about 0.5 ms of one core); use fewer runs or cells, or raise the limit "
            f"with --max-replicates {work}")


KINDS: tuple[str, ...] = ("run", "compare", "sweep", "sensitivity")


def prepare(scenario: str, policy: str | None, overrides: list[str] | tuple[str, ...] | None,
            days: int | None) -> tuple[LoadedScenario, Compiled]:
    """Load, validate and compile a scenario, optionally for another number of days."""
    loaded = load_scenario(scenario, policy, list(overrides or []))
    compiled = compile_scenario(loaded.scenario)
    if days is not None:
        compiled = compiled.with_days(days)
    return loaded, compiled


def format_value(value: Any) -> str:
    """A value as ``--set`` text that reads back as the same YAML scalar."""
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Cell:
    """One point of parameter space under one policy."""

    index: int
    point: int
    policy: str | None
    params: dict[str, Any] = field(default_factory=dict)

    def overrides(self, base: tuple[str, ...], integers: tuple[str, ...] | list[str] = ()) -> list[str]:
        """The design's own overrides, then this point's (so a point wins over the base).

        A sampled value for a whole-number field (``integers``) is rounded here, when it is run;
        the cell keeps the continuous value the sampling design and its analysis rely on.
        """
        def value(k: str, v: Any) -> Any:
            return round(v) if k in integers and isinstance(v, float) else v

        return [*base, *(f"{k}={format_value(value(k, v))}" for k, v in self.params.items())]


@dataclass(frozen=True)
class Design:
    """Everything needed to run (or finish) an experiment, and nothing about its results."""

    kind: str
    scenario: str
    cells: tuple[Cell, ...]
    runs: int
    seed: int
    days: int | None = None
    overrides: tuple[str, ...] = ()
    engine: str = "fast"
    keep_paths: bool = False
    spec: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check what a caller (CLI, Python API, a stored design) may get wrong, before any run."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not self.cells:
            raise UserError("a design needs at least one cell (point x policy)")
        if not _is_int(self.runs) or self.runs < 1:
            raise UserError(f"runs: expected a whole number of at least 1, got {self.runs!r}")
        if not _is_int(self.seed) or not 0 <= self.seed <= MAX_SEED:
            raise UserError(f"seed: expected a whole number from 0 to 2**63 - 1, got {self.seed!r}")
        if self.days is not None and (not _is_int(self.days) or not 1 <= self.days <= 3650):
            raise UserError(f"days: expected a whole number from 1 to 3650, got {self.days!r}")
        if self.engine not in ("fast", "reference"):
            raise UserError(f"engine: expected 'fast' or 'reference', got {self.engine!r}")
        policies = [c.policy for c in self.cells if c.point == self.cells[0].point]
        if len(set(policies)) != len(policies):
            raise UserError(f"policies: each once, got {policies}")
        points = [tuple(sorted((k, repr(v)) for k, v in c.params.items())) for c in self.cells
                  if c.policy == self.cells[0].policy]
        # (a Morris design revisits grid points by construction, and a Latin hypercube of a
        # whole-number field repeats values; only a grid's points must all differ)
        if self.kind == "sweep" and self.spec.get("design") != "lhs" and len(set(points)) != len(points):
            raise UserError("points: each parameter combination once (a value is repeated)")

    @property
    def policies(self) -> list[str | None]:
        seen: list[str | None] = []
        for c in self.cells:
            if c.policy not in seen:
                seen.append(c.policy)
        return seen

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["cells"] = [asdict(c) for c in self.cells]
        doc["overrides"] = list(self.overrides)
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any], scenario: str | None = None) -> Design:
        """Rebuild a stored design; ``scenario`` points it at the stored copy of the file."""
        cells = tuple(Cell(c["index"], c["point"], c["policy"], dict(c["params"]))
                      for c in doc["cells"])
        return cls(doc["kind"], scenario or doc["scenario"], cells, doc["runs"], doc["seed"],
                   doc.get("days"), tuple(doc.get("overrides") or ()), doc.get("engine", "fast"),
                   bool(doc.get("keep_paths")), dict(doc.get("spec") or {}))

    def with_scenario(self, scenario: str) -> Design:
        return Design.from_json(self.to_json(), scenario)

    def with_default_policy(self, policy: str | None) -> Design:
        """Name the scenario's default policy in cells that left it implicit (for the catalogue)."""
        doc = self.to_json()
        for c in doc["cells"]:
            c["policy"] = c["policy"] if c["policy"] is not None else policy
        return Design.from_json(doc)


def cross(points: list[dict[str, Any]], policies: list[str | None]) -> tuple[Cell, ...]:
    """Cells for every point under every policy, policies varying fastest."""
    return tuple(Cell(p * len(policies) + q, p, pol, dict(params))
                 for p, params in enumerate(points) for q, pol in enumerate(policies))


def run_design(kind: str, scenario: str, policies: list[str | None], runs: int, seed: int,
               days: int | None = None, overrides: list[str] | tuple[str, ...] = (),
               engine: str = "fast", keep_paths: bool = False) -> Design:
    """A plain run (one policy) or a comparison (several), as one point crossed with policies."""
    return Design(kind, scenario, cross([{}], policies), runs, seed, days, tuple(overrides),
                  engine, keep_paths)


@dataclass(frozen=True)
class CellResult:
    """A finished cell: what was run (the loaded scenario, for its hash) and the raw outputs."""

    cell: Cell
    loaded: LoadedScenario
    raw: RawResult


def load_cell(design: Design, cell: Cell) -> tuple[LoadedScenario, Compiled]:
    integers = design.spec.get("integer_params", ())
    return prepare(design.scenario, cell.policy, cell.overrides(design.overrides, integers), design.days)


def integer_paths(scenario: str, policy: str | None, overrides: list[str] | tuple[str, ...] | None,
                  paths: list[str]) -> list[str]:
    """Which of ``paths`` hold whole numbers (a day count, a rung): sampled values get rounded."""
    loaded = load_scenario(scenario, policy, list(overrides or []))
    out = []
    for path in paths:
        v = value_at(loaded.scenario, path)
        if isinstance(v, int) and not isinstance(v, bool):
            out.append(path)
    return out


def check(design: Design) -> None:
    """Load every cell before any runs, so a bad value fails at once, not an hour in."""
    for cell in design.cells:
        load_cell(design, cell)


def run_cell(design: Design, cell: Cell,
             on_chunk: Callable[[int], None] | None = None, chunk: int | None = None) -> CellResult:
    loaded, compiled = load_cell(design, cell)
    check_memory(design.runs, compiled.n_actors, compiled.days, design.keep_paths)
    if design.engine not in ("fast", "reference"):
        raise UserError(f"engine: expected 'fast' or 'reference', got '{design.engine}'")
    engine: Engine = design.engine  # type: ignore[assignment]
    kwargs: dict[str, Any] = {"keep_paths": design.keep_paths, "on_chunk": on_chunk}
    if chunk is not None:
        kwargs["chunk"] = chunk
    raw = simulate(compiled, design.runs, design.seed, engine, **kwargs)
    return CellResult(cell, loaded, raw)


def run_cells(design: Design, skip: set[int] | frozenset[int] = frozenset(),
              on_chunk: Callable[[int, int], None] | None = None,
              chunk: int | None = None) -> Iterator[CellResult]:
    """Run the cells not in ``skip``, in order, yielding each as it finishes.

    A generator, so the caller stores each cell before the next one starts: an interrupt loses
    at most the cell in progress. ``on_chunk(cell_index, replicates_done)`` reports progress.
    """
    for cell in design.cells:
        if cell.index in skip:
            continue
        cb = None if on_chunk is None else (lambda done, i=cell.index: on_chunk(i, done))
        yield run_cell(design, cell, cb, chunk)
