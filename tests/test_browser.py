"""Each kind of report opens in a real headless chromium with no error, no network request, and
every plotly figure drawn; a screenshot of each lands in test-artifacts/ for people to look at.

The pages are made the way a user makes them: each kind of result is run and stored through the
CLI, then ``escalade report ID --png DIR`` writes the page and the PNG figures.

Skipped when no chromium is installed, unless ESCALADE_REQUIRE_BROWSER=1 (CI with a browser),
where a missing browser is a failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app

from .browser import Chromium, chromium_path, require_browser

KINDS = ("run", "compare", "sweep", "sensitivity", "backtest", "replay")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def browser_ready() -> None:
    """Skip (or fail when a browser is required) unless chromium and playwright are usable."""
    missing = None
    if chromium_path() is None:
        missing = "chromium not found (install Debian's chromium, or set PATH)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright Python package is not installed"
    if missing:
        if require_browser():
            pytest.fail(f"ESCALADE_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


COMMANDS = {
    "run": ["run", "--runs", "300", "--days", "90", "--keep-paths"],
    "compare": ["compare", "-p", "informal", "-p", "formal-pact", "--runs", "300", "--days", "90"],
    "sweep": ["sweep", "--grid", "actors.ISR.retaliation_multiplier=1,2", "--grid",
              "actors.IRN.resolve=0.6,0.9", "--runs", "200", "--days", "90"],
    "sensitivity": ["sensitivity", "--param", "actors.IRN.resolve=0.5:0.9", "--param",
                    "relations.ISR>HEZ.hostility=0.3:0.6", "--samples", "4", "--runs", "100",
                    "--days", "90"],
    "backtest": ["backtest", "B", "--runs", "100"],
    "replay": ["replay", "A", "--cut", "2020-01-04", "--horizon", "30", "--runs", "200"],
}


@pytest.fixture(scope="module")
def stored_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Per kind: the HTML page and the PNG folder that ``escalade report`` wrote for a stored result."""
    folder = tmp_path_factory.mktemp("stored")
    runner = CliRunner()
    made = {}
    for kind in KINDS:
        res = runner.invoke(app, [*COMMANDS[kind], "--json", "--results", str(folder)])
        assert res.exit_code == 0, res.output
        rid = json.loads(res.stdout)["id"]
        html, pngs = folder / f"report-{kind}.html", folder / f"png-{kind}"
        res = runner.invoke(app, ["report", rid, "--out", str(html), "--png", str(pngs),
                                  "--results", str(folder)])
        assert res.exit_code == 0, res.output
        made[kind] = (html, pngs)
    return made


def test_report_command_writes_the_figures_of_each_kind(stored_reports: dict[str, tuple[Path, Path]]
                                                        ) -> None:
    expected = {"run": {"outcomes", "fan", "incidence", "network"},
                "compare": {"outcomes", "differences", "fan", "incidence", "network"},
                "sweep": {"outcomes", "fan", "incidence", "network", "sweep"},
                "sensitivity": {"outcomes", "fan", "incidence", "network", "sensitivity"},
                "backtest": {"reliability"}, "replay": {"timeline", "forecast"}}
    for kind, (html, pngs) in stored_reports.items():
        assert {p.stem for p in pngs.glob("*.png")} == expected[kind], kind
        text = html.read_text(encoding="utf-8")
        if kind in ("backtest", "replay"):  # history pages: questions, or the timeline
            assert ("Reliability" if kind == "backtest" else "Timeline") in text
        else:
            assert "Sample replicate" in text or "sample replicate" in text.lower()


@pytest.fixture(scope="module")
def chromium(browser_ready: None) -> Iterator[Chromium]:
    """One browser for all pages (launching costs about a second each)."""
    with Chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def rendered(chromium: Chromium, stored_reports: dict[str, tuple[Path, Path]]) -> dict[str, list[str]]:
    """Errors per kind; the pages load side by side to keep the module well under 30 s."""
    jobs = [(stored_reports[kind][0], ARTIFACTS / f"report-{kind}.png") for kind in KINDS]
    return dict(zip(KINDS, chromium.open_pages(jobs), strict=True))


@pytest.mark.parametrize("kind", KINDS)
def test_report_renders_in_chromium_offline(rendered: dict[str, list[str]], kind: str) -> None:
    errors = rendered[kind]
    assert errors == [], "\n".join(errors)
    shot = ARTIFACTS / f"report-{kind}.png"
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_harness_reports_errors_and_external_requests(chromium: Chromium, tmp_path: Path) -> None:
    """The harness itself catches what it must: a console error, a thrown error, a fetch."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>'
                    '<div class="plotly plotly-graph-div"><svg class="main-svg"></svg></div>'
                    '<img src="http://example.invalid/x.png">'
                    '<script>console.error("boom"); throw new Error("bang");</script></body></html>')
    text = "\n".join(chromium.open_page(page, tmp_path / "bad.png"))
    assert "boom" in text and "bang" in text
    assert "external request: http://example.invalid/x.png" in text
