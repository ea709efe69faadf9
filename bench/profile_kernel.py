"""Time the fast kernel on the default scenario: warm-up, then 20,000 and 100,000 runs.

Throughput is in actor-days per second (runs x days x actors / wall time), the unit of the
100,000 x 180-day target. Run from the repository root::

    .venv/bin/python bench/profile_kernel.py                  # all threads numba sees
    NUMBA_NUM_THREADS=1 .venv/bin/python bench/profile_kernel.py --runs 4000
    .venv/bin/python bench/profile_kernel.py --policy formal-pact --repeat 3

Times are wall-clock on a possibly shared machine: repeat and take the best.
"""

from __future__ import annotations

import argparse
import resource
import time

import numba

from escalade.compile import compile_scenario
from escalade.engine import kernel, rng
from escalade.scenario.load import load_scenario


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="levant-2024")
    ap.add_argument("--policy", default=None, help="policy name (default: the scenario's)")
    ap.add_argument("--runs", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--repeat", type=int, default=1, help="timed repetitions of each size")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    c = compile_scenario(load_scenario(args.scenario, args.policy).scenario)
    per_run = c.days * c.n_actors
    print(f"{args.scenario}: {c.n_actors} actors x {c.days} days, "
          f"{numba.get_num_threads()} numba threads")

    t = time.perf_counter()
    kernel.simulate(c, rng.replicate_keys(args.seed, 0, 256))  # compile (or load the cache)
    print(f"warm-up (compile or cache load): {time.perf_counter() - t:.2f} s")

    for n in args.runs:
        keys = rng.replicate_keys(args.seed, 0, n)
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            kernel.simulate(c, keys)
            best = min(best, time.perf_counter() - t)
        print(f"{n:>9,} runs: {best:7.2f} s  {n * per_run / best:10.3g} actor-days/s  "
              f"({n * c.days / best:.3g} replicate-days/s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    print(f"peak resident memory: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
