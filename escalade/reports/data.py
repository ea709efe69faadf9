"""What the report stage draws, as plain data, and the numbers both renderers derive from it.

The report stage never reads the results database: the loader turns stored results into these
dataclasses, so the HTML page (plotly) and the PNG figures (matplotlib) can be built and tested
from any source, and they show exactly the same quantities because both take them from the
helpers below (outcome order, fan-chart quantiles, cumulative incidence, network layout).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from escalade.outcomes import Estimate
from escalade.registry import names_of, of_kind

KINDS = ("run", "compare", "sweep", "sensitivity")
# Which outcomes each view shows is declared with the outcome, in escalade.registry.
# The probability chart and outcome table: these, in this order, then by-horizon variants of those
# flagged chart_horizons (regional war).
MAIN_OUTCOMES = names_of("first_day", "report")
INCIDENCE_OUTCOMES = names_of("first_day", "incidence")
HEADLINE_OUTCOMES = names_of("first_day", "headline")  # what a sweep charts and tabulates
OUTCOME_TITLES = {o.name: o.label for o in of_kind("first_day")}  # chart titles
SENSITIVITY_METHODS = ("sobol", "morris")
# Fan charts get one panel per series; more than this many panels stop being readable.
MAX_FAN_SERIES = 6
# Bars and curves share one panel; beyond this many series the legend swamps the chart.
MAX_LINE_SERIES = 10
# Fan bands: 90% (5th-95th percentile) and 50% (25th-75th) of replicates, and the median.
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# Series colours (matplotlib's tab10), shared so a policy has one colour on the page and in PNGs.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#d62728")
HOSTILITY_COLOUR = "#c0392b"
ALLIANCE_COLOUR = "#1f5fa8"
WAR_LINE_COLOUR = "#b22222"
_HORIZON = re.compile(r"^(?P<name>\w+)_(?P<h>\d+)d$")


@dataclass(frozen=True)
class Series:
    """One labelled cell of a result (a policy, or a sweep point x policy)."""

    label: str
    outcomes: dict[str, Estimate]  # outcome name -> probability with 95% CI
    event_days: dict[str, np.ndarray]  # outcome name -> (runs,) int, 1-based day first seen, -1 never
    paths: np.ndarray | None = None  # (runs, days) int8, highest rung between main parties, -1 none

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise ValueError(f"Series.label must be a non-empty string, got {self.label!r}")
        for name, est in self.outcomes.items():
            if not isinstance(est, Estimate):
                raise ValueError(f"Series {self.label!r}: outcomes[{name!r}] must be an "
                                 f"escalade.outcomes.Estimate, got {type(est).__name__}")
        runs = None
        for name, arr in self.event_days.items():
            a = np.asarray(arr)
            if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
                raise ValueError(f"Series {self.label!r}: event_days[{name!r}] must be a 1-D integer "
                                 f"array (runs,), got dtype {a.dtype} shape {a.shape}")
            if runs is not None and len(a) != runs:
                raise ValueError(f"Series {self.label!r}: event_days arrays differ in length "
                                 f"({runs} and {len(a)} for {name!r}); all must have one entry per run")
            runs = len(a)
        if self.paths is not None:
            p = np.asarray(self.paths)
            if p.ndim != 2 or p.shape[0] == 0 or not np.issubdtype(p.dtype, np.integer):
                raise ValueError(f"Series {self.label!r}: paths must be a non-empty (runs, days) integer "
                                 f"array, got dtype {p.dtype} shape {p.shape}")

    @property
    def runs(self) -> int:
        """Replicates behind the event days (0 if none were given)."""
        return next((len(a) for a in self.event_days.values()), 0)


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows; built by the loader from a stored result.

    ``hostility`` weights may be any non-negative number (the scenario's ``hostility`` is a utility,
    3.0 for ISR>HAM in levant-2024); edge widths are scaled by the largest one.
    """

    result_id: str
    kind: str  # "run" | "compare" | "sweep" | "sensitivity"
    title: str
    provenance: dict[str, Any]
    start_date: dt.date
    days: int
    rung_names: tuple[str, ...]
    war_rung: int
    series: list[Series]
    actors: dict[str, str]  # actor id -> display name
    alliances: list[tuple[str, str, str]]  # (protector, protected, commitment type)
    hostility: list[tuple[str, str, float]]  # directed (actor, target, hostility > 0)
    trace_lines: list[str]
    trace_label: str = ""
    sweep_rows: list[dict[str, Any]] | None = None
    indices: list[dict[str, Any]] | None = None
    paths_note: str = ""
    # compare: paired differences against the baseline, each {"policy", "baseline", "outcome",
    # "diff", "ci_low", "ci_high"}; outcomes are probabilities, "ACTOR.metric" rows are means
    differences: list[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        check_report(self)


def check_report(d: ReportData) -> None:
    """Raise ``ValueError`` naming the field when the data cannot make a sensible report.

    Checked once, at construction, so a loader bug shows up where it happens rather than as a
    blank figure or a plotly stack trace deep in rendering.
    """
    if d.kind not in KINDS:
        raise ValueError(f"ReportData.kind must be one of {', '.join(KINDS)}; got {d.kind!r}")
    if not d.series:
        raise ValueError(f"ReportData.series is empty for result {d.result_id!r}: a report needs at "
                         "least one Series (a policy, or a sweep point x policy)")
    for s in d.series:
        if not isinstance(s, Series):
            raise ValueError(f"ReportData.series items must be Series, got {type(s).__name__}")
    if not isinstance(d.start_date, dt.date):
        raise ValueError(f"ReportData.start_date must be a datetime.date, got {d.start_date!r}")
    if not isinstance(d.days, int) or d.days < 1:
        raise ValueError(f"ReportData.days must be a positive int, got {d.days!r}")
    if not d.rung_names:
        raise ValueError("ReportData.rung_names is empty: the fan chart needs the ladder's rung names")
    if not 0 <= d.war_rung < len(d.rung_names):
        raise ValueError(f"ReportData.war_rung {d.war_rung} is outside the ladder 0..{len(d.rung_names) - 1}")
    for s in d.series:
        if s.paths is not None and s.paths.shape[1] != d.days:
            raise ValueError(f"Series {s.label!r}: paths have {s.paths.shape[1]} days, the report "
                             f"says days={d.days}")
    known = set(d.actors)
    for where, edges in (("alliances", d.alliances), ("hostility", d.hostility)):
        for e in edges:
            if len(e) != 3 or e[0] not in known or e[1] not in known:
                raise ValueError(f"ReportData.{where} entry {e!r}: expected (actor, actor, value) with "
                                 f"both actors in ReportData.actors ({', '.join(d.actors)})")
    for a, b, h in d.hostility:
        if not (isinstance(h, numbers.Real) and math.isfinite(h) and h >= 0):
            raise ValueError(f"ReportData.hostility {a}>{b}: hostility must be a finite number >= 0, "
                             f"got {h!r}")
    if d.kind == "sweep":
        if not d.sweep_rows:
            raise ValueError("a sweep report needs ReportData.sweep_rows (one per point x policy)")
        for r in d.sweep_rows:
            if not isinstance(r.get("params"), dict) or not isinstance(r.get("outcomes"), dict):
                raise ValueError(f"sweep row {r!r}: expected 'params' and 'outcomes' dicts")
    if d.kind == "sensitivity":
        if not d.indices:
            raise ValueError("a sensitivity report needs ReportData.indices (one per outcome x param)")
        for r in d.indices:
            if r.get("method") not in SENSITIVITY_METHODS or "outcome" not in r or "param" not in r:
                raise ValueError(f"sensitivity index {r!r}: expected 'outcome', 'param' and 'method' "
                                 f"in {SENSITIVITY_METHODS}")


# --- numbers both renderers draw ---------------------------------------------------------------

def colour(i: int) -> str:
    """Colour of the i-th series."""
    return PALETTE[i % len(PALETTE)]


def main_outcomes(series: Sequence[Series]) -> list[str]:
    """Outcome names to chart: the main ones, then by horizon those flagged chart_horizons (regional
    war), when present."""
    present = {k for s in series for k in s.outcomes}
    chosen = [k for k in MAIN_OUTCOMES if k in present]
    order = {n: i for i, n in enumerate(names_of("first_day", "chart_horizons"))}
    horizons = sorted((order[m["name"]], int(m["h"]), k) for k in present
                      if (m := _HORIZON.match(k)) and m["name"] in order)
    return chosen + [k for *_, k in horizons]


def dates(start: dt.date, days: int) -> list[dt.date]:
    """Calendar date of each simulated day (day 1 is ``start``)."""
    return [start + dt.timedelta(days=t) for t in range(days)]


def fan_quantiles(paths: np.ndarray) -> np.ndarray:
    """(5, days) per-day quantiles of the escalation level, FAN_QUANTILES order.

    Rungs are ordinal, so quantiles are taken as observed rungs (inverted CDF), never as
    interpolated values between two rungs that mean nothing.
    """
    return np.quantile(np.asarray(paths), FAN_QUANTILES, axis=0, method="inverted_cdf")


def step_edges(start: dt.date, days: int) -> list[dt.date]:
    """Day boundaries: day t covers [edges[t-1], edges[t]); days + 1 dates."""
    return [start + dt.timedelta(days=t) for t in range(days + 1)]


def step_xy(edges: Sequence[Any], values: Sequence[float]) -> tuple[list[Any], list[float]]:
    """A step line as explicit corners (each value held over its whole day).

    Drawn as plain line segments, so a band can be one closed polygon; plotly's 'hv' line shape
    shifts the reversed side of a filled band by one day.
    """
    xs: list[Any] = []
    ys: list[float] = []
    for k, v in enumerate(values):
        xs += [edges[k], edges[k + 1]]
        ys += [float(v), float(v)]
    return xs, ys


def cumulative_incidence(event_days: np.ndarray, days: int) -> np.ndarray:
    """(days,) share of replicates whose event happened on or before each day 1..days."""
    e = np.asarray(event_days)
    if len(e) == 0:
        return np.zeros(days)
    counts = np.bincount(e[(e >= 1) & (e <= days)], minlength=days + 1)[1 : days + 1]
    return np.cumsum(counts) / len(e)


def fan_series(series: Sequence[Series]) -> tuple[list[tuple[int, Series]], int]:
    """(position, series) of those with paths, capped at MAX_FAN_SERIES, and how many had paths.

    The position keeps a series' colour the same as in the other figures.
    """
    with_paths = [(i, s) for i, s in enumerate(series) if s.paths is not None]
    return with_paths[:MAX_FAN_SERIES], len(with_paths)


def rung_label(names: Sequence[str], r: int) -> str:
    """Tick label of a rung ("-1" is the path's code for no force between main parties)."""
    return "none" if r < 0 else f"{r} {names[r]}"


def network_layout(actors: dict[str, str], alliances: Sequence[tuple[str, str, str]],
                   hostility: Sequence[tuple[str, str, float]]) -> dict[str, tuple[float, float]]:
    """Node positions in [-1, 1]^2: the most connected actor in the centre, the others on a circle.

    Crisis networks are stars around the protected state; a force layout flings actors with no
    edge (a mediator) far away and squeezes the rest into a knot, while this shell layout keeps
    every label readable and is the same picture every time (no randomness, no seed needed).
    With no clear hub (fewer than 4 actors, or no actor with 2 or more links) all go on the circle.
    """
    g = nx.Graph()
    g.add_nodes_from(actors)
    g.add_edges_from((a, b) for a, b, _ in alliances)
    g.add_edges_from((a, b) for a, b, _ in hostility)
    ids = list(actors)
    if len(ids) == 1:
        return {ids[0]: (0.0, 0.0)}
    degree = dict(g.degree())
    hub = max(ids, key=lambda a: degree[a])  # first of the most connected, in actor order
    if len(ids) >= 4 and degree[hub] >= 2:
        pos = nx.shell_layout(g, nlist=[[hub], [a for a in ids if a != hub]], rotate=math.pi / 2)
    else:
        pos = nx.circular_layout(g)
    scale = max(max(abs(float(x)), abs(float(y))) for x, y in pos.values()) or 1.0
    return {n: (float(pos[n][0]) / scale, float(pos[n][1]) / scale) for n in ids}


def directed_offset(p: tuple[float, float], q: tuple[float, float], both_ways: bool,
                    shrink: float = 0.13, gap: float = 0.035) -> tuple[tuple[float, float], ...]:
    """Ends of an arrow p -> q, pulled back from the node markers and moved aside when the
    reverse edge also exists, so that two hostile directions never draw on top of each other."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    ox, oy = (-uy * gap, ux * gap) if both_ways else (0.0, 0.0)
    s = min(shrink, n / 3)
    return ((x0 + ux * s + ox, y0 + uy * s + oy), (x1 - ux * s + ox, y1 - uy * s + oy))


def sweep_param_names(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Swept parameter paths in first-seen order."""
    names: list[str] = []
    for r in rows:
        names += [k for k in r["params"] if k not in names]
    return names


def sweep_outcome_names(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Outcomes of a sweep to chart: the headline ones present in the rows, else at most three."""
    present = {k for r in rows for k in r["outcomes"]}
    chosen = [k for k in HEADLINE_OUTCOMES if k in present]
    return chosen or sorted(present)[:3]


def _axis_values(values: Sequence[Any]) -> list[Any]:
    """Distinct values in axis order: sorted when numeric, first seen otherwise."""
    distinct = list(dict.fromkeys(values))
    return sorted(distinct, key=float) if numeric_axis(distinct) else distinct


def sweep_grid(rows: Sequence[dict[str, Any]], max_values: int = 15
               ) -> tuple[str, str, list[Any], list[Any]] | None:
    """(param x, param y, x values, y values) when the sweep is a full two-parameter grid, each
    (policy, x, y) cell present once; None otherwise (one parameter, a Latin hypercube, ...).

    A full grid reads best as a heatmap per policy; anything else as points per parameter.
    """
    params = sweep_param_names(rows)
    if len(params) != 2 or any(set(r["params"]) != set(params) for r in rows):
        return None
    px, py = params
    try:
        xs = _axis_values([r["params"][px] for r in rows])
        ys = _axis_values([r["params"][py] for r in rows])
        cells = [(policy_label(r.get("policy")), r["params"][px], r["params"][py]) for r in rows]
        distinct = len(set(cells))
    except TypeError:  # a list-valued parameter: no grid axes, draw points instead
        return None
    if not 1 < len(xs) <= max_values or not 1 < len(ys) <= max_values:
        return None
    policies = {c[0] for c in cells}
    if distinct != len(cells) or len(cells) != len(policies) * len(xs) * len(ys):
        return None
    return px, py, xs, ys


def policy_label(policy: Any) -> str:
    """Legend label of a sweep row's policy (None is the scenario as written)."""
    return "scenario default" if policy is None else str(policy)


def numeric_axis(values: Sequence[Any]) -> bool:
    """True when every value is a real number, so the axis can be continuous."""
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)


def atomic_write_bytes(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file lives in the same folder, so ``os.replace`` is a rename on one filesystem.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
