"""History as data: conditioning on real events, the backtest's questions, baselines and scores.

The scores are checked on a hand-made table (tests/data/history) where every forecast is 0 or
1, so the right Brier and log scores are known exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.engine.layout import PD_FORCE
from escalade.engine.run import simulate
from escalade.events import load_events
from escalade.history.backtest import backtest
from escalade.history.condition import condition, injects_before
from escalade.history.scores import CLIP, log_score, reliability, skill
from escalade.scenario.load import load_scenario

DATA = Path(__file__).parent / "data" / "history"
runner = CliRunner()


def quiet():
    sc = load_scenario(str(DATA / "quiet.yaml")).scenario
    return sc, load_events(DATA / "quiet.csv", actors=list(sc.actors), ladder=sc.ladder)


def test_events_before_the_start_are_past_and_a_cut_on_the_start_injects_nothing() -> None:
    sc, table = quiet()
    assert injects_before(sc, table, sc.start_date) == []
    inj = injects_before(sc, table, dt.date(2024, 1, 10))
    assert [(i["day"], i["actor"], i["target"], i["rung"]) for i in inj] == [(3, "AAA", "BBB", 3)]
    per = sc.outcomes.casualties_per_damage  # 2 killed, in damage units
    assert inj[0]["damage"] == pytest.approx(2 / per) and inj[0]["kill_leader"] is False


def test_a_cut_before_the_start_is_a_clear_error() -> None:
    sc, table = quiet()
    with pytest.raises(ValueError, match="before the scenario's start date"):
        condition(sc, table, dt.date(2023, 12, 1), 5)


def test_backtest_scores_are_exact_on_a_hand_made_table() -> None:
    sc, table = quiet()
    rates = {(k, 5): 0.25 for k in ("attack", "strike", "regional_war", "protector_in_combat",
                                    "ceasefire")}
    res = backtest(table, sc, [dt.date(2024, 1, 10)], [5], runs=50, seed=1, base_rates=rates)
    q = {x["question"]: x for x in res.questions}
    # DDD never appears in the table: its questions are skipped, not dropped silently.
    assert all("DDD" in s["question"] for s in res.skipped) and len(res.skipped) == 6 * 2
    assert len(q) == 14  # 6 ordered pairs x (attack, strike) + regional_war + 1 cease-fire pair
    yes = {name for name, x in q.items() if x["outcome"]}
    assert yes == {"attack AAA>BBB", "strike AAA>BBB", "attack BBB>AAA"}
    assert q["attack AAA>BBB"]["forecast"] == 1.0 and q["strike AAA>BBB"]["forecast"] == 1.0
    assert sum(x["forecast"] for x in q.values()) == 2.0  # nobody else can choose force
    n = 14
    assert res.scores["model"]["brier"] == pytest.approx(1 / n)  # only BBB>AAA missed
    assert res.scores["persistence"]["brier"] == pytest.approx(3 / n)  # quiet Jan 5-9: all 0
    assert res.scores["base_rate"]["brier"] == pytest.approx((3 * 0.75**2 + 11 * 0.25**2) / n)
    hit = -math.log(1 - CLIP)
    assert res.scores["model"]["log"] == pytest.approx((-math.log(CLIP) + 13 * hit) / n)
    assert res.skill["persistence"]["brier"]["value"] == pytest.approx(1 - (1 / n) / (3 / n))


def test_persistence_reads_the_scenarios_past() -> None:
    """A cut on the start date: the persistence window (Dec 27-31) holds a row from before the
    scenario began, which must count."""
    sc, table = quiet()
    res = backtest(table, sc, [sc.start_date], [5], runs=20, seed=1,
                   base_rates={(k, 5): 0.5 for k in ("attack", "strike", "regional_war",
                                                      "protector_in_combat", "ceasefire")})
    q = {x["question"]: x for x in res.questions}
    assert q["attack BBB>AAA"]["persistence"] == 1.0
    assert q["attack AAA>BBB"]["persistence"] == 0.0


def test_forced_history_changes_the_forecast(tmp_path: Path) -> None:
    """Conditioning is not decoration: forcing a deadly attack on US forces into the default
    scenario raises the chance that the US answers within a week (otherwise it rarely strikes)."""
    from escalade.events import EventTable

    loaded = load_scenario("levant-2024")
    sc = loaded.scenario
    csv = tmp_path / "blow.csv"
    csv.write_text("date,source,target,cameo,rung,description,killed\n"
                   "2024-08-03,IRN,USA,195,7,a deadly barrage on US forces,30\n")
    blow = load_events(csv, actors=list(sc.actors), ladder=sc.ladder)
    quiet_table = EventTable(label="none", events=())
    cut = dt.date(2024, 8, 5)
    base = condition(sc, quiet_table, cut, 7)
    hit = condition(sc, blow, cut, 7)
    assert len(hit.injects) == 1 and not base.injects
    i, j = hit.compiled.index("USA"), hit.compiled.index("IRN")

    def p_answer(cond) -> np.ndarray:
        raw = simulate(cond.compiled.with_days(cond.cut_day + 6), 400, 3, keep_pair_days=True)
        d = raw.pair_days[:, i, j, PD_FORCE]
        return ((d >= cond.cut_day) & (d <= cond.cut_day + 6)).astype(float)

    a, b = p_answer(base), p_answer(hit)
    diff = b - a
    assert diff.mean() > 3 * diff.std(ddof=1) / math.sqrt(len(diff))


def test_skill_interval_and_reliability() -> None:
    model = np.array([0.0, 0.1, 0.0, 0.2] * 10)
    base = np.array([0.25, 0.25, 0.5, 0.5] * 10)
    s = skill(model, base, groups=["a", "b"] * 20, seed=0)
    assert s["ci_low"] <= s["value"] <= s["ci_high"] and s["value"] > 0
    rows = reliability(np.array([0.05, 0.07, 0.95]), np.array([0, 1, 1]))
    assert rows[0]["count"] == 2 and rows[0]["observed"] == 0.5 and rows[-1]["observed"] == 1.0
    # Forecasts on a bin's lower edge belong to it (0.3 = 300 of 1000 runs), 1.0 to the last.
    rows = reliability(np.array([0.3, 0.6, 0.7, 1.0, 0.1]), np.ones(5))
    assert [r["bin_low"] for r in rows] == [0.1, 0.3, 0.6, 0.7, 0.9]
    assert log_score(np.array([0.0]), np.array([1.0]))[0] == pytest.approx(-math.log(CLIP))


def test_backtest_cli_json_and_skipped(tmp_path: Path) -> None:
    res = runner.invoke(app, ["backtest", str(DATA / "quiet.csv"), "--scenario",
                              str(DATA / "quiet.yaml"), "--cut", "2024-01-10", "--horizon", "5",
                              "--runs", "20", "--results", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    for key in ("questions", "scores", "skipped", "skill", "id"):
        assert key in doc
    q = doc["questions"][0]
    for key in ("question", "kind", "source", "target", "cut", "horizon_days", "forecast",
                "outcome", "base_rate", "persistence"):
        assert key in q
    assert set(doc["scores"]) == {"model", "base_rate", "persistence"}
    assert set(doc["scores"]["model"]) == {"brier", "log"}
    rep = runner.invoke(app, ["report", doc["id"], "--results", str(tmp_path),
                              "--out", str(tmp_path / "bt.html")])
    assert rep.exit_code == 0, rep.output
    page = (tmp_path / "bt.html").read_text()
    assert "reliability" in page.lower() and "attack BBB&gt;AAA" in page


def test_backtest_cli_bad_input_is_a_clear_error() -> None:
    res = runner.invoke(app, ["backtest", str(DATA / "quiet.csv"), "--scenario",
                              str(DATA / "quiet.yaml"), "--cut", "2024-13-01", "--horizon", "5"])
    assert res.exit_code == 2 and "expected an ISO date" in res.output
    res = runner.invoke(app, ["backtest", str(DATA / "quiet.csv"), "--cut", "2024-01-10"])
    assert res.exit_code == 2 and "--scenario" in res.output


def test_replay_cli_timeline_forecast_report_and_pngs(tmp_path: Path) -> None:
    res = runner.invoke(app, ["replay", str(DATA / "quiet.csv"), "--scenario", str(DATA / "quiet.yaml"),
                              "--cut", "2024-01-10", "--horizon", "5", "--runs", "30",
                              "--results", str(tmp_path), "--png", str(tmp_path / "png"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r["line"] for r in doc["timeline"]] == [2, 3, 4, 5, 6]
    fc = doc["forecast"]
    assert len(fc["injected"]) == 1 and fc["injected"][0]["day"] == 3
    assert fc["real_levels"] == [-1, 3, 4, -1, -1]  # Jan 10..14 between the main parties
    assert {p["pair"]: p["model_p"] for p in fc["pairs"]}["AAA>BBB"] == 1.0
    assert {p.name for p in (tmp_path / "png").iterdir()} == {"timeline.png", "forecast.png"}
    rep = runner.invoke(app, ["report", doc["id"], "--results", str(tmp_path),
                              "--out", str(tmp_path / "replay.html")])
    assert rep.exit_code == 0, rep.output
    page = (tmp_path / "replay.html").read_text()
    assert "what happened" in page and "fig-fan" in page and "fig-timeline" in page


def test_backtest_reads_an_icews_export_through_its_profile() -> None:
    res = runner.invoke(app, ["backtest", str(DATA.parent / "events" / "icews_sample.tab"),
                              "--profile", "icews", "--scenario", "levant-2024", "--cut",
                              "2024-08-01", "--horizon", "7", "--runs", "10", "--through",
                              "2024-08-31", "--no-store", "--json"])
    # The sample's events predate levant-2024's start: they are its past (persistence reads
    # them, nothing is injected), and the windows after 1 Aug are answerable through --through.
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["questions"] and all(q["outcome"] == 0 for q in doc["questions"])
    assert all(q["injected"] == 0 for q in doc["questions"])


def test_episodes_cli_lists_the_bundled_episodes() -> None:
    res = runner.invoke(app, ["episodes", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert set(rows) >= {"A", "B", "C", "D", "E", "F"}
    for r in rows.values():
        assert r["events"] >= r["rows"] > 0 and r["end"] <= "2024-07-31"


def test_a_pair_declared_incomplete_is_skipped_not_scored() -> None:
    sc, table = quiet()
    rates = {(k, 5): 0.25 for k in ("attack", "strike", "regional_war", "protector_in_combat",
                                    "ceasefire")}
    res = backtest(table, sc, [dt.date(2024, 1, 10)], [5], runs=20, seed=1, base_rates=rates,
                   incomplete=("BBB>AAA",))
    names = {q["question"] for q in res.questions}
    assert "attack BBB>AAA" not in names and "strike BBB>AAA" not in names
    reasons = {s["question"]: s["reason"] for s in res.skipped}
    assert "declared incomplete" in reasons["attack BBB>AAA"]
    assert res.scores["model"]["brier"] == 0.0  # the model's only miss was on that pair


def test_skill_interval_keeps_draws_where_the_baseline_is_perfect() -> None:
    """Persistence scores exactly 0 on many questions; a bootstrap draw of only those is the
    model's worst case and must widen the interval, not vanish from it."""
    model = np.array([0.05] * 13 + [0.5, 0.5])
    base = np.array([0.0] * 13 + [1.0, 1.0])
    s = skill(model, base, groups=list("abcde") * 3, seed=0)
    assert s["value"] > 0 and s["unbounded_below"] and s["ci_low"] is None


def test_base_rates_leave_out_the_scored_episode_and_those_overlapping_it() -> None:
    from escalade.history import episodes as bundled

    ep = {e.id: e for e in bundled.episodes()}
    d_table, _ = bundled.load(ep["D"])
    # Left out for D: its own events (any copy of the file, whatever its line endings) and every
    # episode in its months that shares two of its actors: C (the same front in July 2024), B
    # (Israel and the US, April 2024) and F (Israel and the US, the Red Sea). Left in: A (2019)
    # and E (in D's months, but it shares only the US).
    with_d = bundled.base_rates(None, (7,))
    without = bundled.base_rates(bundled.fingerprint(d_table), (7,), (d_table.start, ep["D"].end),
                                 d_table.actors)
    assert with_d != without
    answers = bundled._outcomes((7,))
    kept = [a for a in answers if a.episode in ("A", "E") and a.horizon == 7
            and a.kind == "attack"]
    assert without[("attack", 7)] == pytest.approx(
        (sum(a.outcome for a in kept) + 0.5) / (len(kept) + 1))
    # An unusual horizon falls back to the kind's rate over the episodes' own horizons.
    assert bundled.base_rates(None, (1000,))[("attack", 1000)] != 0.5


def test_each_protector_is_asked_about_its_own_combat(tmp_path: Path) -> None:
    raw = (DATA / "quiet.yaml").read_text()
    raw += ("commitments:\n"
            "  - {protector: CCC, protected: AAA, type: informal}\n"
            "  - {protector: AAA, protected: BBB, type: none}\n")
    path = tmp_path / "two.yaml"
    path.write_text(raw)
    sc = load_scenario(str(path)).scenario
    table = load_events(DATA / "quiet.csv", actors=list(sc.actors), ladder=sc.ladder)
    rates = {(k, 5): 0.25 for k in ("attack", "strike", "regional_war", "protector_in_combat",
                                    "ceasefire")}
    res = backtest(table, sc, [dt.date(2024, 1, 10)], [5], runs=20, seed=1, base_rates=rates)
    q = {x["question"]: x for x in res.questions}
    # AAA's scripted strike (rung 4 = combat rung) is not CCC's combat, and AAA's commitment of
    # type none makes it no protector.
    assert q["protector_in_combat CCC"]["forecast"] == 0.0
    assert not any(name == "protector_in_combat AAA" for name in q)


def test_scenario_injects_before_the_cut_give_way_to_history() -> None:
    sc, table = quiet()
    late = condition(sc, table, dt.date(2024, 1, 14), 5)  # day 12 is history now
    day12 = [row for row in late.compiled.INJ if int(row[0]) == 12]
    assert len(day12) == 1  # the real 12 Jan strike only; the scenario's scripted one is gone
    early = condition(sc, table, dt.date(2024, 1, 10), 5)
    assert any(int(row[0]) == 12 for row in early.compiled.INJ)


def test_a_backtest_exports_its_questions(tmp_path: Path) -> None:
    res = runner.invoke(app, ["backtest", str(DATA / "quiet.csv"), "--scenario",
                              str(DATA / "quiet.yaml"), "--cut", "2024-01-10", "--horizon", "5",
                              "--runs", "10", "--results", str(tmp_path), "--json"])
    rid = json.loads(res.stdout)["id"]
    out = tmp_path / "q.csv"
    res = runner.invoke(app, ["results", "export", rid, "--results", str(tmp_path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().splitlines()[0].startswith("result_id,question,kind,source,target")
    res = runner.invoke(app, ["results", "sql", "SELECT count(*) AS n, sum(outcome) AS yes FROM "
                              f"questions WHERE result_id = '{rid}'", "--results", str(tmp_path),
                              "--json"])
    assert res.exit_code == 0, res.output
    assert "14" in res.stdout and "3" in res.stdout  # the hand-made table's 14 questions, 3 yes
    bad = runner.invoke(app, ["results", "export", rid, "--results", str(tmp_path), "--table",
                              "replicates"])
    assert bad.exit_code == 2 and "questions" in bad.output


def test_the_python_api_never_writes_a_report_over_a_folder_or_a_pipe(tmp_path: Path) -> None:
    import os

    import escalade
    from escalade.errors import UserError

    res = runner.invoke(app, ["backtest", str(DATA / "quiet.csv"), "--scenario",
                              str(DATA / "quiet.yaml"), "--cut", "2024-01-10", "--horizon", "5",
                              "--runs", "10", "--results", str(tmp_path), "--json"])
    rid = json.loads(res.stdout)["id"]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for out in (tmp_path, fifo):
        with pytest.raises(UserError, match="--out"):
            escalade.report(rid, out=out, results=str(tmp_path))
    assert fifo.exists() and not fifo.is_file()


def test_the_tables_regional_war_is_counted_as_the_model_counts_it(tmp_path: Path) -> None:
    """Two war days within three: 11 and 13 January make a war, 11 and 15 do not."""
    from escalade.history.questions import Question, observed

    sc = load_scenario(str(DATA / "quiet.yaml"), None,
                       ["outcomes.regional_war.days=2", "outcomes.regional_war.window=3"]).scenario
    q = Question("regional_war", None, None, dt.date(2024, 1, 10), 10)
    for second, war in (("2024-01-13", 1), ("2024-01-15", 0)):
        csv = tmp_path / f"w{second}.csv"
        csv.write_text("date,source,target,cameo,rung,description\n"
                       "2024-01-11,AAA,BBB,192,5,war day\n"
                       f"{second},BBB,AAA,192,5,war day\n")
        table = load_events(csv, actors=list(sc.actors), ladder=sc.ladder)
        assert observed(sc, table, q) == war, second


def test_a_replayed_killing_empties_the_post_that_names_the_person_killed() -> None:
    """Episode A: Soleimani's killing (3 Jan 2020) is forced at Iran's military post, which his
    deputy takes that day; the supreme leader's post is untouched. Al-Muhandis, Kata'ib
    Hezbollah's one post, is killed too; the other attacks name nobody and forbid a kill."""
    from escalade import compile as C
    from escalade.engine import reference
    from escalade.history import episodes

    ep = episodes.find("A")
    assert ep is not None
    table, loaded = episodes.load(ep)
    cond = condition(loaded.scenario, table, dt.date(2020, 1, 5), 7)
    kills = {(i["actor"], i["target"], i["day"]): i.get("post") for i in cond.injects
             if i["kill_leader"]}
    day = (dt.date(2020, 1, 3) - loaded.scenario.start_date).days + 1
    assert kills == {("USA", "IRN", day): "military", ("USA", "KH", day): "head"}
    assert all(i.get("post") is None for i in cond.injects if not i["kill_leader"])
    c = cond.compiled
    irn, head, mil = c.index("IRN"), C.POST_KINDS.index("head"), C.POST_KINDS.index("military")
    res = reference.simulate_replicate(c, 7, trace=True)
    killed = [(e.target, e.post, e.detail) for e in res.events if e.kind == "kill"]
    assert (irn, mil, "Qassem Soleimani killed") in killed
    assert not any(t == irn and k == head for t, k, _ in killed[:2])
    assert any(e.kind == "succession" and e.actor == irn and "Esmail Qaani" in e.detail
               for e in res.events)
