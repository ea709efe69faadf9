"""Interactive plotly figures for the HTML report; each builder takes plain data, returns a Figure.

Builders know nothing of HTML or of the database, so a notebook can call them directly. Text that
comes from data (labels, actor names, rung names) is entity-escaped because plotly renders a
subset of HTML tags in its SVG text; escaped, a label such as ``<b>`` shows as typed.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from escalade.reports.data import (
    ALLIANCE_COLOUR,
    HEADLINE_OUTCOMES,
    HOSTILITY_COLOUR,
    INCIDENCE_OUTCOMES,
    MAX_LINE_SERIES,
    OUTCOME_TITLES,
    WAR_LINE_COLOUR,
    Series,
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
    step_xy,
    sweep_grid,
    sweep_outcome_names,
    sweep_param_names,
)

FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
            size=13)


def _t(text: Any) -> str:
    """Data text made literal for plotly's SVG text (which would otherwise read <b>, <br>...)."""
    return html.escape(str(text), quote=False)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _base_layout(fig: go.Figure, title: str, height: int, legend: bool = True,
                 subtitle: str = "") -> go.Figure:
    """Title (and subtitle) top left, legend on its own line under them, plot below.

    Placing the legend in the top margin (container coordinates, in pixels from the top) keeps it
    off subplot titles and data whatever the figure's height.
    """
    title_px = 24 + (18 if subtitle else 0)
    legend_top = 10 + title_px + 6
    top = legend_top + (6 + 21 * _legend_rows(fig) if legend else 0) + 30
    fig.update_layout(
        template="plotly_white", font=FONT, height=height,
        title=dict(text=title, x=0.005, xanchor="left", xref="container", y=1 - 10 / height,
                   yanchor="top", yref="container", font=dict(size=16),
                   subtitle=dict(text=subtitle, font=dict(size=12, color="#555"))),
        margin=dict(l=10, r=20, t=top, b=50),
        legend=dict(orientation="h", xref="container", yref="container", x=0.005, xanchor="left",
                    y=1 - legend_top / height, yanchor="top"),
        showlegend=legend, hoverlabel=dict(namelength=-1))
    return fig


def _legend_rows(fig: go.Figure, width_px: int = 1000) -> int:
    """Rows a horizontal legend will need at about ``width_px`` wide (long sweep-cell labels wrap)."""
    names = list(dict.fromkeys(t.name for t in fig.data if t.name and t.showlegend is not False))
    return max(1, math.ceil(sum(45 + 7 * len(n) for n in names) / width_px))


def _capped(shown: int, total: int, what: str = "series") -> str:
    """Subtitle saying that only part of the data is drawn (empty when all of it is)."""
    return f"showing the first {shown} of {total} {what}" if shown < total else ""


def outcome_figure(series: Sequence[Series], outcomes: Sequence[str] | None = None) -> go.Figure:
    """Probability of each main outcome with its 95% interval, one bar colour per series.

    Horizontal bars keep long outcome names readable; an outcome a series lacks is left empty.
    """
    if not series:
        raise ValueError("outcome_figure needs at least one series")
    shown = list(series[:MAX_LINE_SERIES])
    names = list(outcomes) if outcomes is not None else main_outcomes(shown)
    if not names:
        raise ValueError("outcome_figure: the series have none of the main outcomes "
                         f"({', '.join(HEADLINE_OUTCOMES)}, ...)")
    fig = go.Figure()
    for i, s in enumerate(shown):
        est = [s.outcomes.get(n) for n in names]
        val = [None if e is None else 100 * e.value for e in est]
        plus = [None if e is None else max(0.0, 100 * (e.ci_high - e.value)) for e in est]
        minus = [None if e is None else max(0.0, 100 * (e.value - e.ci_low)) for e in est]
        ci = [["", ""] if e is None else [f"{e.ci_low:.1%}", f"{e.ci_high:.1%}"] for e in est]
        fig.add_bar(y=[_t(n) for n in names], x=val, orientation="h", name=_t(s.label),
                    marker_color=colour(i),
                    error_x=dict(type="data", symmetric=False, array=plus, arrayminus=minus,
                                 color="#333", thickness=1.2, width=3),
                    customdata=ci,
                    hovertemplate="%{y}: %{x:.1f}% [%{customdata[0]}, %{customdata[1]}]<extra>"
                    + _t(s.label) + "</extra>")
    _base_layout(fig, "Outcome probabilities with 95% intervals",
                 height=max(340, 130 + 20 * len(names) * len(shown) + 12 * len(names)),
                 subtitle=_capped(len(shown), len(series)))
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(title="probability (%)", rangemode="tozero", ticksuffix="%")
    fig.update_yaxes(autorange="reversed", automargin=True, ticksuffix="  ")
    return fig


def fan_figure(series: Sequence[Series], start_date: dt.date, rung_names: Sequence[str],
               war_rung: int) -> go.Figure:
    """Escalation level over time: median, 50% and 90% bands, one panel per series with paths."""
    shown, total = fan_series(series)
    if not shown:
        raise ValueError("fan_figure: no series has paths (run with keep_paths)")
    days = shown[0][1].paths.shape[1]  # type: ignore[union-attr]
    x = [d.isoformat() for d in dates(start_date, days)]
    fig = make_subplots(rows=len(shown), cols=1, shared_xaxes=True, vertical_spacing=0.06 / len(shown) + 0.02,
                        subplot_titles=[_t(s.label) for _, s in shown])
    edges = [d.isoformat() for d in step_edges(start_date, days)]
    bands = (("90% of runs", 0, 4, 0.2), ("50% of runs", 1, 3, 0.42))
    for row, (pos, s) in enumerate(shown, start=1):
        q = fan_quantiles(s.paths)  # type: ignore[arg-type]
        c = colour(pos)
        for name, lo, hi, alpha in bands:
            xu, yu = step_xy(edges, q[hi])
            xl, yl = step_xy(edges, q[lo])
            fig.add_scatter(x=xu + xl[::-1], y=yu + yl[::-1], mode="lines", line=dict(width=0),
                            fill="toself", fillcolor=_rgba(c, alpha), name=name, legendgroup=name,
                            showlegend=row == 1, hoverinfo="skip", row=row, col=1)
        xm, ym = step_xy(edges, q[2])
        labels = [_t(rung_label(rung_names, int(v))) for v in ym]
        days_of = [day for day in x for _ in (0, 1)]  # the day each corner belongs to, for hover
        fig.add_scatter(x=xm, y=ym, mode="lines", line=dict(color=c, width=2),
                        name="median", legendgroup="median", showlegend=row == 1,
                        customdata=list(zip(days_of, labels, strict=True)),
                        hovertemplate="%{customdata[0]}: median %{customdata[1]}<extra>" + _t(s.label)
                        + "</extra>", row=row, col=1)
        fig.add_hline(y=war_rung, line=dict(color=WAR_LINE_COLOUR, dash="dash", width=1.5), row=row, col=1)
    fig.add_annotation(text="regional war", x=0, xref="x domain", y=war_rung, yref="y", yanchor="bottom",
                       xanchor="left", showarrow=False, font=dict(color=WAR_LINE_COLOUR, size=11))
    ticks = list(range(-1, len(rung_names)))
    fig.update_yaxes(tickvals=ticks, ticktext=[_t(rung_label(rung_names, r)) for r in ticks],
                     range=[-1.5, len(rung_names) - 0.5], automargin=True, tickfont=dict(size=11),
                     ticksuffix="  ")
    fig.update_xaxes(type="date", range=[edges[0], edges[-1]])
    _base_layout(fig, "Escalation level over time (highest rung between main parties each day)",
                 height=140 + 300 * len(shown), subtitle=_capped(len(shown), total))
    return fig


def incidence_figure(series: Sequence[Series], start_date: dt.date, days: int,
                     outcomes: Sequence[str] = INCIDENCE_OUTCOMES) -> go.Figure:
    """Share of runs in which each event has happened by each day, one curve per series."""
    if not series:
        raise ValueError("incidence_figure needs at least one series")
    shown = list(series[:MAX_LINE_SERIES])
    x = [d.isoformat() for d in dates(start_date, days)]
    fig = make_subplots(rows=1, cols=len(outcomes), shared_yaxes=False, horizontal_spacing=0.08,
                        subplot_titles=[OUTCOME_TITLES.get(o, o) for o in outcomes])
    for col, name in enumerate(outcomes, start=1):
        drawn = False
        for i, s in enumerate(shown):
            if name not in s.event_days or s.runs == 0:
                continue
            y = 100 * cumulative_incidence(s.event_days[name], days)
            fig.add_scatter(x=x, y=y, mode="lines", line=dict(color=colour(i), width=2, shape="hv"),
                            name=_t(s.label), legendgroup=f"s{i}", showlegend=col == 1,
                            hovertemplate="%{x}: %{y:.1f}%<extra>" + _t(s.label) + "</extra>",
                            row=1, col=col)
            drawn = True
        if not drawn:
            fig.add_annotation(text=f"no {name} data", showarrow=False, xref="x domain", yref="y domain",
                               x=0.5, y=0.5, row=1, col=col)
    fig.update_xaxes(type="date")
    fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    fig.update_yaxes(title="runs with the event by this day", col=1)
    _base_layout(fig, "Cumulative incidence", height=430, subtitle=_capped(len(shown), len(series)))
    return fig


def network_figure(actors: dict[str, str], alliances: Sequence[tuple[str, str, str]],
                   hostility: Sequence[tuple[str, str, float]]) -> go.Figure:
    """Who protects whom (blue, labelled) and who is hostile to whom (red arrows, width ~ hostility)."""
    if not actors:
        raise ValueError("network_figure needs at least one actor")
    pos = network_layout(actors, alliances, hostility)
    fig = go.Figure()
    pairs = {(a, b) for a, b, _ in hostility}
    hmax = max((h for _, _, h in hostility), default=1.0) or 1.0
    mids_x: list[float] = []
    mids_y: list[float] = []
    mids_text: list[str] = []
    for a, b, h in hostility:
        (x0, y0), (x1, y1) = directed_offset(pos[a], pos[b], (b, a) in pairs)
        width = 1.0 + 5.0 * h / hmax
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=2, arrowsize=max(0.6, 1.6 / width),
                           arrowwidth=width, arrowcolor=HOSTILITY_COLOUR, opacity=0.85)
        mids_x.append(x0 + 0.55 * (x1 - x0))
        mids_y.append(y0 + 0.55 * (y1 - y0))
        mids_text.append(f"{_t(actors[a])} → {_t(actors[b])}: hostility {h:g}")
    for a, b, kind in alliances:
        (x0, y0), (x1, y1) = directed_offset(pos[a], pos[b], (b, a) in pairs or (a, b) in pairs, gap=-0.035)
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=3,
                           arrowcolor=ALLIANCE_COLOUR)
        fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=_t(kind), showarrow=False,
                           font=dict(color=ALLIANCE_COLOUR, size=12), bgcolor="rgba(255,255,255,0.85)",
                           bordercolor=ALLIANCE_COLOUR, borderwidth=1, borderpad=2)
        mids_x.append((x0 + x1) / 2)
        mids_y.append((y0 + y1) / 2)
        mids_text.append(f"{_t(actors[a])} protects {_t(actors[b])} ({_t(kind)})")
    fig.add_scatter(x=mids_x, y=mids_y, mode="markers", marker=dict(size=14, opacity=0), hoverinfo="text",
                    hovertext=mids_text, showlegend=False)
    ids = list(actors)
    fig.add_scatter(x=[pos[a][0] for a in ids], y=[pos[a][1] for a in ids], mode="markers+text",
                    marker=dict(size=38, color="#34495e", line=dict(color="white", width=2)),
                    text=[_t(a) for a in ids], textfont=dict(color="white", size=11),
                    hovertext=[_t(f"{a}: {actors[a]}") for a in ids], hoverinfo="text", showlegend=False)
    for a in ids:
        fig.add_annotation(x=pos[a][0], y=pos[a][1] - 0.13, text=_t(actors[a]), showarrow=False,
                           yanchor="top", font=dict(size=12, color="#222"), bgcolor="rgba(255,255,255,0.8)",
                           borderpad=1)
    fig.add_scatter(x=[None], y=[None], mode="lines", line=dict(color=ALLIANCE_COLOUR, width=3),
                    name="commitment (protector → protected)")
    fig.add_scatter(x=[None], y=[None], mode="lines", line=dict(color=HOSTILITY_COLOUR, width=3),
                    name="hostility (actor → target; width ∝ value)")
    _base_layout(fig, "Actors, commitments and hostility", height=620)
    fig.update_xaxes(visible=False, range=[-1.45, 1.45])
    fig.update_yaxes(visible=False, range=[-1.3, 1.2], scaleanchor="x", scaleratio=1)
    return fig


def _sweep_x(values: list[Any], offset: float, span: float) -> list[Any]:
    """Numeric x moved aside by ``offset`` x span so points of several policies do not overlap."""
    if not numeric_axis(values):
        return [str(v) for v in values]
    return [float(v) + offset * span for v in values]


def sweep_figure(rows: Sequence[dict[str, Any]], outcomes: Sequence[str] | None = None,
                 max_params: int = 4) -> go.Figure:
    """Main outcomes across a sweep: a heatmap per policy for a full two-parameter grid, otherwise
    each outcome against each swept parameter with 95% intervals, a colour per policy."""
    if not rows:
        raise ValueError("sweep_figure needs at least one sweep row")
    names = list(outcomes) if outcomes is not None else sweep_outcome_names(rows)
    if not sweep_param_names(rows) or not names:
        raise ValueError("sweep_figure: the rows name no swept parameter or no outcome")
    grid = sweep_grid(rows)
    if grid is not None:
        return _sweep_heatmap(rows, names, grid)
    return _sweep_points(rows, names, max_params)


def _sweep_heatmap(rows: Sequence[dict[str, Any]], names: Sequence[str],
                   grid: tuple[str, str, list[Any], list[Any]]) -> go.Figure:
    """One heatmap per (outcome, policy); colours share a scale within an outcome's row."""
    px, py, xs, ys = grid
    policies = list(dict.fromkeys(policy_label(r.get("policy")) for r in rows))
    fig = make_subplots(rows=len(names), cols=len(policies), horizontal_spacing=0.05,
                        vertical_spacing=0.12 / max(1, len(names) - 1) + 0.04 if len(names) > 1 else 0.05,
                        column_titles=[_t(p) for p in policies], row_titles=[_t(n) for n in names])
    xt, yt = [_t(v) for v in xs], [_t(v) for v in ys]
    for ri, name in enumerate(names, start=1):
        ps = [r["outcomes"][name]["p"] for r in rows if name in r["outcomes"]]
        zmax = 100 * max(ps, default=0.0) or 1.0
        for ci, pol in enumerate(policies, start=1):
            z: list[list[float | None]] = [[None] * len(xs) for _ in ys]
            text = [[""] * len(xs) for _ in ys]
            ci_text = [[""] * len(xs) for _ in ys]
            for r in rows:
                o = r["outcomes"].get(name)
                if policy_label(r.get("policy")) != pol or o is None:
                    continue
                i, j = ys.index(r["params"][py]), xs.index(r["params"][px])
                z[i][j] = 100 * o["p"]
                text[i][j] = f"{o['p']:.1%}"
                ci_text[i][j] = f"[{o['ci_low']:.1%}, {o['ci_high']:.1%}]"
            fig.add_heatmap(x=xt, y=yt, z=z, text=text, texttemplate="%{text}", customdata=ci_text,
                            zmin=0, zmax=zmax, colorscale="Reds", showscale=False, xgap=2, ygap=2,
                            hovertemplate=f"{_t(px)} = %{{x}}<br>{_t(py)} = %{{y}}<br>{_t(name)}: "
                            "%{text} %{customdata}<extra>" + _t(pol) + "</extra>", row=ri, col=ci)
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    fig.update_xaxes(title=_t(px), row=len(names))
    fig.update_yaxes(title=_t(py), col=1, row=(len(names) + 1) // 2, automargin=True)
    fig.update_annotations(font_size=12)
    _base_layout(fig, "Outcomes across the sweep grid", height=140 + len(names) * max(190, 80 + 34 * len(ys)),
                 legend=False, subtitle="probability per cell; colours compare within an outcome; "
                 "hover for the 95% interval")
    return fig


def _sweep_points(rows: Sequence[dict[str, Any]], names: Sequence[str], max_params: int) -> go.Figure:
    """Each outcome against each swept parameter; with one parameter, a policy's points are joined."""
    params = sweep_param_names(rows)[:max_params]
    policies = list(dict.fromkeys(policy_label(r.get("policy")) for r in rows))
    fig = make_subplots(rows=len(names), cols=len(params), shared_yaxes=True, shared_xaxes="columns",
                        horizontal_spacing=0.04, vertical_spacing=0.07,
                        column_titles=[_t(p) for p in params], row_titles=[_t(n) for n in names])
    for ci, param in enumerate(params, start=1):
        vals = [r["params"].get(param) for r in rows]
        numeric = numeric_axis([v for v in vals if v is not None])
        finite = [float(v) for v in vals if v is not None] if numeric else []
        span = (max(finite) - min(finite)) if finite else 0.0
        for pi, pol in enumerate(policies):
            sel = [r for r in rows if policy_label(r.get("policy")) == pol and param in r["params"]]
            if len(params) == 1 and numeric:
                sel.sort(key=lambda r, p=param: float(r["params"][p]))
            offset = (pi - (len(policies) - 1) / 2) * 0.012 if len(policies) > 1 else 0.0
            x = _sweep_x([r["params"][param] for r in sel], offset, span)
            hover = ["point " + _t(r.get("point")) + "<br>" + "<br>".join(
                f"{_t(k)} = {_t(v)}" for k, v in r["params"].items()) for r in sel]
            for ri, name in enumerate(names, start=1):
                got = [r["outcomes"].get(name) for r in sel]
                y = [None if o is None else 100 * o["p"] for o in got]
                plus = [None if o is None else max(0.0, 100 * (o["ci_high"] - o["p"])) for o in got]
                minus = [None if o is None else max(0.0, 100 * (o["p"] - o["ci_low"])) for o in got]
                fig.add_scatter(x=x, y=y, mode="lines+markers" if len(params) == 1 else "markers",
                                marker=dict(color=colour(pi), size=8), line=dict(color=colour(pi)),
                                error_y=dict(type="data", symmetric=False, array=plus, arrayminus=minus,
                                             color=colour(pi), thickness=1, width=2),
                                name=_t(pol), legendgroup=pol, showlegend=ri == 1 and ci == 1,
                                hovertext=hover, hovertemplate="%{y:.1f}%<br>%{hovertext}<extra>"
                                + _t(pol) + "</extra>", row=ri, col=ci)
    fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    n_total = len(sweep_param_names(rows))
    _base_layout(fig, "Outcomes across the sweep (95% intervals)", height=160 + 250 * len(names),
                 subtitle=_capped(len(params), n_total, "swept parameters"))
    fig.update_annotations(font_size=12)
    return fig


def _index_groups(indices: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((str(r["outcome"]), str(r["method"])) for r in indices))


_INDEX_BARS = {
    "sobol": (("S1", "S1_conf", "first order S1", "#1f77b4"), ("ST", "ST_conf", "total ST", "#ff7f0e")),
    "morris": (("mu_star", "mu_star_conf", "μ* (mean |effect|)", "#2ca02c"),
               ("sigma", None, "σ (interactions, non-linearity)", "#9467bd")),
}


def index_bars(method: str) -> tuple[tuple[str, str | None, str, str], ...]:
    """(value key, interval key, legend label, colour) of the bars drawn for a method."""
    return _INDEX_BARS[method]


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def sensitivity_figure(indices: Sequence[dict[str, Any]]) -> go.Figure:
    """Sensitivity indices per parameter, one panel per outcome (and method), with 95% intervals."""
    if not indices:
        raise ValueError("sensitivity_figure needs at least one index row")
    groups = _index_groups(indices)
    params_of = {g: list(dict.fromkeys(str(r["param"]) for r in indices
                                       if (str(r["outcome"]), str(r["method"])) == g)) for g in groups}
    panel_px = [50 + 36 * max(1, len(params_of[g])) for g in groups]
    gap_px = 80  # room for a panel's tick labels and the next panel's title
    plot_px = sum(panel_px) + gap_px * (len(groups) - 1)
    fig = make_subplots(rows=len(groups), cols=1, vertical_spacing=gap_px / plot_px if len(groups) > 1 else 0,
                        row_heights=panel_px, subplot_titles=[f"{_t(o)} · {m}" for o, m in groups])
    seen: set[str] = set()
    for row, g in enumerate(groups, start=1):
        rows = {str(r["param"]): r for r in indices if (str(r["outcome"]), str(r["method"])) == g}
        params = params_of[g]
        for key, conf, label, col in index_bars(g[1]):
            x = [_num(rows[p].get(key)) for p in params]
            err = [_num(rows[p].get(conf)) if conf else None for p in params]
            fig.add_bar(y=[_t(p) for p in params], x=x, orientation="h", name=label, marker_color=col,
                        legendgroup=label, showlegend=label not in seen,
                        error_x=dict(type="data", array=err, color="#333", thickness=1.2, width=3,
                                     visible=conf is not None),
                        hovertemplate="%{y}: %{x:.3f}<extra>" + label + "</extra>", row=row, col=1)
            seen.add(label)
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", automargin=True, ticksuffix="  ")
    _base_layout(fig, "Sensitivity of outcomes to parameters", height=plot_px + 150)
    return fig


def difference_figure(differences: Sequence[dict[str, Any]]) -> go.Figure:
    """Paired differences of each policy against the baseline, in percentage points with 95%
    intervals: a dot per policy and outcome, a zero line to judge them against."""
    rows = [r for r in differences if "." not in str(r["outcome"])]
    if not rows:
        raise ValueError("difference_figure needs differences of probability outcomes")
    names = list(dict.fromkeys(str(r["outcome"]) for r in rows))
    policies = list(dict.fromkeys(str(r["policy"]) for r in rows))
    fig = go.Figure()
    for i, pol in enumerate(policies):
        mine = {str(r["outcome"]): r for r in rows if str(r["policy"]) == pol}
        x = [100 * mine[n]["diff"] if n in mine else None for n in names]
        plus = [100 * (mine[n]["ci_high"] - mine[n]["diff"]) if n in mine else None for n in names]
        minus = [100 * (mine[n]["diff"] - mine[n]["ci_low"]) if n in mine else None for n in names]
        fig.add_trace(go.Scatter(
            x=x, y=names, mode="markers", name=f"{pol} − {rows[0]['baseline']}",
            marker=dict(color=colour(i + 1), size=9),
            error_x=dict(type="data", array=plus, arrayminus=minus, thickness=1.5, width=4),
            hovertemplate="%{y}: %{x:+.2f} pp<extra>" + _t(pol) + "</extra>"))
    fig.add_vline(x=0, line=dict(color="#555", width=1))
    fig.update_xaxes(title_text="difference in probability (percentage points)", zeroline=False)
    fig.update_yaxes(autorange="reversed")
    return _base_layout(fig, "Paired differences against the baseline (95% intervals)",
                        120 + 34 * len(names) * max(1, len(policies) // 2 + 1))
