"""The results database: a DuckDB catalogue of provenance plus one Parquet file per finished cell.

Layout of a results folder (``./escalade-results/`` unless ``--results`` or ``ESCALADE_RESULTS``)::

    catalogue.duckdb                 results, cells and indices tables (provenance, summaries)
    data/<id>/scenario.yaml          the scenario text exactly as run (resume reads this copy)
    data/<id>/cells/c00000.parquet   per-replicate outcomes of cell 0
    data/<id>/paths/c00000.parquet   daily escalation paths of cell 0 (only with --keep-paths)

Why this split: per-replicate tables are large and written once, so they go to columnar files
that any tool reads; the catalogue is small and updated often, so it is a database with
transactions. A cell becomes visible only when its catalogue row commits, and that happens
after its Parquet file has been renamed into place, so a reader never sees half a result and a
crash at any moment leaves either a finished cell or none. DuckDB lets one process write a file
at a time, so every connection here is short-lived and retried while another process holds the
lock: a sweep writing and a user querying can take turns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from escalade import __version__
from escalade.compile import Compiled
from escalade.engine.layout import CO_NAMES
from escalade.engine.run import RawResult
from escalade.errors import UserError
from escalade.experiments.design import KINDS, CellResult, Design
from escalade.registry import Outcome, names_of, of_kind, per_run

ENV_VAR = "ESCALADE_RESULTS"
DEFAULT_DIR = "escalade-results"
CATALOGUE = "catalogue.duckdb"
LOCK_WAIT_S = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- running | done | interrupted | failed
    scenario VARCHAR,                 -- the scenario's name
    source VARCHAR,                   -- what the user gave: a bundled name or a file path
    scenario_hash VARCHAR,            -- hash of the validated file as given (its default policy, no --set)
    scenario_text VARCHAR,            -- the file exactly as run
    policies VARCHAR,                 -- JSON list
    overrides VARCHAR,                -- JSON list of --set PATH=VALUE
    seed BIGINT,
    runs INTEGER,                     -- replicates per cell
    days INTEGER,
    engine VARCHAR,
    keep_paths BOOLEAN,
    cells_total INTEGER,
    cells_done INTEGER,
    design VARCHAR,                   -- JSON: the Design, enough to resume
    command VARCHAR,
    version VARCHAR,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS cells (
    result_id VARCHAR NOT NULL,
    cell INTEGER NOT NULL,
    point INTEGER,
    policy VARCHAR,
    params VARCHAR,                   -- JSON {path: value}
    scenario_hash VARCHAR,            -- hash of the scenario as this cell ran it
    runs INTEGER,
    days INTEGER,
    file VARCHAR,                     -- relative to the results folder
    paths_file VARCHAR,
    summary VARCHAR,                  -- JSON: outcome probabilities and actor means with intervals
    finished_at TIMESTAMP,
    PRIMARY KEY (result_id, cell)
);
CREATE TABLE IF NOT EXISTS indices (
    result_id VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    param VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    S1 DOUBLE, S1_conf DOUBLE, ST DOUBLE, ST_conf DOUBLE,
    mu_star DOUBLE, mu_star_conf DOUBLE, sigma DOUBLE, mu DOUBLE,
    flag VARCHAR                      -- e.g. "constant output": why an index is 0
);
ALTER TABLE indices ADD COLUMN IF NOT EXISTS flag VARCHAR;
-- half-widths of 95% intervals for the Monte Carlo noise of the points' outputs
ALTER TABLE indices ADD COLUMN IF NOT EXISTS S1_noise DOUBLE;
ALTER TABLE indices ADD COLUMN IF NOT EXISTS ST_noise DOUBLE;
ALTER TABLE indices ADD COLUMN IF NOT EXISTS mu_star_noise DOUBLE;
"""
INDEX_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma", "mu", "flag",
                 "S1_noise", "ST_noise", "mu_star_noise")
RESULT_COLUMNS = ("id", "kind", "status", "scenario", "source", "scenario_hash", "scenario_text",
                  "policies", "overrides", "seed", "runs", "days", "engine", "keep_paths",
                  "cells_total", "cells_done", "design", "command", "version", "started_at",
                  "finished_at")
CELL_COLUMNS = ("result_id", "cell", "point", "policy", "params", "scenario_hash", "runs", "days",
                "file", "paths_file", "summary", "finished_at")
JSON_FIELDS = ("policies", "overrides", "design", "params", "summary")


class CatalogueBusy(UserError):
    """Another process held the catalogue longer than we were willing to wait."""


def results_dir(option: str | Path | None = None) -> Path:
    """The folder from ``--results``, else ``ESCALADE_RESULTS``, else ``./escalade-results``."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT_DIR)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# Results that are one document and a few tables rather than cells of replicates.
DOCUMENT_TABLES = {"backtest": ("questions",), "replay": ("paths",)}
ID_KINDS = (*KINDS, *DOCUMENT_TABLES)
# The questions view's main columns, for a folder without any backtest yet.
EMPTY_QUESTIONS = (("result_id", "VARCHAR"), ("question", "VARCHAR"), ("kind", "VARCHAR"),
                   ("source", "VARCHAR"), ("target", "VARCHAR"), ("cut", "VARCHAR"),
                   ("horizon_days", "BIGINT"), ("forecast", "DOUBLE"), ("outcome", "BIGINT"),
                   ("base_rate", "DOUBLE"), ("persistence", "DOUBLE"))
ID_RE = re.compile(rf"(?:{'|'.join(ID_KINDS)})-[0-9a-f]{{8}}")
CELL_FILE_RE = re.compile(r"data/(?P<id>[a-z]+-[0-9a-f]{8})/(?:(?:cells|paths)/c[0-9]{5}\.parquet"
                          r"|(?:backtest|replay)\.json|(?:questions|paths)\.parquet)")


def new_id(kind: str) -> str:
    """Short ids a person can type; randomness here never touches results (the seed does)."""
    return check_id(f"{kind}-{secrets.token_hex(4)}")


def check_id(result_id: str) -> str:
    """A result id as ``new_id`` makes them (KIND-8 hex digits), so it is safe as a path component.

    Ids come back from the catalogue, which anyone can edit: one reading ``../../x`` must never
    name a folder outside the results folder.
    """
    if not isinstance(result_id, str) or not ID_RE.fullmatch(result_id):
        shown = ascii(result_id)[:80]
        raise UserError(f"result id {shown} is not an escalade id (KIND-8 hex digits, KIND one of "
                        f"{', '.join(ID_KINDS)}); the catalogue was edited outside escalade: nothing "
                        "is read or deleted under that name")
    return result_id


def storage_error(exc: duckdb.Error, path: Path) -> OSError:
    """A DuckDB I/O failure (a full disk, a read-only folder) as the OSError it wraps, naming ``path``."""
    text = str(exc)
    found = re.search(r'"errno"\s*:\s*"?(\d+)', text)
    if found:
        code = int(found.group(1))
        return OSError(code, os.strerror(code), str(path))
    if "no space left" in text.lower():
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return OSError(errno.EIO, text.splitlines()[0] if text else "I/O error", str(path))


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary name next to ``path``; once written it is synced and renamed onto ``path``.

    A reader sees the old file or the new one, never half of one; on any error the temporary file
    is removed and ``path`` is untouched.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)  # a stale one (or a planted link): never write through it
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_target(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame to Parquet via a temporary name and an atomic rename."""
    with atomic_target(path) as tmp:
        con = duckdb.connect()
        try:
            con.register("frame", frame)
            con.execute(f"COPY (SELECT * FROM frame) TO '{sql_path(tmp)}' (FORMAT parquet, COMPRESSION zstd)")
        except duckdb.IOException as exc:
            raise storage_error(exc, path) from None
        finally:
            con.close()


def replaceable(out: Path, flag: str = "--out") -> None:
    """Refuse to write over anything but a regular file: a device (``/dev/full``), a pipe, a
    socket, a link or a folder is never replaced by an export or a report."""
    if out.is_dir():
        raise UserError(f"{flag} {out}: is a folder; give a file name")
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise UserError(f"{flag} {out}: exists and is not a regular file (a device, pipe, socket or "
                        "link); only regular files are replaced: give another name")


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


# --- per-replicate frames ------------------------------------------------------------------


def day_column(name: str) -> str:
    return f"{name}_day"


def run_column(o: Outcome) -> str:
    """Stored column of a per-run outcome of the registry: ``<name>_day`` for a first day (NULL
    if never), the bare name for a count (``war_days``)."""
    return day_column(o.name) if o.kind == "first_day" else o.name


def actor_column(actor: str, metric: str) -> str:
    return f"{actor}_{metric}"


def pair_column(a: str, b: str) -> str:
    return f"strikes_{a}_{b}"


def commit_column(metric: str, protector: str, protected: str) -> str:
    """Stored column of a per-commitment tally: ``helped_USA_ISR``, ``abandoned_USA_ISR``."""
    return f"{metric}_{protector}_{protected}"


def cell_frame(result_id: str, res: CellResult) -> pd.DataFrame:
    """Per-replicate outcomes of a cell, one row per replicate.

    Event days are NULL when the event never happened, so SQL reads naturally:
    ``count(regional_war_day) / count(*)`` is P(regional war).
    """
    raw, cell = res.raw, res.cell
    n = raw.runs
    cols: dict[str, Any] = {
        "result_id": pd.Series([result_id] * n, dtype="string"),
        "cell": np.full(n, cell.index, np.int32),
        "point": np.full(n, cell.point, np.int32),
        "policy": pd.Series([cell.policy] * n, dtype="string"),
        "replicate": np.arange(n, dtype=np.int32),
    }
    for o in per_run():  # the engine's column order: first days, then counts
        d = raw.days_out[:, o.column].astype(np.int32)
        cols[run_column(o)] = pd.arrays.IntegerArray(d, d < 0) if o.kind == "first_day" else d
    ids = raw.compiled.ids
    for a, aid in enumerate(ids):
        for k, metric in enumerate(names_of("actor")):
            cols[actor_column(aid, metric)] = raw.actor_out[:, a, k]
    for i, a in enumerate(ids):  # every pair, zeros included, so SQL means are means over all runs
        for j, b in enumerate(ids):
            if i != j:
                cols[pair_column(a, b)] = raw.pair_out[:, i, j]
    if raw.commit_out is not None:  # per commitment: help given and withheld
        for k, (p, q) in enumerate(raw.compiled.commitments):
            for m, metric in enumerate(CO_NAMES):
                cols[commit_column(metric, ids[p], ids[q])] = raw.commit_out[:, k, m]
    return pd.DataFrame(cols)


def paths_frame(result_id: str, res: CellResult) -> pd.DataFrame:
    """Daily escalation level (highest rung between main parties, -1 none), one column a day."""
    path = res.raw.path
    assert path is not None
    n, days = path.shape
    cols: dict[str, Any] = {"result_id": pd.Series([result_id] * n, dtype="string"),
                            "cell": np.full(n, res.cell.index, np.int32),
                            "replicate": np.arange(n, dtype=np.int32)}
    width = max(3, len(str(days)))
    for d in range(days):
        cols[f"d{d + 1:0{width}d}"] = path[:, d]
    return pd.DataFrame(cols)


def outcome_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """One outcome per replicate from a stored frame: 0/1 for an event (by a horizon for names
    like ``regional_war_90d``), the value for an actor metric (``ISR.casualties``)."""
    actor, dot, metric = name.partition(".")
    if dot:
        return frame[actor_column(actor, metric)].to_numpy(np.float64)
    base, _, horizon = name.rpartition("_")
    if base and horizon.endswith("d") and horizon[:-1].isdigit() and day_column(base) in frame:
        day = frame[day_column(base)]
        return (day.notna() & (day.fillna(10**9) <= int(horizon[:-1]))).to_numpy(np.float64)
    return frame[day_column(name)].notna().to_numpy(np.float64)


def raw_from_frame(frame: pd.DataFrame, compiled: Compiled, seed: int,
                   paths: np.ndarray | None = None) -> RawResult:
    """Rebuild the engine's arrays from a stored frame, so stored results summarise like fresh ones."""
    n, ids = len(frame), compiled.ids
    days_out = np.empty((n, len(per_run())), np.int32)
    for o in per_run():
        col = run_column(o)
        if col not in frame and o.absent is not None:  # results stored before the outcome existed
            days_out[:, o.column] = o.absent
        else:
            days_out[:, o.column] = frame[col].fillna(-1).to_numpy(np.int32)
    tallies = of_kind("actor")
    actor_out = np.zeros((n, len(ids), len(tallies)))
    for a, aid in enumerate(ids):
        for o in tallies:
            col = actor_column(aid, o.name)
            if col not in frame and o.absent is not None:  # stored before the tally existed
                actor_out[:, a, o.column] = o.absent
            else:
                actor_out[:, a, o.column] = frame[col].to_numpy(np.float64)
    pair_out = np.zeros((n, len(ids), len(ids)), dtype=np.int16)
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            col = pair_column(a, b)
            if col in frame:
                pair_out[:, i, j] = frame[col].to_numpy(np.int16)
    commits = compiled.commitments
    commit_out = np.zeros((n, len(commits), len(CO_NAMES)), dtype=np.int16)
    for k, (p, q) in enumerate(commits):  # absent from results stored before: 0
        for m, metric in enumerate(CO_NAMES):
            col = commit_column(metric, ids[p], ids[q])
            if col in frame:
                commit_out[:, k, m] = frame[col].to_numpy(np.int16)
    return RawResult(compiled, seed, days_out, actor_out, pair_out, paths, None, commit_out)


# --- the SQL surface ------------------------------------------------------------------------

SQL_TIMEOUT_S = 60.0
SQL_MAX_ROWS = 10_000
SQL_MEMORY_LIMIT = "2GB"
SQL_THREADS = max(1, min(4, os.cpu_count() or 1))
SQL_GRACE_S = 3.0  # how long an interrupted query may take to stop
SQL_TABLES = "tables results, cells, indices and views replicates, paths"


class SqlStuck(UserError):
    """The query was interrupted but its thread is still inside DuckDB: the caller should print
    the message and end the process at once (``os._exit``), leaving the thread behind."""


@dataclass(frozen=True)
class SqlResult:
    """What a query gave back: column names, at most ``max_rows`` rows, and whether more were cut."""

    names: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


def lock_down(con: duckdb.DuckDBPyConnection, allowed: list[Path], memory_limit: str) -> None:
    """Leave ``con`` able to read its own tables and exactly the files in ``allowed``, for good."""
    try:
        con.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
    except duckdb.Error as exc:
        raise UserError(f"--memory-limit: expected a size such as 2GB or 500MB, got "
                        f"{memory_limit!a} ({str(exc).splitlines()[0]})") from None
    listing = ", ".join(f"'{sql_path(f)}'" for f in allowed)
    for setting in (f"allowed_paths = [{listing}]",
                    "temp_directory = ''",            # no spilling: memory_limit is the bound
                    f"threads = {SQL_THREADS}",
                    "python_enable_replacements = false",  # no scans of Python variables by name
                    "autoinstall_known_extensions = false",
                    "autoload_known_extensions = false",
                    "allow_community_extensions = false",
                    "enable_external_access = false",
                    "lock_configuration = true"):     # last: the query cannot SET any of it back
        con.execute(f"SET {setting}")


def run_bounded(con: duckdb.DuckDBPyConnection, query: str, timeout: float, max_rows: int,
                memory_limit: str) -> SqlResult:
    """Run ``query`` on ``con`` in a worker thread; interrupt it after ``timeout`` seconds (or on
    Ctrl-C), and fetch at most ``max_rows`` rows (results stream, so the rest is never computed).
    Closes ``con``."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            cur = con.execute(query)
            names = [d[0] for d in cur.description]
            box["result"] = (names, cur.fetchmany(max_rows + 1))
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, name="escalade-sql", daemon=True)
    worker.start()
    late = False
    try:
        worker.join(timeout)
    finally:
        if worker.is_alive():  # past the time limit, or Ctrl-C in the main thread
            late = True
            con.interrupt()
            worker.join(SQL_GRACE_S)
        if not worker.is_alive():
            con.close()
    stopped = (f"sql: the query ran past --timeout {timeout:g} s and was stopped; narrow it "
               "(WHERE, LIMIT) or give a longer --timeout")
    if worker.is_alive():  # inside one step DuckDB cannot interrupt (one huge string)
        raise SqlStuck(stopped)
    if late:  # whatever it did after the interrupt, the time limit decides
        raise UserError(stopped)
    if "result" in box:
        names, rows = box["result"]
        return SqlResult(names, rows[:max_rows], len(rows) > max_rows)
    error = box.get("error")
    if error is None or isinstance(error, duckdb.InterruptException):
        raise UserError(stopped) from None
    if isinstance(error, duckdb.PermissionException):
        raise UserError(f"sql: only the results can be read here ({SQL_TABLES}); no files, "
                        f"network, extensions or settings ({str(error).splitlines()[0]})") from None
    if isinstance(error, duckdb.OutOfMemoryException):
        raise UserError(f"sql: the query needs more memory than --memory-limit {memory_limit}; narrow it "
                        "(WHERE, fewer columns) or raise the limit") from None
    if isinstance(error, duckdb.Error):
        first = str(error).splitlines()[0]
        if "configuration has been locked" in first or "disabled by configuration" in first:
            raise UserError(f"sql: settings cannot be changed here ({first})") from None
        raise UserError(f"sql: {first}") from None
    raise error


# --- the store -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResult:
    """A catalogue row with its cells, JSON fields decoded."""

    meta: dict[str, Any]
    cells: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def design(self) -> Design:
        return Design.from_json(self.meta["design"])

    def cell_rows(self) -> list[dict[str, Any]]:
        """Each finished cell as {point, policy, params, scenario_hash, outcomes}: the rows of
        sweep tables, sweep JSON and report figures."""
        return [{"point": c["point"], "policy": c["policy"], "params": c["params"],
                 "scenario_hash": c["scenario_hash"], "outcomes": c["summary"]["outcomes"]}
                for c in self.cells]


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS:
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row


class Store:
    """One results folder. Cheap to create; every operation opens and closes the catalogue."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = results_dir(root)
        self.catalogue = self.root / CATALOGUE
        self._schema_ready = False

    # -- connections --

    @contextlib.contextmanager
    def connect(self, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection, retried while another process holds the file lock."""
        if not write and not self.catalogue.exists():
            raise UserError(f"{self.root}: no results catalogue here ({CATALOGUE} is missing); "
                            f"run or sweep something first, or pass --results DIR")
        if write:
            self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + LOCK_WAIT_S
        pause = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.catalogue), read_only=not write)
                break
            except duckdb.IOException as exc:
                if "lock" in str(exc).lower() and time.monotonic() > deadline:
                    raise CatalogueBusy(f"{self.catalogue}: another process has held it for over "
                                        f"{LOCK_WAIT_S:.0f} s (close other connections to it)") from None
                if "lock" not in str(exc).lower():
                    raise UserError(f"{self.catalogue}: cannot be opened ({exc})") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
            except duckdb.Error as exc:
                raise UserError(f"{self.catalogue}: not a readable results catalogue ({exc}); "
                                "move it away to start a new one") from None
        try:
            if write and not self._schema_ready:
                con.execute(SCHEMA)
                self._schema_ready = True
            if not write:
                tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
                          .fetchall()}
                if "results" not in tables:
                    raise UserError(f"{self.catalogue}: a DuckDB file without escalade's tables; "
                                    "move it away (or run something to create them)")
            yield con
        except duckdb.IOException as exc:  # a full disk under the catalogue: the environment, not a bug
            raise storage_error(exc, self.catalogue) from None
        finally:
            con.close()

    def _rows(self, con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
              ) -> list[dict[str, Any]]:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [_decode(dict(zip(names, r, strict=True))) for r in cur.fetchall()]

    # -- writing --

    def data_dir(self, result_id: str) -> Path:
        """The folder of a result's files; the id is checked, so it cannot point anywhere else."""
        return self.root / "data" / check_id(result_id)

    def _owned_dir(self, result_id: str) -> Path:
        """A result's folder, resolved, once it is sure to lie directly in ``RESULTS/data``."""
        folder = self.data_dir(result_id)
        data = (self.root / "data").resolve()
        resolved = folder.resolve()
        if folder.is_symlink() or resolved.parent != data:
            raise UserError(f"result {result_id}: {folder} is a link or lies outside {data}; "
                            "it was changed outside escalade, so escalade will not delete it")
        return resolved

    def cell_path(self, result_id: str, rel: str) -> Path:
        """A cell file named by the catalogue, checked to be this result's and inside the folder."""
        match = CELL_FILE_RE.fullmatch(rel) if isinstance(rel, str) else None
        resolved = (self.root / rel).resolve() if match else None
        folder = (self.root / "data").resolve() / check_id(result_id)
        if match is None or match["id"] != result_id or not (resolved and resolved.is_relative_to(folder)):
            raise UserError(f"result {result_id}: the catalogue names the file {ascii(rel)[:120]}, which "
                            f"is not one of its files under {self.root / 'data' / result_id}; the catalogue "
                            "was edited outside escalade")
        return resolved

    def has_file(self, result_id: str, rel: str) -> bool:
        try:
            return self.cell_path(result_id, rel).is_file()
        except UserError:
            return False

    @contextlib.contextmanager
    def writing(self, result_id: str) -> Iterator[None]:
        """Hold the result's lock while writing it, so two processes never run its cells at once.

        An advisory ``flock`` on ``data/<id>/.writing``: the system drops it when the writer dies,
        however it dies, so a resume after ``kill -9`` needs no cleaning up and a recycled process
        id cannot keep it. The file stays (unlinking a locked file would let a second writer lock
        a new one); it names the last writer. Local file systems only: NFS may not honour it.
        """
        lock = self.data_dir(result_id) / ".writing"
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            try:
                who = f"process {int(lock.read_text().strip())}"
            except (OSError, ValueError):
                who = "another process"
            raise UserError(f"result {result_id} is being written by {who}; wait for it to finish "
                            "(or stop it) before resuming") from None
        try:
            with contextlib.suppress(OSError):  # the name is a courtesy: a full disk must not stop us
                os.ftruncate(fd, 0)      # here, before the run can mark itself failed
                os.write(fd, str(os.getpid()).encode())
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def scenario_copy(self, result_id: str) -> Path:
        """The stored scenario file of a result, restored from the catalogue's text if it went missing."""
        copy = self.data_dir(result_id) / "scenario.yaml"
        text = self.get(result_id).meta["scenario_text"]
        try:
            same = copy.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:  # missing or edited by hand: the catalogue's text is what was run
            copy.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(copy, text.encode("utf-8"))
        return copy

    def begin(self, design: Design, source: str, scenario_name: str, scenario_text: str,
              scenario_hash: str, days: int, command: str | None = None) -> tuple[str, Design]:
        """Register a result as running; returns its id and the design pointed at the stored copy."""
        result_id = new_id(design.kind)
        folder = self.data_dir(result_id)
        (folder / "cells").mkdir(parents=True, exist_ok=True)
        if design.keep_paths:
            (folder / "paths").mkdir(exist_ok=True)
        copy = folder / "scenario.yaml"
        atomic_write_bytes(copy, scenario_text.encode("utf-8"))
        design = design.with_scenario(str(copy))
        row = {"id": result_id, "kind": design.kind, "status": "running", "scenario": scenario_name,
               "source": source, "scenario_hash": scenario_hash, "scenario_text": scenario_text,
               "policies": json.dumps(design.policies), "overrides": json.dumps(list(design.overrides)),
               "seed": design.seed, "runs": design.runs, "days": days, "engine": design.engine,
               "keep_paths": design.keep_paths, "cells_total": len(design.cells), "cells_done": 0,
               "design": json.dumps(design.to_json()), "command": command, "version": __version__,
               "started_at": now(), "finished_at": None}
        self._register(row, folder)
        return result_id, design

    def _register(self, row: dict[str, Any], folder: Path) -> None:
        """Insert a result's catalogue row; if that fails, remove its folder (nothing refers to it)."""
        try:
            with self.connect(write=True) as con:
                con.execute(f"INSERT INTO results ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                            list(row.values()))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def write_cell(self, result_id: str, res: CellResult, summary: dict[str, Any]) -> dict[str, Any]:
        """Write a finished cell's Parquet files atomically; returns its catalogue row (not committed)."""
        folder = self.data_dir(result_id)
        name = f"c{res.cell.index:05d}.parquet"
        write_parquet(cell_frame(result_id, res), folder / "cells" / name)
        paths_file = None
        if res.raw.path is not None:
            (folder / "paths").mkdir(exist_ok=True)
            write_parquet(paths_frame(result_id, res), folder / "paths" / name)
            paths_file = f"data/{result_id}/paths/{name}"
        return {"result_id": result_id, "cell": res.cell.index, "point": res.cell.point,
                "policy": res.cell.policy, "params": json.dumps(res.cell.params),
                "scenario_hash": res.loaded.hash, "runs": res.raw.runs, "days": res.raw.compiled.days,
                "file": f"data/{result_id}/cells/{name}", "paths_file": paths_file,
                "summary": json.dumps(summary), "finished_at": now()}

    def commit_cells(self, result_id: str, rows: list[dict[str, Any]]) -> None:
        """Make written cells visible, all in one transaction with the result's cell count."""
        if not rows:
            return
        with self.connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            for row in rows:
                con.execute("DELETE FROM cells WHERE result_id = ? AND cell = ?", [result_id, row["cell"]])
                con.execute(f"INSERT INTO cells ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                            list(row.values()))
            con.execute("UPDATE results SET cells_done = (SELECT count(*) FROM cells WHERE result_id = ?)"
                        " WHERE id = ?", [result_id, result_id])
            con.execute("COMMIT")

    def add_cell(self, result_id: str, res: CellResult, summary: dict[str, Any]) -> None:
        """Write a cell's files, then commit its catalogue row."""
        self.commit_cells(result_id, [self.write_cell(result_id, res, summary)])

    def add_indices(self, result_id: str, rows: list[dict[str, Any]]) -> None:
        with self.connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM indices WHERE result_id = ?", [result_id])
            names = ("result_id", "outcome", "param", "method", *INDEX_COLUMNS)
            for r in rows:
                values = [result_id, r["outcome"], r["param"], r["method"],
                          *(r.get(c) for c in INDEX_COLUMNS)]
                marks = ", ".join("?" * len(values))
                con.execute(f"INSERT INTO indices ({', '.join(names)}) VALUES ({marks})", values)
            con.execute("COMMIT")

    def set_status(self, result_id: str, status: str) -> None:
        finished = None if status == "running" else now()
        with self.connect(write=True) as con:
            con.execute("UPDATE results SET status = ?, finished_at = ? WHERE id = ?",
                        [status, finished, result_id])

    def delete(self, result_id: str, force: bool = False) -> str:
        """Remove a result: catalogue rows first (so it vanishes at once), then its files."""
        stored = self.get(result_id)
        if stored.meta["status"] == "running" and not force:
            raise UserError(f"result {stored.id} is marked running (a process may still be writing "
                            "it); stop that process first, or pass --force if it is gone")
        folder = self._owned_dir(stored.id)  # checked before anything is removed
        with self.connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            for table, key in (("cells", "result_id"), ("indices", "result_id"), ("results", "id")):
                con.execute(f"DELETE FROM {table} WHERE {key} = ?", [stored.id])
            con.execute("COMMIT")
        shutil.rmtree(folder, ignore_errors=True)
        return stored.id

    # -- reading --

    def list(self) -> list[dict[str, Any]]:
        with self.connect() as con:
            return self._rows(con, "SELECT id, kind, status, scenario, policies, overrides, seed, runs, "
                                   "days, cells_done, cells_total, version, started_at, finished_at "
                                   "FROM results ORDER BY started_at, rowid")

    def get(self, result_id: str) -> StoredResult:
        """A result by id; ``latest`` names the most recently started one."""
        with self.connect() as con:
            if result_id == "latest":
                meta = self._rows(con, "SELECT * FROM results ORDER BY started_at DESC, rowid DESC LIMIT 1")
                if not meta:
                    raise UserError(f"{self.root}: no results stored yet")
                result_id = meta[0]["id"]
            meta = self._rows(con, "SELECT * FROM results WHERE id = ?", [result_id])
            if not meta:
                known = [r["id"] for r in self._rows(
                    con, "SELECT id FROM results ORDER BY started_at DESC LIMIT 5")]
                raise UserError(f"{self.root}: no result '{result_id}'; recent ones: {known} "
                                "(see escalade results list)")
            cells = self._rows(con, "SELECT * FROM cells WHERE result_id = ? ORDER BY cell", [result_id])
        check_id(meta[0]["id"])  # every caller may use it as a path component
        return StoredResult(meta[0], cells)

    def resolve(self, result_id: str) -> str:
        """The real id behind ``latest`` (any other id is returned as given)."""
        return self.get(result_id).id if result_id == "latest" else result_id

    def indices(self, result_id: str) -> list[dict[str, Any]]:
        """Stored indices as the analysis gave them: {outcome, param, method, S1, ... , flag}."""
        result_id = self.resolve(result_id)
        with self.connect() as con:
            rows = self._rows(con, "SELECT * FROM indices WHERE result_id = ? ORDER BY rowid", [result_id])
        return [{k: v for k, v in r.items() if k != "result_id" and v is not None} for r in rows]

    def _file(self, result_id: str, rel: str) -> Path:
        path = self.cell_path(result_id, rel)
        if not path.is_file():
            raise UserError(f"result {result_id}: file {path} is missing; the results folder was "
                            "changed outside escalade (re-run, or resume a sweep to rewrite it)")
        return path

    def read_frame(self, result_id: str, rel: str, schema_only: bool = False) -> pd.DataFrame:
        path = self._file(result_id, rel)
        con = duckdb.connect()
        try:
            limit = " LIMIT 0" if schema_only else ""
            return con.execute(f"SELECT * FROM read_parquet('{sql_path(path)}'){limit}").df()
        except duckdb.Error as exc:
            raise UserError(f"result {result_id}: file {path} cannot be read as Parquet "
                            f"({str(exc).splitlines()[0]}); it is damaged: re-run the result") from None
        finally:
            con.close()

    def replicates(self, result_id: str, cell: int | None = None) -> pd.DataFrame:
        """Per-replicate outcomes of a result (one cell or all), as one frame."""
        stored = self.get(result_id)
        result_id = stored.id
        cells = [c for c in stored.cells if cell is None or c["cell"] == cell]
        if not cells:
            raise UserError(f"result {result_id}: no finished cell {cell if cell is not None else ''}")
        frames = [self.read_frame(result_id, c["file"]) for c in cells]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def paths(self, result_id: str, cell: int) -> np.ndarray | None:
        """Daily escalation paths of one cell as (runs, days) int8, or None if not kept."""
        stored = self.get(result_id)
        match = [c for c in stored.cells if c["cell"] == cell]
        if not match or not match[0]["paths_file"]:
            return None
        frame = self.read_frame(result_id, match[0]["paths_file"])
        day_cols = [c for c in frame.columns if c.startswith("d") and c[1:].isdigit()]
        return frame[day_cols].to_numpy(np.int8)

    def sql(self, query: str, timeout: float = SQL_TIMEOUT_S, max_rows: int = SQL_MAX_ROWS,
            memory_limit: str = SQL_MEMORY_LIMIT) -> SqlResult:
        """Run one read-only SELECT over the catalogue and the stored replicates, and nothing else.

        Tables: ``results``, ``cells``, ``indices``; views ``replicates`` and ``paths`` over the
        Parquet files of finished cells, and ``questions`` over every backtest's questions. The
        catalogue is copied into memory first, so a long query never holds the lock a running
        sweep needs.

        The user's SQL runs on an in-memory connection that is locked down before it sees the
        query: external access off (no ``read_text('/etc/shadow')``, ``glob``, ``ATTACH``, URLs),
        except for exactly the Parquet files of the views the query names (``allowed_paths``,
        each checked to lie in its result's folder); extension auto-install and auto-load off; no
        Python replacement scans; a memory limit with spilling to disk off; a few threads; then
        ``lock_configuration`` so that no ``SET`` in the query can undo any of it. The views read
        the files lazily rather than being copied into memory first, so a query over one result
        of a large folder costs what it reads, and memory stays under ``memory_limit``. The query
        is interrupted after ``timeout`` seconds and at most ``max_rows`` rows come back.
        """
        con = duckdb.connect()
        try:
            try:
                statements = con.extract_statements(query)
            except duckdb.Error as exc:
                raise UserError(f"sql: {str(exc).splitlines()[0]}") from None
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                raise UserError("sql: give exactly one SELECT statement (the results database is "
                                "read-only here)")
            with self.connect() as cat:
                tables = {t: cat.execute(f"SELECT * FROM {t}").df() for t in ("results", "cells", "indices")}
            for name, frame in tables.items():
                con.register(f"_{name}", frame)
                con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _{name}")
                con.unregister(f"_{name}")
            cells = tables["cells"]
            allowed: list[Path] = []
            for view, column in (("replicates", "file"), ("paths", "paths_file")):
                if view not in query.lower():  # so the catalogue stays queryable if a file is damaged
                    continue
                listed = cells[["result_id", column]].dropna()
                pairs = [(str(rid), str(rel))
                         for rid, rel in zip(listed["result_id"], listed[column], strict=True)]
                files = [self._file(rid, rel) for rid, rel in pairs]  # a missing file: an error, never a gap
                if files:
                    listing = ", ".join(f"'{sql_path(f)}'" for f in files)
                    try:
                        con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM "
                                    f"read_parquet([{listing}], union_by_name = true)")
                    except duckdb.Error:
                        for rid, rel in pairs:
                            self.read_frame(rid, rel, schema_only=True)
                        raise
                    allowed += files
                else:
                    con.execute(f"CREATE TEMP VIEW {view} AS SELECT NULL::VARCHAR AS result_id, "
                                "NULL::INTEGER AS cell, NULL::INTEGER AS replicate WHERE false")
            if "questions" in query.lower():  # every backtest's questions, one row each
                done = tables["results"]
                ids = [str(r) for r in done.loc[(done["kind"] == "backtest")
                                                & (done["status"] == "done"), "id"]]
                files = [self._file(rid, f"data/{rid}/questions.parquet") for rid in ids]
                if files:
                    listing = ", ".join(f"'{sql_path(f)}'" for f in files)
                    con.execute("CREATE TEMP VIEW questions AS SELECT * FROM "
                                f"read_parquet([{listing}], union_by_name = true)")
                    allowed += files
                else:
                    empty = ", ".join(f"NULL::{t} AS {c}" for c, t in EMPTY_QUESTIONS)
                    con.execute(f"CREATE TEMP VIEW questions AS SELECT {empty} WHERE false")
            lock_down(con, allowed, memory_limit)
        except duckdb.Error as exc:  # a damaged file no single read could pin down
            con.close()
            first = str(exc).splitlines()[0]
            raise UserError(f"sql: the stored replicates cannot be read ({first})") from None
        except BaseException:
            con.close()
            raise
        return run_bounded(con, query, timeout, max_rows, memory_limit)

    def default_table(self, result_id: str) -> str:
        """What ``results export`` writes when no table is named: a result's main table."""
        return DOCUMENT_TABLES.get(self.get(result_id).meta["kind"], ("replicates",))[0]

    def export(self, result_id: str, fmt: str, out: Path, table: str = "replicates") -> Path:
        """Write a result's replicates (or paths, cells, indices) to one CSV or Parquet file."""
        if fmt not in ("csv", "parquet"):
            raise UserError(f"--format: expected csv or parquet, got '{fmt}'")
        if out.is_dir():
            raise UserError(f"--out {out}: is a folder; give a file name, e.g. {out / f'{result_id}.{fmt}'}")
        replaceable(out)  # before any work; atomic_target renames over a regular file only
        stored = self.get(result_id)
        result_id = stored.id
        tables = DOCUMENT_TABLES.get(stored.meta["kind"], ("replicates", "paths", "cells", "indices"))
        if table not in tables:
            raise UserError(f"--table: a {stored.meta['kind']} result has the tables "
                            f"{', '.join(tables)}; got '{table}'")
        if stored.meta["kind"] in DOCUMENT_TABLES:
            frame = self.read_frame(result_id, f"data/{result_id}/{table}.parquet")
        elif table == "replicates":
            frame = self.replicates(result_id)
        elif table == "paths":
            frames = [self.read_frame(result_id, c["paths_file"]) for c in stored.cells if c["paths_file"]]
            if not frames:
                raise UserError(f"result {result_id}: no paths were kept (run with --keep-paths)")
            frame = pd.concat(frames, ignore_index=True)
        elif table == "cells":
            frame = pd.DataFrame([{k: json.dumps(v) if isinstance(v, dict | list) else v
                                   for k, v in c.items()} for c in stored.cells])
        else:
            frame = pd.DataFrame(self.indices(result_id))
            if frame.empty:
                raise UserError(f"result {result_id}: no sensitivity indices stored (not a sensitivity "
                                "analysis, or not finished: resume it first)")
        replaceable(out)  # again, just before writing
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "parquet":
                write_parquet(frame, out)
            else:
                with atomic_target(out) as tmp:
                    frame.to_csv(tmp, index=False)
        except OSError as exc:  # a full disk, a folder we may not write
            raise UserError(f"--out {out}: cannot be written ({exc.strerror or exc})") from None
        return out

    # -- results that are documents, not cells of replicates (backtests, replays) --

    def save_document(self, kind: str, doc: dict[str, Any], frames: dict[str, pd.DataFrame],
                      provenance: dict[str, Any], extra_files: dict[str, bytes] | None = None,
                      ) -> str:
        """Store a finished result whose content is one JSON document plus a few tables.

        Files first (atomically), then one catalogue row marked done, so a reader never sees a
        row whose files are missing. ``provenance`` gives the catalogue's scenario, source,
        scenario_hash, scenario_text, seed, runs, days, engine, policies and command.
        """
        result_id = new_id(kind)
        folder = self.data_dir(result_id)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            atomic_write_bytes(folder / "scenario.yaml", str(provenance["scenario_text"]).encode())
            atomic_write_bytes(folder / f"{kind}.json", json.dumps(doc, allow_nan=False).encode())
            for name, frame in frames.items():  # rows name their result, as cells' rows do
                write_parquet(frame.assign(result_id=result_id)[
                    ["result_id", *(c for c in frame.columns if c != "result_id")]],
                    folder / f"{name}.parquet")
            for name, data in (extra_files or {}).items():
                atomic_write_bytes(folder / name, data)
            stamp = now()
            row = {"id": result_id, "kind": kind, "status": "done",
                   "scenario": provenance.get("scenario"), "source": provenance.get("source"),
                   "scenario_hash": provenance.get("scenario_hash"),
                   "scenario_text": provenance.get("scenario_text"),
                   "policies": json.dumps(provenance.get("policies", [])),
                   "overrides": json.dumps(provenance.get("overrides", [])),
                   "seed": provenance.get("seed"), "runs": provenance.get("runs"),
                   "days": provenance.get("days"), "engine": provenance.get("engine"),
                   "keep_paths": False, "cells_total": 0, "cells_done": 0,
                   "design": json.dumps({"kind": kind, **provenance.get("design", {})}),
                   "command": provenance.get("command"), "version": __version__,
                   "started_at": provenance.get("started_at", stamp), "finished_at": stamp}
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # nothing refers to it yet
            raise
        self._register(row, folder)
        return result_id

    def document(self, result_id: str) -> tuple[StoredResult, dict[str, Any]]:
        """A stored document result (backtest, replay) and its JSON document."""
        stored = self.get(result_id)
        kind = stored.meta["kind"]
        path = self._file(stored.id, f"data/{stored.id}/{kind}.json")
        try:
            return stored, json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"result {stored.id}: {path} cannot be read ({exc}); re-run it") from None
