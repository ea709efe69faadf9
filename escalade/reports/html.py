"""One self-contained HTML page per result: it opens offline, from a mail attachment or a USB stick.

Nothing is fetched: plotly's JavaScript is inlined once in the page head and every figure is a
``<div>`` plus a small script that calls it; styles are inline and use system fonts; no image,
font or script is referenced by URL. All text from data is escaped with ``html.escape``.
Figure divs get fixed ids, so the same data always gives the same page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from escalade import __version__
from escalade.reports import figures
from escalade.reports.data import (
    MAX_LINE_SERIES,
    ReportData,
    Series,
    atomic_write_bytes,
    fan_series,
    main_outcomes,
    sweep_outcome_names,
    sweep_param_names,
)

# One line per figure telling a reader what they are looking at and what not to conclude.
HOW_TO_READ = {
    "outcomes": "Each bar is the share of simulated runs in which the outcome happened within the "
    "simulated period; the whisker is its 95% interval. Overlapping whiskers do not rule out a "
    "difference: policies share random numbers, so paired differences are tighter than these.",
    "fan": "The line is the median, over runs, of the highest escalation rung used between two main "
    "parties on each day; the dark band holds the middle 50% of runs and the light band 90%. Runs "
    "above the dashed line are at regional-war level that day.",
    "incidence": "Each curve rises on the days when more runs reach the event for the first time; its "
    "value on a date is the share of runs in which the event has happened by then.",
    "network": "Blue arrows are security commitments, from protector to protected, labelled with "
    "their type. Red arrows show who is hostile to whom; thicker means more hostile (war aims).",
    "sweep": "For a full two-parameter grid, each cell is the probability of the outcome at those "
    "two values, one panel per policy (colours compare within an outcome's row; hover for the 95% "
    "interval). Otherwise each point is one sweep cell with its 95% interval, drawn against each "
    "swept parameter; points above one value differ in the other parameters (hover for them).",
    "sensitivity": "Longer bars mean the outcome depends more on that parameter. Sobol: S1 is the "
    "share of variance the parameter explains alone, ST including its interactions. Morris: μ* is "
    "the mean absolute effect of a step, σ large relative to μ* signals interactions or non-linearity. "
    "In the table, _conf is the 95% half-width from the sample points and _noise the half-width the "
    "points' own Monte Carlo noise adds; an index smaller than its noise is not distinguishable from 0.",
    "differences": "Each dot is a policy's effect against the baseline: the mean over replicates of "
    "the difference between the two, replicate by replicate (both met the same random numbers). "
    "An interval that excludes 0 is a difference the Monte Carlo noise does not explain.",
    "trace": "One replicate told day by day: it shows a mechanism at work, not what is likely.",
}
KIND_NAMES = {"run": "single run", "compare": "policy comparison", "sweep": "parameter sweep",
              "sensitivity": "sensitivity analysis"}

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; color: #1d2731; background: #f6f7f9; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 1.2rem 1.5rem 2rem; }
header.page { background: #1d2731; color: #fff; padding: 1.2rem 1.5rem; }
header.page h1 { margin: 0 0 .3rem; font-size: 1.6rem; }
header.page p { margin: 0; opacity: .85; }
nav { font-size: .92rem; margin: .8rem 0 0; }
nav a { color: #cfe3ff; margin-right: 1rem; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 1rem 1.2rem;
          margin: 1.2rem 0; }
h2 { margin: 0 0 .4rem; font-size: 1.25rem; }
p.how { margin: 0 0 .6rem; color: #4a5561; font-size: .93rem; }
p.note { color: #6a5000; background: #fff8e1; padding: .3rem .6rem; border-radius: 4px; font-size: .9rem; }
table { border-collapse: collapse; font-size: .9rem; margin: .4rem 0; }
th, td { border-bottom: 1px solid #e4e7eb; padding: .25rem .7rem .25rem 0; text-align: left;
         vertical-align: top; }
td.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
th { font-weight: 600; }
.scroll { overflow-x: auto; max-height: 32rem; overflow-y: auto; }
pre.trace { background: #f3f4f6; padding: .8rem; max-height: 30rem; overflow: auto; font-size: .85rem;
            font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
footer { text-align: center; color: #6b7580; font-size: .85rem; padding: 1rem; }
.figure { width: 100%; }
"""


@cache
def _plotly_js() -> str:
    """plotly.js as shipped with the installed plotly (about 4.8 MB), read once per process."""
    js = get_plotlyjs()
    if "</script" in js.lower():  # would end the inline <script> early; never true for plotly.js
        raise RuntimeError("plotly.js contains '</script' and cannot be inlined")
    return js


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _pct(est: Any) -> str:
    return f"{est.value:.1%} [{est.ci_low:.1%}, {est.ci_high:.1%}]"


def _p_dict(o: dict[str, Any] | None) -> str:
    if not o:
        return "–"
    return f"{o['p']:.1%} [{o['ci_low']:.1%}, {o['ci_high']:.1%}]"


def _value(v: Any) -> str:
    if v is None or v == "":
        return "–"
    if isinstance(v, dict | list | tuple):
        return json.dumps(v, default=str, ensure_ascii=False)
    return str(v)


def _figure_div(fig: go.Figure, name: str, result_id: str) -> str:
    """The figure as a div and a script; plotly's JSON already escapes '<' and '/'."""
    config = {"displaylogo": False, "responsive": True,
              "toImageButtonOptions": {"format": "png", "scale": 2, "filename": f"{result_id}-{name}"}}
    height = fig.layout.height or 450
    return ('<div class="figure">'
            + fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{name}", config=config,
                          default_width="100%", default_height=f"{height}px")
            + "</div>")


def _section(sid: str, title: str, body: str, how: str | None = None) -> str:
    how_html = f'<p class="how">{_e(how)}</p>' if how else ""
    return f'<section id="{sid}">\n<h2>{_e(title)}</h2>\n{how_html}\n{body}\n</section>'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], num_from: int = 1) -> str:
    """A table from already-formatted cells, escaped here; columns from ``num_from`` are numbers."""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_e(c)}</td>' if k >= num_from else f"<td>{_e(c)}</td>"
                         for k, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<div class="scroll"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'


def _provenance(d: ReportData) -> str:
    rows = [(str(k), _value(v)) for k, v in d.provenance.items()]
    rows.insert(0, ("result", d.result_id))
    rows += [("start date", d.start_date.isoformat()), ("days simulated", str(d.days))]
    return _table(("field", "value"), rows, num_from=99)


def _outcome_table(series: Sequence[Series]) -> str:
    shown = list(series[:MAX_LINE_SERIES])
    names = main_outcomes(shown)
    rows = [[n, *(_pct(s.outcomes[n]) if n in s.outcomes else "–" for s in shown)] for n in names]
    return _table(("outcome", *(s.label for s in shown)), rows)


def _sweep_table(rows: Sequence[dict[str, Any]]) -> str:
    params = sweep_param_names(rows)
    outs = sweep_outcome_names(rows)
    body = [[str(r.get("point", "")), "–" if r.get("policy") is None else str(r["policy"]),
             *(_value(r["params"].get(p)) for p in params),
             *(_p_dict(r["outcomes"].get(o)) for o in outs)] for r in rows]
    return _table(("point", "policy", *params, *outs), body, num_from=2)


def _fmt_num(v: Any) -> str:
    try:
        return f"{float(v):.3f}"
    except (TypeError, ValueError):
        return "–"


def _indices_table(indices: Sequence[dict[str, Any]]) -> str:
    keys = [k for k in ("S1", "S1_conf", "S1_noise", "ST", "ST_conf", "ST_noise", "mu_star", "mu_star_conf",
                        "mu_star_noise", "sigma", "mu")
            if any(k in r for r in indices)]
    body = [[str(r["outcome"]), str(r["param"]), str(r["method"]), *(_fmt_num(r.get(k)) for k in keys)]
            for r in indices]
    return _table(("outcome", "parameter", "method", *keys), body, num_from=3)


def _differences_table(rows: Sequence[dict[str, Any]]) -> str:
    def fmt(r: dict[str, Any]) -> str:
        if "." in str(r["outcome"]):  # an actor mean, in its own units
            return f"{r['diff']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]"
        return f"{100 * r['diff']:+.1f} pp [{100 * r['ci_low']:+.1f}, {100 * r['ci_high']:+.1f}]"

    body = [[str(r["outcome"]), f"{r['policy']} − {r['baseline']}", fmt(r)] for r in rows]
    return _table(("outcome", "policies", "paired difference [95% CI]"), body, num_from=2)


def render_html(data: ReportData) -> str:
    """The whole report page as a string (about 5 MB, nearly all of it plotly.js)."""
    d = data
    rid = d.result_id
    parts: list[tuple[str, str, str]] = []  # (id, nav label, html)

    parts.append(("provenance", "Provenance", _section("provenance", "Provenance", _provenance(d))))
    if d.kind == "sweep" and d.sweep_rows:
        body = _figure_div(figures.sweep_figure(d.sweep_rows), "sweep", rid) + _sweep_table(d.sweep_rows)
        parts.append(("sweep", "Sweep", _section("sweep", "Outcomes across the sweep", body,
                                                 HOW_TO_READ["sweep"])))
    if d.kind == "sensitivity" and d.indices:
        body = _figure_div(figures.sensitivity_figure(d.indices), "sensitivity", rid)
        body += _indices_table(d.indices)
        parts.append(("sensitivity", "Sensitivity", _section("sensitivity", "Sensitivity indices", body,
                                                             HOW_TO_READ["sensitivity"])))
    if main_outcomes(d.series):
        body = _figure_div(figures.outcome_figure(d.series), "outcomes", rid) + _outcome_table(d.series)
        parts.append(("outcomes", "Outcomes", _section("outcomes", "Outcome probabilities", body,
                                                       HOW_TO_READ["outcomes"])))
    if d.differences:
        fig_rows = [r for r in d.differences if "." not in str(r["outcome"])]
        body = _figure_div(figures.difference_figure(fig_rows), "differences", rid) if fig_rows else ""
        body += _differences_table(d.differences)
        parts.append(("differences", "Differences", _section(
            "differences", "Paired differences between policies", body, HOW_TO_READ["differences"])))
    if fan_series(d.series)[0]:
        body = _figure_div(figures.fan_figure(d.series, d.start_date, d.rung_names, d.war_rung), "fan", rid)
        if d.paths_note:
            body += f'<p class="note">{_e(d.paths_note)}</p>'
        parts.append(("fan", "Escalation", _section("fan", "Escalation over time", body, HOW_TO_READ["fan"])))
    body = _figure_div(figures.incidence_figure(d.series, d.start_date, d.days), "incidence", rid)
    parts.append(("incidence", "Incidence", _section("incidence", "When events happen", body,
                                                     HOW_TO_READ["incidence"])))
    if d.actors:
        body = _figure_div(figures.network_figure(d.actors, d.alliances, d.hostility), "network", rid)
        parts.append(("network", "Actors", _section("network", "Actors and commitments", body,
                                                    HOW_TO_READ["network"])))
    label = f"<p><strong>{_e(d.trace_label)}</strong></p>" if d.trace_label else ""
    text = "\n".join(d.trace_lines) if d.trace_lines else "(no trace stored for this result)"
    parts.append(("trace", "Sample trace", _section(
        "trace", "A sample replicate", f'{label}<pre class="trace">{_e(text)}</pre>', HOW_TO_READ["trace"])))

    nav = " ".join(f'<a href="#{sid}">{_e(lbl)}</a>' for sid, lbl, _ in parts)
    subtitle = f"{KIND_NAMES.get(d.kind, d.kind)} · result {rid}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # stops the browser asking for /favicon.ico
        f"<title>{_e(d.title)}</title>",
        f"<style>{_CSS}</style>",
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>",
        f'<script type="text/javascript">{_plotly_js()}</script>',
        "</head>",
        "<body>",
        f'<header class="page"><h1>{_e(d.title)}</h1><p>{_e(subtitle)}</p><nav>{nav}</nav></header>',
        "<main>",
        *(h for _, _, h in parts),
        "</main>",
        f"<footer>Generated by escalade {_e(__version__)} · result {_e(rid)} · "
        "figures drawn with plotly, offline</footer>",
        "</body>",
        "</html>",
        "",
    ])


def write_html(data: ReportData, path: Path) -> Path:
    """Render and write the page atomically (temp file in the same folder, then ``os.replace``)."""
    return atomic_write_bytes(Path(path), render_html(data).encode("utf-8"))
