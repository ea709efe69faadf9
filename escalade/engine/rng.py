"""Counter-based random numbers: every draw is a pure function of (replicate key, counter).

Why counter-based: a draw is addressed by what it is for, (day, actor, target, purpose), not by
how many draws came before it. So (a) the fast kernel and the reference implementation see the
same numbers and can be compared replicate by replicate; (b) two policies run with one seed use
the same number for the same decision (common random numbers), even when one policy makes an
actor skip a decision the other makes; (c) results do not depend on chunking or worker count.

Replicate keys come from ``numpy.random.SeedSequence``: one spawned child per fixed block of
``BLOCK`` replicates, so replicate r's key depends only on (seed, r). The mixing function is
SplitMix64 (Steele, Lea & Flood 2014), whose outputs pass BigCrush; draw k of key s is
``mix(s + (k + 1) * golden)``, exactly the k-th output of a SplitMix64 stream seeded with s.
"""

from __future__ import annotations

import math

import numba
import numpy as np

BLOCK = 1024
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
TWO53 = 1.0 / 9007199254740992.0

# Purposes of draws, the last coordinate of a counter.
(P_CHOICE, P_HELP, P_SHOCK_A, P_SHOCK_B, P_KILL, P_PROPOSE, P_ACCEPT, P_LEAD_A, P_LEAD_B,
 P_CHOICE2, P_CAMP_A, P_CAMP_B) = range(12)
N_PURPOSE = 12


def replicate_keys(seed: int, start: int, n: int) -> np.ndarray:
    """Keys of replicates start..start+n-1 for ``seed``: independent of how runs are chunked."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    out = np.empty(n, dtype=np.uint64)
    r = start
    while r < start + n:
        block, offset = divmod(r, BLOCK)
        take = min(BLOCK - offset, start + n - r)
        state = np.random.SeedSequence(seed, spawn_key=(block,)).generate_state(BLOCK, np.uint64)
        out[r - start : r - start + take] = state[offset : offset + take]
        r += take
    return out


def counter(day: int, i: int, j: int, purpose: int, n_actors: int) -> int:
    """The counter of one draw; day 0 is reserved for initial conditions."""
    return ((day * n_actors + i) * n_actors + j) * N_PURPOSE + purpose


def uniform(key: int, ctr: int) -> float:
    """A uniform in [0, 1) (plain Python; the reference implementation's source of chance)."""
    z = (key + (ctr + 1) * GOLDEN) & MASK
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    z = z ^ (z >> 31)
    return (z >> 11) * TWO53


def normal(key: int, ctr_a: int, ctr_b: int) -> float:
    """A standard normal by Box–Muller from two uniforms."""
    u1 = 1.0 - uniform(key, ctr_a)
    u2 = uniform(key, ctr_b)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


_GOLDEN = np.uint64(GOLDEN)
_M1 = np.uint64(M1)
_M2 = np.uint64(M2)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)


@numba.njit(cache=True, inline="always")
def uniform_nb(key: np.uint64, ctr: np.int64) -> float:  # pragma: no cover - compiled
    """The same function as ``uniform``, compiled; uint64 arithmetic wraps as in C."""
    z = key + (np.uint64(ctr) + _ONE) * _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * TWO53


@numba.njit(cache=True, inline="always")
def normal_nb(key: np.uint64, ctr_a: np.int64, ctr_b: np.int64) -> float:  # pragma: no cover
    u1 = 1.0 - uniform_nb(key, ctr_a)
    u2 = uniform_nb(key, ctr_b)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
