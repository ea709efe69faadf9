"""Issue 8, inputs: scenario files and options that cannot exhaust the machine, values that mean
something, no tracebacks, bounded work, strict JSON and intervals that respect their quantity.

Every reproducer of the issue is here and must end with exit status 2 and one clear message.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from escalade.cli import app, finite_json
from escalade.errors import ScenarioError
from escalade.outcomes import mean_ci, newcombe_paired, paired_difference
from escalade.scenario.load import MAX_DEPTH, MAX_FILE_BYTES, bundled_scenarios, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SOURCE = bundled_scenarios()["levant-2024"].read_text(encoding="utf-8")
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity (Python's parser accepts them)."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def clean_error(res: Any, *fragments: str) -> str:
    """Exit 2, no traceback, one 'error:' message holding every fragment."""
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    out = res.output
    assert "Traceback" not in out and out.startswith("error:"), out
    assert sum(line.startswith("error:") for line in out.splitlines()) == 1, out
    flat = " ".join(out.split())
    for f in fragments:
        assert f in flat, (f, out)
    return flat


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def edited(tmp_path: Path, edit) -> str:
    data = yaml.safe_load(SOURCE)
    edit(data)
    return write(tmp_path, yaml.safe_dump(data, sort_keys=False))


def subprocess_cli(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """The installed command as a user runs it; returns the process and its peak memory in MiB."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = os.environ | {"PYTHONPATH": path}
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
            "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
            "sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "escalade", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)
    peak = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK"))
    proc.stderr = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("PEAK"))
    return proc, peak / 1024


# --- 3. scenario files that cannot exhaust the machine ----------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    bomb = "\n".join("  " + line for line in BILLION_LAUGHS.splitlines())
    # under a string field: the name, which pydantic would print whole in its error message
    path = write(tmp_path, SOURCE + "\nname:\n" + bomb + "\n", "laughs.yaml")
    t0 = time.perf_counter()
    proc, peak_mib = subprocess_cli("validate", path)
    assert proc.returncode == 2, proc.stderr
    assert time.perf_counter() - t0 < 30 and peak_mib < 600, (time.perf_counter() - t0, peak_mib)
    assert "values once its aliases are expanded" in proc.stderr and "Traceback" not in proc.stderr
    assert f"{path}:" in " ".join(proc.stderr.split())


def test_deep_nesting_does_not_segfault(tmp_path: Path) -> None:
    path = write(tmp_path, "[" * 100_000, "deep.yaml")
    proc, _ = subprocess_cli("validate", path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)  # was 139, a segfault
    assert f"nested more than {MAX_DEPTH} levels deep" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("depth", [900, 5000])
@pytest.mark.parametrize("field", ["description", "leaders", "set"])
def test_deep_nesting_in_a_field_is_a_clear_error(tmp_path: Path, field: str, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    text = {"description": SOURCE.replace("\ndescription:", f"\ndescription: {nested}\nx_old:", 1),
            "leaders": SOURCE.replace("leaders: [", f"leaders: [{nested}, ", 1),
            "set": SOURCE.replace("    set:", f"    set:\n      x: {nested}", 1)}[field]
    path = write(tmp_path, text)
    clean_error(invoke("validate", path), path, f"nested more than {MAX_DEPTH} levels deep")


def test_nesting_up_to_the_limit_is_fine() -> None:
    from escalade.scenario.load import _load_yaml

    assert _load_yaml("x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)) is not None
    with pytest.raises(yaml.YAMLError, match="nested"):
        _load_yaml("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_an_alias_is_unshared_so_a_set_changes_one_place(tmp_path: Path) -> None:
    # a merge of an anchored actor, then a --set on the copy, leaves the original alone
    merged = SOURCE.replace("\n  HEZ:\n", "\n  HEZ: &hez\n", 1).replace(
        "\nrelations:", "\n  HZ2:\n    <<: *hez\n    name: copy\nrelations:", 1)
    path = write(tmp_path, merged, "merged.yaml")
    loaded = load_scenario(path, overrides=["actors.HZ2.resolve=0.12"])
    assert loaded.scenario.actors["HZ2"].resolve == 0.12
    assert loaded.scenario.actors["HEZ"].resolve != 0.12


def test_a_large_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * (MAX_FILE_BYTES + 10))
    clean_error(invoke("validate", str(path)), str(path), f"larger than {MAX_FILE_BYTES:,} bytes")
    clean_error(invoke("validate", "/dev/zero"), "/dev/zero", "larger than")


def test_error_messages_are_not_built_from_expanded_input(tmp_path: Path) -> None:
    small = "\n".join("  " + line for line in BILLION_LAUGHS.splitlines()[:4])  # 9^3 strings: allowed
    path = write(tmp_path, SOURCE + "\nname:\n" + small + "\n")
    flat = clean_error(invoke("validate", path), path, "name")
    assert len(flat) < 400, flat


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    lines = SOURCE.splitlines(keepends=True)
    first = next(k for k, line in enumerate(lines) if line.startswith("  ISR:"))
    block_end = next(k for k in range(first + 1, len(lines)) if lines[k].startswith("  HAM:"))
    text = "".join(lines[:block_end] + lines[first:block_end] + lines[block_end:])
    path = write(tmp_path, text)
    second = block_end + 1
    clean_error(invoke("validate", path), f"{path}:{second}:", "duplicate key 'ISR'",
                f"first at line {first + 1}")


def test_duplicate_keys_in_a_flow_mapping(tmp_path: Path) -> None:
    assert "{rung: 0," in SOURCE
    path = write(tmp_path, SOURCE.replace("{rung: 0,", "{rung: 0, rung: 0,", 1))
    clean_error(invoke("validate", path), path, "duplicate key 'rung'")


# --- 4. values that mean something ----------------------------------------------------------

@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", '"Infinity"', '"nan"', "1e999"])
@pytest.mark.parametrize("field", ["actors.ISR.reputation_sensitivity", "relations.ISR>HAM.grievance",
                                   "model.damage_scale", "outcomes.casualties_per_damage",
                                   "actors.ISR.resolve"])
def test_non_finite_numbers_are_refused(field: str, value: str) -> None:
    clean_error(invoke("run", "--runs", "5", "--no-store", "--set", f"{field}={value}"), f"--set {field}")


@pytest.mark.parametrize("value", ["true", "yes", "on", "false", '"0.5"'])
def test_booleans_and_text_are_not_numbers(value: str) -> None:
    flat = clean_error(invoke("run", "--runs", "5", "--no-store", "--set", f"actors.IRN.resolve={value}"),
                       "--set actors.IRN.resolve", "expected a valid number")
    assert "YAML boolean" in flat or "text" in flat


def test_booleans_in_a_file_are_not_numbers(tmp_path: Path) -> None:
    path = edited(tmp_path, lambda d: d["actors"]["IRN"].__setitem__("resolve", True))
    clean_error(invoke("validate", path), path, "actors.IRN.resolve", "YAML boolean")
    path = edited(tmp_path, lambda d: d["outcomes"].__setitem__("horizons", [30, True]))
    clean_error(invoke("validate", path), path, "outcomes.horizons", "YAML boolean")


@pytest.mark.parametrize("horizons", ["[-1]", "[0]", f"[{2**63}]", "[]", "[30, 30]", "[3651]"])
def test_horizons_are_days_of_a_run(horizons: str) -> None:
    clean_error(invoke("run", "--runs", "5", "--no-store", "--set", f"outcomes.horizons={horizons}"),
                "outcomes.horizons")


@pytest.mark.parametrize(("setting", "fragment"), [
    ("outcomes.ceasefire.pairs=[[ISR, ISR]]", "two different actors"),
    ("outcomes.ceasefire.pairs=[[ISR, HAM], [HAM, ISR]]", "listed twice"),
    ("mediators.QAT.pairs=[[ISR, ISR]]", "two different actors"),
    ("mediators.QAT.pairs=[[QAT, ISR]]", "cannot mediate a conflict it is a party to"),
    ("outcomes.hostages.between=[ISR, ISR]", "two different actors"),
    ("outcomes.regional_war.actors=[ISR, IRN, ISR]", "ISR is listed twice"),
    ("actors.ISR.leader_vacant_days=9223372036854775807", "less than or equal to 3650"),
    ("actors.ISR.leader_vacant_days=9223372036854775808", "less than or equal to 3650"),
    ("outcomes.hostages.held=1000000000000000000000000000000", "less than or equal to 1000000"),
    ("relations.-0.grievance=1", "no item '-0' in relations"),
    ("relations.1e3.grievance=1", "no item '1e3'"),
    ("days=0", "greater than or equal to 1"),
])
def test_self_pairs_duplicates_and_bounds(setting: str, fragment: str) -> None:
    clean_error(invoke("run", "--runs", "5", "--no-store", "--set", setting), fragment)


def test_a_self_ceasefire_inject_and_a_duplicate_mediator(tmp_path: Path) -> None:
    path = edited(tmp_path, lambda d: d.setdefault("injects", []).append(
        {"type": "ceasefire", "day": 5, "between": ["ISR", "ISR"]}))
    clean_error(invoke("validate", path), path, "injects.", "two different actors")
    path = edited(tmp_path, lambda d: d["mediators"].append(dict(d["mediators"][0])))
    clean_error(invoke("validate", path), path, f"mediators.{len(yaml.safe_load(SOURCE)['mediators'])}",
                "already a mediator")


def test_an_aim_inject_needs_a_change_and_a_relation(tmp_path: Path) -> None:
    path = edited(tmp_path, lambda d: d.setdefault("injects", []).append(
        {"type": "aim", "day": 5, "actor": "ISR", "target": "HEZ"}))
    clean_error(invoke("validate", path), path, "injects.", "needs hostility or war_aim")
    path = edited(tmp_path, lambda d: d.setdefault("injects", []).append(
        {"type": "aim", "day": 5, "actor": "QAT", "target": "ISR", "hostility": 1.0}))
    clean_error(invoke("validate", path), path, "injects.", "QAT has no relation toward ISR")


def test_too_many_actors_are_refused(tmp_path: Path) -> None:
    def many(d: dict) -> None:
        base = d["actors"]["QAT"]
        for k in range(70):
            d["actors"][f"X{k:02d}"] = dict(base)
    path = edited(tmp_path, many)
    clean_error(invoke("validate", path), path, "actors", "at most 64")


# --- 5. no tracebacks -----------------------------------------------------------------------

def test_a_policy_set_that_is_text(tmp_path: Path) -> None:
    path = edited(tmp_path, lambda d: d["policies"]["formal-pact"].__setitem__("set", "actors.ISR.resolve=1"))
    clean_error(invoke("validate", path), path, "policies.formal-pact.set", "valid dictionary")
    res = invoke("run", path, "-p", "formal-pact", "--runs", "5", "--no-store")  # applied, not validated
    clean_error(res, path, "policies.formal-pact.set", "expected a mapping")


@pytest.mark.parametrize(("setting", "fragment"), [
    ("actors.ISR.leader_vacant_days=9223372036854775808", "actors.ISR.leader_vacant_days"),
    ("start_date=2024-02-30", "day is out of range for month"),
    ("actors.ISR.resolve=" + "9" * 100_000, "has 100000 digits"),
    ("actors.ISR.resolve=" + "[" * 5000, "nested more than"),
    ("actors.ISR.resolve=" + "[" * 5000 + "]" * 5000, "nested more than"),
])
def test_overrides_that_used_to_raise(setting: str, fragment: str) -> None:
    clean_error(invoke("run", "--runs", "5", "--no-store", "--set", setting),
                "--set " + setting.partition("=")[0], fragment)


@pytest.mark.parametrize(("value", "fragment"), [
    ("[" * 5000, "nested more than"), ("9" * 100_000, "has 100000 digits"), ("{a", "YAML syntax error")])
def test_grid_values_that_used_to_raise(value: str, fragment: str) -> None:
    clean_error(invoke("sweep", "--grid", f"actors.IRN.resolve={value},0.5", "--runs", "5", "--no-store"),
                "--grid actors.IRN.resolve", fragment)


def test_a_latin_hypercube_beyond_a_fields_bounds() -> None:
    clean_error(invoke("sweep", "--lhs", "actors.ISR.leader_vacant_days=0:1e30", "--samples", "3",
                       "--runs", "5", "--no-store"), "actors.ISR.leader_vacant_days", "3650")


# --- 6. work that cannot exhaust the machine ------------------------------------------------

def test_a_billion_runs_is_refused_at_once() -> None:
    t0 = time.perf_counter()
    flat = clean_error(invoke("run", "--runs", "1000000000", "--no-store", "--max-replicates", str(10**10)),
                       "--runs 1,000,000,000", "GiB", "at most", "Split the job")
    assert time.perf_counter() - t0 < 10, flat
    clean_error(invoke("run", "--runs", "1000000000", "--no-store"), "GiB")


def test_a_compare_holds_every_policy_in_memory() -> None:
    from escalade.experiments.design import memory_bytes, replicate_bytes
    runs = int(memory_bytes() * 0.8 / replicate_bytes(7, 180, False)) // 2 + 1000  # fits once, not twice
    flat = clean_error(invoke("compare", "-p", "informal", "-p", "formal-pact", "--runs", str(runs),
                              "--no-store", "--max-replicates", str(10**10)), "x 2 cells kept at once")
    assert "fewer policies per call" in flat


def test_huge_designs_are_capped_before_setup() -> None:
    t0 = time.perf_counter()
    clean_error(invoke("sweep", "--lhs", "actors.IRN.resolve=0.5:0.9", "--samples", "1000000000",
                       "--no-store"), "--samples 1000000000", "limit of 10,000", "--max-cells")
    values = ",".join(f"{v / 1000:.3f}" for v in range(1000))
    clean_error(invoke("sweep", "--grid", f"actors.IRN.resolve={values}", "--grid",
                       f"actors.ISR.resolve={values}", "--no-store"), "1,000,000 cells", "--max-cells")
    clean_error(invoke("sensitivity", "--param", "actors.IRN.resolve=0.5:0.9", "--samples", str(2**30),
                       "--no-store"), "cells", "--max-cells")
    assert time.perf_counter() - t0 < 20


def test_the_caps_can_be_raised_explicitly() -> None:
    args = ("sweep", "--grid", "actors.IRN.resolve=0.5,0.7,0.9", "--runs", "5", "--days", "5",
            "--no-store", "--json")
    clean_error(invoke(*args, "--max-cells", "2"), "3 cells", "--max-cells 3")
    res = invoke(*args, "--max-cells", "3")
    assert res.exit_code == 0, res.output
    clean_error(invoke("run", "--runs", "50", "--no-store", "--max-replicates", "10"),
                "--max-replicates 50")


# --- 4. every JSON document is JSON -----------------------------------------------------------

def test_every_json_output_is_strict_json(tmp_path: Path, duel_path: Path) -> None:
    bad = write(tmp_path, SOURCE.replace("capability:", "capability: .inf #", 1))
    commands = [
        ("run", "--runs", "30", "--days", "20", "--no-store", "--json"),
        ("run", str(duel_path), "--runs", "1", "--days", "5", "--no-store", "--json"),
        ("compare", "-p", "informal", "-p", "formal-pact", "--runs", "30", "--days", "20", "--json"),
        ("sweep", "--grid", "actors.IRN.resolve=0.5,0.9", "--runs", "10", "--days", "10", "--json"),
        ("sensitivity", "--param", "actors.IRN.resolve=0.5:0.9", "--samples", "2", "--runs", "5",
         "--days", "5", "--method", "morris", "--json"),
        ("trace", "--days", "10", "--json"),
        ("validate", "levant-2024", "--json"),
        ("scenarios", "--json"),
        ("scenario-schema",),
        ("episodes", "--json"),
        ("backtest", "B", "--runs", "20", "--no-store", "--json"),
        ("replay", "A", "--cut", "2020-01-04", "--horizon", "7", "--runs", "20", "--no-store",
         "--json"),
    ]
    for args in commands:
        res = invoke(*args)
        assert res.exit_code == 0, (args, res.output)
        strict_json(res.stdout)
    res = invoke("validate", bad, "--json")
    assert res.exit_code == 2 and strict_json(res.stdout)["valid"] is False


def test_non_finite_statistics_become_null() -> None:
    doc = finite_json({"a": math.nan, "b": [math.inf, 1.5, np.float64("nan")], "c": np.int64(3)})
    assert doc == {"a": None, "b": [None, 1.5, None], "c": 3}
    json.dumps(doc, allow_nan=False)


# --- 4. intervals that respect their quantity --------------------------------------------------

def test_mean_count_intervals_do_not_go_below_zero() -> None:
    res = invoke("run", "--runs", "2000", "--no-store", "--json")
    doc = strict_json(res.stdout)
    for pair, e in doc["strikes_by_pair"].items():
        assert 0.0 <= e["ci_low"] <= e["mean"] <= e["ci_high"], (pair, e)
    for actor, ms in doc["actors_ci"].items():
        for m, (lo, hi) in ms.items():
            assert 0.0 <= lo <= doc["actors"][actor][m] <= hi, (actor, m, lo, hi)
    rare = mean_ci(np.array([0.0] * 1999 + [3.0]), lower=0.0)
    assert rare.ci_low == 0.0 and rare.ci_high > rare.value > 0


def test_newcombe_paired_interval_matches_published_examples() -> None:
    # Cavo et al. (2012), the paired 2x2 example of Fagerland, Lydersen & Laake (2017), Statistical
    # Analysis of Contingency Tables, ch. 8: Newcombe square-and-add -0.0621 (-0.1186 to -0.0046)
    e = newcombe_paired(59, 6, 16, 80)
    assert (round(e.value, 4), round(e.ci_low, 4), round(e.ci_high, 4)) == (-0.0621, -0.1186, -0.0046)
    # Newcombe (1998), Table II, example (a): 36, 12, 2, 0 -> +0.2000, method 10: 0.0569 to 0.3404
    e = newcombe_paired(36, 12, 2, 0)
    assert (round(e.value, 4), round(e.ci_low, 4), round(e.ci_high, 4)) == (0.2, 0.0569, 0.3404)


def test_newcombe_paired_interval_keeps_a_width_without_discordant_pairs() -> None:
    n = 1000
    e = newcombe_paired(0, 0, 0, n)  # never happens under either policy
    assert e.value == 0.0 and e.ci_low < 0 < e.ci_high
    assert math.isclose(e.ci_high, 1.959963984540054**2 / (n + 1.959963984540054**2))
    e = newcombe_paired(400, 0, 0, 600)  # always the same answer, but not always no
    assert e.ci_low < 0 < e.ci_high
    a = np.zeros(n, dtype=bool)
    d = paired_difference(a, a.copy())  # Wald's interval here was [0, 0]
    assert d.ci_low < 0 < d.ci_high


def test_compare_differences_of_proportions_are_score_intervals() -> None:
    res = invoke("compare", "-p", "informal", "-p", "formal-pact", "--runs", "500", "--days", "30",
                 "--no-store", "--json")
    doc = strict_json(res.stdout)
    diff = doc["differences"]["formal-pact"]["hostages_returned"]
    assert diff["diff"] == 0.0 and diff["ci_low"] < 0 < diff["ci_high"]


def test_the_loader_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE.replace("start_date: 2024-08-01", "start_date: 2024-02-30", 1))
    if "start_date: 2024-08-01" not in SOURCE:
        pytest.skip("the default scenario changed")
    with pytest.raises(ScenarioError, match="day is out of range"):
        load_scenario(path)
