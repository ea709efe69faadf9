"""The fast kernel against the readable reference, and reproducibility from the seed."""

from __future__ import annotations

import numpy as np
import pytest

from escalade.engine import kernel, reference
from escalade.engine.layout import (
    CO_ABANDON,
    CO_HELPED,
    D_WAR_DAYS,
    N_CO,
    O_ABANDON,
    O_HELPED,
    O_STRIKES,
    PD_CEASEFIRE,
)
from escalade.engine.rng import BLOCK, replicate_keys, uniform
from escalade.engine.run import simulate

from .conftest import compiled

POLICIES = ["informal", "formal-pact", "no-guarantee", "aid-cut", "decapitate-hez"]


OUTPUTS = ("days_out", "actor_out", "path", "pair_out", "pair_days", "commit_out")


def engines_agree(c, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Run both engines on ``keys``, demand identical outputs, return the fast engine's."""
    fast = kernel.simulate(c, keys)
    for f, r, name in zip(fast, reference.simulate(c, keys), OUTPUTS, strict=True):
        np.testing.assert_array_equal(f, r, err_msg=name)
    return fast


@pytest.mark.parametrize("policy", POLICIES)
def test_fast_engine_equals_reference_replicate_by_replicate(policy: str) -> None:
    """Same key, same rules, same draws: the outputs agree exactly, not just in distribution."""
    engines_agree(compiled(policy).with_days(120), replicate_keys(2024, 0, 24))


def test_results_do_not_depend_on_chunking() -> None:
    c = compiled().with_days(60)
    a = simulate(c, 300, seed=5, chunk=300)
    b = simulate(c, 300, seed=5, chunk=37)
    np.testing.assert_array_equal(a.days_out, b.days_out)
    np.testing.assert_array_equal(a.actor_out, b.actor_out)


def test_replicate_keys_are_fixed_by_seed_and_index_only() -> None:
    whole = replicate_keys(3, 0, 3 * BLOCK)
    part = replicate_keys(3, BLOCK - 5, 10)
    np.testing.assert_array_equal(whole[BLOCK - 5 : BLOCK + 5], part)
    assert not np.array_equal(replicate_keys(4, 0, 10), whole[:10])
    assert len(set(whole.tolist())) == len(whole)


def test_uniforms_look_uniform() -> None:
    """A coarse check of the counter RNG: mean, variance and a 10-bin chi-square."""
    u = np.array([uniform(12345, k) for k in range(20000)])
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / len(u))
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    chi2 = (((counts - 2000) ** 2) / 2000).sum()
    assert chi2 < 33.7  # 99.99th percentile of chi-square with 9 degrees of freedom


def test_same_seed_same_result_different_seed_different_result() -> None:
    c = compiled().with_days(60)
    a, b = simulate(c, 200, seed=1), simulate(c, 200, seed=1)
    np.testing.assert_array_equal(a.actor_out, b.actor_out)
    assert not np.array_equal(a.actor_out, simulate(c, 200, seed=2).actor_out)


def test_strikes_by_pair_add_up_to_each_actors_strikes() -> None:
    raw = simulate(compiled().with_days(90), 200, seed=8)
    np.testing.assert_array_equal(raw.pair_out.sum(axis=2), raw.actor_out[:, :, O_STRIKES])
    assert raw.pair_out[:, compiled().index("ISR"), compiled().index("HAM")].mean() > 30


def test_help_by_commitment_adds_up_to_each_protected_actors_tallies() -> None:
    """Per commitment, help given and withheld (the protector's view) adds up, over everyone
    committed to an actor, to that actor's helped and abandoned (the protected actor's view)."""
    c = compiled().with_days(90)
    raw = simulate(c, 300, seed=8)
    assert raw.commit_out is not None and raw.commit_out.shape == (300, len(c.commitments), N_CO)
    for col, tally in ((CO_HELPED, O_HELPED), (CO_ABANDON, O_ABANDON)):
        for q in range(c.n_actors):
            mine = [k for k, (_, b) in enumerate(c.commitments) if b == q]
            np.testing.assert_array_equal(raw.commit_out[:, mine, col].sum(axis=1),
                                          raw.actor_out[:, q, tally])
    usa_isr = c.commitments.index((c.index("USA"), c.index("ISR")))
    assert raw.commit_out[:, usa_isr, CO_HELPED].mean() > 1


def test_engines_agree_on_replayed_history() -> None:
    """A cut (free_day), fixed-damage attacks, a scripted kill and a scripted cease-fire: the
    conditioning machinery that replay and backtests use, bit for bit in both engines."""
    from dataclasses import replace

    from escalade.compile import compile_scenario
    from escalade.scenario.load import load_scenario

    sc = load_scenario("levant-2024").scenario
    injects = [
        {"type": "attack", "day": 2, "actor": "ISR", "target": "HEZ", "rung": 5, "damage": 3.0,
         "kill_leader": False},
        {"type": "attack", "day": 4, "actor": "HEZ", "target": "ISR", "rung": 4},
        {"type": "attack", "day": 6, "actor": "IRN", "target": "ISR", "rung": 7, "damage": 0.0},
        {"type": "ceasefire", "day": 7, "between": ["ISR", "HEZ"]},
        {"type": "ceasefire", "day": 12, "between": ["ISR", "HAM"]},
    ]
    raw = sc.model_dump(mode="python") | {"injects": injects}
    c = compile_scenario(type(sc).model_validate(raw)).with_days(60).with_free_day(10)
    fast = engines_agree(c, replicate_keys(7, 0, 16))
    days_out, pair_days = fast[0][:, :D_WAR_DAYS], fast[4]  # event days (not the war-day count)
    recorded = days_out[days_out >= 0]
    assert recorded.size and recorded.min() >= 10  # nothing is recorded before the free day
    assert (pair_days[pair_days >= 0] >= 10).all()
    cf = pair_days[:, c.index("ISR"), c.index("HAM"), PD_CEASEFIRE]
    assert (cf == 12).all()  # the scripted cease-fire after the cut is recorded on its day
    assert replace(c, free_day=1).free_day == 1


def test_both_engines_hold_the_declared_state() -> None:
    """One table names the state (engine/state.py): the reference's World has exactly those
    fields (and the traces' holder index), and the kernel allocates each with its shape and type."""
    from escalade.engine import kernel, reference
    from escalade.engine.state import FIELDS, State, new_state

    c = compiled()
    world = reference.World(c, 1)
    assert set(vars(world)) - {"holder"} == set(State._fields)
    for name, kind, _, _ in FIELDS:
        value = getattr(world, name)
        assert len(value) == c.n_actors and (kind == "actor") != isinstance(value[0], list), name
    fast, declared = kernel._new_state(4), new_state(4)
    assert type(fast).__name__ == "State" and fast._fields == declared._fields
    for name, f, d in zip(State._fields, fast, declared, strict=True):
        assert f.shape == d.shape and f.dtype == d.dtype, name
