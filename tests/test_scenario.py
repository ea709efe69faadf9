"""Scenario files: the default loads, policies and overrides apply, bad input gets a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from escalade.errors import ScenarioError
from escalade.scenario.load import bundled_scenarios, load_scenario, validate_file

DEFAULT = bundled_scenarios()["levant-2024"]


def test_default_scenario_and_every_policy_validate() -> None:
    policies = validate_file("levant-2024")
    assert {"informal", "formal-pact", "no-guarantee", "aid-cut"} <= set(policies)
    sc = load_scenario("levant-2024").scenario
    assert set(sc.actors) == {"ISR", "HAM", "HEZ", "IRN", "HOU", "USA", "QAT"}
    assert sc.start_date.isoformat() == "2024-08-01"


def test_every_number_in_the_default_scenario_carries_a_comment() -> None:
    """Numbers have sources: every actor and relation block is commented, line by line or above."""
    text = DEFAULT.read_text()
    assert text.count("#") > 100
    assert "judgement" in text and "CENTCOM" in text and "IDF" in text


def test_policy_and_overrides_apply() -> None:
    formal = load_scenario("levant-2024", "formal-pact").scenario
    assert formal.commitments[0].type == "formal"
    sc = load_scenario("levant-2024", None, ["actors.IRN.resolve=0.3",
                                              "relations.ISR>IRN.belief_bias=-0.5"]).scenario
    assert sc.actors["IRN"].resolve == 0.3
    assert next(r for r in sc.relations if r.key == "ISR>IRN").belief_bias == -0.5


def test_scenario_hash_changes_with_overrides() -> None:
    a = load_scenario("levant-2024")
    b = load_scenario("levant-2024", None, ["actors.IRN.resolve=0.3"])
    assert a.hash != b.hash and a.hash == load_scenario("levant-2024").hash


def _write(tmp_path: Path, text: str) -> str:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    return str(p)


def _mutated(tmp_path: Path, edit) -> str:
    raw = yaml.safe_load(DEFAULT.read_text())
    edit(raw)
    return _write(tmp_path, yaml.safe_dump(raw))


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (lambda r: r["actors"]["IRN"].__setitem__("resolve", "high"),
         ["actors.IRN.resolve", "valid number", "'high'"]),
        (lambda r: r["actors"]["IRN"].__setitem__("resolv", 0.5),
         ["actors.IRN.resolv", "unknown field"]),
        (lambda r: r["actors"]["IRN"].__setitem__("resolve", 1.5),
         ["actors.IRN.resolve", "less than or equal to 1", "1.5"]),
        (lambda r: r["relations"][0].__setitem__("target", "XYZ"),
         ["relations.0.target", "unknown actor id 'XYZ'", "expected one of"]),
        (lambda r: r["ladder"][3].__setitem__("rung", 7),
         ["ladder", "rung 3 must have rung: 3"]),
        (lambda r: r.pop("outcomes"), ["outcomes", "required field is missing"]),
    ],
)
def test_bad_file_names_file_path_expected_and_got(tmp_path: Path, edit, fragments) -> None:
    path = _mutated(tmp_path, edit)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    message = str(exc.value)
    assert path in message
    for f in fragments:
        assert f in message, message


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nactors: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:\d+:\d+: YAML syntax error"):
        load_scenario(path)


def test_yaml_is_data_not_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "!!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match="YAML syntax error"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("actors.XXX.resolve=0.5", "no field 'XXX' at actors; expected one of: HAM"),
        ("relations.ISR>ZZZ.hostility=1", "no item 'ISR>ZZZ' in relations"),
        ("actors.IRN.resolve", "expected PATH=VALUE"),
        ("actors.IRN.resolve=2", "--set actors.IRN.resolve: actors.IRN.resolve"),
        ("actors.IRN.resolv=0.2", "unknown field"),
    ],
)
def test_bad_override_is_named(override: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario("levant-2024", None, [override])
    assert fragment in str(exc.value), str(exc.value)


def test_unknown_policy_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match=r"unknown policy 'treaty'.*formal-pact"):
        load_scenario("levant-2024", "treaty")


def test_missing_file_is_clear() -> None:
    with pytest.raises(ScenarioError, match="no such file, and not a bundled scenario"):
        load_scenario("nowhere.yaml")
