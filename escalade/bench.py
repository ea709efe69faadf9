"""Throughput and memory of the engines on the default scenario; a benchmark, not a test.

Throughput is in actor-days per second: replicates × days × actors, divided by wall time.
Peak memory is the process's maximum resident set size, read after a run of ``memory_runs``.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Callable
from typing import Any

from escalade import __version__
from escalade.compile import compile_scenario
from escalade.engine.run import simulate
from escalade.scenario.load import load_scenario


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run_bench(runs: int, ref_runs: int, memory_runs: int,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    say = log or (lambda _msg: None)
    c = compile_scenario(load_scenario("levant-2024").scenario)
    per_run = c.days * c.n_actors
    say(f"levant-2024: {c.n_actors} actors × {c.days} days; compiling the kernel...")
    compile_s = _timed(lambda: simulate(c, 64, seed=1))
    fast_s = _timed(lambda: simulate(c, runs, seed=2))
    fast = runs * per_run / fast_s
    say(f"fast engine: {runs} runs in {fast_s:.2f} s = {fast:.3g} actor-days/s")
    ref_s = _timed(lambda: simulate(c, ref_runs, seed=3, engine="reference"))
    ref = ref_runs * per_run / ref_s
    say(f"reference:   {ref_runs} runs in {ref_s:.2f} s = {ref:.3g} actor-days/s")
    say(f"ratio fast/reference: {fast / ref:.0f}×")
    result: dict[str, Any] = {
        "version": __version__,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "scenario": "levant-2024", "actors": c.n_actors, "days": c.days,
        "compile_seconds": compile_s,
        "fast": {"runs": runs, "seconds": fast_s, "actor_days_per_s": fast},
        "reference": {"runs": ref_runs, "seconds": ref_s, "actor_days_per_s": ref},
        "ratio": fast / ref,
    }
    if memory_runs > 0:
        mem_s = _timed(lambda: simulate(c, memory_runs, seed=4))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
        say(f"memory: {memory_runs} runs in {mem_s:.1f} s, peak resident memory {peak:.2f} GiB")
        result["memory"] = {"runs": memory_runs, "seconds": mem_s, "peak_rss_gib": peak}
    return result


def run_experiment_bench(grid_runs: int, store_rows: int,
                         log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Cost of a 3 x 3 sweep (simulation alone, then stored) and of storing and reading back
    ``store_rows`` replicate outcomes, in a temporary results folder.

    The stored rows are a 50,000-replicate run tiled to size: storage cost depends on rows and
    columns, not on how they were simulated, and this keeps the benchmark to minutes.
    """
    import tempfile

    import numpy as np

    from escalade.engine.run import RawResult
    from escalade.experiments.design import Cell, CellResult, run_cells
    from escalade.experiments.sweep import grid_points, sweep_design
    from escalade.outcomes import summarise
    from escalade.storage.record import execute
    from escalade.storage.store import Store, raw_from_frame

    say = log or (lambda _msg: None)
    grid = [("actors.ISR.retaliation_multiplier", [1.0, 1.5, 2.0]), ("actors.IRN.resolve", [0.6, 0.75, 0.9])]
    design = sweep_design("levant-2024", grid_points(grid), [None], grid_runs, 0)
    c = compile_scenario(load_scenario("levant-2024").scenario)
    simulate(c, 64, seed=1)  # compile the kernel outside the timings
    sim_s = _timed(lambda: list(run_cells(design)))
    say(f"3 x 3 grid x {grid_runs} runs, simulation only: {sim_s:.1f} s ({sim_s / 9:.2f} s a point)")
    with tempfile.TemporaryDirectory() as folder:
        store = Store(folder)
        stored_s = _timed(lambda: execute(store, design))
        say(f"3 x 3 grid x {grid_runs} runs, stored: {stored_s:.1f} s "
            f"(storage adds {stored_s - sim_s:+.1f} s)")

        base_runs = min(50_000, store_rows)
        loaded = load_scenario("levant-2024")
        raw = simulate(c, base_runs, seed=5)
        reps = -(-store_rows // base_runs)

        def tile(a: np.ndarray) -> np.ndarray:
            return np.concatenate([a] * reps)[:store_rows]

        # bytes per replicate of real (untiled) data: tiling compresses better than real outputs do
        block = sweep_design("levant-2024", [{}], [None], base_runs, 5)
        bid, _ = store.begin(block, "levant-2024", "levant-2024", loaded.text, loaded.hash, c.days)
        store.add_cell(bid, CellResult(Cell(0, 0, None, {}), loaded, raw), summarise(raw).to_json())
        real_bytes = sum(f.stat().st_size for f in (store.data_dir(bid) / "cells").glob("*.parquet"))
        big = RawResult(c, 5, tile(raw.days_out), tile(raw.actor_out), tile(raw.pair_out), None)
        cell = CellResult(Cell(0, 0, None, {}), loaded, big)
        one = sweep_design("levant-2024", [{}], [None], store_rows, 5)
        rid, _ = store.begin(one, "levant-2024", "levant-2024", loaded.text, loaded.hash, c.days)
        summary = summarise(big).to_json()
        write_s = _timed(lambda: store.add_cell(rid, cell, summary))
        size = sum(f.stat().st_size for f in (store.data_dir(rid) / "cells").glob("*.parquet"))
        frame: list[Any] = []
        read_s = _timed(lambda: frame.append(store.replicates(rid)))
        back_s = _timed(lambda: summarise(raw_from_frame(frame[0], c, 5)))
        per_row = real_bytes / base_runs
        say(f"store {store_rows:,} replicate outcomes ({frame[0].shape[1]} columns): write {write_s:.1f} s, "
            f"read back {read_s:.1f} s, rebuild and summarise {back_s:.1f} s; on disk {size / 2**20:.1f} "
            f"MiB tiled, about {per_row * store_rows / 2**20:.0f} MiB for untiled outputs "
            f"({per_row:.0f} bytes a replicate)")
    return {
        "version": __version__,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "grid_3x3": {"runs_per_point": grid_runs, "simulate_seconds": sim_s, "stored_seconds": stored_s},
        "store_replicates": {"rows": store_rows, "columns": int(frame[0].shape[1]),
                             "write_seconds": write_s, "read_seconds": read_s,
                             "summarise_seconds": back_s, "bytes_tiled": size,
                             "bytes_per_replicate_untiled": per_row},
    }
