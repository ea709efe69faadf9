"""Backtests: forecasts made at cut dates of a real crisis, scored against what happened next.

For every cut the scenario is conditioned on the table's events before the cut
(``condition``), run forward ``max(horizons)`` days with one seed (so all cuts and horizons
share random numbers), and each question of the fixed family (``questions``) gets the share of
replicates in which it came true within its window. The same questions get the two baselines'
forecasts, and all three are scored with proper scores (``scores``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from escalade.engine.layout import D_WAR, PD_CEASEFIRE, PD_COMBAT, PD_FORCE, PD_STRIKE
from escalade.engine.run import Engine, RawResult, simulate
from escalade.errors import UserError
from escalade.events import EventTable
from escalade.history import episodes as bundled
from escalade.history.condition import condition
from escalade.history.questions import Question, Skipped, family, observed, persistence
from escalade.history.scores import SCORERS, reliability, skill
from escalade.scenario.schema import Scenario

FORECASTERS = ("model", "base_rate", "persistence")
MAX_CUTS = 50


@dataclass(frozen=True)
class BacktestResult:
    questions: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    scores: dict[str, dict[str, float]]
    skill: dict[str, dict[str, dict[str, float | None]]]
    by_kind: dict[str, dict[str, dict[str, float]]]
    reliability: dict[str, list[dict[str, Any]]]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.meta, "questions": self.questions, "skipped": self.skipped,
                "scores": self.scores, "skill": self.skill, "scores_by_kind": self.by_kind,
                "reliability": self.reliability}


def model_forecast(raw: RawResult, scenario: Scenario, q: Question, first: int, last: int) -> float:
    """Share of replicates in which the question came true on scenario days [first, last]."""
    c = raw.compiled
    if q.kind in ("attack", "strike", "ceasefire"):
        col = {"attack": PD_FORCE, "strike": PD_STRIKE, "ceasefire": PD_CEASEFIRE}[q.kind]
        assert raw.pair_days is not None
        days = raw.pair_days[:, c.index(q.source), c.index(q.target), col]
    elif q.kind == "regional_war":
        days = raw.days_out[:, D_WAR]
    elif q.kind == "protector_in_combat":
        assert raw.pair_days is not None  # this protector's own combat, on anyone
        fought = raw.pair_days[:, c.index(q.source), :, PD_COMBAT]
        days = np.where(fought >= 0, fought, np.iinfo(np.int16).max).min(axis=1)
    else:
        raise ValueError(f"unknown question kind {q.kind!r}")
    return float(np.mean((days >= first) & (days <= last)))


def backtest(table: EventTable, scenario: Scenario, cuts: list[dt.date], horizons: list[int],
             runs: int, seed: int, engine: Engine = "fast", covered_until: dt.date | None = None,
             exclude: str | None = None,
             base_rates: dict[tuple[str, int], float] | None = None,
             incomplete: tuple[str, ...] = ()) -> BacktestResult:
    """Score the model and both baselines on every answerable question at every cut and horizon.

    ``covered_until``: the last day the table speaks for (default: its last event); windows
    past it are skipped. ``exclude``: the fingerprint of this table among the bundled episodes,
    left out of the base rates (default: computed from the table's events), together with every
    bundled episode that overlaps it in time and shares two of its actors. ``base_rates`` replaces
    the bundled episodes' rates per (kind, horizon) (tests, or a user's own reference class).
    ``incomplete``: pairs ``"A>B"`` the table does not code in full; their questions are skipped.
    """
    if not cuts:
        raise UserError("backtest: give at least one --cut DATE")
    if len(set(cuts)) > MAX_CUTS:
        raise UserError(f"backtest: at most {MAX_CUTS} cuts, got {len(set(cuts))}")
    if not horizons or min(horizons) < 1 or max(horizons) > 3650:
        raise UserError(f"--horizon: expected days between 1 and 3650, got {horizons}")
    if runs < 1:
        raise UserError(f"--runs: expected at least 1, got {runs}")
    cuts = sorted(set(cuts))
    horizons = sorted(set(horizons))
    until = covered_until or table.end
    if exclude is None:
        exclude = bundled.fingerprint(table)
    rates = base_rates if base_rates is not None else bundled.base_rates(
        exclude, tuple(horizons), (table.start, until), table.actors)
    questions: list[dict[str, Any]] = []
    skipped: list[Skipped] = []
    for cut in cuts:
        cond = condition(scenario, table, cut, max(horizons))
        raw = simulate(cond.compiled, runs, seed, engine=engine, keep_pair_days=True)
        for h in horizons:
            asked, left = family(scenario, table, cut, h, until, incomplete)
            skipped.extend(left)
            first, last = cond.window(h)
            for q in asked:
                questions.append({
                    "question": q.name, "kind": q.kind, "source": q.source, "target": q.target,
                    "cut": cut.isoformat(), "horizon_days": h,
                    "forecast": model_forecast(raw, scenario, q, first, last),
                    "outcome": observed(scenario, table, q),
                    "base_rate": rates[(q.kind, h)],
                    "persistence": persistence(scenario, table, q),
                    "injected": len(cond.injects)})
    return _score(questions, skipped, seed)


def _score(questions: list[dict[str, Any]], skipped: list[Skipped], seed: int) -> BacktestResult:
    """Scores per forecaster, per kind, skill with bootstrap intervals, reliability bins."""
    if not questions:
        raise UserError("backtest: no question could be answered from the table (see the "
                        f"{len(skipped)} skipped: actors absent from it, or windows past its end)")
    outcome = np.array([q["outcome"] for q in questions], dtype=float)
    cuts = [q["cut"] for q in questions]
    forecasts = {who: np.array([q["forecast" if who == "model" else who] for q in questions],
                               dtype=float) for who in FORECASTERS}
    per = {who: {name: fn(f, outcome) for name, fn in SCORERS.items()}
           for who, f in forecasts.items()}
    for k, q in enumerate(questions):
        for who in FORECASTERS:
            for name in SCORERS:
                q[f"{who}_{name}"] = float(per[who][name][k])
    scores = {who: {name: float(v.mean()) for name, v in s.items()} for who, s in per.items()}
    sk = {base: {name: skill(per["model"][name], per[base][name], cuts, seed=seed)
                 for name in SCORERS} for base in ("base_rate", "persistence")}
    kinds = sorted({q["kind"] for q in questions})
    by_kind = {}
    for kind in kinds:
        m = np.array([q["kind"] == kind for q in questions])
        by_kind[kind] = {who: {name: float(per[who][name][m].mean()) for name in SCORERS}
                         | {"n": int(m.sum())} for who in FORECASTERS}
        by_kind[kind]["observed_rate"] = {"mean": float(outcome[m].mean())}
    rel = {who: reliability(f, outcome) for who, f in forecasts.items()}
    skipped_rows = [{"question": s.question.name, "kind": s.question.kind,
                     "source": s.question.source, "target": s.question.target,
                     "cut": s.question.cut.isoformat(), "horizon_days": s.question.horizon_days,
                     "reason": s.reason} for s in skipped]
    return BacktestResult(questions, skipped_rows, scores, sk, by_kind, rel)
