"""Conditioning a scenario on what really happened: real events before a cut become injects.

A forecast made on a cut date should start from the state the real crisis was in, not from the
scenario's day 1 followed by the model's own guesses. So every event dated from the scenario's
start up to (not including) the cut is forced into the run as a scripted inject, and actors only
begin to choose on the cut day (``Compiled.free_day``). The engine then carries the state those
events leave (damage, grievance, beliefs, killings, cease-fires) by its ordinary rules.

Rules, and why:

* Events before the scenario's start date are its past: the scenario's starting state already
  holds them (its grievances, capabilities, vacancies), so they are drawn and read by the
  persistence baseline but never injected. A cut on the start date injects nothing.
* An event is injected on its day as an attack at its rung (the explicit ``rung`` column, or the
  scenario ladder's CAMEO map). Events off the ladder (statements, sanctions, meetings: no rung,
  or rung 0) change nothing in the model and are not injected.
* Several events by one actor on one target on one day are one inject: the highest rung, the
  known tolls added up (a row without a toll adds nothing). The engine takes one action per pair
  and day.
* The scenario's own scripted injects (a wargame's "day 30: kill the leader") dated before the
  cut are dropped: before the cut, history is what happened. Those on or after it stay.
* ``killed`` (when the row gives it) fixes the damage that got through, in the scenario's damage
  units (killed / ``casualties_per_damage``), instead of the model's interception and noise.
* A killing named in ``leader`` empties the target's post whose holders (``posts.<post>.holders``
  or, for an actor with one post, ``leaders``) include that name: the inject aims at that post
  and forces the kill (Soleimani at Iran's military post, Shukr at Hezbollah's). A name no post
  lists is damage only. With no such name, the inject forbids a kill at the post it aims at:
  the record says its holder survived.
* CAMEO 0871 (declare cease-fire) between two actors starts a cease-fire between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from escalade.compile import Compiled, compile_scenario
from escalade.errors import UserError
from escalade.events import EventTable, is_ceasefire
from escalade.scenario.schema import Scenario

MAX_DAYS = 3650


@dataclass(frozen=True)
class Conditioned:
    """A scenario conditioned on events up to a cut, compiled and ready to simulate."""

    compiled: Compiled
    cut: dt.date
    cut_day: int  # the scenario day of the cut (1 = the start date): the first free day
    injects: tuple[dict[str, Any], ...]  # what was forced, for display and provenance

    def window(self, horizon: int) -> tuple[int, int]:
        """Scenario days [first, last] of the ``horizon`` days that start on the cut."""
        return self.cut_day, self.cut_day + horizon - 1


def day_of(scenario: Scenario, date: dt.date) -> int:
    """The scenario day of a date (the start date is day 1)."""
    return (date - scenario.start_date).days + 1


def injects_before(scenario: Scenario, table: EventTable, cut: dt.date) -> list[dict[str, Any]]:
    """The injects that replay ``table``'s events from the scenario's start up to ``cut``."""
    attacks: dict[tuple[int, str, str], dict[str, Any]] = {}
    ceasefires: dict[tuple[int, frozenset[str]], dict[str, Any]] = {}
    per_damage = scenario.outcomes.casualties_per_damage
    for e in table.events:
        if e.date < scenario.start_date or e.date >= cut:
            continue
        day = day_of(scenario, e.date)
        if is_ceasefire(e):
            ceasefires.setdefault((day, frozenset((e.source, e.target))), {
                "type": "ceasefire", "day": day, "between": [e.source, e.target],
                "note": f"event line {e.line}"})
            continue
        if e.rung is None or e.rung <= 0:
            continue
        key = (day, e.source, e.target)
        row = attacks.get(key)
        if row is None:
            row = attacks[key] = {"type": "attack", "day": day, "actor": e.source,
                                  "target": e.target, "rung": e.rung, "kill_leader": False,
                                  "damage": None, "note": f"event line {e.line}"}
        else:
            row["rung"] = max(row["rung"], e.rung)
            row["note"] += f", {e.line}"
        if e.killed is not None and per_damage > 0:
            row["damage"] = (row["damage"] or 0.0) + e.killed / per_damage
        post = holder_post(scenario, e.target, e.leader) if e.leader else None
        if post is not None:
            row["kill_leader"] = True
            row["post"] = post
    return sorted([*attacks.values(), *ceasefires.values()], key=lambda r: r["day"])


def holder_post(scenario: Scenario, actor: str, name: str) -> str | None:
    """The post of ``actor`` whose holders (or successors) include ``name``; None if none does."""
    for kind, post in scenario.actors[actor].post_table().items():
        if name in post.holders:
            return kind
    return None


def condition(scenario: Scenario, table: EventTable, cut: dt.date, horizon: int) -> Conditioned:
    """The scenario with ``table``'s events before ``cut`` forced in, free from ``cut`` on, and
    long enough to run ``horizon`` days past the cut."""
    if horizon < 1:
        raise UserError(f"horizon: expected a number of days of at least 1, got {horizon}")
    cut_day = day_of(scenario, cut)
    if cut_day < 1:
        raise UserError(f"--cut {cut}: is before the scenario's start date {scenario.start_date}; "
                        "the model cannot start earlier than its scenario")
    days = max(scenario.days, cut_day - 1 + horizon)
    if days > MAX_DAYS:
        raise UserError(f"--cut {cut} with a horizon of {horizon} days needs {days} days of "
                        f"simulation; at most {MAX_DAYS} are allowed")
    injects = injects_before(scenario, table, cut)
    raw = scenario.model_dump(mode="python")
    raw["injects"] = [i for i in raw.get("injects") or [] if i["day"] >= cut_day] + injects
    raw["days"] = days
    try:
        conditioned = Scenario.model_validate(raw)
    except ValueError as exc:  # an event the scenario cannot express (a rung above an actor's reach)
        raise UserError(f"the events before {cut} cannot be replayed in scenario "
                        f"'{scenario.name}': {exc}") from None
    compiled = compile_scenario(conditioned).with_free_day(cut_day)
    return Conditioned(compiled, cut, cut_day, tuple(injects))
