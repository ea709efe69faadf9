"""Sweeps: grids and Latin hypercubes, common random numbers, reproducibility, bad specs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.errors import UserError
from escalade.experiments.sweep import grid_points, lhs_points, parse_grid, parse_range, run_sweep
from escalade.outcomes import summarise

from .conftest import run


def test_grid_is_the_full_product_last_key_fastest() -> None:
    pts = grid_points([parse_grid("a.b=1,2"), parse_grid("c.d=x,y,z")])
    assert len(pts) == 6
    assert pts[0] == {"a.b": 1, "c.d": "x"} and pts[1] == {"a.b": 1, "c.d": "y"}


def test_latin_hypercube_is_stratified_and_seeded() -> None:
    pts = lhs_points([parse_range("a=0:1"), parse_range("b=10:20")], 8, seed=3)
    a = np.array([p["a"] for p in pts])
    b = np.array([p["b"] for p in pts])
    assert sorted(np.floor(a * 8).astype(int)) == list(range(8))  # one sample per stratum
    assert sorted(np.floor((b - 10) / 10 * 8).astype(int)) == list(range(8))
    assert pts == lhs_points([parse_range("a=0:1"), parse_range("b=10:20")], 8, seed=3)


@pytest.mark.parametrize("spec", ["a.b", "=1,2", "a.b="])
def test_bad_grid_spec(spec: str) -> None:
    with pytest.raises(UserError, match="--grid"):
        parse_grid(spec)


@pytest.mark.parametrize("spec", ["a=1", "a=2:1", "a=x:y", "=0:1"])
def test_bad_range_spec(spec: str) -> None:
    with pytest.raises(UserError, match="--lhs"):
        parse_range(spec)


def test_points_share_random_numbers_with_a_plain_run() -> None:
    """A point that sets a parameter to its default value reproduces the plain run exactly."""
    rows = run_sweep("levant-2024", [{"actors.IRN.resolve": 0.85}, {"actors.IRN.resolve": 0.3}],
                     ["informal"], runs=300, seed=4, days=60)
    plain = summarise(run(runs=300, seed=4, days=60))
    assert rows[0].summary.outcomes == plain.outcomes
    assert rows[1].params == {"actors.IRN.resolve": 0.3}
    assert rows[0].scenario_hash != rows[1].scenario_hash


def test_sweep_cli_json_lists_each_point_and_policy() -> None:
    args = ["sweep", "--grid", "actors.ISR.retaliation_multiplier=1.0,2.0", "-p", "informal",
            "-p", "formal-pact", "--runs", "200", "--days", "40", "--seed", "2", "--json"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(p["point"], p["policy"]) for p in doc["points"]] == [
        (0, "informal"), (0, "formal-pact"), (1, "informal"), (1, "formal-pact")]
    assert doc["points"][2]["params"] == {"actors.ISR.retaliation_multiplier": 2.0}
    assert "regional_war" in doc["points"][0]["outcomes"]
    again = json.loads(CliRunner().invoke(app, args).stdout)
    assert again["id"] != doc["id"]  # each sweep is stored as its own result
    assert again | {"id": None} == doc | {"id": None}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["sweep"], "give either --grid"),
        (["sweep", "--grid", "a=1", "--lhs", "a=0:1"], "give either --grid"),
        (["sweep", "--grid", "actors.NOPE.resolve=1,2"], "no field 'NOPE'"),
        (["sweep", "--lhs", "actors.IRN.resolve=0.9:0.1"], "LOW < HIGH"),
    ],
)
def test_sweep_bad_input_exits_2(args: list[str], fragment: str) -> None:
    res = CliRunner().invoke(app, [*args, "--runs", "10", "--days", "5"])
    assert res.exit_code == 2, res.output
    assert fragment in res.output and "Traceback" not in res.output


def test_whole_number_fields_are_rounded_when_sampled() -> None:
    """A day count sampled from a range runs at whole values; a sensitivity keeps its design."""
    res = CliRunner().invoke(app, ["sweep", "--lhs", "actors.HEZ.succession_delay=3:20", "--samples", "4",
                                   "--runs", "20", "--days", "10", "--json"])
    assert res.exit_code == 0, res.output
    values = [p["params"]["actors.HEZ.succession_delay"] for p in json.loads(res.stdout)["points"]]
    assert all(isinstance(v, int) and 3 <= v <= 20 for v in values) and len(set(values)) == 4
    res = CliRunner().invoke(app, ["sensitivity", "--param", "actors.HEZ.succession_delay=3:20",
                                   "--method", "morris", "--samples", "2", "--runs", "20", "--days", "10",
                                   "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["indices"][0]["param"] == "actors.HEZ.succession_delay"
