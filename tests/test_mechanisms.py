"""Each mechanism's direction, on the default scenario with fixed seeds.

Tolerances come from the Monte Carlo standard error of paired differences (common random
numbers: both arms use the same replicate keys), never from hard-coded results.
"""

from __future__ import annotations

import numpy as np

from escalade import compile as C
from escalade.engine import reference
from escalade.engine.layout import D_CF_REACHED, D_COMBAT, D_WAR, O_CAS, O_INIT, O_STRIKES
from escalade.engine.rng import replicate_keys
from escalade.engine.run import simulate

from .conftest import assert_greater, compiled, run

ISR = compiled().index("ISR")


def war(raw) -> np.ndarray:
    return raw.days_out[:, D_WAR] >= 0


# ---- M3 escalation spiral -------------------------------------------------------------------
def test_higher_retaliation_multiplier_raises_regional_war() -> None:
    hot = tuple(f"actors.{a}.retaliation_multiplier={m}" for a, m in
                (("ISR", 2.5), ("HEZ", 2.0), ("IRN", 2.0), ("HAM", 2.0), ("HOU", 2.0)))
    base, raised = run(runs=3000), run(overrides=hot, runs=3000)
    assert_greater(war(base), war(raised))


def _duel_rungs(policy: str | None, duel_path) -> list[int]:
    c = compiled(policy, scenario=str(duel_path))
    res = simulate(c, 1, seed=0, keep_paths=True)
    return [int(r) for r in res.path[0] if r > 0]


def test_two_actor_limit_grows_geometrically_above_one(duel_path) -> None:
    """m = 2 on a ladder whose damage doubles per rung: each answer climbs exactly one rung
    (damage 2, 4, 8, ... = 2 * 2^k) until the top, where the exchange stays."""
    rungs = _duel_rungs(None, duel_path)
    assert rungs[:8] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert set(rungs[8:]) == {9}


def test_two_actor_limit_decays_below_one(duel_path) -> None:
    """m = 0.5: each answer is half the damage received (256, 128, ..., 1) and then it stops,
    once what is left is below the tolerance threshold."""
    rungs = _duel_rungs("damped", duel_path)
    assert rungs == [9, 8, 7, 6, 5, 4, 3, 2, 1]


def test_fast_and_reference_agree_on_the_duel(duel_path) -> None:
    c = compiled("damped", scenario=str(duel_path))
    keys = replicate_keys(0, 0, 1)
    fast = simulate(c, 1, 0, keep_paths=True).path
    ref = reference.simulate(c, keys)[2]
    np.testing.assert_array_equal(fast, ref)


# ---- M4 misperception -----------------------------------------------------------------------
def test_belief_that_they_will_not_answer_emboldens() -> None:
    """Israel underrating Hezbollah's resolve: more unprovoked strikes and more regional war.

    Beliefs learn from answers, so a bias shows while it is still untested: the first month.
    """
    blind = ("relations.ISR>HEZ.belief_bias=-0.8",)
    base, biased = run(runs=8000, days=30), run(overrides=blind, runs=8000, days=30)
    assert_greater(base.actor_out[:, ISR, O_INIT], biased.actor_out[:, ISR, O_INIT])
    assert_greater(war(base), war(biased))


# ---- M6 commitments and moral hazard ----------------------------------------------------------
def test_moral_hazard_and_entrapment_by_commitment_type() -> None:
    informal, none, formal = (run(p, runs=5000) for p in ("informal", "no-guarantee", "formal-pact"))
    init = {k: r.actor_out[:, ISR, O_INIT] for k, r in
            (("informal", informal), ("none", none), ("formal", formal))}
    assert_greater(init["none"], init["informal"])  # help emboldens the protected
    assert_greater(init["formal"], init["informal"])  # conditions restrain it
    combat = {k: r.days_out[:, D_COMBAT] >= 0 for k, r in (("informal", informal),
                                                           ("formal", formal))}
    assert_greater(combat["formal"], combat["informal"])  # less entrapment of the protector


# ---- M7 allied air defence --------------------------------------------------------------------
def test_allied_air_defence_cuts_damage_and_the_retaliation_that_follows() -> None:
    without = ("commitments.USA>ISR.air_defence=0.0",)
    base, bare = run(runs=8000), run(overrides=without, runs=8000)
    assert_greater(base.actor_out[:, ISR, O_CAS], bare.actor_out[:, ISR, O_CAS])
    answers = lambda r: r.actor_out[:, ISR, O_STRIKES] - r.actor_out[:, ISR, O_INIT]  # noqa: E731
    assert_greater(answers(base), answers(bare))


# ---- M1 decapitation and succession -----------------------------------------------------------
def test_decapitation_cuts_capability_a_successor_takes_over_and_it_recovers() -> None:
    c = compiled("decapitate-hez", ("actors.HEZ.leader_protection=1.0",))
    hez = c.index("HEZ")
    loss, delay = c.AF[hez, C.DECAP_LOSS], int(c.AI[hez, C.SUCC_DELAY])
    rate, cap0 = c.AF[hez, C.RECOV], c.AF[hez, C.CAP0]
    seen: dict[int, tuple[float, int, int]] = {}

    def observe(day: int, world: reference.World) -> None:
        seen[day] = (world.cap[hez], world.vacancy[hez], world.leader[hez])

    reference.simulate_replicate(c.with_days(60), int(replicate_keys(1, 0, 1)[0]),
                                 observe=observe)
    before, killed = seen[29], seen[30]
    assert killed[2] == before[2] + 1  # the next name on the succession list
    assert np.isclose(killed[0], before[0] * (1 - loss))
    for d in range(31, 31 + delay):  # vacancy: no recovery
        assert seen[d][1] == 30 + delay - d and np.isclose(seen[d][0], killed[0])
    for d in range(31 + delay, 60):  # successor in place: the gap closes at the set rate
        assert seen[d][1] == 0
        gap, prev = cap0 - seen[d][0], cap0 - seen[d - 1][0]
        assert np.isclose(gap, (1 - rate) * prev)
    assert seen[59][0] > killed[0]


# ---- M8 negotiation and mediation -----------------------------------------------------------
# Only the Gaza pair is watched and mediated, and a deal is made very attractive to both sides.
GAZA_DEAL = ("outcomes.ceasefire.pairs=[[ISR, HAM]]", "mediators.USA.effort=0.0",
             "relations.ISR>HAM.deal_value=20", "relations.HAM>ISR.deal_value=20")


def test_total_war_aim_never_accepts_a_ceasefire() -> None:
    """Israel's aim toward Hamas is total: however good the deal, talks only buy time."""
    raw = run(overrides=(*GAZA_DEAL, "mediators.QAT.effort=0.3"), runs=1000)
    assert (raw.days_out[:, D_CF_REACHED] < 0).all()


def test_bounded_aims_let_mediation_produce_ceasefires() -> None:
    bounded = (*GAZA_DEAL, "relations.ISR>HAM.war_aim=bounded")
    some = run(overrides=(*bounded, "mediators.QAT.effort=0.02"), runs=1000)
    reached = some.days_out[:, D_CF_REACHED] >= 0
    assert reached.mean() > 0.05
    more = run(overrides=(*bounded, "mediators.QAT.effort=0.1"), runs=1000)
    assert_greater(reached, more.days_out[:, D_CF_REACHED] >= 0)
