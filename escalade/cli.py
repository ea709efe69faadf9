"""The command line: run, compare, trace, validate, scenarios, scenario-schema, bench.

A user error (bad file, field, override or option) prints one clear message and exits with 2;
it never shows a traceback. ``--json`` prints one JSON document on stdout and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from escalade import __version__, api
from escalade.api import Finished
from escalade.compile import Compiled
from escalade.engine.run import Engine
from escalade.errors import UserError
from escalade.experiments.design import (
    MAX_CELLS,
    MAX_REPLICATES,
    Design,
    check_budget,
    check_cells,
    check_memory,
    integer_paths,
    prepare,
    run_design,
)
from escalade.outcomes import DESCRIPTIONS, Summary, compare
from escalade.registry import OUTCOMES, names_of, outcome
from escalade.scenario.load import LoadedScenario, bundled_scenarios, load_scenario, validate_file
from escalade.scenario.schema import Scenario
from escalade.storage.store import (
    DEFAULT_DIR,
    ENV_VAR,
    SQL_MAX_ROWS,
    SQL_MEMORY_LIMIT,
    SQL_TIMEOUT_S,
    SqlStuck,
    Store,
    replaceable,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate crisis escalation and the effect of alliance commitments.")
out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[str, typer.Argument(help="bundled scenario name or YAML file path")]
RunsOpt = Annotated[int, typer.Option("--runs", "-n", min=1, help="number of replicates")]
DaysOpt = Annotated[int | None, typer.Option("--days", min=1, max=3650,
                                             help="days to simulate (default: the scenario's)")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, max=2**63 - 1, help="random seed")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="override a scenario value, e.g. --set actors.IRN.resolve=0.9")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document")]
EngineOpt = Annotated[str, typer.Option("--engine", help="fast | reference")]
ResultsOpt = Annotated[str | None, typer.Option(
    "--results", help=f"results folder (default: ${ENV_VAR} or ./{DEFAULT_DIR})")]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="do not keep this result")]
KeepPathsOpt = Annotated[bool, typer.Option(
    "--keep-paths", help="also store each replicate's daily escalation level (for fan charts)")]
MaxCellsOpt = Annotated[int, typer.Option(
    "--max-cells", min=1, help="refuse designs of more cells (points x policies) than this")]
MaxRepsOpt = Annotated[int, typer.Option(
    "--max-replicates", min=1, help="refuse jobs of more replicates (runs x cells) than this")]


def fail(message: str) -> None:
    # escaped: a message quotes what the user (or a catalogue) gave, which may look like markup
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def quiet_broken_pipe() -> None:
    """Whoever reads our output has gone (``escalade run --json | head``): stop quietly with
    status 1, as Python's documentation advises ("Note on SIGPIPE"); stdout now points at
    /dev/null so the final flush cannot complain. Nothing is wrong with the results folder."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test runner's buffer)
        pass
    raise typer.Exit(1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors into a message and exit status 2."""
    try:
        yield
    except UserError as exc:
        fail(str(exc))
    except BrokenPipeError as exc:
        if exc.filename is None:  # our stdout, not a file under --results
            quiet_broken_pipe()
        fail(f"{exc.filename}: {exc.strerror or exc} (choose another folder with --results, or --no-store)")
    except OSError as exc:  # a full disk, a folder we may not write: the environment, not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc} (choose another folder with --results, or --no-store)")


def check_engine(engine: str) -> Engine:
    if engine not in ("fast", "reference"):
        raise UserError(f"--engine: expected 'fast' or 'reference', got '{engine}'")
    return engine  # type: ignore[return-value]


def store_for(results: str | None) -> Store:
    return Store(results)


def progress_bar(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True, disable=quiet)


def execute_design(design: Design, label: str, quiet: bool, results: str | None, no_store: bool,
                   keep_raw: bool = True, resume_id: str | None = None, max_cells: int = MAX_CELLS,
                   max_replicates: int = MAX_REPLICATES) -> tuple[str | None, list[Finished]]:
    """The API's runner with a progress bar on stderr (when the work is big enough to wait for).

    A design bigger than the caps, or whose outputs cannot fit in memory, is refused first."""
    check_budget(design, keep_raw, max_cells, max_replicates)
    total = len(design.cells) * design.runs
    slow = total * (design.days or 180) * 8 > (2e6 if design.engine == "fast" else 2e4)
    chunk = (max(1, min(50_000, design.runs // 20)) if design.engine == "fast"
             else max(1, design.runs // 50))
    if not slow:  # no progress bar to feed: one call of the kernel, not one per replicate
        chunk = None
    finished = [0]
    with progress_bar(quiet or not slow) as bar:
        task = bar.add_task(label, total=total)

        def on_chunk(_cell: int, done: int) -> None:
            bar.update(task, completed=finished[0] * design.runs + done)

        def on_cell(_done: Finished) -> None:
            finished[0] += 1

        def on_begin(rid: str) -> None:
            if design.kind in ("sweep", "sensitivity") and not quiet:
                err.print(f"result {rid}: each point is stored as it finishes; if interrupted, "
                          f"finish it with --resume {rid}", highlight=False)

        return api.execute_design(design, results, not no_store, keep_raw, on_chunk, chunk, on_begin,
                                  on_cell, resume_id, shlex.join(["escalade", *sys.argv[1:]]))
def fmt_ci(est: Any, pct: bool = True) -> str:
    if pct:
        return f"{est.value:6.1%}  [{est.ci_low:5.1%}, {est.ci_high:5.1%}]"
    return f"{est.value:8.2f}  [{est.ci_low:.2f}, {est.ci_high:.2f}]"


def header(loaded: LoadedScenario, compiled: Compiled, runs: int, seed: int) -> dict[str, Any]:
    return {
        "scenario": loaded.scenario.name,
        "source": loaded.source,
        "scenario_hash": loaded.hash,
        "policy": loaded.policy,
        "overrides": list(loaded.overrides),
        "runs": runs,
        "days": compiled.days,
        "seed": seed,
        "start_date": compiled.start_date.isoformat(),
        "version": __version__,
    }


def summary_json(summary: Summary) -> dict[str, Any]:
    doc = summary.to_json()
    del doc["runs"]
    return doc


def finite_json(value: Any) -> Any:
    """JSON has no NaN or infinity: such a number (a statistic of nothing) becomes null."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def print_json(doc: Any) -> None:
    """Print one strict JSON document (never a bare NaN or Infinity)."""
    print(json.dumps(finite_json(doc), indent=2, allow_nan=False, default=str))


def accepted_caps(design: Design) -> dict[str, int]:
    """A resumed design was within its caps when it started: keep them, whatever the defaults."""
    cells = len(design.cells)
    return {"max_cells": max(MAX_CELLS, cells), "max_replicates": max(MAX_REPLICATES, cells * design.runs)}


def describe(name: str) -> str:
    """Meaning of an outcome name, including horizon variants such as ``regional_war_30d``."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    base, _, horizon = name.rpartition("_")
    if base in DESCRIPTIONS and horizon.endswith("d"):
        return f"{DESCRIPTIONS[base]}, by day {horizon[:-1]}"
    return ""


def print_summary(title: str, summary: Summary) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    table.add_column("probability  [95% CI]", justify="right")
    table.add_column("meaning", style="dim")
    for name, est in summary.outcomes.items():
        table.add_row(name, fmt_ci(est), describe(name))
    out.print(table)
    actors = Table(title="per actor (means over replicates)", title_justify="left")
    # the registry's display order; losses by post get a line of their own below
    metrics = [o.name for o in OUTCOMES if o.kind == "actor" and not o.post]
    actors.add_column("actor")
    for m in metrics:
        actors.add_column(m.replace("_", " "), justify="right")
    for aid, ms in summary.actors.items():
        actors.add_row(aid, *(f"{ms[m].value:.2f}" if ms[m].value < 100 else f"{ms[m].value:.0f}"
                              for m in metrics))
    out.print(actors)
    by_post = [(o, [f"{aid} {ms[o.name].value:.2f}" for aid, ms in summary.actors.items()
                    if ms.get(o.name) is not None and ms[o.name].value >= 0.005])
               for o in OUTCOMES if o.post and any(o.name in ms for ms in summary.actors.values())]
    if by_post:  # (a summary stored before posts has none of these tallies)
        out.print("leaders lost by post (mean per replicate): " + "; ".join(
            f"{o.post}: {' '.join(vals) or 'none'}" for o, vals in by_post), highlight=False)
    if summary.strikes_by_pair:
        pairs = "  ".join(f"{k} {e.value:.1f}" for k, e in summary.strikes_by_pair.items())
        out.print(f"strikes by pair (mean per replicate): {pairs}", highlight=False)
    if summary.commitments:  # help given and withheld, per commitment
        kept = "  ".join(f"{k} {ms['helped'].value:.1f} helped / {ms['abandoned'].value:.1f} not"
                         for k, ms in summary.commitments.items()
                         if ms["helped"].value + ms["abandoned"].value >= 0.05)
        if kept:
            out.print(f"attacks on the protected side, by commitment (mean per replicate): {kept}",
                      highlight=False)
    for name, e in summary.counts.items():
        o = outcome(name, "count")
        out.print(f"{o.label} ({o.description}, mean per replicate): "
                  f"{e.value:.2f} [{e.ci_low:.2f}, {e.ci_high:.2f}]", highlight=False)


@app.command()
def run(
    scenario: ScenarioArg = "levant-2024",
    policy: Annotated[str | None, typer.Option("--policy", "-p", help="named policy")] = None,
    runs: RunsOpt = 10_000,
    days: DaysOpt = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    engine: EngineOpt = "fast",
    keep_paths: KeepPathsOpt = False,
    results: ResultsOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
    max_replicates: MaxRepsOpt = MAX_REPLICATES,
) -> None:
    """Run a scenario and print outcome probabilities with 95% intervals (the result is stored)."""
    with user_errors():
        eng = check_engine(engine)
        design = run_design("run", scenario, [policy], runs, seed, days, set_ or [], eng, keep_paths)
        rid, done = execute_design(design, policy or "run", as_json, results, no_store,
                                   max_replicates=max_replicates)
        cell = done[0]
        loaded, summary, compiled = cell.loaded, cell.summary, cell.raw.compiled  # type: ignore[union-attr]
        if as_json:
            doc = ({"id": rid} | header(loaded, compiled, runs, seed) | {"source": scenario, "engine": eng}
                   | summary_json(summary))
            if compiled.hostages_held:
                p = summary.outcomes["hostages_returned"]
                doc["hostages"] = {"held": compiled.hostages_held,
                                   "expected_returned": compiled.hostages_held * p.value}
            print_json(doc)
            return
        title = (f"{loaded.scenario.name} · policy {loaded.policy or '-'} · {runs} runs × "
                 f"{compiled.days} days · seed {seed}")
        print_summary(title, summary)
        stored_note(rid, results)


def stored_note(rid: str | None, results: str | None) -> None:
    if rid is not None:
        err.print(f"stored as [bold]{rid}[/] in {store_for(results).root} "
                  f"(escalade results show {rid}; escalade report {rid})", highlight=False)


@app.command("compare")
def compare_cmd(
    scenario: ScenarioArg = "levant-2024",
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", "-p", help="policies to compare; the first is the baseline")] = None,
    runs: RunsOpt = 10_000,
    days: DaysOpt = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    keep_paths: KeepPathsOpt = False,
    results: ResultsOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
    max_replicates: MaxRepsOpt = MAX_REPLICATES,
) -> None:
    """Compare policies side by side on common random numbers, with paired differences."""
    with user_errors():
        names = policy or []
        if len(names) < 2:
            raise UserError("compare: give at least two policies, e.g. "
                            "--policy informal --policy formal-pact")
        if len(set(names)) != len(names):
            raise UserError(f"compare: each policy once, got {names}")
        design = run_design("compare", scenario, list(names), runs, seed, days, set_ or [],
                            keep_paths=keep_paths)
        rid, done = execute_design(design, "compare", as_json, results, no_store,
                                   max_replicates=max_replicates)
        by_name = {d.cell.policy: d for d in done}
        base = names[0]
        summaries = {n: by_name[n].summary for n in names}
        diffs = {n: compare(by_name[base].raw, by_name[n].raw) for n in names[1:]}  # type: ignore[arg-type]
        if as_json:
            first = by_name[base]
            doc = {"id": rid} | header(first.loaded, first.raw.compiled, runs, seed) | {  # type: ignore[union-attr]
                "source": scenario,
                "policy": None,
                "policies": names,
                "baseline": base,
                "results": {n: summary_json(s) | {"scenario_hash": by_name[n].loaded.hash}
                            for n, s in summaries.items()},
                "differences": {n: {k: {"diff": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
                                    for k, e in d.items()} for n, d in diffs.items()},
            }
            print_json(doc)
            return
        print_comparison(names, summaries, diffs, runs, seed)
        stored_note(rid, results)


def print_comparison(names: list[str], summaries: dict[str, Summary],
                     diffs: dict[str, dict[str, Any]], runs: int, seed: int) -> None:
    base = names[0]
    table = Table(title=f"policies compared · {runs} runs each · seed {seed} · "
                        f"differences vs {base} are paired", title_justify="left")
    table.add_column("outcome")
    for n in names:
        table.add_column(n, justify="right")
    for n in names[1:]:
        table.add_column(f"{n} − {base}", justify="right")
    rows = list(summaries[base].outcomes)
    for k in rows:
        cells = [f"{summaries[n].outcomes[k].value:.1%}" for n in names]
        for n in names[1:]:
            d = diffs[n][k]
            cells.append(f"{d.value:+.1%} [{d.ci_low:+.1%}, {d.ci_high:+.1%}]")
        table.add_row(k, *cells)
    for aid in summaries[base].actors:
        for m in names_of("actor", "compare"):
            key = f"{aid}.{m}"
            if all(summaries[n].actors[aid][m].value == 0.0 for n in names):
                continue  # an actor this metric never touches (e.g. the mediator's casualties)
            cells = [f"{summaries[n].actors[aid][m].value:.2f}" for n in names]
            for n in names[1:]:
                d = diffs[n][key]
                cells.append(f"{d.value:+.2f} [{d.ci_low:+.2f}, {d.ci_high:+.2f}]")
            table.add_row(key, *cells)
    out.print(table)


@app.command()
def sweep(
    scenario: ScenarioArg = "levant-2024",
    grid: Annotated[list[str] | None, typer.Option(
        "--grid", help="PATH=V1,V2,... (repeat for a full grid)")] = None,
    lhs: Annotated[list[str] | None, typer.Option(
        "--lhs", help="PATH=LOW:HIGH (repeat; a Latin hypercube of --samples points)")] = None,
    samples: Annotated[int, typer.Option("--samples", min=2, help="Latin hypercube size")] = 10,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", "-p", help="policies to cross with the points (default: the scenario's)")] = None,
    runs: RunsOpt = 2_000,
    days: DaysOpt = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    keep_paths: KeepPathsOpt = False,
    resume_id: Annotated[str | None, typer.Option(
        "--resume", help="finish an interrupted sweep, given its id (other options are ignored)")] = None,
    results: ResultsOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
    max_cells: MaxCellsOpt = MAX_CELLS,
    max_replicates: MaxRepsOpt = MAX_REPLICATES,
) -> None:
    """Run a grid or Latin hypercube of parameter values under each policy (common random numbers).

    Each finished cell is stored at once; an interrupted sweep is finished with --resume ID and
    then equals a sweep that was never interrupted.
    """
    from escalade.experiments.sweep import grid_points, lhs_points, parse_grid, parse_range, sweep_design

    with user_errors():
        if resume_id is not None:
            if no_store:
                raise UserError("--resume: a sweep is resumed from the results database; drop --no-store")
            design = store_for(results).get(resume_id).design
            if design.kind != "sweep":
                raise UserError(f"--resume {resume_id}: that is a {design.kind} result, not a sweep")
            rid, _ = execute_design(design, "sweep", as_json, results, False, keep_raw=False,
                                    resume_id=resume_id, **accepted_caps(design))
        else:
            if bool(grid) == bool(lhs):
                raise UserError("sweep: give either --grid PATH=V1,V2,... or --lhs PATH=LOW:HIGH")
            policies: list[str | None] = list(policy) if policy else [None]
            if grid:
                specs = [parse_grid(g) for g in grid]
                check_cells(math.prod(len(v) for _, v in specs) * len(policies), max_cells, "--grid")
                points = grid_points(specs, max_cells)
                spec: dict[str, Any] = {"design": "grid", "grid": {k: v for k, v in specs}}
            else:
                check_cells(samples * len(policies), max_cells, f"--samples {samples}")
                ranges = [parse_range(r) for r in lhs or []]
                ints = integer_paths(scenario, (policy or [None])[0], set_, [k for k, _, _ in ranges])
                points = lhs_points(ranges, samples, seed, ints, max_cells)
                spec = {"design": "lhs", "lhs": {k: [lo, hi] for k, lo, hi in ranges}, "samples": samples}
            design = sweep_design(scenario, points, policies, runs, seed, set_, days, keep_paths, spec)
            rid, done = execute_design(design, "sweep", as_json, results, no_store, keep_raw=False,
                                       max_cells=max_cells, max_replicates=max_replicates)
        if rid is not None:
            stored = store_for(results).get(rid)
            rows = stored.cell_rows()
            design = stored.design
        else:
            rows = [{"point": d.cell.point, "policy": d.loaded.policy, "params": d.cell.params,
                     "scenario_hash": d.loaded.hash, "outcomes": summary_json(d.summary)["outcomes"]}
                    for d in done]
        if as_json:
            doc = {"id": rid, "scenario": scenario if rid is None else stored.meta["scenario"],
                   "runs": design.runs, "seed": design.seed, "version": __version__,
                   "overrides": list(design.overrides), "design": design.spec.get("design"),
                   "points": rows}
            print_json(doc)
            return
        print_sweep(rows, design)
        stored_note(rid, results)


def print_sweep(rows: list[dict[str, Any]], design: Design) -> None:
    n_points = len({r["point"] for r in rows})
    table = Table(title=f"sweep · {n_points} points × {len(design.policies)} policies · "
                        f"{design.runs} runs each · seed {design.seed}", title_justify="left")
    keys = list(rows[0]["params"]) if rows else []
    table.add_column("point", justify="right")
    for k in keys:  # the last two path segments are enough to tell parameters apart
        table.add_column(".".join(k.split(".")[-2:]), justify="right")
    table.add_column("policy", justify="right")
    headline = [o for o in OUTCOMES if o.kind == "first_day" and o.headline]
    for h in headline:
        table.add_column(f"{h.short} %", justify="right", no_wrap=True)
    for r in rows:
        o = r["outcomes"]
        table.add_row(str(r["point"]), *(f"{r['params'][k]:.3g}" if isinstance(r["params"][k], float)
                                         else str(r["params"][k]) for k in keys),
                      r["policy"] or "-", *(fmt_p(o[h.name]) for h in headline))
    out.print(table)


def fmt_p(o: dict[str, float]) -> str:
    """Compact: ``1.3% [1.0, 1.7]`` (the interval in the same percent units)."""
    return f"{o['p']:.1%} [{100 * o['ci_low']:.1f}, {100 * o['ci_high']:.1f}]"


@app.command()
def sensitivity(
    scenario: ScenarioArg = "levant-2024",
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="PATH=LOW:HIGH, a parameter and its uncertain range (repeat)")] = None,
    outcome: Annotated[list[str] | None, typer.Option(
        "--outcome", help="outcome to explain: regional_war, regional_war_90d, ISR.casualties ... "
                          "(repeat; default regional_war)")] = None,
    method: Annotated[str, typer.Option("--method", help="sobol | morris")] = "sobol",
    samples: Annotated[int, typer.Option(
        "--samples", min=2, help="base samples (sobol: a power of 2; morris: trajectories)")] = 32,
    policy: Annotated[str | None, typer.Option("--policy", "-p", help="named policy")] = None,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="replicates per point")] = 500,
    days: DaysOpt = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    resume_id: Annotated[str | None, typer.Option(
        "--resume", help="finish an interrupted analysis, given its id")] = None,
    results: ResultsOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
    max_cells: MaxCellsOpt = MAX_CELLS,
    max_replicates: MaxRepsOpt = MAX_REPLICATES,
) -> None:
    """Global sensitivity (SALib): which parameters drive an outcome, Sobol indices or Morris screening.

    Every point runs on the same seed (common random numbers), so a parameter the model ignores
    gets indices of 0 and Monte Carlo noise does not pass for an effect.
    """
    from escalade.experiments.sensitivity import (
        indices_from_summaries,
        parse_param,
        sensitivity_design,
    )

    with user_errors():
        if resume_id is not None:
            design = store_for(results).get(resume_id).design
            if design.kind != "sensitivity":
                raise UserError(f"--resume {resume_id}: that is a {design.kind} result, "
                                "not a sensitivity analysis")
            rid, done = execute_design(design, "sensitivity", as_json, results, False, keep_raw=False,
                                       resume_id=resume_id, **accepted_caps(design))
        else:
            if not param:
                raise UserError("sensitivity: give at least one --param PATH=LOW:HIGH, "
                                "e.g. --param actors.IRN.resolve=0.5:0.95")
            params = [parse_param(p) for p in param]
            design = sensitivity_design(scenario, params, outcome or ["regional_war"], method, samples,
                                        runs, seed, policy, set_, days, max_cells)
            if not as_json:
                err.print(f"{method}: {len(design.cells)} points × {runs} runs", highlight=False)
            rid, done = execute_design(design, "sensitivity", as_json, results, no_store, keep_raw=False,
                                       max_cells=max_cells, max_replicates=max_replicates)
        if rid is not None:  # stored with the result before it was marked done
            stored = store_for(results).get(rid)
            design = stored.design
            rows = store_for(results).indices(rid)
        else:
            rows = indices_from_summaries(design, {d.cell.index: d.summary.to_json() for d in done})
        spec = design.spec
        if as_json:
            doc = {"id": rid, "scenario": scenario if rid is None else stored.meta["scenario"],
                   "method": spec["method"], "samples": spec["samples"], "points": len(design.cells),
                   "runs": design.runs, "seed": design.seed, "version": __version__,
                   "params": [{"path": k, "low": lo, "high": hi} for k, lo, hi in spec["params"]],
                   "indices": rows}
            print_json(doc)
            return
        print_indices(rows, spec, design)
        stored_note(rid, results)


def print_indices(rows: list[dict[str, Any]], spec: dict[str, Any], design: Design) -> None:
    sobol = spec["method"] == "sobol"
    mains = ("S1", "ST") if sobol else ("mu_star",)
    noisy = any(f"{k}_noise" in r for r in rows for k in mains)
    for name in spec["outcomes"]:
        table = Table(title=f"{spec['method']} sensitivity of {name} · {len(design.cells)} points × "
                            f"{design.runs} runs · seed {design.seed}", title_justify="left")
        table.add_column("parameter")
        cols = (("S1", "first order S1 ± 95%"), ("ST", "total ST ± 95%")) if sobol else (
            ("mu_star", "mu* ± 95%"), ("sigma", "sigma"))
        for _, label in cols:
            table.add_column(label, justify="right")
        if noisy:
            table.add_column("noise ± " + " / ".join(mains), justify="right")
        table.add_column("note", style="dim")
        mine = [r for r in rows if r["outcome"] == name]
        key = "ST" if sobol else "mu_star"
        for r in sorted(mine, key=lambda r: -r[key]):
            cells = [f"{r[c]:.3f} ± {r[c + '_conf']:.3f}" if c + "_conf" in r else f"{r[c]:.3f}"
                     for c, _ in cols]
            if noisy:
                cells.append(" / ".join(f"{r.get(f'{k}_noise', 0.0):.3f}" for k in mains))
            table.add_row(r["param"], *cells, r.get("flag", ""))
        out.print(table)
    out.print("± 95%: bootstrap over the sample points. noise: the 95% half-width that the points' own "
              "Monte Carlo noise adds (replicates resampled alike at every point, which share random "
              "numbers); an index smaller than its noise is not distinguishable from 0.", style="dim")


results_app = typer.Typer(no_args_is_help=True, help="Stored results: list, show, query, export, delete.")
app.add_typer(results_app, name="results")


def jsonable(value: Any) -> Any:
    """Dates as ISO text; NaN and infinities (``SELECT 1/0``) as null, since JSON has neither."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


@results_app.command("list")
def results_list(results: ResultsOpt = None, as_json: JsonOpt = False) -> None:
    """Every stored result: id, kind, status, scenario, policies, size and times."""
    with user_errors():
        rows = store_for(results).list()
        if as_json:
            print(json.dumps([{k: jsonable(v) for k, v in r.items()} for r in rows], indent=2))
            return
        table = Table(title=f"results in {store_for(results).root}", title_justify="left")
        for col in ("id", "kind", "status"):
            table.add_column(col, no_wrap=True)
        for col in ("scenario", "policies"):
            table.add_column(col)
        for col in ("cells", "runs", "seed"):
            table.add_column(col, justify="right", no_wrap=True)
        table.add_column("started (UTC)", no_wrap=True)
        table.add_column("took", justify="right", no_wrap=True)
        for r in rows:
            took = ("" if r["finished_at"] is None
                    else f"{(r['finished_at'] - r['started_at']).total_seconds():.0f} s")
            table.add_row(r["id"], r["kind"], r["status"], r["scenario"],
                          ", ".join(p or "-" for p in r["policies"]),
                          f"{r['cells_done']}/{r['cells_total']}", str(r["runs"]), str(r["seed"]),
                          r["started_at"].strftime("%Y-%m-%d %H:%M"), took)
        out.print(table)


@results_app.command("show")
def results_show(result_id: Annotated[str, typer.Argument(help="result id, or latest")],
                 results: ResultsOpt = None, as_json: JsonOpt = False) -> None:
    """One result: provenance, and each cell's outcome probabilities with intervals."""
    with user_errors():
        store = store_for(results)
        stored = store.get(result_id)
        result_id = stored.id
        meta = {k: jsonable(v) for k, v in stored.meta.items() if k not in ("scenario_text", "design")}
        indices = store.indices(result_id)
        if as_json:
            doc = meta | {"design": stored.meta["design"],
                          "cells": [{k: jsonable(v) for k, v in c.items()} for c in stored.cells],
                          "indices": indices}
            print(json.dumps(doc, indent=2))
            return
        prov = Table(title=f"result {result_id}", title_justify="left", show_header=False)
        prov.add_column("field", style="bold")
        prov.add_column("value")
        for k, v in meta.items():
            prov.add_row(k, json.dumps(v) if isinstance(v, list | dict) else str(v))
        out.print(prov)
        if stored.meta["kind"] in ("backtest", "replay"):
            out.print(f"a {stored.meta['kind']}: escalade report {result_id} draws it", highlight=False)
            return
        design = stored.design
        if design.kind == "sensitivity" and indices:
            print_indices(indices, design.spec, design)
            return
        if design.kind == "sweep":
            print_sweep(stored.cell_rows(), design)
            return
        for c in stored.cells:
            print_summary(f"cell {c['cell']} · policy {c['policy'] or '-'}", Summary.from_json(c["summary"]))


@results_app.command("sql")
def results_sql(
    query: Annotated[str, typer.Argument(help="one SELECT statement")],
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, max=86_400, help="stop the query after this many seconds")] = SQL_TIMEOUT_S,
    max_rows: Annotated[int, typer.Option(
        "--max-rows", min=1, max=10_000_000, help="print at most this many rows")] = SQL_MAX_ROWS,
    memory_limit: Annotated[str, typer.Option(
        "--memory-limit", help="most memory the query may use, e.g. 2GB")] = SQL_MEMORY_LIMIT,
    results: ResultsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Query stored results with SQL (read-only): tables results, cells, indices; views replicates, paths.

    The query reads those and nothing else: no files, network, extensions or settings.
    """
    with user_errors():
        try:
            res = store_for(results).sql(query, timeout, max_rows, memory_limit)
        except SqlStuck as exc:  # DuckDB is inside a step it cannot interrupt: leave it behind
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            sys.stderr.flush()
            os._exit(2)
        names, rows = res.names, res.rows
        if res.truncated:
            err.print(f"sql: output cut at {max_rows:,} rows (--max-rows); add LIMIT, narrow the query, "
                      "or raise --max-rows", highlight=False, markup=False, soft_wrap=True)
        if as_json:
            print(json.dumps([{n: jsonable(v) for n, v in zip(names, r, strict=True)} for r in rows],
                             indent=2, default=str, allow_nan=False))
            return
        table = Table()
        for n in names:
            table.add_column(Text(n))
        for r in rows:
            table.add_row(*(Text(str(jsonable(v))) for v in r))  # Text: data is never markup
        out.print(table)


@results_app.command("delete")
def results_delete(
    result_id: Annotated[list[str], typer.Argument(help="result ids, or latest")],
    force: Annotated[bool, typer.Option("--force", help="also delete results marked running")] = False,
    results: ResultsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete stored results: their catalogue rows and their files."""
    with user_errors():
        gone = [store_for(results).delete(r, force) for r in result_id]
        if as_json:
            print(json.dumps({"deleted": gone}))
            return
        out.print(f"deleted {', '.join(gone)}", highlight=False)


@results_app.command("export")
def results_export(
    result_id: Annotated[str, typer.Argument(help="result id, or latest")],
    fmt: Annotated[str, typer.Option("--format", help="csv | parquet")] = "csv",
    table: Annotated[str | None, typer.Option(
        "--table", help="replicates | paths | cells | indices (a backtest: questions; a replay: "
        "paths); default: the first")] = None,
    out_path: Annotated[str | None, typer.Option(
        "--out", help="file to write (default ID-TABLE.FORMAT)")] = None,
    results: ResultsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a result's per-replicate outcomes (or paths, cells, indices) to CSV or Parquet."""
    with user_errors():
        result_id = store_for(results).resolve(result_id)
        table = table or store_for(results).default_table(result_id)
        target = Path(out_path or f"{result_id}-{table}.{fmt}")
        written = store_for(results).export(result_id, fmt, target, table)
        if as_json:
            print(json.dumps({"id": result_id, "table": table, "format": fmt, "path": str(written)}))
            return
        out.print(f"wrote {written}", highlight=False)


@app.command()
def report(
    result_id: Annotated[str, typer.Argument(help="stored result id (escalade results list), or latest")],
    out_file: Annotated[str | None, typer.Option(
        "--out", help="HTML file to write (default RESULTS/reports/ID.html)")] = None,
    png: Annotated[str | None, typer.Option("--png", help="also write the figures as PNG here")] = None,
    results: ResultsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write one self-contained HTML report of a stored result (no network needed to view it)."""
    with user_errors():
        if out_file:
            replaceable(Path(out_file))  # never over a device, pipe, link or folder
        result_id = store_for(results).resolve(result_id)
        path = api.report(result_id, out_file, png, results)
        pngs = sorted(str(p) for p in Path(png).glob("*.png")) if png else []
        if as_json:
            print(json.dumps({"id": result_id, "html": str(path), "png": pngs}, indent=2))
            return
        out.print(f"wrote {path}" + (f" and {len(pngs)} PNG figures in {png}" if png else ""),
                  highlight=False)


@app.command()
def trace(
    scenario: ScenarioArg = "levant-2024",
    policy: Annotated[str | None, typer.Option("--policy", "-p")] = None,
    seed: SeedOpt = 0,
    replicate: Annotated[int, typer.Option("--replicate", min=0,
                                           help="which replicate of the seed")] = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    threats: Annotated[bool, typer.Option("--threats", help="also show threats and shows of force")
                       ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Tell one replicate day by day, one event a line: who did what to whom, what was
    intercepted, who was killed, which operations were prepared and launched."""
    from escalade.engine.reference import simulate_replicate
    from escalade.engine.rng import replicate_keys
    from escalade.reports.trace import render_trace, trace_records, trace_rows

    with user_errors():
        loaded, compiled = prepare(scenario, policy, set_, days)
        key = int(replicate_keys(seed, replicate, 1)[0])
        result = simulate_replicate(compiled, key, trace=True)
        if as_json:
            doc = header(loaded, compiled, 1, seed) | {"replicate": replicate,
                                                      "events": trace_records(compiled, result)}
            print_json(doc)
            return
        out.print(f"[bold]{loaded.scenario.name}[/] · policy {loaded.policy or '-'} · seed {seed}"
                  f" · replicate {replicate}")
        # One event a line, cut with "…" at the terminal's edge (--json has the full text).
        width = max(40, out.width)
        out.print(f"{'day':<9}  {'who':<8} {'rung':>4}  what · detail", style="bold",
                  highlight=False)
        for day, who, rung, what, detail in trace_rows(compiled, result, threats):
            line = f"{day:<9}  {who:<8} {rung:>4}  {what}" + (f" · {detail}" if detail else "")
            out.print(line if len(line) <= width else line[:width - 1] + "…", highlight=False,
                      soft_wrap=True)
        final = render_trace(compiled, result)[-1]
        out.print(final, highlight=False)


@app.command()
def validate(file: Annotated[str, typer.Argument(help="scenario YAML file")],
             as_json: JsonOpt = False) -> None:
    """Check a scenario file and each of its policies; exit 2 with the problem if invalid."""
    if as_json:
        try:
            policies = validate_file(file)
        except UserError as exc:
            print_json({"file": file, "valid": False, "error": str(exc)})
            raise typer.Exit(2) from None
        print_json({"file": file, "valid": True, "policies": policies})
        return
    with user_errors():
        policies = validate_file(file)
        out.print(f"{file}: valid ({len(policies)} policies: {', '.join(policies) or 'none'})")


@app.command()
def scenarios(as_json: JsonOpt = False) -> None:
    """List the bundled scenarios."""
    rows = []
    for name, path in sorted(bundled_scenarios().items()):
        loaded = load_scenario(str(path))
        sc = loaded.scenario
        rows.append({"name": name, "start_date": sc.start_date.isoformat(), "days": sc.days,
                     "actors": list(sc.actors), "policies": sorted(sc.policies),
                     "description": " ".join(sc.description.split())})
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"[bold]{r['name']}[/]  from {r['start_date']}, {r['days']} days, "
                  f"actors {' '.join(r['actors'])}; policies {', '.join(r['policies'])}\n"
                  f"    {r['description']}")


@app.command("scenario-schema")
def scenario_schema(as_json: Annotated[bool, typer.Option(
        "--json", help="accepted for symmetry: the schema is always JSON")] = False) -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    print_json(Scenario.model_json_schema())


@app.command()
def bench(
    runs: Annotated[int, typer.Option(min=1, help="fast-engine replicates")] = 100_000,
    ref_runs: Annotated[int, typer.Option(min=1, help="reference replicates")] = 20,
    memory_runs: Annotated[int, typer.Option(min=0, help="replicates for the memory check "
                                                       "(0 to skip)")] = 1_000_000,
    experiments: Annotated[bool, typer.Option(
        "--experiments", help="benchmark a stored 3 x 3 sweep and storing replicates instead")] = False,
    grid_runs: Annotated[int, typer.Option(min=1, help="runs per point of the 3 x 3 sweep")] = 10_000,
    store_rows: Annotated[int, typer.Option(min=1, help="replicate outcomes to store and read")] = 1_000_000,
    as_json: JsonOpt = False,
) -> None:
    """Throughput of both engines on the default scenario (actor-days per second) and peak memory."""
    from escalade.bench import run_bench, run_experiment_bench

    with user_errors():
        # the default scenario: 7 actors, 180 days
        for what, n in (("--runs", runs), ("--memory-runs", memory_runs), ("--grid-runs", grid_runs),
                        ("--store-rows", store_rows)):
            check_memory(n, 7, 180, what=what)
        log = None if as_json else out.print
        res = (run_experiment_bench(grid_runs, store_rows, log) if experiments
               else run_bench(runs, ref_runs, memory_runs, log=log))
        if as_json:
            print_json(res)


# episodes, replay and backtest live in their own module; they join the app here.
from escalade import cli_history  # noqa: E402

cli_history.register(app)


def _terminate(signum: int, frame: Any) -> None:
    """Treat a polite kill like Ctrl-C, so a stored result is marked interrupted, not left running."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the app, mapping user errors to exit status 2."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except UserError as exc:  # pragma: no cover - commands catch their own
        err.print(f"error: {exc}")
        sys.exit(2)

