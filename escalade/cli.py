"""The command line: run, compare, trace, validate, scenarios, scenario-schema, bench.

A user error (bad file, field, override or option) prints one clear message and exits with 2;
it never shows a traceback. ``--json`` prints one JSON document on stdout and nothing else.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from escalade import __version__
from escalade.compile import Compiled, compile_scenario
from escalade.engine.run import Engine, RawResult, simulate
from escalade.errors import UserError
from escalade.outcomes import DESCRIPTIONS, Summary, compare, summarise
from escalade.scenario.load import LoadedScenario, bundled_scenarios, load_scenario, validate_file
from escalade.scenario.schema import Scenario

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate crisis escalation and the effect of alliance commitments.")
out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[str, typer.Argument(help="bundled scenario name or YAML file path")]
RunsOpt = Annotated[int, typer.Option("--runs", "-n", min=1, help="number of replicates")]
DaysOpt = Annotated[int | None, typer.Option("--days", min=1, max=3650,
                                             help="days to simulate (default: the scenario's)")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="random seed")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="override a scenario value, e.g. --set actors.IRN.resolve=0.9")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document")]
EngineOpt = Annotated[str, typer.Option("--engine", help="fast | reference")]


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors into a message and exit status 2."""
    try:
        yield
    except UserError as exc:
        fail(str(exc))


def prepare(scenario: str, policy: str | None, overrides: list[str] | None,
            days: int | None) -> tuple[LoadedScenario, Compiled]:
    loaded = load_scenario(scenario, policy, overrides or [])
    compiled = compile_scenario(loaded.scenario)
    if days is not None:
        compiled = compiled.with_days(days)
    return loaded, compiled


def check_engine(engine: str) -> Engine:
    if engine not in ("fast", "reference"):
        raise UserError(f"--engine: expected 'fast' or 'reference', got '{engine}'")
    return engine  # type: ignore[return-value]


def run_with_progress(compiled: Compiled, runs: int, seed: int, engine: Engine,
                      label: str, quiet: bool) -> RawResult:
    """Run, showing a progress bar on stderr when the run is big enough to take a while."""
    slow = runs * compiled.days * compiled.n_actors > (2e6 if engine == "fast" else 2e4)
    if quiet or not slow:
        return simulate(compiled, runs, seed, engine)
    chunk = max(1, min(50_000, runs // 20)) if engine == "fast" else max(1, runs // 50)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(label, total=runs)
        return simulate(compiled, runs, seed, engine, chunk=chunk,
                        on_chunk=lambda done: bar.update(task, completed=done))


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
    return {
        "outcomes": {k: v.as_p() for k, v in summary.outcomes.items()},
        "actors": {a: {m: e.value for m, e in ms.items()} for a, ms in summary.actors.items()},
        "actors_ci": {a: {m: [e.ci_low, e.ci_high] for m, e in ms.items()}
                      for a, ms in summary.actors.items()},
        "strikes_by_pair": {k: e.as_mean() for k, e in summary.strikes_by_pair.items()},
    }


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
    metrics = ["strikes", "strikes_initiated", "leaders_lost", "casualties", "reputation_cost",
               "helped", "abandoned"]
    actors.add_column("actor")
    for m in metrics:
        actors.add_column(m.replace("_", " "), justify="right")
    for aid, ms in summary.actors.items():
        actors.add_row(aid, *(f"{ms[m].value:.2f}" if ms[m].value < 100 else f"{ms[m].value:.0f}"
                              for m in metrics))
    out.print(actors)
    if summary.strikes_by_pair:
        pairs = "  ".join(f"{k} {e.value:.1f}" for k, e in summary.strikes_by_pair.items())
        out.print(f"strikes by pair (mean per replicate): {pairs}", highlight=False)


@app.command()
def run(
    scenario: ScenarioArg = "levant-2024",
    policy: Annotated[str | None, typer.Option("--policy", "-p", help="named policy")] = None,
    runs: RunsOpt = 10_000,
    days: DaysOpt = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    engine: EngineOpt = "fast",
    as_json: JsonOpt = False,
) -> None:
    """Run a scenario and print outcome probabilities with 95% intervals."""
    with user_errors():
        eng = check_engine(engine)
        loaded, compiled = prepare(scenario, policy, set_, days)
        raw = run_with_progress(compiled, runs, seed, eng, f"{loaded.policy or 'run'}", as_json)
        summary = summarise(raw)
        if as_json:
            doc = header(loaded, compiled, runs, seed) | {"engine": eng} | summary_json(summary)
            if compiled.hostages_held:
                p = summary.outcomes["hostages_returned"]
                doc["hostages"] = {"held": compiled.hostages_held,
                                   "expected_returned": compiled.hostages_held * p.value}
            print(json.dumps(doc, indent=2))
            return
        title = (f"{loaded.scenario.name} · policy {loaded.policy or '-'} · {runs} runs × "
                 f"{compiled.days} days · seed {seed}")
        print_summary(title, summary)


@app.command("compare")
def compare_cmd(
    scenario: ScenarioArg = "levant-2024",
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", "-p", help="policies to compare; the first is the baseline")] = None,
    runs: RunsOpt = 10_000,
    days: DaysOpt = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare policies side by side on common random numbers, with paired differences."""
    with user_errors():
        names = policy or []
        if len(names) < 2:
            raise UserError("compare: give at least two policies, e.g. "
                            "--policy informal --policy formal-pact")
        if len(set(names)) != len(names):
            raise UserError(f"compare: each policy once, got {names}")
        results: dict[str, tuple[LoadedScenario, Compiled, RawResult]] = {}
        for name in names:
            loaded, compiled = prepare(scenario, name, set_, days)
            raw = run_with_progress(compiled, runs, seed, "fast", name, as_json)
            results[name] = (loaded, compiled, raw)
        base = names[0]
        summaries = {n: summarise(r[2]) for n, r in results.items()}
        diffs = {n: compare(results[base][2], results[n][2]) for n in names[1:]}
        if as_json:
            loaded, compiled, _ = results[base]
            doc = header(loaded, compiled, runs, seed) | {
                "policy": None,
                "policies": names,
                "baseline": base,
                "results": {n: summary_json(s) | {"scenario_hash": results[n][0].hash}
                            for n, s in summaries.items()},
                "differences": {n: {k: {"diff": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
                                    for k, e in d.items()} for n, d in diffs.items()},
            }
            print(json.dumps(doc, indent=2))
            return
        print_comparison(names, summaries, diffs, runs, seed)


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
        for m in ("strikes_initiated", "leaders_lost", "casualties"):
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
    as_json: JsonOpt = False,
) -> None:
    """Run a grid or Latin hypercube of parameter values under each policy (common random numbers)."""
    from escalade.experiments.sweep import (
        grid_points,
        lhs_points,
        parse_grid,
        parse_range,
        run_sweep,
    )

    with user_errors():
        if bool(grid) == bool(lhs):
            raise UserError("sweep: give either --grid PATH=V1,V2,... or --lhs PATH=LOW:HIGH")
        points = (grid_points([parse_grid(g) for g in grid]) if grid
                  else lhs_points([parse_range(r) for r in lhs or []], samples, seed))
        policies: list[str | None] = list(policy) if policy else [None]
        cells = len(points) * len(policies)
        with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task("sweep", total=cells)
            rows = run_sweep(scenario, points, policies, runs, seed, set_, days,
                             on_cell=lambda done: bar.update(task, completed=done))
        if as_json:
            doc = {"scenario": scenario, "runs": runs, "seed": seed, "version": __version__,
                   "overrides": list(set_ or []), "design": "grid" if grid else "lhs",
                   "points": [{"point": r.point, "policy": r.policy, "params": r.params,
                               "scenario_hash": r.scenario_hash,
                               "outcomes": {k: v.as_p() for k, v in r.summary.outcomes.items()}}
                              for r in rows]}
            print(json.dumps(doc, indent=2))
            return
        table = Table(title=f"sweep of {scenario} · {len(points)} points × {len(policies)} "
                            f"policies · {runs} runs each · seed {seed}", title_justify="left")
        keys = list(points[0])
        table.add_column("point", justify="right")
        for k in keys:  # the last two path segments are enough to tell parameters apart
            table.add_column(".".join(k.split(".")[-2:]), justify="right")
        for k in ("policy", "regional war", "protector in combat", "cease-fire"):
            table.add_column(k, justify="right")
        for r in rows:
            o = r.summary.outcomes
            table.add_row(str(r.point), *(f"{r.params[k]:.3g}" if isinstance(r.params[k], float)
                                          else str(r.params[k]) for k in keys),
                          r.policy or "-", *(fmt_ci(o[n]) for n in
                                             ("regional_war", "protector_in_combat", "ceasefire")))
        out.print(table)


@app.command()
def trace(
    scenario: ScenarioArg = "levant-2024",
    policy: Annotated[str | None, typer.Option("--policy", "-p")] = None,
    seed: SeedOpt = 0,
    replicate: Annotated[int, typer.Option("--replicate", min=0,
                                           help="which replicate of the seed")] = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tell one replicate day by day: who did what to whom, what was intercepted, who was killed."""
    from escalade.engine.reference import simulate_replicate
    from escalade.engine.rng import replicate_keys
    from escalade.reports.trace import render_trace, trace_records

    with user_errors():
        loaded, compiled = prepare(scenario, policy, set_, days)
        key = int(replicate_keys(seed, replicate, 1)[0])
        result = simulate_replicate(compiled, key, trace=True)
        if as_json:
            doc = header(loaded, compiled, 1, seed) | {"replicate": replicate,
                                                      "events": trace_records(compiled, result)}
            print(json.dumps(doc, indent=2))
            return
        out.print(f"[bold]{loaded.scenario.name}[/] · policy {loaded.policy or '-'} · seed {seed}"
                  f" · replicate {replicate}")
        for line in render_trace(compiled, result):
            out.print(line, highlight=False)


@app.command()
def validate(file: Annotated[str, typer.Argument(help="scenario YAML file")]) -> None:
    """Check a scenario file and each of its policies; exit 2 with the problem if invalid."""
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
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        out.print(f"[bold]{r['name']}[/]  from {r['start_date']}, {r['days']} days, "
                  f"actors {' '.join(r['actors'])}; policies {', '.join(r['policies'])}\n"
                  f"    {r['description']}")


@app.command("scenario-schema")
def scenario_schema() -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    print(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command()
def bench(
    runs: Annotated[int, typer.Option(min=1, help="fast-engine replicates")] = 100_000,
    ref_runs: Annotated[int, typer.Option(min=1, help="reference replicates")] = 20,
    memory_runs: Annotated[int, typer.Option(min=0, help="replicates for the memory check "
                                                       "(0 to skip)")] = 1_000_000,
    as_json: JsonOpt = False,
) -> None:
    """Throughput of both engines on the default scenario (actor-days per second) and peak memory."""
    from escalade.bench import run_bench

    with user_errors():
        res = run_bench(runs, ref_runs, memory_runs, log=None if as_json else out.print)
        if as_json:
            print(json.dumps(res, indent=2))


def main() -> None:
    """Entry point: run the app, mapping user errors to exit status 2."""
    try:
        app()
    except UserError as exc:  # pragma: no cover - commands catch their own
        err.print(f"error: {exc}")
        sys.exit(2)

