"""Checks specific to episodes C (July 2024), D (the Lebanon front) and F (the Red Sea).

tests/test_episodes.py checks every index entry alike; these check what the record says about
these three: the killings C must carry, D's near-daily fire both ways (quiet in the Gaza truce),
F's shipping actor and US campaign, and that nothing is coded after 31 July 2024.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

events = pytest.importorskip("escalade.events")

from escalade.scenario.load import load_scenario, validate_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "escalade" / "events" / "episodes"
CUTOFF = dt.date(2024, 7, 31)      # EPISODES.md: later events are held out; never coded
EPISODES = {
    "C": ("C-july-2024.csv", "episode-c-july-2024"),
    "D": ("D-lebanon-front.csv", "episode-d-lebanon-front"),
    "F": ("F-red-sea.csv", "episode-f-red-sea"),
}


def _load(key: str):
    csv_name, scenario_name = EPISODES[key]
    scenario = load_scenario(scenario_name).scenario
    table = events.load_events(FOLDER / csv_name, actors=scenario.actors, ladder=scenario.ladder)
    return table, scenario


def _days(table, source: str, target: str, min_rung: int = 3) -> set[dt.date]:
    return {e.date for e in table.events
            if e.source == source and e.target == target and (e.rung or 0) >= min_rung}


@pytest.mark.parametrize("key", sorted(EPISODES))
def test_table_fits_its_scenario_and_the_cutoff(key):
    table, scenario = _load(key)
    assert table.start == scenario.start_date, "the opening blow is on the start date"
    assert table.end <= CUTOFF
    assert all(e.citation.strip() for e in table.events), "every row names its source"
    assert all(e.rung is not None for e in table.events), "every event sits on the ladder"
    assert scenario.start_date + dt.timedelta(days=scenario.days - 1) >= table.end + dt.timedelta(days=90)


@pytest.mark.parametrize("key", sorted(EPISODES))
def test_scenario_validates_and_shares_levant_ladder(key):
    name = EPISODES[key][1]
    assert validate_file(name)
    ladder = load_scenario(name).scenario.ladder
    assert ladder == load_scenario("levant-2024").scenario.ladder, "one ladder across scenarios"


def test_july_killings_name_their_leaders_and_deif_is_only_targeted():
    table, _ = _load("C")
    killed = {e.leader: e for e in table.events if e.leader}
    for name, day in (("Rafa Salama", "2024-07-13"), ("Fuad Shukr", "2024-07-30"),
                      ("Ismail Haniyeh", "2024-07-31"), ("Mohammed Nasser", "2024-07-03")):
        e = killed[name]
        assert (e.date.isoformat(), e.source, e.rung, e.cameo) == (day, "ISR", 5, "186")
    assert not any("Deif" in e.leader for e in table.events), "Deif's death was confirmed on 1 Aug"
    vows = [e for e in table.events if e.source == "IRN" and e.cameo == "138"]
    assert [(e.date.isoformat(), e.rung) for e in vows] == [("2024-07-31", 1)]


def test_lebanon_front_fires_near_daily_both_ways_except_in_the_gaza_truce():
    table, _ = _load("D")
    truce = {dt.date(2023, 11, 24) + dt.timedelta(days=k) for k in range(7)}
    span = {dt.date(2023, 10, 8) + dt.timedelta(days=k) for k in range(298)} - truce
    for source, target in (("HEZ", "ISR"), ("ISR", "HEZ")):
        days = _days(table, source, target)
        assert days >= span, f"{source}>{target} fire on every day of the front outside the truce"
        assert not days & truce
    # each senior commander killed is answered within two days by a larger barrage (rung 4)
    for killing in ("Taleb Abdallah", "Mohammed Nasser"):
        day = next(e.date for e in table.events if e.leader == killing)
        replies = [e for e in table.events if e.source == "HEZ" and e.rung == 4
                   and 0 < (e.date - day).days <= 2]
        assert replies and all(e.launched and e.launched >= 150 for e in replies)


def test_red_sea_has_shipping_under_us_protection_and_a_near_daily_us_campaign():
    table, scenario = _load("F")
    ship = scenario.actors["SHP"]
    assert ship.capability <= 0.05 and ship.resolve <= 0.05
    assert not [r for r in scenario.relations if r.actor == "SHP"], "shipping fights no one"
    assert {(c.protector, c.protected) for c in scenario.commitments} >= {("USA", "SHP")}
    assert any(e.cameo == "074" and e.date == dt.date(2023, 12, 18) for e in table.events)
    first = table.events[0]
    assert (first.source, first.target, first.cameo) == ("HOU", "SHP", "181")
    us = _days(table, "USA", "HOU")
    campaign = {dt.date(2024, 1, 13) + dt.timedelta(days=k) for k in range(201)}
    assert campaign <= us and min(us) == dt.date(2023, 12, 31)


def test_index_entries_point_at_these_files():
    entries = yaml.safe_load((FOLDER / "episodes.yaml").read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in entries}
    assert set(by_id) >= set(EPISODES)
    for key, (csv_name, scenario_name) in EPISODES.items():
        e = by_id[key]
        assert (e["events"], e["scenario"]) == (csv_name, scenario_name)
        assert e["start"] == load_scenario(scenario_name).scenario.start_date
        assert e["end"] <= CUTOFF
        assert 2 <= len(e["cuts"]) <= 4 and all(e["start"] < c <= e["end"] for c in e["cuts"])
