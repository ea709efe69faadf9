"""The results database: provenance, round trips, SQL, export, resume, concurrent readers, damage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalade import __version__
from escalade.cli import app
from escalade.experiments.design import load_cell
from escalade.experiments.sweep import sweep_design
from escalade.outcomes import Summary, summarise
from escalade.storage.record import execute, resume
from escalade.storage.store import Store, raw_from_frame

from .conftest import run

runner = CliRunner()
SWEEP = ["sweep", "--grid", "actors.ISR.retaliation_multiplier=1.0,1.6,2.2", "-p", "informal",
         "-p", "formal-pact", "--runs", "300", "--days", "60", "--seed", "8"]


def invoke(*args: str):
    res = runner.invoke(app, list(args))
    return res


def stored_json(*args: str) -> dict:
    res = invoke(*args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_run_is_stored_with_its_provenance(results_folder: Path) -> None:
    doc = stored_json("run", "-p", "formal-pact", "--runs", "300", "--days", "50", "--seed", "3",
                      "--set", "actors.IRN.resolve=0.7")
    rid = doc["id"]
    meta = Store().get(rid).meta
    assert meta["kind"] == "run" and meta["status"] == "done"
    assert meta["scenario"] == "levant-2024" and meta["source"].endswith("scenario.yaml") is False
    assert meta["policies"] == ["formal-pact"] and meta["overrides"] == ["actors.IRN.resolve=0.7"]
    assert (meta["seed"], meta["runs"], meta["days"]) == (3, 300, 50)
    assert meta["version"] == __version__ and meta["finished_at"] >= meta["started_at"]
    assert "actors:" in meta["scenario_text"] and len(meta["scenario_hash"]) == 16
    cell = Store().get(rid).cells[0]
    assert cell["scenario_hash"] == doc["scenario_hash"]  # the hash of the scenario as run
    assert (results_folder / cell["file"]).is_file()


def test_stored_replicates_give_back_the_same_summary() -> None:
    """Parquet round trip: rebuilding the engine arrays from the file changes no number."""
    design = sweep_design("levant-2024", [{}], ["informal"], 400, 12, days=70, keep_paths=True)
    store = Store()
    rid = execute(store, design)
    stored = store.get(rid)
    _, compiled = load_cell(stored.design, stored.design.cells[0])
    fresh = run("informal", runs=400, seed=12, days=70)
    back = raw_from_frame(store.replicates(rid), compiled, 12)
    np.testing.assert_array_equal(back.days_out, fresh.days_out)
    np.testing.assert_array_equal(back.actor_out, fresh.actor_out)
    np.testing.assert_array_equal(back.pair_out, fresh.pair_out)
    np.testing.assert_array_equal(back.commit_out, fresh.commit_out)
    assert summarise(back) == summarise(fresh)
    assert Summary.from_json(summarise(back).to_json()).commitments.keys() == set(
        summarise(fresh).commitments)  # help by commitment survives the JSON
    paths = store.paths(rid, 0)
    assert paths is not None and paths.shape == (400, 70) and paths.dtype == np.int8
    assert paths.max() >= 3  # strikes happen; -1 marks quiet days


def test_results_list_show_sql_and_export(tmp_path: Path) -> None:
    rid = stored_json("compare", "-p", "informal", "-p", "no-guarantee", "--runs", "200",
                      "--days", "40")["id"]
    listing = stored_json("results", "list")
    row = next(r for r in listing if r["id"] == rid)
    assert row["kind"] == "compare" and row["status"] == "done" and row["started_at"] <= row["finished_at"]
    show = stored_json("results", "show", rid)
    assert [c["policy"] for c in show["cells"]] == ["informal", "no-guarantee"]
    assert "regional_war" in show["cells"][0]["summary"]["outcomes"]
    assert invoke("results", "show", rid).exit_code == 0

    q = (f"SELECT policy, count(*) AS n, count(regional_war_day) AS wars FROM replicates "
         f"WHERE result_id = '{rid}' GROUP BY policy ORDER BY policy")
    rows = stored_json("results", "sql", q)
    assert [(r["policy"], r["n"]) for r in rows] == [("informal", 200), ("no-guarantee", 200)]
    p = show["cells"][0]["summary"]["outcomes"]["regional_war"]["p"]
    assert rows[0]["wars"] == round(p * 200)

    for fmt in ("csv", "parquet"):
        target = tmp_path / f"out.{fmt}"
        assert invoke("results", "export", rid, "--format", fmt, "--out", str(target)).exit_code == 0
        back = (pd.read_csv(target) if fmt == "csv"
                else duckdb.connect().execute(f"SELECT * FROM '{target}'").df())
        assert len(back) == 400 and "ISR_strikes_initiated" in back.columns
    cells = tmp_path / "cells.csv"
    assert invoke("results", "export", rid, "--table", "cells", "--out", str(cells)).exit_code == 0
    assert len(pd.read_csv(cells)) == 2


@pytest.mark.parametrize("query", ["DELETE FROM results", "COPY results TO 'x.csv'",
                                   "SELECT 1; DROP TABLE results", "CREATE TABLE t (a INT)"])
def test_sql_is_read_only(query: str) -> None:
    stored_json("run", "--runs", "20", "--days", "10")
    res = invoke("results", "sql", query)
    assert res.exit_code == 2 and "one SELECT" in res.output
    assert len(stored_json("results", "list")) >= 1


def test_results_folder_option_and_env(tmp_path: Path, results_folder: Path) -> None:
    other = tmp_path / "elsewhere"
    rid = stored_json("run", "--runs", "20", "--days", "10", "--results", str(other))["id"]
    assert (other / "catalogue.duckdb").is_file()
    assert rid in {r["id"] for r in stored_json("results", "list", "--results", str(other))}
    ids_default = {r["id"] for r in stored_json("results", "list")} if (
        results_folder / "catalogue.duckdb").exists() else set()
    assert rid not in ids_default
    assert stored_json("run", "--runs", "20", "--days", "10", "--no-store")["id"] is None


def _frames(store: Store, rid: str) -> pd.DataFrame:
    return store.replicates(rid).drop(columns="result_id").sort_values(["cell", "replicate"],
                                                                        ignore_index=True)


def test_resume_after_an_interruption_gives_identical_results() -> None:
    design = sweep_design("levant-2024", [{"actors.IRN.resolve": v} for v in (0.4, 0.6, 0.8)],
                          ["informal", "formal-pact"], 250, 21, days=45)
    store = Store()
    whole = execute(store, design)

    calls = []

    def stop_after_two(_res: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(store, design, on_cell=stop_after_two)
    cut = next(r["id"] for r in store.list() if r["status"] == "interrupted")
    assert store.get(cut).meta["cells_done"] == 2
    _, _, ran = resume(store, cut)
    assert ran == 4
    meta = store.get(cut).meta
    assert meta["status"] == "done" and meta["cells_done"] == 6
    pd.testing.assert_frame_equal(_frames(store, cut), _frames(store, whole))
    with pytest.raises(Exception, match="already complete"):
        resume(store, cut)


def _escalade(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "escalade", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_sweep_resumes_and_readers_see_consistent_data(results_folder: Path) -> None:
    """A real process is killed mid-sweep (SIGKILL: no cleanup at all) while another reads."""
    env = os.environ | {"ESCALADE_RESULTS": str(results_folder), "NUMBA_NUM_THREADS": "1"}
    args = ["sweep", "--grid", "actors.IRN.resolve=0.3,0.45,0.6,0.75,0.9", "-p", "informal",
            "-p", "no-guarantee", "--runs", "2000", "--days", "120", "--seed", "5"]
    proc = _escalade(*args, env=env)
    store, seen, deadline = Store(results_folder), 0, time.monotonic() + 240
    rid = None
    while time.monotonic() < deadline and proc.poll() is None:
        if (results_folder / "catalogue.duckdb").exists():
            rows = store.list()  # a second process reading while the sweep writes
            if rows:
                rid = rows[0]["id"]
                got = store.get(rid)
                assert got.meta["cells_done"] == len(got.cells)  # never half a cell
                for c in got.cells:
                    assert (results_folder / c["file"]).is_file()
                for c in got.cells:  # every listed cell is whole (read from this one snapshot)
                    assert len(store.read_frame(rid, c["file"])) == 2000
                seen = len(got.cells)
                if seen >= 3:
                    break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert rid is not None and 3 <= seen < 10, "the sweep finished before it could be interrupted"
    assert store.get(rid).meta["status"] == "running"  # SIGKILL left no chance to say otherwise
    res = invoke("sweep", "--resume", rid, "--json")
    assert res.exit_code == 0, res.output
    resumed = json.loads(res.stdout)
    assert resumed["id"] == rid and len(resumed["points"]) == 10
    whole = json.loads(invoke(*args, "--json").stdout)
    assert [p["outcomes"] for p in resumed["points"]] == [p["outcomes"] for p in whole["points"]]
    pd.testing.assert_frame_equal(_frames(store, rid), _frames(store, whole["id"]))


def test_sigterm_marks_a_sweep_interrupted(results_folder: Path) -> None:
    env = os.environ | {"ESCALADE_RESULTS": str(results_folder), "NUMBA_NUM_THREADS": "1"}
    proc = _escalade("sweep", "--grid", "actors.IRN.resolve=0.3,0.4,0.5,0.6,0.7,0.8,0.9", "--runs", "3000",
                     "--days", "150", env=env)
    store, deadline = Store(results_folder), time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if (results_folder / "catalogue.duckdb").exists() and store.list():
            time.sleep(0.5)  # into the cells, past registration
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    rows = store.list()
    assert rows and rows[0]["status"] == "interrupted", rows
    assert rows[0]["cells_done"] < 7
    assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def test_damaged_or_missing_files_give_clear_errors(results_folder: Path) -> None:
    rid = stored_json("compare", "-p", "informal", "-p", "formal-pact", "--runs", "30",
                      "--days", "10")["id"]
    cells = Store().get(rid).cells
    (results_folder / cells[0]["file"]).write_bytes(b"not parquet at all")
    res = invoke("results", "export", rid, "--out", str(results_folder / "x.csv"))
    assert res.exit_code == 2 and "cannot be read as Parquet" in res.output and "Traceback" not in res.output
    (results_folder / cells[0]["file"]).unlink()
    res = invoke("results", "export", rid, "--table", "replicates", "--out", str(results_folder / "y.csv"))
    assert res.exit_code == 2 and "missing" in res.output
    res = invoke("results", "show", "run-00000000")
    assert res.exit_code == 2 and "no result 'run-00000000'" in res.output


def test_damaged_catalogue_and_empty_folder(tmp_path: Path) -> None:
    res = invoke("results", "list", "--results", str(tmp_path / "nothing"))
    assert res.exit_code == 2 and "no results catalogue" in res.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "catalogue.duckdb").write_bytes(b"garbage" * 100)
    res = invoke("results", "list", "--results", str(bad))
    assert res.exit_code == 2 and "catalogue" in res.output and "Traceback" not in res.output


def test_json_of_every_stored_kind_carries_its_id() -> None:
    ids = [stored_json("run", "--runs", "20", "--days", "10")["id"],
           stored_json("compare", "-p", "informal", "-p", "formal-pact", "--runs", "20",
                       "--days", "10")["id"],
           stored_json("sweep", "--grid", "actors.IRN.resolve=0.5,0.9", "--runs", "20",
                       "--days", "10")["id"],
           stored_json("sensitivity", "--param", "actors.IRN.resolve=0.5:0.9", "--samples", "4",
                       "--runs", "20", "--days", "10")["id"]]
    kinds = {r["id"]: r["kind"] for r in stored_json("results", "list")}
    assert [kinds[i] for i in ids] == ["run", "compare", "sweep", "sensitivity"]


def test_sensitivity_resumes_to_the_same_indices() -> None:
    """An interrupted sensitivity analysis, resumed, gives the indices of an uninterrupted one."""
    from escalade.experiments.sensitivity import sensitivity_design

    args = ["sensitivity", "--param", "actors.IRN.resolve=0.5:0.9", "--param",
            "actors.ISR.retaliation_multiplier=1:2", "--method", "morris", "--samples", "3",
            "--runs", "150", "--days", "40", "--seed", "2"]
    whole = stored_json(*args)
    design = sensitivity_design("levant-2024", [("actors.IRN.resolve", 0.5, 0.9),
                                                ("actors.ISR.retaliation_multiplier", 1.0, 2.0)],
                                ["regional_war"], "morris", 3, 150, 2, days=40)
    calls = []

    def stop_after_four(_res: object) -> None:
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt

    store = Store()
    with pytest.raises(KeyboardInterrupt):
        execute(store, design, on_cell=stop_after_four)
    cut = next(r["id"] for r in store.list() if r["status"] == "interrupted")
    resumed = stored_json("sensitivity", "--resume", cut)
    assert resumed["id"] == cut and resumed["points"] == whole["points"] == 9
    assert resumed["indices"] == whole["indices"]
    assert all(r["mu_star_noise"] >= 0.0 for r in whole["indices"])  # the Monte Carlo noise, measured
    assert [r["param"] for r in Store().indices(cut)] == sorted(r["param"] for r in whole["indices"])


def test_delete_removes_rows_and_files(results_folder: Path) -> None:
    keep = stored_json("run", "--runs", "20", "--days", "10")["id"]
    gone = stored_json("run", "--runs", "20", "--days", "10")["id"]
    assert stored_json("results", "delete", gone) == {"deleted": [gone]}
    assert [r["id"] for r in stored_json("results", "list")] == [keep]
    assert not (results_folder / "data" / gone).exists() and (results_folder / "data" / keep).exists()
    assert stored_json("results", "sql", f"SELECT count(*) AS n FROM cells WHERE result_id = '{gone}'") == [
        {"n": 0}]
    res = invoke("results", "delete", gone)
    assert res.exit_code == 2 and f"no result '{gone}'" in res.output


def test_an_unwritable_results_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    res = invoke("run", "--runs", "10", "--days", "5", "--results", str(blocker / "results"))
    assert res.exit_code == 2 and "Not a directory" in res.output and "--no-store" in res.output
    assert "Traceback" not in res.output


def test_sql_names_a_damaged_or_missing_file_and_the_catalogue_stays_queryable(results_folder: Path) -> None:
    rid = stored_json("sweep", "--grid", "actors.IRN.resolve=0.5,0.9", "--runs", "30", "--days", "10")["id"]
    cells = Store().get(rid).cells
    (results_folder / cells[0]["file"]).write_bytes(b"damaged")
    res = invoke("results", "sql", "SELECT count(*) FROM replicates")
    assert res.exit_code == 2 and "cannot be read as Parquet" in res.output and "Traceback" not in res.output
    assert stored_json("results", "sql", "SELECT count(*) AS n FROM results") == [{"n": 1}]
    (results_folder / cells[0]["file"]).unlink()
    res = invoke("results", "sql", "SELECT count(*) FROM replicates")
    assert res.exit_code == 2 and "missing" in res.output  # never a silent undercount


def test_pair_columns_are_zero_not_null_so_sql_means_are_right() -> None:
    rid = stored_json("compare", "-p", "informal", "-p", "formal-pact", "--runs", "200", "--days", "40")["id"]
    q = ("SELECT avg(strikes_USA_IRN) AS a, sum(strikes_USA_IRN) / count(*) AS b, "
         f"count(strikes_USA_IRN) AS n FROM replicates WHERE result_id = '{rid}'")
    rows = stored_json("results", "sql", q)
    assert rows[0]["a"] == pytest.approx(rows[0]["b"]) and rows[0]["n"] == 400


def test_provenance_of_source_hash_command_and_flags(tmp_path: Path) -> None:
    doc = stored_json("run", "--runs", "20", "--days", "10", "--set", "actors.IRN.resolve=0.7")
    meta = Store().get(doc["id"]).meta
    assert doc["source"] == "levant-2024" and meta["source"] == "levant-2024"
    plain = Store().get(stored_json("run", "--runs", "20", "--days", "10")["id"]).meta
    assert meta["scenario_hash"] == plain["scenario_hash"]  # the file's hash, before --set
    assert meta["command"].startswith("escalade")  # sys.argv: pytest's own here, the user's in a shell
    sa = stored_json("sensitivity", "--param", "actors.IRN.resolve=0.5:0.9", "--outcome", "hostages_returned",
                     "--method", "morris", "--samples", "2", "--runs", "20", "--days", "10")
    shown = stored_json("results", "show", sa["id"])["indices"]
    assert shown and all(r["flag"] == "constant output" for r in shown)


def test_reports_and_exports_of_unfinished_or_odd_requests_are_clear(tmp_path: Path) -> None:
    from escalade.experiments.sensitivity import sensitivity_design

    design = sensitivity_design("levant-2024", [("actors.IRN.resolve", 0.5, 0.9)], ["regional_war"],
                                "morris", 2, 20, 0, days=10)
    calls = []

    def stop(_res: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(Store(), design, on_cell=stop)
    res = invoke("report", "latest", "--out", str(tmp_path / "r.html"))
    assert res.exit_code == 2 and "--resume" in res.output and "Traceback" not in res.output
    rid = stored_json("run", "--runs", "20", "--days", "10")["id"]
    res = invoke("results", "export", "latest", "--out", str(tmp_path))
    assert res.exit_code == 2 and "is a folder" in res.output
    doc = stored_json("results", "export", "latest", "--out", str(tmp_path / "x.csv"))
    assert doc["id"] == rid


def test_resume_refuses_to_mix_versions() -> None:
    points = [{"actors.IRN.resolve": v} for v in (0.4, 0.8)]
    design = sweep_design("levant-2024", points, [None], 20, 1, days=10)
    store = Store()
    calls = []

    def stop(_res: object) -> None:
        calls.append(1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(store, design, on_cell=stop)
    rid = store.list()[-1]["id"]
    con = duckdb.connect(str(store.catalogue))
    con.execute("UPDATE results SET version = '0.0.1' WHERE id = ?", [rid])
    con.close()
    res = invoke("sweep", "--resume", rid)
    assert res.exit_code == 2 and "0.0.1" in res.output and "mix" in res.output


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"runs": "10"}, "runs"), ({"days": -3}, "days"), ({"days": 0}, "days"), ({"seed": 1.5}, "seed"),
    ({"seed": -1}, "seed"), ({"engine": "x"}, "engine"), ({"policy": "nope"}, "unknown policy"),
])
def test_python_api_bad_arguments_are_clear_and_register_nothing(kwargs: dict, fragment: str,
                                                                  results_folder: Path) -> None:
    import escalade
    from escalade.errors import UserError

    with pytest.raises(UserError, match=fragment):
        escalade.run(**{"runs": 10, "days": 5, **kwargs})
    assert not (results_folder / "catalogue.duckdb").exists()


def test_a_result_is_written_by_one_process_at_a_time(results_folder: Path) -> None:
    points = [{"actors.IRN.resolve": v} for v in (0.4, 0.8)]
    design = sweep_design("levant-2024", points, [None], 20, 1, days=10)
    store = Store()

    def stop(_res: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(store, design, on_cell=stop)
    rid = store.list()[-1]["id"]
    lock = store.data_dir(rid) / ".writing"
    holder = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); "
              "fcntl.flock(fd, fcntl.LOCK_EX); os.ftruncate(fd, 0); os.write(fd, str(os.getpid()).encode()); "
              "print('held', flush=True); time.sleep(60)")
    other = subprocess.Popen([sys.executable, "-c", holder, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        res = invoke("sweep", "--resume", rid)
        assert res.exit_code == 2 and f"process {other.pid}" in res.output
    finally:
        other.kill()  # a killed writer's lock goes with it
        other.wait()
    res = invoke("sweep", "--resume", rid, "--json")
    assert res.exit_code == 0, res.output
    assert Store().get(rid).meta["status"] == "done"
