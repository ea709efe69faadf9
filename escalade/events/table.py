"""Read a table of political events (who did what to whom, when) into checked, immutable events.

The native format is a UTF-8 CSV with one event per row (columns in ``COLUMNS``); a *profile*
(``escalade/events/profiles/*.yaml`` or a user's YAML, read by ``load_profile``) reads other
layouts (GDELT, ICEWS, POLECAT exports) without editing them. Why the checks
are strict: a history table is evidence that calibrates and scores the model, so a typo that
silently shifts a date, drops a row or swaps a code would bias every result drawn from it. Every
problem is reported as ``{file}:{line}: column '{col}': expected {what}, got {value!r}`` (line =
physical line, header = 1), up to ``MAX_ERRORS`` at a time, never as a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from escalade.errors import UserError
from escalade.events.cameo import EventsError, _Rung, cameo_table, check_code, rung_for
from escalade.scenario.load import safe_yaml  # the hardened loader: bounded, data only

REQUIRED = ("date", "source", "target", "cameo", "description")
OPTIONAL = (
    "rung", "goldstein", "plover", "launched", "intercepted", "killed", "leader", "citation", "until",
)
COLUMNS = REQUIRED + OPTIONAL
# Only a profile can map these: POLECAT codes PLOVER type and mode in two columns, not CAMEO.
PROFILE_ONLY = ("plover_type", "plover_mode")
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
MAX_EVENTS = 1_000_000
MAX_UNTIL_DAYS = 3660       # one `until` row stands for at most ten years of daily events
MAX_ERRORS = 10
MAX_RUNG = 15               # the scenario schema's bound on a rung, used when no ladder is given
PLOVER_PATTERN = re.compile(r"^[A-Z]+(/[a-z][a-z_-]*)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROFILE_KEYS = (
    "description", "base", "delimiter", "header", "names", "columns", "date_format", "actors",
    "plover_to_cameo", "blank_values", "ordered",
)


@dataclass(frozen=True)
class Event:
    """One event: a row of the table (an ``until`` row gives one event per day, same ``line``)."""

    line: int
    date: dt.date
    source: str
    target: str
    cameo: str
    description: str
    rung: int | None            # explicit `rung`, else from the ladder map when a ladder is given
    rung_explicit: bool
    goldstein: float
    plover: str
    launched: int | None
    intercepted: int | None
    killed: int | None
    leader: str
    citation: str


@dataclass(frozen=True)
class EventTable:
    """The events of one file, sorted by date (then line), with the rows a profile dropped counted."""

    label: str
    events: tuple[Event, ...]
    dropped: int = 0

    @property
    def actors(self) -> frozenset[str]:
        """Every actor id that is the source or the target of an event."""
        return frozenset(e.source for e in self.events) | frozenset(e.target for e in self.events)

    @property
    def start(self) -> dt.date:
        """The first event's date."""
        return self._nonempty().events[0].date

    @property
    def end(self) -> dt.date:
        """The last event's date."""
        return self._nonempty().events[-1].date

    def _nonempty(self) -> EventTable:
        if not self.events:
            raise EventsError(f"{self.label}: the table has no events")
        return self

    def before(self, day: dt.date) -> EventTable:
        """The events strictly before ``day`` (what was known when a run starts on ``day``)."""
        return replace(self, events=tuple(e for e in self.events if e.date < day))

    def between(self, first: dt.date, last: dt.date) -> EventTable:
        """The events from ``first`` to ``last``, both included."""
        return replace(self, events=tuple(e for e in self.events if first <= e.date <= last))

    def to_frame(self) -> pd.DataFrame:
        """One row per event, counts and rungs as nullable integers (blank = unknown)."""
        names = list(Event.__dataclass_fields__)
        frame = pd.DataFrame([[getattr(e, n) for n in names] for e in self.events], columns=names)
        frame["date"] = pd.to_datetime(frame["date"])
        for name in ("rung", "launched", "intercepted", "killed"):
            frame[name] = frame[name].astype("Int64")
        frame["goldstein"] = frame["goldstein"].astype("float64")
        frame["rung_explicit"] = frame["rung_explicit"].astype(bool)
        return frame


# ---------------------------------------------------------------------------------------------
# Profiles


@dataclass(frozen=True)
class Profile:
    """How to read a layout other than the native CSV (see ``profiles/*.yaml`` for examples)."""

    label: str = "native"
    delimiter: str = ","
    header: bool = True
    names: tuple[str, ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_format: str | None = None
    actors: Mapping[str, str] | None = None
    plover_to_cameo: Mapping[str, str] = field(default_factory=dict)
    blank_values: frozenset[str] = frozenset()
    ordered: bool = True
    foreign: bool = False       # a profile's layout: columns it does not map are ignored


def bundled_profiles() -> list[str]:
    """Names of the profiles shipped in ``escalade/events/profiles``."""
    folder = resources.files("escalade.events").joinpath("profiles")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(profile: str | Path) -> Profile:
    """A bundled profile by name (``gdelt``) or a user's YAML file; ``EventsError`` on any problem."""
    label, raw = _read_profile(profile)
    base = raw.pop("base", None)
    if base is not None:
        if not isinstance(base, str) or base not in bundled_profiles():
            raise EventsError(
                f"{label}: key 'base': expected a bundled profile ({', '.join(bundled_profiles())}), "
                f"got {base!r}"
            )
        _, base_raw = _read_profile(base)
        for key in ("columns", "actors", "plover_to_cameo"):
            if isinstance(base_raw.get(key), dict) and isinstance(raw.get(key), dict):
                raw[key] = {**base_raw[key], **raw[key]}
        raw = {**base_raw, **raw}
    return _build_profile(label, raw)


def _read_profile(profile: str | Path) -> tuple[str, dict[str, Any]]:
    name = str(profile)
    if isinstance(profile, str) and name in bundled_profiles():
        label = f"profile {name}"
        text = resources.files("escalade.events").joinpath("profiles", f"{name}.yaml").read_text("utf-8")
    else:
        path = Path(profile)
        if not path.is_file():
            raise EventsError(
                f"profile {name!r}: expected a bundled profile ({', '.join(bundled_profiles())}) "
                "or a YAML file, got neither"
            )
        label = str(profile)
        if path.stat().st_size > 1024 * 1024:
            raise EventsError(f"{label}: a profile is a small YAML file; this one is over 1 MB")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise EventsError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        raw = safe_yaml(label, text)
    except UserError as exc:
        raise EventsError(str(exc)) from None
    if not isinstance(raw, dict):
        raise EventsError(f"{label}: expected a mapping of profile keys, got {type(raw).__name__}")
    return label, dict(raw)


def _build_profile(label: str, raw: dict[str, Any]) -> Profile:
    def bad(key: str, what: str, got: Any) -> EventsError:
        return EventsError(f"{label}: key '{key}': expected {what}, got {got!r}")

    for key in raw:
        if key not in PROFILE_KEYS:
            raise bad(str(key), f"one of {', '.join(PROFILE_KEYS)}", key)
    delimiter = raw.get("delimiter", ",")
    delimiter = "\t" if delimiter in ("tab", "\\t") else delimiter
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise bad("delimiter", "one character (or 'tab')", raw.get("delimiter"))
    header = raw.get("header", True)
    if not isinstance(header, bool):
        raise bad("header", "true or false", header)
    names = raw.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise bad("names", "a list of column names", names)
    if len(set(names)) != len(names):
        raise bad("names", "distinct column names", next(n for n in names if names.count(n) > 1))
    if not header and not names:
        raise bad("names", "the column names in order (the profile says header: false)", None)
    if header and names:
        raise bad("names", "no names when header: true (the file's header names its columns)", names)
    columns = _profile_columns(raw.get("columns", {}), bad)
    date_format = raw.get("date_format")
    if date_format is not None:
        _check_date_format(date_format, bad)
    actors = raw.get("actors")
    if actors is not None:
        actors = _text_map("actors", actors, bad)
    plover_to_cameo = _text_map("plover_to_cameo", raw.get("plover_to_cameo", {}), bad)
    for key, code in plover_to_cameo.items():
        if not PLOVER_PATTERN.match(key):
            raise bad("plover_to_cameo", "keys of the form TYPE or TYPE/mode (e.g. ASSAULT/aerial)", key)
        try:
            check_code(code)
        except EventsError as exc:
            raise EventsError(f"{label}: key 'plover_to_cameo.{key}': {exc}") from None
    blank = raw.get("blank_values", [])
    if not isinstance(blank, list) or not all(isinstance(b, str) for b in blank):
        raise bad("blank_values", "a list of texts that mean 'blank' (e.g. ['None'])", blank)
    ordered = raw.get("ordered", False)
    if not isinstance(ordered, bool):
        raise bad("ordered", "true or false", ordered)
    return Profile(
        label=label, delimiter=delimiter, header=header, names=tuple(names), columns=columns,
        date_format=date_format, actors=actors, plover_to_cameo=plover_to_cameo,
        blank_values=frozenset(blank), ordered=ordered, foreign=True,
    )


def _profile_columns(columns: Any, bad: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(columns, dict):
        raise bad("columns", "a mapping of our column to theirs", columns)
    out: dict[str, tuple[str, ...]] = {}
    for ours, theirs in columns.items():
        if ours not in COLUMNS + PROFILE_ONLY:
            raise bad(f"columns.{ours}", f"one of our columns ({', '.join(COLUMNS + PROFILE_ONLY)})", ours)
        if isinstance(theirs, str) and theirs:
            out[ours] = (theirs,)
        elif (
            isinstance(theirs, list) and theirs and ours in ("source", "target")
            and all(isinstance(t, str) and t for t in theirs)
        ):
            out[ours] = tuple(theirs)
        else:
            what = "a column name"
            if ours in ("source", "target"):
                what += ", or a list of them tried in order"
            raise bad(f"columns.{ours}", what, theirs)
    return out


def _text_map(key: str, value: Any, bad: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise bad(key, "a mapping", value)
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            wrong = k if not isinstance(k, str) else v
            raise bad(
                key, "text keys and values (quote codes such as 'NO', 'ON' or '045', which YAML "
                "reads as true/false or numbers)", wrong,
            )
    return dict(value)


def _check_date_format(fmt: Any, bad: Any) -> None:
    sample = dt.date(2024, 2, 29)
    try:
        ok = (
            isinstance(fmt, str) and "%" in fmt
            and dt.datetime.strptime(sample.strftime(fmt), fmt).date() == sample
        )
    except ValueError:
        ok = False
    if not ok:
        raise bad("date_format", "a strptime format with year, month and day (e.g. '%Y%m%d')", fmt)


# ---------------------------------------------------------------------------------------------
# Loading


class _CellError(Exception):
    def __init__(self, column: str, what: str, got: str) -> None:
        super().__init__(f"column '{column}': expected {what}, got {got!r}")


class _Dropped(Exception):
    """The profile's actors map does not cover this row: dropped and counted, not an error."""


def load_events(
    path: str | Path,
    *,
    actors: Collection[str] | None = None,
    ladder: Sequence[_Rung] | None = None,
    profile: str | Path | None = None,
    columns: Mapping[str, str] | None = None,
) -> EventTable:
    """Read and check an event table; ``EventsError`` lists up to ``MAX_ERRORS`` problems.

    ``actors``: the scenario's actor ids (source and target must be among them). ``ladder``: the
    scenario's ladder, to place each event on a rung (``cameo.rung_for``). ``profile``: a bundled
    profile name or a YAML path for another layout. ``columns``: a lighter renaming map (our
    column → theirs) for a CSV that differs only in its column names; it overrides the profile's.
    """
    label = str(path)
    prof = load_profile(profile) if profile is not None else Profile()
    if columns:
        bad_key = [k for k in columns if k not in COLUMNS + PROFILE_ONLY]
        if bad_key:
            raise EventsError(
                f"columns map: expected our column names ({', '.join(COLUMNS)}), got {bad_key[0]!r}"
            )
        prof = replace(prof, columns={**prof.columns, **{k: (str(v),) for k, v in columns.items()}})
    text = _read_text(Path(path), label)
    known = frozenset(actors) if actors is not None else None
    top = max((r.rung for r in ladder), default=MAX_RUNG) if ladder is not None else MAX_RUNG
    reader = _Reader(label, prof, known, ladder, top)
    return reader.read(text)


def _read_text(path: Path, label: str) -> str:
    if not path.exists():
        raise EventsError(f"{label}: no such file")
    if not path.is_file():
        raise EventsError(f"{label}: not a file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise EventsError(
            f"{label}: expected an event table of at most {MAX_BYTES // 2**20} MB, got {size / 2**20:.0f} MB "
            "(cut it to the period and actors you need)"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EventsError(
            f"{label}:{line}: expected UTF-8 text, got byte 0x{data[exc.start]:02x} "
            "(save the file as UTF-8)"
        ) from None
    if not text.strip():
        raise EventsError(f"{label}: the file is empty (expected a header line: {','.join(REQUIRED)},...)")
    return text


class _Reader:
    """One pass over the rows: map columns, check each cell, expand ``until`` rows, collect errors."""

    def __init__(
        self, label: str, prof: Profile, known: frozenset[str] | None,
        ladder: Sequence[_Rung] | None, top: int,
    ) -> None:
        self.label, self.prof, self.known, self.ladder, self.top = label, prof, known, ladder, top
        self.errors: list[str] = []
        self.index: dict[str, tuple[int, ...]] = {}
        self.width = 0
        self.rungs: dict[str, int | None] = {}

    def fail(self, line: int, message: str) -> None:
        self.errors.append(f"{self.label}:{line}: {message}")
        if len(self.errors) >= MAX_ERRORS:
            self.raise_errors()

    def raise_errors(self) -> None:
        more = f"\n(stopped after {MAX_ERRORS} errors)" if len(self.errors) >= MAX_ERRORS else ""
        raise EventsError("\n".join(self.errors) + more)

    def rows(self, text: str) -> Iterator[tuple[int, list[str]]]:
        """(first physical line, fields) per CSV record; a bad quote or NUL is a clear error."""
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.prof.delimiter, strict=True)
        line = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise EventsError(f"{self.label}:{reader.line_num}: not readable as CSV: {exc}") from None
            yield line, fields
            line = reader.line_num + 1

    def read(self, text: str) -> EventTable:
        rows = self.rows(text)
        if self.prof.header:
            first = next(rows, None)
            if first is None or not any(f.strip() for f in first[1]):
                raise EventsError(f"{self.label}:1: expected the header line first, got a blank line")
            self.map_header([f.strip() for f in first[1]])
        else:
            self.map_header(list(self.prof.names))
        events: list[Event] = []
        dropped = 0
        count = 0
        previous: tuple[int, dt.date] | None = None
        for line, fields in rows:
            if not any(f.strip() for f in fields):
                continue
            count += 1
            if count > MAX_ROWS:
                raise EventsError(f"{self.label}:{line}: expected at most {MAX_ROWS} rows, got more")
            try:
                made = self.row(line, fields)
            except _Dropped:
                dropped += 1
                continue
            except _CellError as exc:
                self.fail(line, str(exc))
                continue
            except EventsError as exc:
                self.fail(line, str(exc))
                continue
            day = made[0].date
            if self.prof.ordered and previous is not None and day < previous[1]:
                self.fail(line, str(_CellError(
                    "date", f"a date on or after {previous[1]} (line {previous[0]}, the previous row): "
                    "rows must be in date order", fields[self.index["date"][0]].strip(),
                )))
                continue
            previous = (line, day)
            events.extend(made)
            if len(events) > MAX_EVENTS:
                raise EventsError(f"{self.label}:{line}: expected at most {MAX_EVENTS} events, got more")
        if self.errors:
            self.raise_errors()
        if not events:
            why = (
                f"all {dropped} rows were dropped: the profile's actors map covers none of their "
                "sources and targets" if dropped else "there are no event rows after the header"
            )
            raise EventsError(f"{self.label}: no events: {why}")
        events.sort(key=lambda e: (e.date, e.line))
        return EventTable(self.label, tuple(events), dropped)

    def map_header(self, header: list[str]) -> None:
        """Find where each of our columns is; unknown or missing columns are named with the header."""
        dupes = sorted({h for h in header if header.count(h) > 1 and h})
        if dupes:
            raise EventsError(f"{self.label}:1: column {dupes[0]!r} appears twice in the header")
        where = {h: i for i, h in enumerate(header)}
        shown = ", ".join(h for h in header if h) or "(nothing)"
        index: dict[str, tuple[int, ...]] = {}
        claimed: set[str] = set()
        for ours in COLUMNS + PROFILE_ONLY:
            theirs = self.prof.columns.get(ours)
            if theirs is None:
                if ours in where and ours not in PROFILE_ONLY:
                    index[ours] = (where[ours],)
                    claimed.add(ours)
                continue
            missing = [t for t in theirs if t not in where]
            if missing:
                raise EventsError(
                    f"{self.label}:1: column '{ours}' is mapped to {missing[0]!r}, which is not in "
                    f"the header (the header has: {shown})"
                )
            index[ours] = tuple(where[t] for t in theirs)
            claimed.update(theirs)
        if not self.prof.foreign:
            for name in header:
                if name not in claimed:
                    raise EventsError(
                        f"{self.label}:1: unknown column {name!r} (known columns: {', '.join(COLUMNS)}; "
                        "a profile or a columns map can read other names)"
                    )
        required = list(REQUIRED)
        if self.prof.foreign:
            required.remove("description")     # a profile's layout may lack one: the CAMEO name stands in
            if self.prof.plover_to_cameo and "plover_type" in index:
                required.remove("cameo")
        for ours in required:
            if ours not in index:
                raise EventsError(
                    f"{self.label}:1: missing required column '{ours}' (the header has: {shown})"
                )
        self.index, self.width = index, len(header)

    def cell(self, fields: list[str], ours: str) -> str:
        pos = self.index.get(ours)
        if pos is None:
            return ""
        value = fields[pos[0]].strip()
        return "" if value in self.prof.blank_values else value

    def actor(self, fields: list[str], ours: str) -> str:
        """The scenario id of the source or target: mapped through the profile's actors map if any."""
        values = [fields[i].strip() for i in self.index[ours]]
        values = ["" if v in self.prof.blank_values else v for v in values]
        amap = self.prof.actors
        if amap is not None:
            for value in values:
                mapped = amap.get(value)
                if mapped is not None and (self.known is None or mapped in self.known):
                    return mapped
            raise _Dropped
        value = next((v for v in values if v), "")
        if not value:
            raise _CellError(ours, "an actor id", value)
        if self.known is not None and value not in self.known:
            raise _CellError(ours, f"one of the scenario's actors ({', '.join(sorted(self.known))})", value)
        return value

    def date(self, text: str, column: str) -> dt.date:
        fmt = self.prof.date_format
        try:
            if fmt is None:
                if not ISO_DATE.match(text):
                    raise ValueError
                return dt.date.fromisoformat(text)
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            what = "a date YYYY-MM-DD" if fmt is None else f"a date in the format {fmt}"
            raise _CellError(column, what, text) from None

    def row(self, line: int, fields: list[str]) -> list[Event]:
        """The events of one row (several for an ``until`` row); raises on the first bad cell."""
        if len(fields) != self.width:
            where = "as in the header" if self.prof.header else "as the profile's names"
            raise EventsError(f"expected {self.width} fields ({where}), got {len(fields)}")
        source = self.actor(fields, "source")
        target = self.actor(fields, "target")
        if source == target:
            raise _CellError("target", f"an actor other than the source {source!r}", target)
        day = self.date(self.cell(fields, "date"), "date")
        cameo = self.cameo(fields)
        info = cameo_table()[cameo]
        rung_text = self.cell(fields, "rung")
        if rung_text:
            if not re.fullmatch(r"\d+", rung_text) or int(rung_text) > self.top:
                top = f"the ladder's top, {self.top}" if self.ladder is not None else str(self.top)
                raise _CellError("rung", f"a whole number from 0 to {top}", rung_text)
            rung: int | None = int(rung_text)
        else:
            rung = self.ladder_rung(cameo)
        goldstein = self.goldstein(self.cell(fields, "goldstein"), info.goldstein)
        plover = self.cell(fields, "plover") if "plover_type" not in self.index else ""
        if plover and not PLOVER_PATTERN.match(plover):
            raise _CellError("plover", "a PLOVER type or type/mode, e.g. ASSAULT/aerial", plover)
        if not plover:
            plover = self.polecat_plover(fields) or info.plover
        launched = self.count(fields, "launched")
        intercepted = self.count(fields, "intercepted")
        killed = self.count(fields, "killed")
        if launched is not None and intercepted is not None and intercepted > launched:
            raise _CellError(
                "intercepted", f"at most the {launched} launched", self.cell(fields, "intercepted")
            )
        until_text = self.cell(fields, "until")
        last = self.date(until_text, "until") if until_text else day
        if last < day:
            raise _CellError("until", f"a date on or after the row's date {day}", until_text)
        if (last - day).days >= MAX_UNTIL_DAYS:
            raise _CellError("until", f"a date less than {MAX_UNTIL_DAYS} days after {day}", until_text)
        description = self.cell(fields, "description") if "description" in self.index else ""
        event = Event(
            line=line, date=day, source=source, target=target, cameo=cameo,
            description=description or info.name, rung=rung, rung_explicit=bool(rung_text),
            goldstein=goldstein, plover=plover, launched=launched, intercepted=intercepted,
            killed=killed, leader=self.cell(fields, "leader"), citation=self.cell(fields, "citation"),
        )
        if last == day:
            return [event]
        return [replace(event, date=day + dt.timedelta(days=k)) for k in range((last - day).days + 1)]

    def ladder_rung(self, cameo: str) -> int | None:
        """``rung_for`` on the scenario's ladder, once per code (a file repeats few codes many times)."""
        if self.ladder is None:
            return None
        if cameo not in self.rungs:
            self.rungs[cameo] = rung_for(cameo, self.ladder)
        return self.rungs[cameo]

    def cameo(self, fields: list[str]) -> str:
        text = self.cell(fields, "cameo")
        if not text and "plover_type" in self.index:
            key = self.polecat_plover(fields)
            code = self.prof.plover_to_cameo.get(key) or self.prof.plover_to_cameo.get(key.split("/")[0])
            if code is None:
                raise _CellError(
                    "plover_type", "a PLOVER type (and mode) in the profile's plover_to_cameo map", key
                )
            return code
        try:
            return check_code(text)
        except EventsError as exc:
            raise EventsError(f"column 'cameo': {exc}") from None

    def polecat_plover(self, fields: list[str]) -> str:
        """TYPE/mode from a profile's two PLOVER columns (POLECAT); '' when the layout has none."""
        if "plover_type" not in self.index:
            return ""
        kind = self.cell(fields, "plover_type").upper()
        mode = self.cell(fields, "plover_mode").lower()
        return f"{kind}/{mode}" if mode else kind

    def goldstein(self, text: str, default: float) -> float:
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (-10.0 <= value <= 10.0):
            raise _CellError("goldstein", "a number from -10 to 10", text)
        return value

    def count(self, fields: list[str], column: str) -> int | None:
        text = self.cell(fields, column)
        if not text:
            return None
        if not re.fullmatch(r"\d+", text):
            raise _CellError(column, "a whole number of 0 or more (blank if unknown)", text)
        return int(text)
