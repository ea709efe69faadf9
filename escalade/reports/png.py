"""Static PNG versions of the report's figures, for papers and slides (matplotlib, Agg).

Figures are made as ``matplotlib.figure.Figure`` objects drawn on an Agg canvas, never through
pyplot: nothing is registered in pyplot's global figure list (so nothing leaks in a long
process), no display is needed, and the process-wide backend is left alone (calling
``matplotlib.use("Agg")`` from a library would silently switch a notebook's inline backend off).
Each file is written atomically, so a reader never sees half a PNG.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch

from escalade.reports.data import (
    ALLIANCE_COLOUR,
    HOSTILITY_COLOUR,
    INCIDENCE_OUTCOMES,
    MAX_LINE_SERIES,
    OUTCOME_TITLES,
    WAR_LINE_COLOUR,
    ReportData,
    Series,
    atomic_write_bytes,
    colour,
    cumulative_incidence,
    dates,
    directed_offset,
    fan_quantiles,
    fan_series,
    main_outcomes,
    network_layout,
    numeric_axis,
    policy_label,
    rung_label,
    step_edges,
    sweep_grid,
    sweep_outcome_names,
    sweep_param_names,
)
from escalade.reports.figures import index_bars

DPI = 150


def _new(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    fig.clear()
    return atomic_write_bytes(path, buf.getvalue())


_LEGEND_FONT = 8.0
_NOTE_FONT = 7.0
_EDGE = 0.1  # inches kept clear at the figure's edges
_GAP = 0.12  # inches between the plots, the legend and the notes
_MAX_LEGEND_COLS = 5


def _capped(shown: int, total: int) -> str:
    return f"showing the first {shown} of {total} series" if shown < total else ""


def _pieces(word: str, fits: Callable[[str], bool]) -> list[str]:
    """``word`` cut into the longest pieces that pass ``fits`` (a single character always passes)."""
    out: list[str] = []
    while word and not fits(word):
        lo, hi = 1, len(word) - 1  # the longest prefix that fits, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fits(word[:mid]) else (lo, mid - 1)
        out.append(word[:lo])
        word = word[lo:]
    return [*out, word] if word else out


def _wrap(text: str, fits: Callable[[str], bool], lines: int) -> tuple[str, bool]:
    """``text`` broken at spaces (inside a word only when the word alone is too long) into at most
    ``lines`` lines that each pass ``fits``, and whether it had to be shortened (the last line then
    ends in "…")."""
    out: list[str] = []
    for word in text.split():
        if out and fits(f"{out[-1]} {word}"):
            out[-1] = f"{out[-1]} {word}"
        else:
            out.extend(_pieces(word, fits))
    if len(out) <= lines:
        return "\n".join(out), False
    last = out[lines - 1]
    while len(last) > 1 and not fits(last + " …"):
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    return "\n".join([*out[:lines - 1], last + " …"]), True


def _measure(fig: Figure, fontsize: float) -> Callable[[str, float], bool]:
    """``fits(text, inches)``: whether one line of ``text`` at ``fontsize`` is at most that wide."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    prop = FontProperties(size=fontsize)

    def fits(text: str, inches: float) -> bool:
        w, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
        return bool(1.05 * w / fig.dpi <= inches)  # 5% spare: hinting differs at the saved dpi
    return fits


def _handles(axes: Any) -> dict[str, Any]:
    """Legend handles of all ``axes`` by label, first seen first, each label once."""
    seen: dict[str, Any] = {}
    for ax in np.atleast_1d(axes).flat:
        for h, lbl in zip(*ax.get_legend_handles_labels(), strict=True):
            if not lbl.startswith("_"):
                seen.setdefault(lbl, h)
    return seen


def _fit_legend(fig: Figure, seen: dict[str, Any], width: float) -> tuple[int, list[str], float]:
    """(columns, wrapped labels, height in inches) of the best legend at most ``width`` wide.

    Labels are wrapped to their column's width, two lines at most. Column counts that need no label
    shortened win, then the lowest legend, then fewer columns.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    fits = _measure(fig, _LEGEND_FONT)
    em = _LEGEND_FONT / 72  # legend paddings are in font sizes: handle 2 + pad 0.8, column gap 2
    best: tuple[bool, float, int, list[str]] | None = None
    for ncol in range(1, min(_MAX_LEGEND_COLS, len(seen)) + 1):
        room = (width - 2 * em * (ncol - 1)) / ncol - 3.2 * em
        if ncol > 1 and room < 1.2:
            break
        wrapped = [_wrap(lbl, lambda t, r=room: fits(t, r), 2) for lbl in seen]
        labels = [w for w, _ in wrapped]
        leg = fig.legend(list(seen.values()), labels, ncol=ncol, fontsize=_LEGEND_FONT, frameon=False)
        box = leg.get_window_extent(renderer)
        leg.remove()
        if ncol > 1 and box.width / fig.dpi > width:
            continue
        cand = (any(cut for _, cut in wrapped), round(box.height / fig.dpi, 2), ncol, labels)
        if best is None or cand[:3] < best[:3]:
            best = cand
    assert best is not None
    return best[2], best[3], best[1]


def _finish(fig: Figure, axes: Any = (), *notes: str) -> Figure:
    """Put one legend for all ``axes`` (one entry per label) and the grey ``notes`` below the plots.

    The plots keep the size the figure was made with: the figure grows by the height of the legend
    and notes, and constrained layout is kept to the band above them, so the legend can overlap
    neither a title nor the data however many series there are. Long labels wrap (two lines at most,
    then they are shortened) and the legend takes as many columns as fit the figure's width.
    """
    width, plots = (float(v) for v in fig.get_size_inches())
    room = width - 2 * _EDGE
    seen = _handles(axes)
    ncol, labels, legend_h = _fit_legend(fig, seen, room) if seen else (1, [], 0.0)
    fits = _measure(fig, _NOTE_FONT)
    text = "\n".join(_wrap(n, lambda t: fits(t, room), 4)[0] for n in notes if n)
    note = fig.text(_EDGE / width, 0, text, ha="left", va="bottom", fontsize=_NOTE_FONT, color="#555")
    note_h = note.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi if text else 0.0  # type: ignore[attr-defined]
    foot = _EDGE + (legend_h + _GAP if seen else 0.0) + (note_h + _GAP if text else 0.0)
    height = plots + foot
    fig.set_size_inches(width, height)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0, foot / height, 1, plots / height))
    note.set_y(_EDGE / height)
    if seen:
        fig.legend(list(seen.values()), labels, loc="upper center", ncol=ncol, fontsize=_LEGEND_FONT,
                   frameon=False, borderaxespad=0, bbox_to_anchor=(0.5, (foot - _GAP) / height))
    return fig


def outcomes_png(series: Sequence[Series]) -> Figure:
    """Horizontal grouped bars of outcome probabilities with 95% intervals."""
    shown = list(series[:MAX_LINE_SERIES])
    names = main_outcomes(shown)
    n = len(shown)
    bar = 0.26 if n <= 4 else max(0.15, 0.26 - 0.02 * (n - 4))  # inches per bar: thinner when many
    fig = _new(8.0, max(3.2, 0.9 + len(names) * (bar * n + 0.12)))
    ax = fig.add_subplot()
    h = 0.8 / n
    y0 = np.arange(len(names))
    for i, s in enumerate(shown):
        est = [s.outcomes.get(k) for k in names]
        v = np.array([np.nan if e is None else 100 * e.value for e in est])
        lo = np.array([0 if e is None else max(0.0, 100 * (e.value - e.ci_low)) for e in est])
        hi = np.array([0 if e is None else max(0.0, 100 * (e.ci_high - e.value)) for e in est])
        y = y0 - 0.4 + h * (i + 0.5)
        ax.barh(y, v, height=h * 0.92, color=colour(i), label=s.label,
                xerr=np.vstack([lo, hi]), error_kw=dict(ecolor="#333", elinewidth=1, capsize=2))
    ax.set_yticks(y0, names)
    ax.invert_yaxis()
    ax.set_xlabel("probability (%)")
    ax.set_xlim(left=0)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Outcome probabilities with 95% intervals", loc="left", fontsize=11)
    return _finish(fig, ax, _capped(n, len(series)))


def _date_axis(ax: Any) -> None:
    loc = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def fan_png(d: ReportData) -> Figure:
    """Median and 50%/90% bands of the daily escalation level, one panel per series with paths."""
    shown, total = fan_series(d.series)
    fig = _new(9.0, 0.6 + 2.9 * len(shown))
    axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
    x = np.array(step_edges(d.start_date, d.days), dtype="datetime64[D]")  # days + 1 day boundaries
    ticks = list(range(-1, len(d.rung_names)))
    fits = _measure(fig, 10)
    for ax, (pos, s) in zip(axes, shown, strict=True):
        q = fan_quantiles(s.paths)  # type: ignore[arg-type]
        q = np.concatenate([q, q[:, -1:]], axis=1)  # hold the last day's value to its end
        c = colour(pos)
        ax.fill_between(x, q[0], q[4], step="post", color=c, alpha=0.2, lw=0, label="90% of runs")
        ax.fill_between(x, q[1], q[3], step="post", color=c, alpha=0.42, lw=0, label="50% of runs")
        ax.step(x, q[2], where="post", color=c, lw=1.6, label="median")
        ax.set_xlim(x[0], x[-1])
        ax.axhline(d.war_rung, color=WAR_LINE_COLOUR, ls="--", lw=1.2, label="regional war")
        ax.set_yticks(ticks, [textwrap.shorten(rung_label(d.rung_names, r), 34) for r in ticks],
                      fontsize=7)
        ax.set_ylim(-1.5, len(d.rung_names) - 0.5)
        ax.set_title(_wrap(s.label, lambda t: fits(t, 6.4), 2)[0], loc="left", fontsize=10)
        ax.grid(axis="y", alpha=0.25)
        _date_axis(ax)
    fig.suptitle("Escalation level over time (highest rung between main parties each day)", x=0.01,
                 ha="left", fontsize=11)
    return _finish(fig, axes[:1], d.paths_note, _capped(len(shown), total))


def incidence_png(d: ReportData) -> Figure:
    """Cumulative share of runs with regional war / a held cease-fire by each day."""
    shown = list(d.series[:MAX_LINE_SERIES])
    fig = _new(10.0, 3.8)
    axes = fig.subplots(1, len(INCIDENCE_OUTCOMES), squeeze=False)[0]
    x = np.array(dates(d.start_date, d.days), dtype="datetime64[D]")
    for ax, name in zip(axes, INCIDENCE_OUTCOMES, strict=True):
        for i, s in enumerate(shown):
            if name in s.event_days and s.runs:
                ax.step(x, 100 * cumulative_incidence(s.event_days[name], d.days), where="post",
                        color=colour(i), lw=1.8, label=s.label)
        ax.set_title(OUTCOME_TITLES.get(name, name), loc="left", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        _date_axis(ax)
    axes[0].set_ylabel("% of runs with the event by this day")
    fig.suptitle("Cumulative incidence", x=0.01, ha="left", fontsize=11)
    return _finish(fig, axes, _capped(len(shown), len(d.series)))


def network_png(d: ReportData) -> Figure:
    """Actors as nodes; commitments blue and labelled; hostility red, width ~ hostility."""
    pos = network_layout(d.actors, d.alliances, d.hostility)
    fig = _new(7.5, 6.5)
    ax = fig.add_subplot()
    pairs = {(a, b) for a, b, _ in d.hostility}
    hmax = max((h for _, _, h in d.hostility), default=1.0) or 1.0
    for a, b, h in d.hostility:
        p, q = directed_offset(pos[a], pos[b], (b, a) in pairs)
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=12 + 3 * h / hmax,
                                     lw=1.0 + 5.0 * h / hmax, color=HOSTILITY_COLOUR, alpha=0.85))
    for a, b, kind in d.alliances:
        p, q = directed_offset(pos[a], pos[b], (b, a) in pairs or (a, b) in pairs, gap=-0.035)
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=16, lw=3,
                                     color=ALLIANCE_COLOUR))
        ax.text((p[0] + q[0]) / 2, (p[1] + q[1]) / 2, kind, color=ALLIANCE_COLOUR, fontsize=9,
                ha="center", va="center",
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=ALLIANCE_COLOUR, alpha=0.9))
    for aid, name in d.actors.items():
        x, y = pos[aid]
        ax.scatter([x], [y], s=900, color="#34495e", edgecolor="white", zorder=3)
        ax.text(x, y, aid, color="white", fontsize=8, ha="center", va="center", zorder=4,
                fontweight="bold")
        ax.text(x, y - 0.13, name, fontsize=9, ha="center", va="top", zorder=4,
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8))
    ax.plot([], [], color=ALLIANCE_COLOUR, lw=3, label="commitment (protector → protected)")
    ax.plot([], [], color=HOSTILITY_COLOUR, lw=3, label="hostility (width ∝ value)")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.4, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Actors, commitments and hostility", loc="left", fontsize=11)
    return _finish(fig, ax)


def sweep_png(rows: Sequence[dict[str, Any]], max_params: int = 4) -> Figure:
    """Heatmaps per policy for a full two-parameter grid, else outcome against each parameter."""
    grid = sweep_grid(rows)
    if grid is not None:
        return _sweep_heatmap_png(rows, grid)
    return _sweep_points_png(rows, max_params)


def _sweep_heatmap_png(rows: Sequence[dict[str, Any]], grid: tuple[str, str, list[Any], list[Any]]) -> Figure:
    """One annotated heatmap per (outcome, policy); one colour scale per outcome row."""
    px, py, xs, ys = grid
    outs = sweep_outcome_names(rows)
    policies = list(dict.fromkeys(policy_label(r.get("policy")) for r in rows))
    fig = _new(1.6 + (0.75 * len(xs) + 0.6) * len(policies), 0.9 + len(outs) * (0.6 + 0.4 * len(ys)))
    axes = fig.subplots(len(outs), len(policies), squeeze=False)
    fits = _measure(fig, 9)
    for ri, name in enumerate(outs):
        ps = [r["outcomes"][name]["p"] for r in rows if name in r["outcomes"]]
        vmax = 100 * max(ps, default=0.0) or 1.0
        for ci, pol in enumerate(policies):
            ax = axes[ri, ci]
            z = np.full((len(ys), len(xs)), np.nan)
            for r in rows:
                o = r["outcomes"].get(name)
                if policy_label(r.get("policy")) == pol and o is not None:
                    z[ys.index(r["params"][py]), xs.index(r["params"][px])] = 100 * o["p"]
            ax.imshow(z, cmap="Reds", vmin=0, vmax=vmax, origin="lower", aspect="auto")
            for i in range(len(ys)):
                for j in range(len(xs)):
                    if np.isfinite(z[i, j]):
                        ax.text(j, i, f"{z[i, j]:.1f}%", ha="center", va="center", fontsize=8,
                                color="white" if z[i, j] > 0.6 * vmax else "#222")
            ax.set_xticks(range(len(xs)), [str(v) for v in xs], fontsize=7)
            ax.set_yticks(range(len(ys)), [str(v) for v in ys], fontsize=7)
            if ri == 0:
                ax.set_title(_wrap(pol, lambda t: fits(t, 0.75 * len(xs) + 0.2), 2)[0], fontsize=9)
            if ri == len(outs) - 1:
                ax.set_xlabel(textwrap.shorten(px, 40), fontsize=8)
            if ci == 0:
                # The row is short: the parameter's path without its section (actors.,
                # relations.) keeps the two-line label inside it.
                short = py.split(".", 1)[1] if py.count(".") >= 2 else py
                ax.set_ylabel(f"{name}\n{textwrap.shorten(short, 40)}", fontsize=8)
    fig.suptitle("Outcomes across the sweep grid (probability per cell)", x=0.01, ha="left", fontsize=11)
    return fig


def _sweep_points_png(rows: Sequence[dict[str, Any]], max_params: int) -> Figure:
    """Each main outcome against each swept parameter, a colour per policy, with 95% intervals."""
    params = sweep_param_names(rows)[:max_params]
    outs = sweep_outcome_names(rows)
    policies = list(dict.fromkeys(policy_label(r.get("policy")) for r in rows))
    fig = _new(3.2 * len(params) + 1.2, 2.5 * len(outs) + 0.8)
    axes = fig.subplots(len(outs), len(params), squeeze=False, sharey="row")
    for ci, param in enumerate(params):
        vals = [r["params"].get(param) for r in rows if param in r["params"]]
        numeric = numeric_axis(vals)
        cats = list(dict.fromkeys(str(v) for v in vals))
        span = (max(map(float, vals)) - min(map(float, vals))) if numeric and vals else 0.0
        for pi, pol in enumerate(policies):
            sel = [r for r in rows if policy_label(r.get("policy")) == pol and param in r["params"]]
            if numeric:
                sel.sort(key=lambda r, p=param: float(r["params"][p]))
                off = (pi - (len(policies) - 1) / 2) * 0.012 * span
                x = np.array([float(r["params"][param]) + off for r in sel])
            else:
                off = (pi - (len(policies) - 1) / 2) * 0.08
                x = np.array([cats.index(str(r["params"][param])) + off for r in sel])
            for ri, name in enumerate(outs):
                ax = axes[ri, ci]
                got = [r["outcomes"].get(name) for r in sel]
                y = np.array([np.nan if o is None else 100 * o["p"] for o in got])
                err = np.array([[0, 0] if o is None else [max(0.0, 100 * (o["p"] - o["ci_low"])),
                                                          max(0.0, 100 * (o["ci_high"] - o["p"]))]
                                for o in got])
                ax.errorbar(x, y, yerr=err.T if len(err) else None, fmt="o-" if len(params) == 1 else "o",
                            ms=4, lw=1, capsize=2, color=colour(pi), label=pol)
                if not numeric:
                    ax.set_xticks(range(len(cats)), cats)
                if ri == len(outs) - 1:
                    ax.set_xlabel(textwrap.shorten(param, 40), fontsize=8)
                if ci == 0:
                    ax.set_ylabel(f"{name} (%)", fontsize=8)
                ax.grid(alpha=0.3)
                ax.tick_params(labelsize=7)
    for ax in axes.flat:
        ax.set_ylim(bottom=0)
    fig.suptitle("Outcomes across the sweep (95% intervals)", x=0.01, ha="left", fontsize=11)
    return _finish(fig, axes[:1, :1])


def sensitivity_png(indices: Sequence[dict[str, Any]]) -> Figure:
    """Index bars per parameter with intervals, one panel per outcome (and method)."""
    groups = list(dict.fromkeys((str(r["outcome"]), str(r["method"])) for r in indices))
    per = {g: [r for r in indices if (str(r["outcome"]), str(r["method"])) == g] for g in groups}
    heights = [max(1, len(per[g])) for g in groups]
    fig = _new(8.0, 0.8 + sum(0.6 + 0.35 * h for h in heights))
    axes = fig.subplots(len(groups), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, g in zip(axes, groups, strict=True):
        rows = per[g]
        y0 = np.arange(len(rows))
        bars = index_bars(g[1])
        h = 0.8 / len(bars)
        for k, (key, conf, label, col) in enumerate(bars):
            v = np.array([_f(r.get(key)) for r in rows])
            e = np.array([_f(r.get(conf)) for r in rows]) if conf else None
            ax.barh(y0 - 0.4 + h * (k + 0.5), v, height=h * 0.92, color=col, label=label,
                    xerr=None if e is None else np.clip(np.nan_to_num(e), 0, None),
                    error_kw=dict(ecolor="#333", capsize=2))
        ax.set_yticks(y0, [textwrap.shorten(str(r["param"]), 45) for r in rows], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_title(f"{g[0]} · {g[1]}", loc="left", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("Sensitivity of outcomes to parameters", x=0.01, ha="left", fontsize=11)
    return _finish(fig, axes)


def _f(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def differences_png(differences: Sequence[dict[str, Any]]) -> Figure:
    """Paired differences against the baseline, in percentage points with 95% intervals."""
    rows = [r for r in differences if "." not in str(r["outcome"])]
    names = list(dict.fromkeys(str(r["outcome"]) for r in rows))
    policies = list(dict.fromkeys(str(r["policy"]) for r in rows))
    fig = _new(8.0, max(2.6, 0.9 + 0.32 * len(names) * max(1, len(policies) // 2 + 1)))
    ax = fig.add_subplot()
    step = 0.6 / max(1, len(policies))
    for i, pol in enumerate(policies):
        mine = {str(r["outcome"]): r for r in rows if str(r["policy"]) == pol}
        y = np.array([k + (i - (len(policies) - 1) / 2) * step for k, n in enumerate(names) if n in mine])
        x = np.array([100 * mine[n]["diff"] for n in names if n in mine])
        err = np.array([[100 * (mine[n]["diff"] - mine[n]["ci_low"]),
                         100 * (mine[n]["ci_high"] - mine[n]["diff"])] for n in names if n in mine])
        ax.errorbar(x, y, xerr=np.clip(err.T, 0, None), fmt="o", ms=5, capsize=3, color=colour(i + 1),
                    label=f"{pol} − {rows[0]['baseline']}")
    ax.axvline(0, color="#555", lw=1)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("difference in probability (percentage points)", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.tick_params(labelsize=8)
    ax.set_title("Paired differences against the baseline (95% intervals)", loc="left", fontsize=11)
    return _finish(fig, ax)


def write_pngs(data: ReportData, out_dir: Path) -> list[Path]:
    """Write the report's figures as PNGs into ``out_dir`` (created if missing); return their paths.

    Always outcomes.png (when the series have main outcomes), incidence.png and network.png (when
    there are actors); fan.png when a series has paths; sweep.png or sensitivity.png by kind.
    """
    out_dir = Path(out_dir)
    d = data
    jobs: list[tuple[str, Callable[[], Figure]]] = []
    if d.kind == "sweep" and d.sweep_rows:
        jobs.append(("sweep.png", lambda: sweep_png(d.sweep_rows or [])))
    if d.kind == "sensitivity" and d.indices:
        jobs.append(("sensitivity.png", lambda: sensitivity_png(d.indices or [])))
    if main_outcomes(d.series):
        jobs.append(("outcomes.png", lambda: outcomes_png(d.series)))
    if d.differences and any("." not in str(r["outcome"]) for r in d.differences):
        jobs.append(("differences.png", lambda: differences_png(d.differences or [])))
    if fan_series(d.series)[0]:
        jobs.append(("fan.png", lambda: fan_png(d)))
    jobs.append(("incidence.png", lambda: incidence_png(d)))
    if d.actors:
        jobs.append(("network.png", lambda: network_png(d)))
    return [_save(make(), out_dir / name) for name, make in jobs]
