"""The report stage renders real (small) simulations of every result kind into a self-contained
HTML page and valid PNGs, and rejects data it cannot draw with a clear ValueError.

``build_report(kind)`` simulates levant-2024 the way the stored results would have been made, so
the figures are tested on the shapes and values the loader will really hand over; the browser
test reuses it through the ``report_data`` fixture.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from plotly.offline import get_plotlyjs

from escalade import __version__
from escalade.compile import WAR_RUNG, Compiled, compile_scenario
from escalade.engine.layout import DAY_NAMES
from escalade.engine.reference import simulate_replicate
from escalade.engine.rng import replicate_keys
from escalade.engine.run import RawResult, simulate
from escalade.outcomes import Estimate, summarise
from escalade.reports import figures
from escalade.reports.data import (
    MAX_FAN_SERIES,
    ReportData,
    Series,
    cumulative_incidence,
    fan_quantiles,
    main_outcomes,
)
from escalade.reports.html import render_html, write_html
from escalade.reports.png import sweep_png, write_pngs
from escalade.reports.trace import render_trace
from escalade.scenario.load import LoadedScenario, build_scenario, parse_yaml, read_source

KINDS = ("run", "compare", "sweep", "sensitivity")
SCENARIO = "levant-2024"
POLICIES = ("informal", "formal-pact")
RUNS = 300
SEED = 5
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Swept / analysed parameters: cheap to vary and known to move the outcomes.
SWEEP = {"actors.IRN.resolve": (0.5, 0.9), "model.damage_scale": (10, 40)}
BOUNDS = {"actors.IRN.resolve": (0.5, 0.95), "model.damage_scale": (10.0, 40.0)}


@cache
def _parsed() -> tuple[str, str, dict[str, Any]]:
    """The scenario file read and parsed once (YAML parsing is most of the cost of a load)."""
    label, text = read_source(SCENARIO)
    return label, text, parse_yaml(label, text)


@cache
def _simulate(policy: str | None, overrides: tuple[str, ...] = (), runs: int = RUNS,
              keep_paths: bool = True) -> tuple[LoadedScenario, Compiled, RawResult]:
    """load_scenario(SCENARIO, policy, overrides), compile and simulate; cached per cell."""
    loaded = build_scenario(*_parsed(), policy, list(overrides))
    compiled = compile_scenario(loaded.scenario)
    return loaded, compiled, simulate(compiled, runs, SEED, keep_paths=keep_paths)


def series_of(label: str, raw: RawResult, paths: bool = True) -> Series:
    """What the loader hands over for one cell: estimates, first-event days, maybe paths."""
    return Series(label=label, outcomes=summarise(raw).outcomes,
                  event_days={name: raw.days_out[:, k].copy() for k, name in enumerate(DAY_NAMES)},
                  paths=raw.path if paths else None)


def _p(est: Estimate) -> dict[str, float]:
    return {"p": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high}


def _sweep_rows() -> list[dict[str, Any]]:
    """A 2x2 grid crossed with both policies, all cells on one seed (as a stored sweep is)."""
    rows = []
    keys = list(SWEEP)
    grid = [dict(zip(keys, combo, strict=True))
            for combo in np.array(np.meshgrid(*SWEEP.values(), indexing="ij")).reshape(len(keys), -1).T
            .tolist()]
    for point, params in enumerate(grid):
        for policy in POLICIES:
            _, _, raw = _simulate(policy, tuple(f"{k}={v}" for k, v in params.items()), 200, False)
            rows.append({"point": point, "policy": policy, "params": params,
                         "outcomes": {k: _p(v) for k, v in summarise(raw).outcomes.items()}})
    return rows


def _sensitivity_indices() -> list[dict[str, Any]]:
    """Real Sobol and Morris indices from SALib on two parameters (tiny samples: shapes, not science)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(BOUNDS), "names": list(BOUNDS), "bounds": [list(b) for b in BOUNDS.values()]}

    def outputs(x: np.ndarray) -> dict[str, np.ndarray]:
        ys: dict[str, list[float]] = {"regional_war": [], "protector_in_combat": []}
        for row in x:
            over = tuple(f"{k}={float(v):.6g}" for k, v in zip(BOUNDS, row, strict=True))
            _, _, raw = _simulate("informal", over, 60, False)
            out = summarise(raw).outcomes
            for name in ys:
                ys[name].append(out[name].value)
        return {k: np.array(v) for k, v in ys.items()}

    rows: list[dict[str, Any]] = []
    xs = sobol_sample.sample(problem, 8, calc_second_order=False, seed=1)
    for outcome, y in outputs(xs).items():
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=50, seed=1)
        rows += [{"outcome": outcome, "param": p, "method": "sobol", "S1": float(si["S1"][k]),
                  "S1_conf": float(si["S1_conf"][k]), "ST": float(si["ST"][k]),
                  "ST_conf": float(si["ST_conf"][k])} for k, p in enumerate(BOUNDS)]
    xm = morris_sample.sample(problem, 4, num_levels=4, seed=1)
    for outcome, y in outputs(xm).items():
        si = morris_analyze.analyze(problem, xm, y, num_levels=4, num_resamples=50, seed=1)
        rows += [{"outcome": outcome, "param": p, "method": "morris", "mu_star": float(si["mu_star"][k]),
                  "mu_star_conf": float(si["mu_star_conf"][k]), "sigma": float(si["sigma"][k])}
                 for k, p in enumerate(BOUNDS)]
    return rows


@cache
def build_report(kind: str) -> ReportData:
    """ReportData for ``kind`` from real small simulations of levant-2024."""
    loaded, compiled, raw = _simulate(POLICIES[0])
    sc = loaded.scenario
    assert sc.outcomes.regional_war.rung == int(compiled.MI[WAR_RUNG])
    key = int(replicate_keys(SEED, 0, 1)[0])
    trace = render_trace(compiled, simulate_replicate(compiled, key, trace=True))
    series = [series_of(POLICIES[0], raw)]
    sweep_rows = indices = None
    note = ""
    if kind in ("compare", "sweep"):
        series.append(series_of(POLICIES[1], _simulate(POLICIES[1])[2]))
    if kind == "sweep":
        sweep_rows = _sweep_rows()
        note = f"paths re-simulated for the first {RUNS} replicates of each policy at the scenario's values"
    if kind == "sensitivity":
        indices = _sensitivity_indices()
    policies = list(POLICIES) if kind in ("compare", "sweep") else [POLICIES[0]]
    provenance = {
        "id": f"test-{kind}", "scenario": sc.name, "scenario_hash": loaded.hash, "seed": SEED, "runs": RUNS,
        "days": compiled.days, "version": __version__, "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:00:05+00:00", "status": "done", "overrides": [], "policies": policies,
    }
    return ReportData(
        result_id=f"test-{kind}", kind=kind, title=f"{sc.name}: test {kind} report", provenance=provenance,
        start_date=compiled.start_date, days=compiled.days, rung_names=compiled.rung_names,
        war_rung=sc.outcomes.regional_war.rung, series=series,
        actors={aid: a.name for aid, a in sc.actors.items()},
        alliances=[(c.protector, c.protected, c.type) for c in sc.commitments],
        hostility=[(r.actor, r.target, r.hostility) for r in sc.relations if r.hostility > 0],
        trace_lines=trace, trace_label=f"policy {POLICIES[0]} · seed {SEED} · replicate 0",
        sweep_rows=sweep_rows, indices=indices, paths_note=note,
    )


@pytest.fixture(scope="session")
def report_data() -> Callable[[str], ReportData]:
    """The builder (cached per kind), shared with the browser test."""
    return build_report


@pytest.fixture(scope="module")
def pages(report_data: Callable[[str], ReportData]) -> dict[str, str]:
    return {kind: render_html(report_data(kind)) for kind in KINDS}


# --- HTML ---------------------------------------------------------------------------------------

COMMON_SECTIONS = ("provenance", "outcomes", "fan", "incidence", "network", "trace")


@pytest.mark.parametrize("kind", KINDS)
def test_page_has_the_sections_of_its_kind(pages: dict[str, str], kind: str) -> None:
    page = pages[kind]
    for sid in COMMON_SECTIONS:
        assert f'<section id="{sid}">' in page, sid
        if sid != "provenance" and sid != "trace":
            assert f'id="fig-{sid}"' in page, sid
    assert ('<section id="sweep">' in page) == (kind == "sweep")
    assert ('<section id="sensitivity">' in page) == (kind == "sensitivity")
    assert f"escalade {__version__}" in page
    assert '<pre class="trace">' in page and "Day " in page
    assert "scenario_hash" in page and "test-" + kind in page
    assert page.count('<p class="how">') >= len(COMMON_SECTIONS) - 1


def test_sweep_page_has_a_table_row_per_cell(pages: dict[str, str]) -> None:
    sweep = pages["sweep"].split('<section id="sweep">')[1].split("</section>")[0]
    assert 'id="fig-sweep"' in sweep
    assert sweep.count("<tr>") == 1 + len(build_report("sweep").sweep_rows or [])
    assert "actors.IRN.resolve" in sweep and "formal-pact" in sweep


def test_sensitivity_page_lists_every_index(pages: dict[str, str]) -> None:
    sens = pages["sensitivity"].split('<section id="sensitivity">')[1].split("</section>")[0]
    assert 'id="fig-sensitivity"' in sens
    assert sens.count("<tr>") == 1 + len(build_report("sensitivity").indices or [])
    assert "sobol" in sens and "morris" in sens and "mu_star" in sens and "ST_conf" in sens


def test_paths_note_is_shown_under_the_fan_chart(pages: dict[str, str]) -> None:
    fan = pages["sweep"].split('<section id="fan">')[1].split("</section>")[0]
    assert "paths re-simulated" in fan


@pytest.mark.parametrize("kind", KINDS)
def test_page_references_no_external_resource(pages: dict[str, str], kind: str) -> None:
    # plotly.js itself holds URL strings in its code; what matters is the markup around it.
    page = pages[kind].replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<(link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(href|src|data)\s*="
                         r"\s*[\"']?\s*(https?:)?//", page, re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(https?:)?//", page, re.I)
    assert not re.search(r"@import", page, re.I)
    assert "cdn.plot.ly" not in page and "fonts.googleapis" not in page


@pytest.mark.parametrize("kind", KINDS)
def test_plotly_js_is_inlined_exactly_once(pages: dict[str, str], kind: str) -> None:
    js = get_plotlyjs()
    page = pages[kind]
    assert page.count(js[:400]) == 1
    assert page.count(js[len(js) // 2 : len(js) // 2 + 400]) == 1
    assert page.count("Plotly.newPlot(") >= 4


def test_text_from_data_is_escaped() -> None:
    evil = "<script>alert('x')</script>"
    d = dataclasses.replace(build_report("run"), title=evil, trace_lines=[evil], trace_label=evil,
                            provenance={"note": evil}, paths_note=evil,
                            series=[dataclasses.replace(build_report("run").series[0], label=evil)])
    page = render_html(d)
    assert evil not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_same_data_gives_the_same_page() -> None:
    d = build_report("compare")
    assert render_html(d) == render_html(d)


def test_write_html_is_atomic_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.html"
    target.parent.mkdir()
    target.write_text("old")
    assert write_html(build_report("run"), target) == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp file left behind


# --- PNG ----------------------------------------------------------------------------------------

EXPECTED_PNGS = {
    "run": {"outcomes.png", "fan.png", "incidence.png", "network.png"},
    "compare": {"outcomes.png", "fan.png", "incidence.png", "network.png"},
    "sweep": {"sweep.png", "outcomes.png", "fan.png", "incidence.png", "network.png"},
    "sensitivity": {"sensitivity.png", "outcomes.png", "fan.png", "incidence.png", "network.png"},
}


@pytest.mark.parametrize("kind", ["run", "sweep", "sensitivity"])  # compare draws as run, 2 series
def test_pngs_are_written_and_valid(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "figs"
    paths = write_pngs(build_report(kind), out)
    assert {p.name for p in paths} == EXPECTED_PNGS[kind]
    assert {p.name for p in out.iterdir()} == EXPECTED_PNGS[kind]  # nothing else, no temp files
    for p in paths:
        data = p.read_bytes()
        assert data[:8] == PNG_MAGIC, p
        assert len(data) > 5_000, p
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 600 and height >= 300, (p, width, height)


def test_no_fan_png_without_paths(tmp_path: Path) -> None:
    d = build_report("run")
    d = dataclasses.replace(d, series=[dataclasses.replace(d.series[0], paths=None)])
    names = {p.name for p in write_pngs(d, tmp_path)}
    assert "fan.png" not in names and "outcomes.png" in names
    assert 'id="fig-fan"' not in render_html(d)


# --- derived numbers and figure builders ------------------------------------------------------

def test_cumulative_incidence_counts_first_days() -> None:
    days = np.array([-1, 1, 3, 3, 10, -1, 2, 5])
    got = cumulative_incidence(days, 5)
    np.testing.assert_allclose(got, np.array([1, 2, 4, 4, 5]) / 8)


def test_fan_quantiles_are_observed_rungs() -> None:
    paths = np.array([[0, 1], [2, 3], [4, 5], [6, 7]], dtype=np.int8)
    q = fan_quantiles(paths)
    assert q.shape == (5, 2)
    assert set(np.unique(q[:, 0])) <= {0, 2, 4, 6}


def test_main_outcomes_order_and_horizons() -> None:
    s = build_report("run").series[0]
    names = main_outcomes([s])
    assert names[:8] == ["regional_war", "protector_in_combat", "ceasefire_reached", "ceasefire",
                         "hostages_returned", "protector_defending", "protector_entrapped",
                         "protector_own"]
    assert names[8:] == ["regional_war_30d", "regional_war_90d"]


def test_fan_figure_says_when_series_are_capped() -> None:
    d = build_report("compare")
    many = [dataclasses.replace(d.series[k % 2], label=f"cell {k}") for k in range(MAX_FAN_SERIES + 2)]
    fig = figures.fan_figure(many, d.start_date, d.rung_names, d.war_rung)
    assert f"first {MAX_FAN_SERIES} of {MAX_FAN_SERIES + 2}" in fig.layout.title.subtitle.text
    assert len(fig.layout.annotations) >= MAX_FAN_SERIES  # one subplot title each


def test_network_figure_draws_every_edge() -> None:
    d = build_report("run")
    fig = figures.network_figure(d.actors, d.alliances, d.hostility)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == len(d.hostility) + len(d.alliances)
    assert any(a.text == "informal" for a in fig.layout.annotations)


# --- bad input ----------------------------------------------------------------------------------

def _bad(**changes: Any) -> Callable[[], ReportData]:
    return lambda: dataclasses.replace(build_report("run"), **changes)


@pytest.mark.parametrize(("make", "message"), [
    (_bad(series=[]), "series is empty"),
    (_bad(kind="poster"), "kind must be one of"),
    (_bad(war_rung=99), "war_rung 99"),
    (_bad(days=90), "paths have 180 days"),
    (_bad(rung_names=()), "rung_names is empty"),
    (_bad(kind="sweep"), "sweep_rows"),
    (_bad(kind="sensitivity"), "indices"),
    (_bad(hostility=[("ISR", "XXX", 1.0)]), "both actors"),
    (_bad(hostility=[("ISR", "HAM", float("nan"))]), "finite number"),
    (_bad(start_date="2024-08-01"), "datetime.date"),
])
def test_bad_report_data_raises_a_clear_value_error(make: Callable[[], ReportData], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_bad_series_raises_a_clear_value_error() -> None:
    est = {"regional_war": Estimate(0.1, 0.05, 0.15)}
    with pytest.raises(ValueError, match="1-D integer"):
        Series("x", est, {"regional_war": np.zeros((2, 2), dtype=int)})
    with pytest.raises(ValueError, match="differ in length"):
        Series("x", est, {"regional_war": np.zeros(3, dtype=int), "ceasefire": np.zeros(4, dtype=int)})
    with pytest.raises(ValueError, match="Estimate"):
        Series("x", {"regional_war": 0.1}, {})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="non-empty string"):
        Series("", est, {})
    with pytest.raises(ValueError, match="paths"):
        Series("x", est, {}, paths=np.zeros(5, dtype=np.int8))


def test_figure_builders_reject_empty_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        figures.outcome_figure([])
    with pytest.raises(ValueError, match="no series has paths"):
        figures.fan_figure([dataclasses.replace(build_report("run").series[0], paths=None)],
                           dt.date(2024, 8, 1), ("a", "b"), 1)
    with pytest.raises(ValueError, match="at least one"):
        figures.sweep_figure([])
    with pytest.raises(ValueError, match="at least one"):
        figures.sensitivity_figure([])


def test_sweep_figure_falls_back_to_points_for_non_grids() -> None:
    """One parameter, a Latin hypercube, or an incomplete grid: points per parameter, not a heatmap."""
    rows = build_report("sweep").sweep_rows or []
    one = [dict(r, params={"actors.IRN.resolve": r["params"]["actors.IRN.resolve"]}) for r in rows
           if r["params"]["model.damage_scale"] == 10]
    partial = rows[:-1]
    for variant in (one, partial):
        fig = figures.sweep_figure(variant)
        assert {t.type for t in fig.data} == {"scatter"}
        mpl = sweep_png(variant)
        assert not any(ax.images for ax in mpl.axes)  # error bars, no heatmap image
    assert {t.type for t in figures.sweep_figure(rows).data} == {"heatmap"}
