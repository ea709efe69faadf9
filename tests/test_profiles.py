"""Shared actor profiles: levant-2024 resolves exactly as before, merge order, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from escalade.errors import ScenarioError
from escalade.scenario.load import (
    actor_profiles,
    bundled_scenarios,
    load_scenario,
    profiles_file,
    validate_file,
)
from escalade.scenario.schema import Actor

DATA = Path(__file__).parent / "data"
# Scenario state, not traits: a profile must not carry them (see profiles/actors.yaml).
STATE_FIELDS = {"capability", "leaders", "leader_vacant_days", "posts", "restraint_rung"}


def test_levant_2024_resolves_exactly_as_before_profiles() -> None:
    """levant-2024 resolves to the same scenario, under every policy, as before it used profiles.

    ``data/levant-2024-before-profiles.yaml`` is the file as it was at commit ad13944, each actor
    written out in full. Loading both with today's code keeps the comparison true when the schema
    gains fields. If levant-2024 or a profile is changed on purpose, change the copy to match.
    """
    before = str(DATA / "levant-2024-before-profiles.yaml")
    policies = validate_file("levant-2024")
    assert policies == validate_file(before)
    for policy in [None, *policies]:
        now = load_scenario("levant-2024", policy)
        then = load_scenario(before, policy)
        assert now.scenario.model_dump() == then.scenario.model_dump(), policy
        assert now.hash == then.hash, policy


def test_profiles_hold_traits_only_and_every_number_is_commented() -> None:
    profiles = actor_profiles()
    assert {"ISR", "IRN", "USA", "HEZ", "HAM", "HOU", "QAT", "KH"} <= set(profiles)
    for name, fields in profiles.items():
        assert set(fields) <= set(Actor.model_fields), name
        assert not set(fields) & STATE_FIELDS, f"{name} carries state {set(fields) & STATE_FIELDS}"
        assert {"name", "kind", "resolve"} <= set(fields), name
    for line in profiles_file().read_text().splitlines():
        code = line.split("#")[0]
        if any(c.isdigit() for c in code):
            assert "#" in line, f"uncommented number in {profiles_file().name}: {line!r}"


def test_bundled_scenarios_use_profiles_without_restating_them() -> None:
    raw = yaml.safe_load(bundled_scenarios()["levant-2024"].read_text())
    for aid, actor in raw["actors"].items():
        assert actor["profile"] == aid
        assert set(actor) - {"profile"} <= STATE_FIELDS, aid


def _scenario(tmp_path: Path, **irn: object) -> str:
    raw = yaml.safe_load(bundled_scenarios()["levant-2024"].read_text())
    raw["actors"]["IRN"].update(irn)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def test_scenario_fields_win_over_the_profile(tmp_path: Path) -> None:
    profile = actor_profiles()["IRN"]
    sc = load_scenario(_scenario(tmp_path, resolve=0.4)).scenario
    assert sc.actors["IRN"].resolve == 0.4
    assert sc.actors["IRN"].reputation_sensitivity == profile["reputation_sensitivity"]


def test_set_and_policies_win_over_scenario_and_profile(tmp_path: Path) -> None:
    path = _scenario(tmp_path, resolve=0.4)
    assert load_scenario(path, None, ["actors.IRN.resolve=0.2"]).scenario.actors["IRN"].resolve == 0.2
    # --set on a field only the profile gives
    sc = load_scenario(path, None, ["actors.IRN.air_defence=0.7"]).scenario
    assert sc.actors["IRN"].air_defence == 0.7
    raw = yaml.safe_load(Path(path).read_text())
    raw["policies"]["informal"]["set"] = {"actors.IRN.cost_weight": 3.0, "actors.IRN.resolve": 0.3}
    Path(path).write_text(yaml.safe_dump(raw))
    sc = load_scenario(path, "informal").scenario
    assert (sc.actors["IRN"].cost_weight, sc.actors["IRN"].resolve) == (3.0, 0.3)
    sc = load_scenario(path, "informal", ["actors.IRN.cost_weight=4"]).scenario
    assert sc.actors["IRN"].cost_weight == 4.0


def test_an_actor_may_take_another_actors_profile(tmp_path: Path) -> None:
    sc = load_scenario(_scenario(tmp_path, profile="KH", name="Iraqi militias")).scenario
    kh = actor_profiles()["KH"]
    assert sc.actors["IRN"].kind == "armed_group" and sc.actors["IRN"].name == "Iraqi militias"
    assert sc.actors["IRN"].leader_protection == kh["leader_protection"]


@pytest.mark.parametrize(
    ("profile", "fragments"),
    [
        ("IRAN", ["s.yaml", "actors.IRN.profile", "unknown profile 'IRAN'", "'IRN'", "'KH'",
                  "actors.yaml"]),
        (3, ["s.yaml", "actors.IRN.profile", "expected the name of a profile", "got 3"]),
        (["IRN"], ["actors.IRN.profile", "got ['IRN']"]),
    ],
)
def test_bad_profile_is_a_clear_error(tmp_path: Path, profile: object, fragments: list[str]) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tmp_path, profile=profile))
    for f in fragments:
        assert f in str(err.value), (f, str(err.value))


def test_a_field_missing_from_profile_and_scenario_is_reported_on_the_scenario(tmp_path: Path) -> None:
    raw = yaml.safe_load(bundled_scenarios()["levant-2024"].read_text())
    raw["actors"]["IRN"] = {"profile": "QAT", "leaders": ["x"], "kind": "planet"}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ScenarioError, match=r"s\.yaml: actors\.IRN\.kind"):
        load_scenario(str(path))
