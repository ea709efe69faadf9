"""CAMEO and PLOVER code tables, the CAMEO → ladder-rung map and the Goldstein intensity curve.

Why tables as package data: event codes and their Goldstein weights are facts from published
sources (GDELT's ``CAMEO.goldsteinscale.txt``, the CAMEO codebook, Schrodt 2012; the PLOVER
crosswalk of openeventdata/PLOVER). Shipping them as CSV files, with ``data/SOURCES.md`` naming
where every row came from, lets a reader check a weight without reading code.

The CAMEO → rung rule (``rung_for``)
------------------------------------
A scenario's ladder (``escalade.scenario.schema.LadderRung``) gives one CAMEO code per rung. An
event's code is placed on that ladder by the first rule that applies:

1. **Exact match**: the lowest rung whose code equals the event's code. Some codes stand for
   several rungs (in ``levant-2024``, 195 is both a precision strike, rung 4, and a barrage on the
   homeland, rung 7); the lowest is the default and the event table's ``rung`` column says better.
2. **Longest prefix**: the ladder code that is the longest prefix of the event's code (1951, a
   precision-guided air strike, takes 195's rung; 1831 takes 183's), lowest rung on a tie.
3. **Root default** for the roots that the ladder is about: 13 (threaten) and 15 (force
   posture) take the lowest rung whose code shares the root; 18, 19 and 20 (force) take the
   lowest rung whose code shares the root, else the lowest *force* rung (the first rung whose
   code starts with 18, 19 or 20). A 13 or 15 code with no ladder rung of its root is off the
   ladder.
4. Everything else (01–12 verbal and material cooperation, demands, rejections; 14 protest;
   16 reduce relations; 17 coerce) is **off the ladder**: ``None``.

Rule 2 runs before rule 3, so a ladder code such as ``01`` (restraint) also claims the 01x
statement codes (010 → rung 0), which is what a ladder that names 01 means.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Protocol

import numpy as np

from escalade.errors import UserError

if TYPE_CHECKING:
    from escalade.events.table import Event, EventTable

CODE_PATTERN = re.compile(r"^\d{2,4}$")
FORCE_ROOTS = ("18", "19", "20")
LADDER_ROOTS = ("13", "15", *FORCE_ROOTS)
CEASEFIRE_CAMEO = "0871"
CEASEFIRE_PLOVER = "RETREAT/ceasefire"


class EventsError(UserError):
    """An event table, profile or code is invalid; the message names file, line, column, expected, got."""


class _Rung(Protocol):
    """What ``rung_for`` reads from a ladder rung (``LadderRung`` satisfies it)."""

    rung: int
    cameo: str


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO event code with its Goldstein weight and the PLOVER type/mode it maps to."""

    code: str
    name: str
    goldstein: float
    plover: str


def _data_text(name: str) -> str:
    return resources.files("escalade.events").joinpath("data", name).read_text(encoding="utf-8")


@cache
def cameo_table() -> dict[str, CameoCode]:
    """Every CAMEO code of ``data/cameo.csv``, keyed by code (text, leading zeros kept)."""
    plover = _plover_map()
    table: dict[str, CameoCode] = {}
    for row in csv.DictReader(_data_text("cameo.csv").splitlines()):
        code = row["code"]
        table[code] = CameoCode(code, row["name"], float(row["goldstein"]), _inherit(code, plover))
    return table


@cache
def _plover_map() -> dict[str, str]:
    return {row["cameo"]: row["plover"] for row in csv.DictReader(_data_text("plover.csv").splitlines())}


def _inherit(code: str, plover: dict[str, str]) -> str:
    """The PLOVER type/mode of ``code``, else of its nearest parent code; '' where none maps.

    Why inherit: the crosswalk lists most but not all codes (CAMEO 1.1b3 additions, some 4-digit
    codes); a child code is by construction a special case of its parent.
    """
    for length in range(len(code), 1, -1):
        found = plover.get(code[:length])
        if found is not None:
            return found
    return ""


def check_code(code: str) -> str:
    """Return ``code`` stripped if it is a known CAMEO code, else raise ``EventsError`` saying why."""
    text = str(code).strip()
    if not CODE_PATTERN.match(text):
        raise EventsError(f"expected a CAMEO code of 2 to 4 digits, got {code!r}")
    if text not in cameo_table():
        hint = ""
        if "0" + text in cameo_table():
            hint = f" (did a spreadsheet drop a leading zero from '0{text}'?)"
        raise EventsError(f"CAMEO code {text!r} is not in the CAMEO table{hint}")
    return text


def cameo_info(code: str) -> CameoCode:
    """The name, Goldstein weight and PLOVER type/mode of a CAMEO code; ``EventsError`` if unknown."""
    return cameo_table()[check_code(code)]


def rung_for(cameo: str, ladder: Sequence[_Rung]) -> int | None:
    """The ladder rung of a CAMEO code by the rule in the module docstring; ``None`` if off the ladder."""
    code = check_code(cameo)
    rungs = sorted(ladder, key=lambda r: r.rung)
    exact = [r.rung for r in rungs if r.cameo == code]
    if exact:
        return exact[0]
    prefixes = [r for r in rungs if code.startswith(r.cameo)]
    if prefixes:
        longest = max(len(r.cameo) for r in prefixes)
        return min(r.rung for r in prefixes if len(r.cameo) == longest)
    root = code[:2]
    if root not in LADDER_ROOTS:
        return None
    same_root = [r.rung for r in rungs if r.cameo[:2] == root]
    if same_root:
        return same_root[0]
    if root in FORCE_ROOTS:
        force = [r.rung for r in rungs if r.cameo[:2] in FORCE_ROOTS]
        return force[0] if force else None
    return None


def is_ceasefire(event_or_code: Event | str) -> bool:
    """Whether an event (or a CAMEO code, or a PLOVER type/mode) declares a cease-fire.

    CAMEO 0871 "declare truce, ceasefire" and PLOVER RETREAT with mode ceasefire are the two
    standard codes; episodes use them to mark when a pair stopped fighting.
    """
    if isinstance(event_or_code, str):
        text = event_or_code.strip()
        return text in (CEASEFIRE_CAMEO, CEASEFIRE_PLOVER)
    return event_or_code.cameo == CEASEFIRE_CAMEO or event_or_code.plover == CEASEFIRE_PLOVER


def escalation_curve(
    table: EventTable, first: dt.date, last: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """Daily conflict intensity from ``first`` to ``last`` inclusive: the sum of −Goldstein per day.

    Returns ``(dates, daily)``: ``dates`` as ``datetime64[D]``, ``daily`` as float64; a day
    without events is 0. The sign is flipped so that conflict counts up and cooperation down.

    Why this series and not the ladder: summed Goldstein weights per period are the conventional
    intensity series of event data (Goldstein 1992; the GDELT and ICEWS literature). The weights
    classify events but do not order force (every use of force is −9 to −10), so the curve says
    *how much* happened on a day, while the ladder rung says *how far up* it went; the two are
    compared, not merged.
    """
    if last < first:
        raise EventsError(f"escalation_curve: last day {last} is before first day {first}")
    days = (last - first).days + 1
    dates = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    daily = np.zeros(days, dtype=np.float64)
    for event in table.between(first, last).events:
        daily[(event.date - first).days] -= event.goldstein
    return dates, daily
