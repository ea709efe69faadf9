"""The command line: JSON documents, tables, traces, and exit status 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_run_json_has_the_documented_fields() -> None:
    res = invoke("run", "--runs", "300", "--days", "60", "--seed", "5", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    for key in ("scenario", "policy", "runs", "days", "seed", "version", "outcomes", "actors",
                "scenario_hash"):
        assert key in doc
    assert doc["runs"] == 300 and doc["days"] == 60 and doc["policy"] == "informal"
    for name in ("regional_war", "protector_in_combat", "ceasefire"):
        o = doc["outcomes"][name]
        assert 0.0 <= o["ci_low"] <= o["p"] <= o["ci_high"] <= 1.0
    for metric in ("strikes_initiated", "leaders_lost", "casualties"):
        assert metric in doc["actors"]["ISR"]
    assert doc["strikes_by_pair"]["ISR>HAM"]["mean"] > 0
    p = doc["outcomes"]["hostages_returned"]["p"]
    assert doc["hostages"] == {"held": 115, "expected_returned": 115 * p}


def test_run_is_reproducible_from_the_seed() -> None:
    a = invoke("run", "--runs", "200", "--days", "40", "--seed", "9", "--json").stdout
    b = invoke("run", "--runs", "200", "--days", "40", "--seed", "9", "--json").stdout
    assert json.loads(a)["outcomes"] == json.loads(b)["outcomes"]


def test_run_table_and_set_override() -> None:
    res = invoke("run", "--runs", "200", "--days", "30", "--set", "actors.IRN.resolve=0.2")
    assert res.exit_code == 0, res.output
    assert "regional_war" in res.stdout and "strikes" in res.stdout


def test_reference_engine_from_the_cli() -> None:
    res = invoke("run", "--runs", "3", "--days", "20", "--engine", "reference", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["engine"] == "reference"


def test_compare_json_gives_paired_differences() -> None:
    res = invoke("compare", "--policy", "informal", "--policy", "no-guarantee", "--runs", "300",
                 "--days", "60", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["policies"] == ["informal", "no-guarantee"]
    d = doc["differences"]["no-guarantee"]["protector_in_combat"]
    assert d["ci_low"] <= d["diff"] <= d["ci_high"]
    assert set(doc["results"]) == {"informal", "no-guarantee"}


def test_compare_table() -> None:
    res = invoke("compare", "-p", "informal", "-p", "formal-pact", "--runs", "200", "--days", "30")
    assert res.exit_code == 0, res.output
    assert "formal-pact − informal" in res.stdout


def test_trace_tells_a_day_by_day_story() -> None:
    res = invoke("trace", "--policy", "decapitate-hez", "--seed", "2", "--days", "40")
    assert res.exit_code == 0, res.output
    assert " 30 08-30  ISR>HEZ     5  kills HEZ's leader · Hassan Nasrallah killed" in res.stdout
    assert "CAMEO" in res.stdout and "prepares" in res.stdout and "launches the prepared" in res.stdout
    # One event a line: nothing wraps mid-phrase at the terminal's width.
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line[:3].strip().isdigit() for line in lines[2:-1])


def test_trace_json() -> None:
    res = invoke("trace", "--seed", "1", "--days", "10", "--json")
    events = json.loads(res.stdout)["events"]
    assert events and {"day", "date", "kind", "actor", "target", "rung", "cameo"} <= set(events[0])


def test_scenarios_validate_and_schema(tmp_path: Path) -> None:
    res = invoke("scenarios")
    assert res.exit_code == 0 and "levant-2024" in res.stdout
    schema = json.loads(invoke("scenario-schema").stdout)
    assert "actors" in schema["properties"]
    from escalade.scenario.load import bundled_scenarios

    res = invoke("validate", str(bundled_scenarios()["levant-2024"]))
    assert res.exit_code == 0 and "valid" in res.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("run", "--runs", "0"), "--runs"),
        (("run", "--days", "-3"), "--days"),
        (("run", "--set", "actors.NOPE.resolve=1"), "no field 'NOPE' at actors"),
        (("run", "--policy", "treaty"), "unknown policy 'treaty'"),
        (("run", "--engine", "gpu"), "--engine: expected 'fast' or 'reference'"),
        (("run", "missing.yaml"), "missing.yaml: no such file"),
        (("compare", "--policy", "informal"), "at least two policies"),
        (("validate", "missing.yaml"), "missing.yaml: no such file"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: tuple[str, ...], fragment: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 2, res.output
    assert fragment in res.output
    assert "Traceback" not in res.output


def test_bad_file_from_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    proc = subprocess.run([sys.executable, "-m", "escalade", "validate", str(bad)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "YAML syntax error" in proc.stderr and str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_validate_json_says_valid_or_why_not(tmp_path: Path) -> None:
    good = json.loads(invoke("validate", "levant-2024", "--json").stdout)
    assert good["valid"] is True and "formal-pact" in good["policies"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nactors: {}\n")
    res = invoke("validate", str(bad), "--json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 2 and doc["valid"] is False and "bad.yaml" in doc["error"]
