"""Replay: a real episode as a timeline, and the model run forward from a cut inside it.

The timeline is what the table says (events per dyad on the ladder, and a Goldstein-weighted
intensity curve); the forecast is the model conditioned on every event before the cut
(``condition``), with each per-pair question's model probability set beside what the table
shows happened after the cut.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from escalade.engine.layout import PD_FORCE
from escalade.engine.run import Engine, RawResult, simulate
from escalade.events import EventTable, escalation_curve, is_ceasefire
from escalade.history.condition import Conditioned, condition
from escalade.outcomes import summarise
from escalade.scenario.schema import Scenario


def timeline_rows(table: EventTable) -> list[dict[str, Any]]:
    """One row per line of the file: a repeated (``until``) row is shown once with its span."""
    by_line: dict[int, list[Any]] = defaultdict(list)
    for e in table.events:
        by_line[e.line].append(e)
    rows = []
    for line in sorted(by_line, key=lambda k: (by_line[k][0].date, k)):
        es = by_line[line]
        e = es[0]
        rows.append({"line": line, "date": e.date.isoformat(), "last": es[-1].date.isoformat(),
                     "days": len(es), "source": e.source, "target": e.target, "cameo": e.cameo,
                     "rung": e.rung, "goldstein": e.goldstein, "killed": e.killed,
                     "leader": e.leader, "ceasefire": is_ceasefire(e),
                     "description": e.description, "citation": e.citation})
    return rows


def dyads(table: EventTable, force_rung: int) -> list[dict[str, Any]]:
    """Per directed pair: how many events, first and last date, highest rung, days of force."""
    acc: dict[str, dict[str, Any]] = {}
    for e in table.events:
        key = f"{e.source}>{e.target}"
        d = acc.setdefault(key, {"dyad": key, "events": 0, "first": e.date, "last": e.date,
                                 "max_rung": -1, "force_days": set()})
        d["events"] += 1
        d["last"] = e.date
        if e.rung is not None:
            d["max_rung"] = max(d["max_rung"], e.rung)
            if e.rung >= force_rung and not is_ceasefire(e):
                d["force_days"].add(e.date)
    return [{**d, "first": d["first"].isoformat(), "last": d["last"].isoformat(),
             "force_days": len(d["force_days"])} for d in acc.values()]


def real_levels(scenario: Scenario, table: EventTable, first: dt.date, last: dt.date) -> np.ndarray:
    """The table's daily highest rung between two main parties (-1 on quiet days): the real
    counterpart of the model's escalation path, which counts only actions above restraint."""
    main = set(scenario.outcomes.regional_war.actors)
    n = (last - first).days + 1
    level = np.full(n, -1, dtype=np.int64)
    for e in table.events:
        if (first <= e.date <= last and e.source in main and e.target in main
                and e.rung is not None and e.rung > 0 and not is_ceasefire(e)):
            k = (e.date - first).days
            level[k] = max(level[k], e.rung)
    return level


@dataclass(frozen=True)
class Forecast:
    conditioned: Conditioned
    raw: RawResult
    horizon: int
    pairs: list[dict[str, Any]]
    summary: Any


def forecast(scenario: Scenario, table: EventTable, cut: dt.date, horizon: int, runs: int,
             seed: int, engine: Engine = "fast") -> Forecast:
    """Run the model ``horizon`` days from ``cut``, conditioned on the events before it."""
    cond = condition(scenario, table, cut, horizon)
    compiled = cond.compiled.with_days(cond.cut_day - 1 + horizon)
    raw = simulate(compiled, runs, seed, engine=engine, keep_paths=True, keep_pair_days=True)
    first, last = cond.window(horizon)
    last_date = cut + dt.timedelta(days=horizon - 1)
    pairs = []
    for i, a in enumerate(compiled.ids):
        for j, b in enumerate(compiled.ids):
            if i == j:
                continue
            days = raw.pair_days[:, i, j, PD_FORCE]  # type: ignore[index]
            p = float(np.mean((days >= first) & (days <= last)))
            seen = any(cut <= e.date <= last_date and e.source == a and e.target == b
                       and e.rung is not None and e.rung >= scenario.outcomes.force_rung
                       and not is_ceasefire(e) for e in table.events)
            if p > 0 or seen:
                pairs.append({"pair": f"{a}>{b}", "model_p": p, "happened": seen})
    return Forecast(cond, raw, horizon, pairs, summarise(raw))


def curve(table: EventTable, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    dates, values = escalation_curve(table, first, last)
    return [{"date": d.isoformat() if hasattr(d, "isoformat") else str(d)[:10], "value": float(v)}
            for d, v in zip(dates, values, strict=True)]
