"""Every outcome the model reports, declared once: the one place a new outcome is added.

The stages used to list outcomes by hand (the engine's column names, the summary's descriptions,
the stored columns, the report's charts and tables, the CLI's tables), so adding one meant
editing six modules and hoping none was missed. Each stage now reads this table instead, and
``tests/test_registry.py`` checks that every entry reaches the stored columns, the summary and
the report, and that no module keeps a list of its own.

Adding a per-run outcome therefore takes one entry here (with a free ``column`` of its array)
plus the engine code that fills that column: a named index in ``escalade.engine.layout``,
derived from this table, for the kernels to use (numba needs a plain module-level int). Columns
may be renumbered (a new first day goes before the counts): stored results are keyed by name.
Numba caches the kernel by its own file, so the kernel edit that fills the column is also what
makes it recompile with the new indices.

This module sits below the engine and imports nothing from the package, so every stage, the
engine's layout included, may read it.

Order: entries are listed in the order tables show them. ``column`` fixes the engine's array
layout, hence the order of stored columns and JSON keys, which never changes once results are
stored; the two orders agree except where a table was laid out otherwise before this registry
(the CLI shows ``helped`` before ``abandoned``, which are stored the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["first_day", "count", "actor"]
# first_day: the day (1-based, from the scenario's free day) an event first happened, -1 never;
#            a column of ``days_out``, summarised as a probability (with by-horizon variants).
# count:     a per-run count, also a column of ``days_out`` (after the first days); summarised
#            as a mean over replicates.
# actor:     a per-actor tally over the whole run, a column of ``actor_out``; summarised as each
#            actor's mean.
KINDS: tuple[Kind, ...] = ("first_day", "count", "actor")


@dataclass(frozen=True)
class Outcome:
    """One outcome: where the engine puts it, what it means, and which views show it.

    ``name`` is the JSON key, the stem of the stored column and the row name in tables; it is
    never renamed once results are stored. ``label`` is a short title for charts and for the
    line that prints a count; ``short`` the header of a narrow table column. ``absent`` is the
    value read back from results stored before the outcome existed (None: every stored result
    has it, and a frame without it is an error). The flags say which views show it:

    * ``horizons``: probabilities by each of the scenario's horizons (``regional_war_30d``);
    * ``report``: the report's probability chart and outcome table (``chart_horizons``: with its
      by-horizon variants);
    * ``headline``: the few outcomes a sweep charts and tabulates (report and CLI);
    * ``incidence``: the report's cumulative-incidence panels;
    * ``differences``: rows of the report's table of paired differences between policies
      (``difference_horizons``: also these by-horizon variants, when the scenario has them);
    * ``compare``: rows of the CLI's ``compare`` table (actor tallies; every probability is shown).

    ``post``: for an actor tally of one leadership post, that post (``head``, ``military``,
    ``political``: the scenario schema's ``POST_KINDS``, which the engine's layout checks); the
    CLI prints such tallies on one line by post instead of as columns of its actor table.
    """

    name: str
    kind: Kind
    column: int
    description: str
    unit: str
    label: str
    short: str = ""
    absent: int | None = None
    horizons: bool = False
    report: bool = False
    chart_horizons: bool = False
    headline: bool = False
    incidence: bool = False
    differences: bool = False
    difference_horizons: tuple[int, ...] = ()
    compare: bool = False
    post: str = ""


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("regional_war", "first_day", 0,
            "two main parties fight at or above the regional-war rung", "day", "regional war",
            short="regional war", horizons=True, report=True, chart_horizons=True, headline=True,
            incidence=True, differences=True, difference_horizons=(90,)),
    Outcome("protector_in_combat", "first_day", 1,
            "the protector strikes (not only intercepts) at or above its combat rung", "day",
            "protector in combat", short="protector fights", horizons=True, report=True,
            headline=True, differences=True),
    Outcome("ceasefire_reached", "first_day", 2,
            "a cease-fire is agreed on one of the watched pairs", "day", "cease-fire reached",
            short="cease-fire reached", report=True),
    Outcome("ceasefire", "first_day", 3,
            "a cease-fire on a watched pair holds for the required days", "day", "cease-fire held",
            short="cease-fire", horizons=True, report=True, headline=True, incidence=True,
            differences=True),
    Outcome("hostages_returned", "first_day", 4,
            "the hostage pair's cease-fire holds long enough for the release", "day",
            "hostages returned", short="hostages", report=True, differences=True),
    Outcome("protector_defending", "first_day", 5,
            "the protector fights an attacker it took up under its commitment's terms, against "
            "an attack its ally did not provoke", "day", "protector defending",
            short="defending", absent=-1, horizons=True, report=True, differences=True),
    Outcome("protector_entrapped", "first_day", 6,
            "the protector fights in an exchange its ally started: it took up an attack that "
            "answered the ally's own blows", "day", "protector entrapped",
            short="entrapped", absent=-1, horizons=True, report=True, differences=True),
    Outcome("protector_own", "first_day", 7,
            "the protector fights for its own reasons or interests (shipping, its forces), "
            "not for an ally", "day", "protector's own fight", short="own fight", absent=-1,
            horizons=True, report=True, differences=True),
    Outcome("war_days", "count", 8,
            "regional-war rung between main parties", "days", "days at war",
            short="war days", absent=0),  # results stored before war was counted in days
    Outcome("strikes", "actor", 0,
            "uses of a rung at or above the strike rung", "strikes", "strikes"),
    Outcome("strikes_initiated", "actor", 1,
            "strikes made while not answering an attack", "strikes", "strikes initiated",
            differences=True, compare=True),
    Outcome("leaders_lost", "actor", 2,
            "holders of any of its leadership posts killed (by a strike or a scripted kill)",
            "leaders", "leaders lost", compare=True),
    Outcome("casualties", "actor", 3,
            "casualties from the damage received", "casualties", "casualties",
            differences=True, compare=True),
    Outcome("reputation_cost", "actor", 4,
            "reputation lost by answering a grievance without force", "cost", "reputation cost"),
    Outcome("helped", "actor", 6,
            "attacks at its trigger rung on this protected actor that its protector helped against",
            "attacks", "helped", differences=True),
    Outcome("abandoned", "actor", 5,
            "attacks at its trigger rung on this protected actor left without its protector's help",
            "attacks", "abandoned", differences=True),
    # Leaders lost by post (M1); results stored before posts had none of these: 0.
    Outcome("head_lost", "actor", 7,
            "holders of its head post (leader, head of state) killed", "leaders", "heads lost",
            absent=0, post="head"),
    Outcome("military_lost", "actor", 8,
            "holders of its military command post killed", "leaders", "commanders lost",
            absent=0, post="military"),
    Outcome("political_lost", "actor", 9,
            "holders of its political leadership post killed", "leaders", "political chiefs lost",
            absent=0, post="political"),
)


def of_kind(kind: Kind) -> tuple[Outcome, ...]:
    """The outcomes of one kind in column order (the engine's layout, the stored order)."""
    return tuple(sorted((o for o in OUTCOMES if o.kind == kind), key=lambda o: o.column))


def per_run() -> tuple[Outcome, ...]:
    """The columns of ``days_out`` in order: first days, then counts."""
    return tuple(sorted((o for o in OUTCOMES if o.kind != "actor"), key=lambda o: o.column))


def outcome(name: str, kind: Kind | None = None) -> Outcome:
    """The entry called ``name`` (of ``kind``, when given); KeyError if there is none."""
    for o in OUTCOMES:
        if o.name == name and (kind is None or o.kind == kind):
            return o
    raise KeyError(name)


def column(name: str) -> int:
    """The engine's column index of an outcome (for the named indices in the engine's layout)."""
    return outcome(name).column


def names_of(kind: Kind, flag: str | None = None) -> tuple[str, ...]:
    """Names of the outcomes of ``kind`` in column order, only those with ``flag`` set if given."""
    return tuple(o.name for o in of_kind(kind) if flag is None or getattr(o, flag))


def check(outcomes: tuple[Outcome, ...] | None = None) -> None:
    """Raise ValueError unless the table (default: ``OUTCOMES``) is consistent: distinct names,
    each array's columns 0..n-1 with every first day before every count (the layout of
    ``days_out`` that ``DAY_NAMES`` describes), and flags only where they mean something."""
    outcomes = OUTCOMES if outcomes is None else outcomes
    problems = []
    seen = [o.name for o in outcomes]
    problems += [f"{n}: declared twice" for n in sorted({n for n in seen if seen.count(n) > 1})]
    for array, kinds in (("days_out", ("first_day", "count")), ("actor_out", ("actor",))):
        cols = sorted(o.column for o in outcomes if o.kind in kinds)
        if cols != list(range(len(cols))):
            problems.append(f"{array}: columns {cols} are not 0..{len(cols) - 1}, each once")
    firsts = [o.column for o in outcomes if o.kind == "first_day"]
    counts = [o.column for o in outcomes if o.kind == "count"]
    if firsts and counts and max(firsts) > min(counts):
        problems.append("days_out: every first-day column must come before the counts")
    for o in outcomes:
        if o.kind not in KINDS:
            problems.append(f"{o.name}: unknown kind {o.kind!r}")
        if not (o.name.isidentifier() and o.name.islower()):
            problems.append(f"{o.name}: a name must be a lower-case identifier (a JSON key, a column)")
        if not o.description or not o.label or not o.unit:
            problems.append(f"{o.name}: needs a description, a label and a unit")
        events_only = ("horizons", "report", "chart_horizons", "headline", "incidence")
        if o.kind != "first_day" and any(getattr(o, f) for f in events_only):
            problems.append(f"{o.name}: {', '.join(events_only)} apply to first-day outcomes only")
        if (o.chart_horizons or o.difference_horizons) and not o.horizons:
            problems.append(f"{o.name}: by-horizon rows need horizons=True")
        if o.compare and o.kind != "actor":
            problems.append(f"{o.name}: compare applies to actor tallies (every probability is shown)")
        if o.differences and o.kind == "count":
            problems.append(f"{o.name}: the differences table has no rows for counts")
        if o.post and o.kind != "actor":
            problems.append(f"{o.name}: post applies to actor tallies")
        if o.headline and not o.short:
            problems.append(f"{o.name}: a headline outcome needs a short header")
    if problems:
        raise ValueError("outcome registry: " + "; ".join(problems))


check()
