"""Batching wraps the step: run N replicates in bounded-memory chunks, with either engine.

Replicate r always gets the key ``replicate_keys(seed, r, 1)``, so a result depends only on
(scenario, seed, runs), never on the chunk size or on how many threads numba uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from escalade.compile import Compiled
from escalade.engine import kernel, reference
from escalade.engine.layout import N_ACT, N_CO, N_DAY, N_PD
from escalade.engine.rng import replicate_keys

Engine = Literal["fast", "reference"]
DEFAULT_CHUNK = 50_000


@dataclass(frozen=True)
class RawResult:
    """Per-replicate outputs of one run (see ``layout`` for the columns).

    days_out (runs, N_DAY) int32; actor_out (runs, A, N_ACT) float64;
    pair_out (runs, A, A) int16, strikes by i on j;
    path (runs, days) int8, or None when paths were not kept;
    pair_days (runs, A, A, N_PD) int16, first days of per-pair events (``layout``), or None
    when not kept (backtests keep them);
    commit_out (runs, K, N_CO) int16, per commitment (``compiled.commitments`` order) the attacks
    its holder helped against and those it left without help, or None (results stored before).
    """

    compiled: Compiled
    seed: int
    days_out: np.ndarray
    actor_out: np.ndarray
    pair_out: np.ndarray
    path: np.ndarray | None
    pair_days: np.ndarray | None = None
    commit_out: np.ndarray | None = None

    @property
    def runs(self) -> int:
        return self.days_out.shape[0]


def simulate(
    compiled: Compiled,
    runs: int,
    seed: int,
    engine: Engine = "fast",
    chunk: int = DEFAULT_CHUNK,
    keep_paths: bool = False,
    keep_pair_days: bool = False,
    on_chunk: Callable[[int], None] | None = None,
) -> RawResult:
    """Run ``runs`` replicates of ``compiled`` from ``seed``; ``on_chunk(n_done)`` reports progress."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    if engine not in ("fast", "reference"):
        raise ValueError(f"engine must be 'fast' or 'reference', got {engine!r}")
    step = kernel.simulate if engine == "fast" else reference.simulate
    A, days = compiled.n_actors, compiled.days
    days_out = np.empty((runs, N_DAY), dtype=np.int32)
    actor_out = np.empty((runs, A, N_ACT))
    pair_out = np.empty((runs, A, A), dtype=np.int16)
    path = np.empty((runs, days), dtype=np.int8) if keep_paths else None
    pair_days = np.empty((runs, A, A, N_PD), dtype=np.int16) if keep_pair_days else None
    commits = compiled.commitments
    rows, cols = [p for p, _ in commits], [q for _, q in commits]
    commit_out = np.empty((runs, len(commits), N_CO), dtype=np.int16)
    for start in range(0, runs, chunk):
        n = min(chunk, runs - start)
        d, a, p, s, f, h = step(compiled, replicate_keys(seed, start, n))
        days_out[start : start + n] = d
        actor_out[start : start + n] = a
        pair_out[start : start + n] = s
        commit_out[start : start + n] = h[:, rows, cols]
        if path is not None:
            path[start : start + n] = p
        if pair_days is not None:
            pair_days[start : start + n] = f
        if on_chunk is not None:
            on_chunk(start + n)
    return RawResult(compiled, seed, days_out, actor_out, pair_out, path, pair_days, commit_out)
