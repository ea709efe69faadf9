"""The history commands: ``episodes``, ``replay`` and ``backtest`` (registered on the main app).

Kept apart from ``cli.py`` because they read event tables rather than only scenarios; they
follow the same rules: a user error is one message and exit 2, ``--json`` prints one document.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

# cli.py imports this module at its end, once these names exist (so the import is not circular
# in effect); typer reads the annotations from this module's globals.
from escalade.cli import (
    EngineOpt,
    JsonOpt,
    NoStoreOpt,
    ResultsOpt,
    SeedOpt,
    check_engine,
    err,
    out,
    store_for,
    user_errors,
)
from escalade.errors import UserError
from escalade.history.scores import format_skill

DateList = Annotated[list[str] | None, typer.Option(
    "--cut", help="cut date (ISO): events before it are forced in, the forecast starts on it")]
HorizonList = Annotated[list[int] | None, typer.Option(
    "--horizon", help="days after the cut the questions look at (repeatable)")]
ProfileOpt = Annotated[str | None, typer.Option(
    "--profile", help="read another layout: gdelt, icews, polecat, or a profile YAML")]
ColumnsOpt = Annotated[list[str] | None, typer.Option(
    "--columns", help="rename columns, OURS=THEIRS (e.g. --columns 'date=Event Date')")]


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} {text}: expected an ISO date such as 2024-04-02") from None


def _store_note(rid: str | None, results: str | None) -> None:
    if rid is not None:
        err.print(f"stored as [bold]{rid}[/] in {store_for(results).root} "
                  f"(escalade report {rid})", highlight=False)


def _provenance(loaded: Any, runs: int, seed: int, days: int, engine: str,
                design: dict[str, Any]) -> dict[str, Any]:
    return {"scenario": loaded.scenario.name, "source": loaded.source,
            "scenario_hash": loaded.hash, "scenario_text": loaded.text, "seed": seed,
            "runs": runs, "days": days, "engine": engine, "policies": [loaded.policy],
            "overrides": list(loaded.overrides), "design": design,
            "command": shlex.join(["escalade", *sys.argv[1:]])}


def register(app: typer.Typer) -> None:
    """Add the history commands to ``app``."""

    @app.command()
    def episodes(as_json: JsonOpt = False) -> None:
        """List the bundled real episodes: dates, actors, event counts, suggested cuts."""
        from escalade.history import episodes as bundled

        with user_errors():
            rows = []
            for ep in bundled.episodes():
                table, loaded = bundled.load(ep)
                rows.append({"id": ep.id, "slug": ep.slug, "title": ep.title,
                             "start": ep.start.isoformat(), "end": ep.end.isoformat(),
                             "scenario": ep.scenario, "actors": list(loaded.scenario.actors),
                             "rows": len({e.line for e in table.events}),
                             "events": len(table.events),
                             "cuts": [c.isoformat() for c in ep.cuts],
                             "horizons": list(ep.horizons), "summary": ep.summary})
            if as_json:
                print(json.dumps(rows, indent=2))
                return
            t = Table(title="bundled episodes (escalade replay ID; escalade backtest ID)",
                      title_justify="left")
            for col in ("id", "episode", "dates", "actors", "rows", "events", "scenario"):
                t.add_column(col, justify="right" if col in ("rows", "events") else "left")
            for r in rows:
                t.add_row(r["id"], r["title"], f"{r['start']} → {r['end']}", " ".join(r["actors"]),
                          str(r["rows"]), str(r["events"]), r["scenario"])
            out.print(t)
            out.print("rows: lines of the file; events: after daily rows (until) are expanded",
                      style="dim")

    @app.command()
    def replay(
        episode: Annotated[str, typer.Argument(help="bundled episode id/slug, or an event CSV")],
        scenario: Annotated[str | None, typer.Option(
            "--scenario", help="scenario the events belong to (default: the episode's)")] = None,
        cut: Annotated[str | None, typer.Option(
            "--cut", help="run the model forward from this date, events before it forced in")] = None,
        horizon: Annotated[int, typer.Option("--horizon", min=1, max=3650,
                                             help="days to forecast after the cut")] = 90,
        runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=1_000_000)] = 2000,
        seed: SeedOpt = 0,
        engine: EngineOpt = "fast",
        profile: ProfileOpt = None,
        columns: ColumnsOpt = None,
        png: Annotated[str | None, typer.Option("--png", help="write the figures as PNG here")] = None,
        results: ResultsOpt = None,
        no_store: NoStoreOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Show a real episode as a timeline and, with --cut, the model's forecast from the cut."""
        from escalade.history import episodes as bundled
        from escalade.history import replay as rp

        with user_errors():
            eng = check_engine(engine)
            if png and Path(png).exists() and not Path(png).is_dir():
                raise UserError(f"--png {png}: is a file; give a folder for the PNG figures")
            table, loaded, ep = bundled.resolve(episode, scenario, profile,
                                                bundled.parse_columns(columns))
            sc = loaded.scenario
            doc: dict[str, Any] = {
                "episode": ep.id if ep else None, "events_file": str(ep.events if ep else episode),
                "scenario": sc.name, "start_date": sc.start_date.isoformat(),
                "timeline": rp.timeline_rows(table),
                "dyads": rp.dyads(table, sc.outcomes.force_rung),
                "curve": rp.curve(table, table.start, table.end)}
            fc = None
            if cut is not None:
                when = _date(cut, "--cut")
                fc = rp.forecast(sc, table, when, horizon, runs, seed, eng)
                last = when + dt.timedelta(days=horizon - 1)
                window = {k: v for k, v in fc.summary.to_json()["outcomes"].items()
                          if not k.split("_")[-1].endswith("d") or not k.split("_")[-1][:-1].isdigit()}
                doc["forecast"] = {
                    "cut": when.isoformat(), "horizon_days": horizon, "runs": runs, "seed": seed,
                    "injected": list(fc.conditioned.injects), "outcomes": window,
                    "pairs": fc.pairs,
                    "real_levels": rp.real_levels(sc, table, when, last).tolist()}
            rid = None
            if not no_store and fc is not None:
                assert fc.raw.path is not None
                paths = pd.DataFrame(fc.raw.path[:, fc.conditioned.cut_day - 1:],
                                     columns=[f"d{k + 1}" for k in range(horizon)])
                prov = _provenance(loaded, runs, seed, fc.raw.compiled.days, eng,
                                   {"cut": doc["forecast"]["cut"], "horizon": horizon,
                                    "events_file": doc["events_file"]})
                rid = store_for(results).save_document(
                    "replay", doc, {"paths": paths}, prov,
                    {"events.csv": Path(doc["events_file"]).read_bytes()})
            if png:
                from escalade.reports.history import replay_pngs

                replay_pngs(doc, fc.raw.path[:, fc.conditioned.cut_day - 1:] if fc else None,
                            Path(png))
            if as_json:
                print(json.dumps({"id": rid} | doc, indent=2, allow_nan=False))
                return
            _print_replay(doc)
            _store_note(rid, results)

    @app.command()
    def backtest(
        events: Annotated[str, typer.Argument(help="event CSV, or a bundled episode id/slug")],
        scenario: Annotated[str | None, typer.Option(
            "--scenario", help="scenario the events belong to (default: the episode's)")] = None,
        cut: DateList = None,
        horizon: HorizonList = None,
        through: Annotated[str | None, typer.Option(
            "--through", help="last day the table speaks for (default: its last event, or the "
            "episode's end)")] = None,
        incomplete: Annotated[list[str] | None, typer.Option(
            "--incomplete", help="a pair A>B the table does not code in full: its questions are "
            "skipped (default: the episode's own list)")] = None,
        runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=1_000_000)] = 1000,
        seed: SeedOpt = 0,
        engine: EngineOpt = "fast",
        profile: ProfileOpt = None,
        columns: ColumnsOpt = None,
        results: ResultsOpt = None,
        no_store: NoStoreOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Score the model's forecasts from cut dates against what the table shows happened,
        next to the base-rate and persistence baselines (Brier and log scores, skill)."""
        from escalade.history import episodes as bundled
        from escalade.history.backtest import backtest as run_backtest

        with user_errors():
            eng = check_engine(engine)
            table, loaded, ep = bundled.resolve(events, scenario, profile,
                                                bundled.parse_columns(columns))
            cuts = [_date(c, "--cut") for c in cut or []] or list(ep.cuts if ep else [])
            horizons = list(horizon or []) or list(ep.horizons if ep else [])
            if not cuts:
                raise UserError("backtest: give at least one --cut DATE")
            if not horizons:
                raise UserError("backtest: give at least one --horizon DAYS")
            until = _date(through, "--through") if through else (ep.covered_until if ep else table.end)
            path = ep.events if ep and not Path(events).exists() else Path(events)
            gaps = tuple(incomplete or ()) or (ep.incomplete if ep else ())
            for pair in gaps:
                a, sep, b = pair.partition(">")
                if not sep or a not in loaded.scenario.actors or b not in loaded.scenario.actors:
                    raise UserError(f"--incomplete {pair}: expected A>B with actors of scenario "
                                    f"'{loaded.scenario.name}' ({', '.join(loaded.scenario.actors)})")
            res = run_backtest(table, loaded.scenario, cuts, horizons, runs, seed, eng,
                               covered_until=until, incomplete=gaps)
            doc = {"events_file": str(path), "scenario": loaded.scenario.name,
                   "cuts": [c.isoformat() for c in sorted(set(cuts))], "horizons": sorted(set(horizons)),
                   "covered_until": until.isoformat(), "incomplete": list(gaps),
                   "runs": runs, "seed": seed,
                   "engine": eng} | res.to_json()
            rid = None
            if not no_store:
                prov = _provenance(loaded, runs, seed, 0, eng,
                                   {k: doc[k] for k in ("cuts", "horizons", "covered_until",
                                                        "incomplete", "events_file")})
                rid = store_for(results).save_document(
                    "backtest", doc, {"questions": pd.DataFrame(res.questions)}, prov,
                    {"events.csv": path.read_bytes()})
            if as_json:
                print(json.dumps({"id": rid} | doc, indent=2, allow_nan=False))
                return
            _print_backtest(doc)
            _store_note(rid, results)


def _print_replay(doc: dict[str, Any]) -> None:
    t = Table(title=f"{doc['events_file']} · scenario {doc['scenario']} (starts {doc['start_date']})",
              title_justify="left")
    for col in ("date", "dyad", "rung", "CAMEO", "killed", "what happened"):
        t.add_column(col, justify="right" if col in ("rung", "killed") else "left",
                     no_wrap=col in ("date", "dyad"))
    for r in doc["timeline"]:
        span = r["date"] if r["days"] == 1 else f"{r['date']} …{r['last']} ({r['days']} d)"
        t.add_row(span, f"{r['source']}>{r['target']}", "" if r["rung"] is None else str(r["rung"]),
                  r["cameo"], "" if r["killed"] is None else str(r["killed"]), r["description"])
    out.print(t)
    fc = doc.get("forecast")
    if not fc:
        return
    out.print(f"[bold]forecast from {fc['cut']}[/] · {fc['horizon_days']} days · {fc['runs']} runs · "
              f"seed {fc['seed']} · {len(fc['injected'])} real events forced in before the cut")
    o = Table(title_justify="left")
    o.add_column("outcome within the window")
    o.add_column("model  [95% CI]", justify="right")
    for name, v in fc["outcomes"].items():
        o.add_row(name, f"{v['p']:6.1%}  [{v['ci_low']:5.1%}, {v['ci_high']:5.1%}]")
    out.print(o)
    p = Table(title="use of force by pair after the cut: model vs what happened", title_justify="left")
    p.add_column("pair")
    p.add_column("model P", justify="right")
    p.add_column("happened")
    for r in sorted(fc["pairs"], key=lambda r: -r["model_p"]):
        p.add_row(r["pair"], f"{r['model_p']:.1%}", "yes" if r["happened"] else "no")
    out.print(p)


def _print_backtest(doc: dict[str, Any]) -> None:
    n = len(doc["questions"])
    out.print(f"[bold]backtest[/] {doc['events_file']} · scenario {doc['scenario']} · cuts "
              f"{', '.join(doc['cuts'])} · horizons {', '.join(map(str, doc['horizons']))} d · "
              f"{doc['runs']} runs · {n} questions, {len(doc['skipped'])} skipped", highlight=False)
    t = Table(title="mean scores (lower is better)", title_justify="left")
    t.add_column("forecaster")
    t.add_column("Brier", justify="right")
    t.add_column("log", justify="right")
    for who, s in doc["scores"].items():
        t.add_row(who, f"{s['brier']:.4f}", f"{s['log']:.4f}")
    out.print(t)
    s = Table(title="model skill vs baseline: 1 − S_model / S_baseline, 95% bootstrap interval",
              title_justify="left")
    s.add_column("baseline")
    s.add_column("Brier skill", justify="right")
    s.add_column("log skill", justify="right")

    for base, v in doc["skill"].items():
        s.add_row(base, format_skill(v["brier"]), format_skill(v["log"]))
    out.print(s)
    k = Table(title="Brier by kind of question", title_justify="left")
    for col in ("kind", "n", "observed", "model", "base_rate", "persistence"):
        k.add_column(col, justify="left" if col == "kind" else "right")
    for kind, v in doc["scores_by_kind"].items():
        k.add_row(kind, str(v["model"]["n"]), f"{v['observed_rate']['mean']:.2f}",
                  *(f"{v[w]['brier']:.3f}" for w in ("model", "base_rate", "persistence")))
    out.print(k)
    worst = sorted(doc["questions"], key=lambda q: -q["model_brier"])[:12]
    w = Table(title="the model's worst questions (all in --json or the report)", title_justify="left")
    for col in ("cut", "h", "question", "model", "base", "persist", "happened"):
        w.add_column(col, justify="left" if col in ("cut", "question") else "right")
    for q in worst:
        w.add_row(q["cut"], str(q["horizon_days"]), q["question"], f"{q['forecast']:.2f}",
                  f"{q['base_rate']:.2f}", f"{q['persistence']:.0f}", "yes" if q["outcome"] else "no")
    out.print(w)
