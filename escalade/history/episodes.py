"""The bundled episodes (real crises coded as event tables, each with its own scenario) and the
base rates a backtest's ``base_rate`` baseline reads from them.

The index is ``escalade/events/episodes/episodes.yaml`` (package data): per episode its id,
dates, event file, scenario and the cuts and horizons its backtests use.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from escalade.errors import UserError
from escalade.events import EventTable, load_events
from escalade.history.questions import KINDS, family, observed
from escalade.scenario.load import LoadedScenario, load_scenario

INDEX_FILES = ("episodes.yaml",)


@dataclass(frozen=True)
class Episode:
    id: str
    slug: str
    title: str
    start: dt.date
    end: dt.date
    events: Path
    scenario: str
    cuts: tuple[dt.date, ...]
    horizons: tuple[int, ...]
    summary: str
    covered_until: dt.date  # the last day the table speaks for (default: ``end``)
    incomplete: tuple[str, ...] = ()  # pairs "A>B" the table knowingly does not code in full


def _folder() -> Path:
    return Path(str(resources.files("escalade.events") / "episodes"))


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@functools.cache
def episodes() -> tuple[Episode, ...]:
    """Every bundled episode, in id order."""
    found: dict[str, Episode] = {}
    for name in INDEX_FILES:
        path = _folder() / name
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        items = data.get("episodes", []) if isinstance(data, dict) else data
        for item in items:
            ep = Episode(
                id=str(item["id"]), slug=str(item["slug"]), title=str(item["title"]),
                start=_date(item["start"]), end=_date(item["end"]),
                events=_folder() / str(item["events"]), scenario=str(item["scenario"]),
                cuts=tuple(_date(c) for c in item.get("cuts") or ()),
                horizons=tuple(int(h) for h in item.get("horizons") or (7, 30, 90)),
                summary=str(item.get("summary", "")),
                covered_until=_date(item.get("covered_until") or item["end"]),
                incomplete=tuple(str(x) for x in item.get("incomplete") or ()))
            found[ep.id] = ep
    return tuple(found[k] for k in sorted(found))


def find(name: str) -> Episode | None:
    """An episode by id (``A``) or slug (``A-soleimani-2020``), case-insensitive."""
    key = name.lower()
    for ep in episodes():
        if key in (ep.id.lower(), ep.slug.lower(), ep.events.stem.lower()):
            return ep
    return None


def load(ep: Episode) -> tuple[EventTable, LoadedScenario]:
    """An episode's event table, checked against its scenario's actors and ladder."""
    loaded = load_scenario(ep.scenario)
    sc = loaded.scenario
    return load_events(ep.events, actors=list(sc.actors), ladder=sc.ladder), loaded


def fingerprint(table: EventTable) -> str:
    """Hash of a table's events (date, pair, code, rung): the same episode whatever its file's
    path, line endings or column order."""
    h = hashlib.sha256()
    for e in table.events:
        h.update(f"{e.date}|{e.source}|{e.target}|{e.cameo}|{e.rung}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class _Answer:
    episode: str
    fingerprint: str
    first: dt.date
    last: dt.date
    actors: frozenset[str]
    kind: str
    horizon: int
    outcome: int


@functools.cache
def _outcomes(horizons: tuple[int, ...]) -> tuple[_Answer, ...]:
    """Every answerable question of every bundled episode at its own cuts, for the requested
    horizons and the episode's own (the fallback pools them)."""
    rows = []
    for ep in episodes():
        table, loaded = load(ep)
        fp = fingerprint(table)
        for cut in ep.cuts:
            for h in sorted(set(horizons) | set(ep.horizons)):
                asked, _ = family(loaded.scenario, table, cut, h, ep.covered_until, ep.incomplete)
                rows.extend(_Answer(ep.id, fp, table.start, ep.covered_until, table.actors, q.kind,
                                    h, observed(loaded.scenario, table, q)) for q in asked)
    return tuple(rows)


def base_rates(exclude: str | None, horizons: tuple[int, ...],
               span: tuple[dt.date, dt.date] | None = None,
               actors: frozenset[str] | None = None) -> dict[tuple[str, int], float]:
    """Rate of yes per (kind, horizon) over the bundled episodes, smoothed as (yes + 1/2) /
    (n + 1) (Jeffreys' prior mean), so a kind that never happened in the training episodes gets
    a small probability rather than an impossible 0.

    Left out, so that no baseline has seen the answers it is scored on: the episode whose events
    have the fingerprint ``exclude``, and every episode whose dates overlap ``span`` and that
    shares two or more of ``actors`` (C and D both hold July 2024 on the Lebanon front). A
    (kind, horizon) with no questions falls back to the kind's rate over all horizons."""
    yes: dict[tuple[str, int], int] = defaultdict(int)
    n: dict[tuple[str, int], int] = defaultdict(int)
    for a in _outcomes(tuple(sorted(set(horizons)))):
        if a.fingerprint == exclude:
            continue
        if (span is not None and actors is not None and a.first <= span[1]
                and span[0] <= a.last and len(a.actors & actors) >= 2):
            continue
        kind, h, o = a.kind, a.horizon, a.outcome
        for key in ((kind, h), (kind, -1)):
            yes[key] += o
            n[key] += 1
    rates = {}
    for kind in KINDS:
        for h in horizons:
            key = (kind, h) if n[(kind, h)] else (kind, -1)
            rates[(kind, h)] = (yes[key] + 0.5) / (n[key] + 1.0)
    return rates


def resolve(name_or_path: str, scenario: str | None, profile: str | None = None,
            columns: dict[str, str] | None = None,
            ) -> tuple[EventTable, LoadedScenario, Episode | None]:
    """A bundled episode by id or slug, or an event file with the scenario it is read against
    (``profile`` and ``columns`` read another layout: a GDELT, ICEWS or POLECAT export)."""
    ep = find(name_or_path)
    if ep is not None and not Path(name_or_path).is_file():
        table, loaded = load(ep)
        if scenario is not None:
            loaded = load_scenario(scenario)
            table = load_events(ep.events, actors=list(loaded.scenario.actors),
                                ladder=loaded.scenario.ladder)
        return table, loaded, ep
    if scenario is None:
        known = ", ".join(e.id for e in episodes())
        raise UserError(f"{name_or_path}: not a bundled episode ({known}); an event file needs "
                        "--scenario S, the scenario its actors and ladder belong to")
    loaded = load_scenario(scenario)
    sc = loaded.scenario
    table = load_events(name_or_path, actors=list(sc.actors), ladder=sc.ladder, profile=profile,
                        columns=columns)
    return table, loaded, None


def parse_columns(specs: list[str] | None) -> dict[str, str] | None:
    """``--columns date=Event Date`` (repeatable, or comma-separated) as {ours: theirs}."""
    if not specs:
        return None
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in spec.split(","):
            ours, sep, theirs = part.partition("=")
            if not sep or not ours.strip() or not theirs.strip():
                raise UserError(f"--columns {spec}: expected OURS=THEIRS pairs, e.g. "
                                "date=Event Date,cameo=CAMEO Code")
            mapping[ours.strip()] = theirs.strip()
    return mapping
