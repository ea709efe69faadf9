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
