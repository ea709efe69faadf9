"""The fixed family of yes/no questions a backtest asks, what the table answers, and baselines.

A backtest must not choose its questions after seeing the answers, so the family is derived
mechanically from the scenario (its actors, protector, watched pairs and outcome definitions)
for every cut and horizon:

* ``attack`` A>B: does A use force on B (a rung at or above the scenario's ``force_rung``) in the
  ``horizon`` days that start on the cut? ``strike`` A>B: at or above its ``strike_rung``;
* ``regional_war``: two of the scenario's main parties fight at or above its war rung on at
  least its ``days`` days within a ``window`` (days before the window's first day do not count,
  as in the model, where days before the cut count as peace);
* ``protector_in_combat`` P, for each actor holding a commitment (not of type ``none``): P uses
  a rung at or above the scenario's protector combat rung, on anyone;
* ``ceasefire`` A~B, for each watched pair: a cease-fire between them is declared or agreed
  (in the table: a CAMEO 0871 row between them; in the model: a cease-fire begins).

``incomplete`` pairs skip their own attack and strike questions; ``regional_war`` still reads
their coded rows (what the table misses of them is sporadic fire below the war rung).

A question is *skipped*, and listed with its reason, when the table cannot answer it: an actor
that never appears in the table (nobody coded it, so "no" would be a guess), a window that
runs past the last day the table covers, or a pair the coder declares incompletely coded (the
record says it happened but not when, e.g. sporadic Houthi fire at Eilat): a "no" read from
such a pair's rows would score every forecaster against a gap in the data, not against history.

Baselines (the forecasts any model must beat to be worth running):

* ``persistence``: yes if the same thing happened in the ``horizon`` days just before the cut,
  read from the table's own rows (including the scenario's past);
* ``base_rate``: the rate of yes over the bundled episodes' questions of the same kind and
  horizon, excluding the table being scored; computed by ``escalade.history.episodes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from escalade.events import Event, EventTable, is_ceasefire
from escalade.scenario.schema import Scenario

# The question kinds, listed here only. They are not the outcome registry's entries (escalade.registry):
# most ask about one pair or one protector, read from the engine's per-pair days, and each has its
# own reading of the event table above; regional_war is the registry's outcome of that name.
KINDS = ("attack", "strike", "regional_war", "protector_in_combat", "ceasefire")


@dataclass(frozen=True)
class Question:
    kind: str
    source: str | None
    target: str | None
    cut: dt.date
    horizon_days: int

    @property
    def name(self) -> str:
        if self.kind in ("attack", "strike"):
            return f"{self.kind} {self.source}>{self.target}"
        if self.kind == "ceasefire":
            return f"ceasefire {self.source}~{self.target}"
        if self.kind == "protector_in_combat":
            return f"protector_in_combat {self.source}"
        return self.kind

    @property
    def first(self) -> dt.date:
        return self.cut

    @property
    def last(self) -> dt.date:
        return self.cut + dt.timedelta(days=self.horizon_days - 1)


@dataclass(frozen=True)
class Skipped:
    question: Question
    reason: str


def protectors(scenario: Scenario) -> list[str]:
    """Actors that hold a commitment to defend another (kind ``none`` is no commitment)."""
    return sorted({c.protector for c in scenario.commitments if c.type != "none"})


def family(scenario: Scenario, table: EventTable, cut: dt.date, horizon: int,
           covered_until: dt.date, incomplete: tuple[str, ...] = (),
           ) -> tuple[list[Question], list[Skipped]]:
    """All questions for one cut and horizon: those the table can answer, and those it cannot.

    ``incomplete``: directed pairs ``"A>B"`` whose events the table does not code in full."""
    ids = list(scenario.actors)
    present = table.actors
    asked: list[Question] = []
    skipped: list[Skipped] = []

    def add(q: Question, needs: list[str]) -> None:
        missing = [a for a in needs if a not in present]
        gap = (q.kind in ("attack", "strike") and f"{q.source}>{q.target}" in incomplete)
        if gap:
            skipped.append(Skipped(q, f"the table does not code every {q.source}>{q.target} "
                                      "event (declared incomplete)"))
        elif missing:
            skipped.append(Skipped(q, f"{', '.join(missing)} never appear(s) in the table"))
        elif q.last > covered_until:
            skipped.append(Skipped(q, f"the window ends {q.last}, after the last day the table "
                                      f"covers ({covered_until})"))
        else:
            asked.append(q)

    for a in ids:
        for b in ids:
            if a != b:
                for kind in ("attack", "strike"):
                    add(Question(kind, a, b, cut, horizon), [a, b])
    main = scenario.outcomes.regional_war.actors
    add(Question("regional_war", None, None, cut, horizon),
        main if sum(a in present for a in main) < 2 else [])
    for p in protectors(scenario):
        add(Question("protector_in_combat", p, None, cut, horizon), [p])
    for a, b in scenario.outcomes.ceasefire.pairs:
        add(Question("ceasefire", a, b, cut, horizon), [a, b])
    return asked, skipped


def matcher(scenario: Scenario, q: Question) -> Callable[[Event], bool]:
    """Which events make the answer to ``q`` yes (the same definitions the model's outcomes use)."""
    o = scenario.outcomes
    if q.kind in ("attack", "strike"):
        floor = o.force_rung if q.kind == "attack" else o.strike_rung
        return lambda e: (e.source == q.source and e.target == q.target and e.rung is not None
                          and e.rung >= floor and not is_ceasefire(e))
    if q.kind == "regional_war":
        main = set(o.regional_war.actors)
        return lambda e: (e.source in main and e.target in main and e.rung is not None
                          and e.rung >= o.regional_war.rung and not is_ceasefire(e))
    if q.kind == "protector_in_combat":
        return lambda e: (e.source == q.source and e.rung is not None
                          and e.rung >= o.protector_combat_rung and not is_ceasefire(e))
    if q.kind == "ceasefire":
        pair = {q.source, q.target}
        return lambda e: is_ceasefire(e) and {e.source, e.target} == pair
    raise ValueError(f"unknown question kind {q.kind!r}")


def happened(scenario: Scenario, table: EventTable, q: Question, first: dt.date,
             last: dt.date) -> bool:
    match = matcher(scenario, q)
    if q.kind == "regional_war":  # a state: N war days within a window, as the model counts it
        war = scenario.outcomes.regional_war
        days = sorted({e.date for e in table.events if first <= e.date <= last and match(e)})
        span = dt.timedelta(days=war.window - 1)
        return any(sum(1 for d in days[k:] if d <= day + span) >= war.days
                   for k, day in enumerate(days))
    return any(first <= e.date <= last and match(e) for e in table.events)


def observed(scenario: Scenario, table: EventTable, q: Question) -> int:
    """What the table says happened in the question's window: 1 or 0."""
    return int(happened(scenario, table, q, q.first, q.last))


def persistence(scenario: Scenario, table: EventTable, q: Question) -> float:
    """The persistence forecast: 1 if the same thing happened in the same span before the cut."""
    before = q.cut - dt.timedelta(days=1)
    return float(happened(scenario, table, q, q.cut - dt.timedelta(days=q.horizon_days), before))
