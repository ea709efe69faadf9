"""Episode index, event tables and episode scenarios agree with each other and with the rules.

Rules (docs: escalade/events/episodes/episodes.yaml): every row cites a source; no row is later
than 31 July 2024 (later events are kept back for out-of-sample scoring); rows reach back at most
60 days before the episode's start (its past); every actor of a row is an actor of the episode's
scenario; the scenario starts on the episode's start, on the day of its opening blow, and runs
long enough for every suggested cut and horizon.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources
from pathlib import Path

import pytest
import yaml

from escalade.scenario.load import bundled_scenarios, load_scenario, validate_file

FOLDER = Path(str(resources.files("escalade.events") / "episodes"))
INDEX = yaml.safe_load((FOLDER / "episodes.yaml").read_text(encoding="utf-8"))
HELD_BACK = dt.date(2024, 8, 1)          # events from this day on are never coded
PAST_DAYS = 60
KEYS = {"id", "slug", "title", "start", "end", "events", "scenario", "cuts", "horizons", "summary"}
OPTIONAL = {"covered_until", "incomplete"}


def _rows(ep: dict) -> list[dict[str, str]]:
    with open(FOLDER / ep["events"], encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_index_is_a_list_of_complete_episodes() -> None:
    assert isinstance(INDEX, list) and {"A", "B", "E"} <= {ep["id"] for ep in INDEX}
    ids = [ep["id"] for ep in INDEX]
    assert len(ids) == len(set(ids)), ids
    for ep in INDEX:
        assert KEYS <= set(ep) <= KEYS | OPTIONAL, (ep.get("id"), set(ep) ^ KEYS)
        for pair in ep.get("incomplete", []):
            a, _, b = pair.partition(">")
            assert {a, b} <= set(load_scenario(ep["scenario"]).scenario.actors), (ep["id"], pair)
        assert isinstance(ep["start"], dt.date) and isinstance(ep["end"], dt.date), ep["id"]
        assert ep["start"] <= ep["end"] < HELD_BACK, ep["id"]
        assert 2 <= len(ep["cuts"]) <= 4, ep["id"]
        assert all(ep["start"] < c <= ep["end"] + dt.timedelta(days=1) for c in ep["cuts"]), ep["id"]
        assert ep["cuts"] == sorted(ep["cuts"]), ep["id"]
        assert ep["horizons"] and all(isinstance(h, int) and h > 0 for h in ep["horizons"]), ep["id"]
        assert ep["summary"].strip(), ep["id"]


@pytest.mark.parametrize("ep", INDEX, ids=lambda ep: ep["id"])
def test_episode_has_its_table_and_scenario(ep: dict) -> None:
    assert (FOLDER / ep["events"]).is_file()
    assert ep["scenario"] in bundled_scenarios()
    validate_file(ep["scenario"])


@pytest.mark.parametrize("ep", INDEX, ids=lambda ep: ep["id"])
def test_every_row_is_cited_dated_in_range_and_between_scenario_actors(ep: dict) -> None:
    actors = set(load_scenario(ep["scenario"]).scenario.actors)
    first = ep["start"] - dt.timedelta(days=PAST_DAYS)
    rows = _rows(ep)
    assert rows, ep["events"]
    for line, row in enumerate(rows, start=2):
        where = f"{ep['events']}:{line}"
        assert row["citation"].strip(), f"{where}: no citation"
        assert row["description"].strip(), f"{where}: no description"
        day = dt.date.fromisoformat(row["date"])
        last = dt.date.fromisoformat(row["until"]) if row["until"].strip() else day
        assert first <= day <= last <= ep["end"], f"{where}: {day}..{last} outside {first}..{ep['end']}"
        assert last < HELD_BACK, f"{where}: {last} is after 31 Jul 2024"
        assert {row["source"], row["target"]} <= actors, f"{where}: actors outside {sorted(actors)}"
        assert row["source"] != row["target"], where


@pytest.mark.parametrize("ep", INDEX, ids=lambda ep: ep["id"])
def test_scenario_starts_on_the_opening_blow_and_covers_every_cut(ep: dict) -> None:
    sc = load_scenario(ep["scenario"]).scenario
    assert sc.start_date == ep["start"]
    opening = [r for r in _rows(ep) if dt.date.fromisoformat(r["date"]) == ep["start"]]
    assert any(r["rung"] and int(r["rung"]) >= sc.outcomes.force_rung for r in opening), \
        f"{ep['events']}: no use of force on the start date {ep['start']}"
    for cut in ep["cuts"]:
        assert (cut - sc.start_date).days + max(ep["horizons"]) <= sc.days, (cut, sc.days)


@pytest.mark.parametrize("ep", INDEX, ids=lambda ep: ep["id"])
def test_event_table_loads_against_its_scenario(ep: dict) -> None:
    events = pytest.importorskip("escalade.events")
    sc = load_scenario(ep["scenario"]).scenario
    table = events.load_events(FOLDER / ep["events"], actors=list(sc.actors), ladder=sc.ladder)
    assert table.events
    assert all(e.citation for e in table.events)
    assert all(e.rung is not None and 0 <= e.rung < len(sc.ladder) for e in table.events)
