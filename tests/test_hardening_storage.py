"""Negative tests of the results store (issue 8): the SQL surface reads only the results, deletes
and exports stay inside their folders, and a full disk or a closed pipe end cleanly.

Each test here failed against the code before the hardening: ``results sql`` read any file, a
tampered catalogue id deleted a folder outside the results folder, an export replaced a FIFO,
a full disk ended in a DuckDB traceback and ``run --json | head`` blamed the results folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.errors import UserError
from escalade.storage.record import resume
from escalade.storage.store import Store, check_id, lock_down, new_id

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SECRET = "escalade-secret-7f3a"  # planted outside the results folder; must never come back


def invoke(*args: str):
    return runner.invoke(app, list(args))


def stored_json(*args: str):
    res = invoke(*args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def small_run(*extra: str) -> str:
    return stored_json("run", "--runs", "20", "--days", "10", *extra)["id"]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files a query must not reach: text, CSV, JSON and Parquet holding SECRET."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{SECRET}\n")
    (folder / "secret.csv").write_text(f"a,b\n{SECRET},1\n")
    (folder / "secret.json").write_text(json.dumps({"a": SECRET}))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT '{SECRET}' AS result_id, 0 AS cell, 0 AS replicate) "
                f"TO '{folder / 'secret.parquet'}' (FORMAT parquet)")
    con.close()
    return folder


def tamper(results: Path, sql: str, params: list | None = None) -> None:
    con = duckdb.connect(str(results / "catalogue.duckdb"))
    try:
        con.execute(sql, params or [])
    finally:
        con.close()


# --- results sql: only the results -------------------------------------------------------------


def reproducers(outside: Path) -> list[str]:
    o = outside
    return [
        "SELECT content FROM read_text('/etc/shadow')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT content FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM glob('/root/*')",
        f"SELECT * FROM glob('{o}/*')",
        "SELECT content FROM read_text('/proc/self/environ')",
        f"SELECT content FROM read_text('{o}/secret.txt')",
        f"SELECT * FROM read_csv('{o}/secret.csv')",
        f"SELECT * FROM read_json('{o}/secret.json')",
        f"SELECT * FROM read_parquet('{o}/secret.parquet')",
        f"SELECT * FROM '{o}/secret.csv'",  # a replacement scan of a file name
        f"SELECT * FROM query('SELECT * FROM read_text(''{o}/secret.txt'')')",
        f"SELECT * FROM replicates UNION ALL BY NAME SELECT * FROM read_parquet('{o}/secret.parquet')",
        f"SELECT * FROM sniff_csv('{o}/secret.csv')",
        f"SELECT * FROM parquet_metadata('{o}/secret.parquet')",
        "SELECT * FROM read_csv('https://example.com/data.csv')",  # would auto-install httpfs
    ]


def test_sql_cannot_read_files_outside_the_results(outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALADE_TEST_SECRET", SECRET)  # read_text('/proc/self/environ') would show it
    small_run()
    for query in reproducers(outside):
        res = invoke("results", "sql", query)
        assert res.exit_code == 2, (query, res.output)
        assert SECRET not in res.output and "root:" not in res.output, query
        assert "Traceback" not in res.output
        assert "only the results can be read" in res.output or "sql:" in res.output, (query, res.output)
    res = invoke("results", "sql", "SELECT content FROM read_text('/etc/passwd')")
    assert "only the results can be read" in res.output and "replicates" in res.output


def test_sql_cannot_reach_python_variables_or_extensions() -> None:
    small_run()
    for query in ("SELECT * FROM tables", "SELECT * FROM frame", "SELECT * FROM sys",
                  "SELECT * FROM duckdb_extensions()", "SELECT getenv('HOME')"):
        res = invoke("results", "sql", query)
        assert res.exit_code == 2 and "Traceback" not in res.output, (query, res.output)


def test_the_locked_connection_cannot_be_unlocked(outside: Path) -> None:
    """``results sql`` takes one SELECT, so a SET cannot reach it; the lock holds regardless."""
    con = duckdb.connect()
    lock_down(con, [], "256MB")
    for setting in ("enable_external_access = true", "lock_configuration = false",
                    "memory_limit = '100GB'", "allowed_paths = ['/etc/passwd']",
                    "autoinstall_known_extensions = true", "python_enable_replacements = true"):
        with pytest.raises(duckdb.Error, match=r"locked|disabled"):
            con.execute(f"SET {setting}")
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"SELECT * FROM read_text('{outside}/secret.txt')")
    con.close()


def test_a_tampered_cell_file_never_opens_a_file_outside(results_folder: Path, outside: Path) -> None:
    rid = small_run()
    tamper(results_folder, "UPDATE cells SET file = ? WHERE result_id = ?",
           [os.path.relpath(outside / "secret.parquet", results_folder), rid])
    for args in (("results", "sql", "SELECT * FROM replicates"), ("results", "export", rid, "--out",
                                                                   str(outside / "x.csv"))):
        res = invoke(*args)
        assert res.exit_code == 2 and SECRET not in res.output, res.output
        assert "edited outside escalade" in res.output and "Traceback" not in res.output
    assert not (outside / "x.csv").exists()
    # the catalogue tables themselves stay queryable
    assert stored_json("results", "sql", "SELECT count(*) AS n FROM results") == [{"n": 1}]


def test_sql_results_tables_and_views_still_work(results_folder: Path) -> None:
    rid = small_run("--keep-paths")
    rows = stored_json("results", "sql", "SELECT (SELECT count(*) FROM results) AS r, "
                       "(SELECT count(*) FROM cells) AS c, (SELECT count(*) FROM indices) AS i, "
                       "(SELECT count(*) FROM replicates) AS n, (SELECT count(*) FROM paths) AS p, "
                       f"(SELECT max(replicate) FROM replicates WHERE result_id = '{rid}') AS m")
    assert rows == [{"r": 1, "c": 1, "i": 0, "n": 20, "p": 20, "m": 19}]
    res = invoke("results", "sql", "SELECT '[/x] [bold]' AS a")  # data is never rich markup
    assert res.exit_code == 0 and "[/x] [bold]" in res.output


@pytest.mark.parametrize("query", [
    "SELECT count(*) FROM range(100000000000) a, range(100000000000) b",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
])
def test_sql_stops_at_the_timeout(query: str) -> None:
    small_run()
    start = time.monotonic()
    res = invoke("results", "sql", query, "--timeout", "1")
    took = time.monotonic() - start
    assert res.exit_code == 2 and "--timeout 1 s" in res.output and "Traceback" not in res.output
    assert took < 15, took


def test_sql_memory_limit_is_a_clear_error() -> None:
    small_run()
    res = invoke("results", "sql", "SELECT length(list(range)) AS n FROM range(300000000)",
                 "--memory-limit", "64MB", "--timeout", "20")
    assert res.exit_code == 2 and "--memory-limit 64MB" in res.output and "Traceback" not in res.output
    res = invoke("results", "sql", "SELECT 1", "--memory-limit", "lots")
    assert res.exit_code == 2 and "--memory-limit" in res.output


def test_sql_caps_the_rows_and_says_so() -> None:
    small_run()
    res = runner.invoke(app, ["results", "sql", "SELECT range AS i FROM range(1000000000)",
                              "--max-rows", "7", "--json"])
    assert res.exit_code == 0, res.output
    assert [r["i"] for r in json.loads(res.stdout)] == list(range(7))
    assert "output cut at 7 rows" in res.stderr and "--max-rows" in res.stderr
    res = runner.invoke(app, ["results", "sql", "SELECT range AS i FROM range(7)", "--max-rows", "7",
                              "--json"])
    assert len(json.loads(res.stdout)) == 7 and "cut" not in res.stderr


# --- ids and paths -----------------------------------------------------------------------------


def test_ids_are_checked_by_format() -> None:
    for kind in ("run", "compare", "sweep", "sensitivity"):
        assert check_id(new_id(kind)).startswith(kind + "-")
    for bad in ("../../victim", "run-1234567", "run-1234567g", "run-12345678/..", "/etc", "",
                "run-12345678\n", "RUN-12345678", "x-12345678"):
        with pytest.raises(UserError, match="not an escalade id"):
            check_id(bad)
    with pytest.raises(UserError):
        Store().data_dir("../../victim")


@pytest.fixture
def tampered(results_folder: Path) -> Iterator[tuple[str, Path]]:
    """A stored run whose catalogue id now reads ``../../victim``, and the victim folder."""
    rid = small_run()
    victim = results_folder.parent / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    evil = "../../victim"
    assert (results_folder / "data" / evil).resolve() == victim.resolve()
    for sql in ("UPDATE results SET id = ? WHERE id = ?",
                "UPDATE cells SET result_id = ? WHERE result_id = ?"):
        tamper(results_folder, sql, [evil, rid])
    yield evil, victim
    shutil.rmtree(victim, ignore_errors=True)


def test_tampered_id_delete_refuses_and_the_victim_survives(tampered: tuple[str, Path]) -> None:
    evil, victim = tampered
    for args in (("results", "delete", evil), ("results", "delete", evil, "--force"),
                 ("results", "delete", "latest")):
        res = invoke(*args)
        assert res.exit_code == 2 and "not an escalade id" in res.output and "Traceback" not in res.output
        assert (victim / "precious.txt").read_text() == "keep me"
    assert [r["id"] for r in stored_json("results", "list")] == [evil]  # nothing half-deleted


def test_tampered_id_report_export_and_resume_write_nothing_outside(tampered: tuple[str, Path],
                                                                   results_folder: Path) -> None:
    evil, victim = tampered
    before = sorted(p.name for p in results_folder.parent.iterdir())
    res = invoke("report", evil)  # default target RESULTS/reports/<id>.html
    assert res.exit_code == 2 and "not an escalade id" in res.output
    res = invoke("results", "export", "latest")  # default name <id>-replicates.csv
    assert res.exit_code == 2 and "not an escalade id" in res.output
    with pytest.raises(UserError, match="not an escalade id"):
        resume(Store(), evil)
    assert sorted(p.name for p in results_folder.parent.iterdir()) == before
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]


def test_a_linked_result_folder_is_not_followed_by_delete(results_folder: Path, tmp_path: Path) -> None:
    rid = small_run()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    folder = results_folder / "data" / rid
    shutil.rmtree(folder)
    folder.symlink_to(victim, target_is_directory=True)
    res = invoke("results", "delete", rid)
    assert res.exit_code == 2 and "link" in res.output and "Traceback" not in res.output
    assert (victim / "precious.txt").read_text() == "keep me"


# --- exports and reports only replace regular files ---------------------------------------------


def test_export_refuses_to_replace_a_fifo_or_a_link(tmp_path: Path) -> None:
    rid = small_run()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = tmp_path / "target.csv"
    target.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    for out, fmt in ((fifo, "csv"), (fifo, "parquet"), (link, "csv")):
        res = invoke("results", "export", rid, "--format", fmt, "--out", str(out))
        assert res.exit_code == 2 and "not a regular file" in res.output, res.output
    assert fifo.is_fifo() and link.is_symlink() and target.read_text() == "keep me"
    res = invoke("report", rid, "--out", str(link))
    assert res.exit_code == 2 and "not a regular file" in res.output
    assert target.read_text() == "keep me"
    # a regular file is replaced, whole
    assert invoke("results", "export", rid, "--out", str(target)).exit_code == 0
    assert len(pd.read_csv(target)) == 20


@pytest.mark.skipif(os.geteuid() != 0, reason="only root could replace /dev/full")
def test_export_to_dev_full_refuses_as_root() -> None:
    rid = small_run()
    res = invoke("results", "export", rid, "--out", "/dev/full")
    assert res.exit_code == 2 and "not a regular file" in res.output
    assert Path("/dev/full").is_char_device()


def test_a_failed_export_leaves_the_old_file_and_no_temporary(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rid = small_run()
    target = tmp_path / "out.csv"
    target.write_text("old")

    def full(self, path, *args, **kwargs):
        Path(path).write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    res = invoke("results", "export", rid, "--out", str(target))
    assert res.exit_code == 2 and "No space left on device" in res.output and "Traceback" not in res.output
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# --- a full disk, a closed pipe -----------------------------------------------------------------


def test_a_storage_io_error_is_a_clear_exit_2_and_the_result_is_failed(
        results_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's own IOException (here: a Parquet file it cannot create) is a message, not a traceback."""
    import escalade.storage.store as store_mod

    real = store_mod.sql_path
    def nowhere(p: Path) -> str:
        return real(p.parent / "no-such-folder" / p.name) if p.suffix == ".tmp" else real(p)

    monkeypatch.setattr(store_mod, "sql_path", nowhere)
    res = invoke("run", "--runs", "20", "--days", "10")
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert "c00000.parquet" in res.output and "--results" in res.output
    monkeypatch.setattr(store_mod, "sql_path", real)
    assert [r["status"] for r in stored_json("results", "list")] == ["failed"]


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a real full disk needs root to mount a tmpfs")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk_is_a_clear_exit_2_and_the_result_is_failed(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", "8m") as disk:
        results = disk / "results"
        small_run("--results", str(results))  # the catalogue exists; now fill the disk
        free = shutil.disk_usage(disk).free
        with open(disk / "filler", "wb") as fh:
            fh.truncate(0)
            fh.write(b"\0" * max(0, free - 1024 * 1024))  # room for the catalogue, not the run
        res = invoke("run", "--runs", "100000", "--days", "60", "--keep-paths", "--results", str(results))
        assert res.exit_code == 2 and "Traceback" not in res.output, res.output
        assert "No space left on device" in res.output and ".parquet" in res.output
        statuses = [r["status"] for r in stored_json("results", "list", "--results", str(results))]
        assert statuses == ["done", "failed"]


def test_a_closed_stdout_pipe_is_quiet(tmp_path: Path) -> None:
    """``escalade run --json | head``: the reader leaves; no 'Broken pipe (choose another folder)'."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = os.environ | {"PYTHONPATH": path, "ESCALADE_RESULTS": str(tmp_path / "results")}
    proc = subprocess.Popen([sys.executable, "-m", "escalade", "run", "--runs", "20", "--days", "10",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the document is printed
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert proc.returncode == 1, stderr
    assert "Broken pipe" not in stderr and "Traceback" not in stderr and "error" not in stderr.lower(), stderr
    assert "--results" not in stderr
