"""Each mechanism's direction, on the default scenario with fixed seeds.

Tolerances come from the Monte Carlo standard error of paired differences (common random
numbers: both arms use the same replicate keys), never from hard-coded results.
"""

from __future__ import annotations

import numpy as np

from escalade import compile as C
from escalade.engine import reference
from escalade.engine.layout import (
    D_CF_HELD,
    D_CF_REACHED,
    D_ENTRAP,
    D_WAR,
    O_CAS,
    O_INIT,
    O_LEADERS,
    O_POST_LOST,
    O_STRIKES,
)
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


# ---- M6 commitments (the directions by term are in test_commitments.py) -----------------------
def test_entrapment_by_commitment_type() -> None:
    """On the default scenario: the informal guarantor is drawn into exchanges Israel started
    (an attack that answers Israel's blows); the formal pact binds only for a barrage on the
    homeland and is void after Israel's unprovoked strikes, so the US is entrapped less."""
    informal, formal = (run(p, runs=3000) for p in ("informal", "formal-pact"))
    assert_greater(formal.days_out[:, D_ENTRAP] >= 0, informal.days_out[:, D_ENTRAP] >= 0)


# ---- M7 allied air defence --------------------------------------------------------------------
def test_allied_air_defence_cuts_damage_and_the_retaliation_that_follows() -> None:
    without = ("commitments.USA>ISR.air_defence=0.0",)
    base, bare = run(runs=8000), run(overrides=without, runs=8000)
    assert_greater(base.actor_out[:, ISR, O_CAS], bare.actor_out[:, ISR, O_CAS])
    answers = lambda r: r.actor_out[:, ISR, O_STRIKES] - r.actor_out[:, ISR, O_INIT]  # noqa: E731
    assert_greater(answers(base), answers(bare))


def test_a_pairs_own_means_set_what_defences_can_stop() -> None:
    """Hamas's fire on Israel as ambushes that no air defence stops (interceptable 0 for that pair
    at rung 3) against the ladder's mix of rockets and fire: the same attacks cost Israel more,
    and nothing else about the rung changes."""
    ambush = ("relations.HAM>ISR.actions={3: {interceptable: 0.0}}",)
    base, direct = run(runs=2000, days=60), run(overrides=ambush, runs=2000, days=60)
    assert_greater(base.actor_out[:, ISR, O_CAS], direct.actor_out[:, ISR, O_CAS])
    np.testing.assert_array_equal(compiled(overrides=ambush).LF, compiled().LF)


# ---- M1 decapitation and succession -----------------------------------------------------------
def test_decapitation_cuts_capability_a_successor_takes_over_and_it_recovers() -> None:
    c = compiled("decapitate-hez", ("actors.HEZ.leader_protection=1.0",))
    hez, head = c.index("HEZ"), C.POST_KINDS.index("head")
    loss, delay = c.POF[hez, head, C.POST_LOSS], int(c.POI[hez, head, C.POST_DELAY])
    rate, cap0 = c.AF[hez, C.RECOV], c.AF[hez, C.CAP0]
    seen: dict[int, tuple[float, int, int]] = {}

    def observe(day: int, world: reference.World) -> None:
        seen[day] = (world.cap[hez], world.vacancy[hez][head], world.holder[hez][head])

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
    """Israel's aim toward Hamas is total: however good the deal, talks only buy time, unless
    the mediator offers a pause."""
    raw = run(overrides=(*GAZA_DEAL, "mediators.QAT.effort=0.3", "mediators.QAT.pause_days=0"),
              runs=1000)
    assert (raw.days_out[:, D_CF_REACHED] < 0).all()


def test_a_total_aim_accepts_a_pause_that_lapses() -> None:
    """Offered a four-day hostage pause (Nov 2023), Israel's total aim accepts it (the aim is
    kept); each pause lapses on its fifth day unless both sides accept again, and a pause never
    reaches a cease-fire that holds two weeks without renewals."""
    none = run(overrides=("mediators.QAT.pause_days=0",), runs=2000, days=90)
    pause = run(overrides=("mediators.QAT.pause_days=4",), runs=2000, days=90)
    assert_greater(none.days_out[:, D_CF_REACHED] >= 0, pause.days_out[:, D_CF_REACHED] >= 0)
    c = compiled(None, ("mediators.QAT.pause_days=4", "mediators.QAT.effort=0.3")).with_days(60)
    isr, ham = c.index("ISR"), c.index("HAM")
    seen = 0
    for key in replicate_keys(5, 0, 20):
        events = reference.simulate_replicate(c, int(key), trace=True).events
        starts = [e.day for e in events if e.kind == "ceasefire" and {e.actor, e.target} == {isr, ham}]
        ends = [e.day for e in events if e.kind == "pause_end" and {e.actor, e.target} == {isr, ham}]
        for s, e in zip(starts, ends, strict=False):
            assert e == s + 4  # it held days s..s+3 and lapses on the next
            seen += 1
    assert seen > 0


def test_a_support_front_makes_no_separate_peace() -> None:
    """Hezbollah's front is linked to Gaza: while Israel and Hamas fight, it refuses a deal with
    Israel, so an Israel-Hezbollah cease-fire comes less often than when the link is cut."""
    from escalade.engine.layout import PD_CEASEFIRE

    def truce(*extra: str) -> np.ndarray:
        c = compiled(None, extra).with_days(90)
        raw = simulate(c, 2000, 8, keep_pair_days=True)
        return raw.pair_days[:, c.index("ISR"), c.index("HEZ"), PD_CEASEFIRE] >= 0

    assert_greater(truce(), truce("relations.HEZ>ISR.linked_front=null"))


def test_war_weariness_raises_acceptance() -> None:
    """The more fighting wears an actor down, the more a deal is worth to it: raising both Gaza
    parties' war weariness brings a pause sooner and more often."""
    base = run(runs=2000, days=90)
    weary = run(overrides=("actors.ISR.war_weariness=1.0", "actors.HAM.war_weariness=1.0"),
                runs=2000, days=90)
    assert_greater(base.days_out[:, D_CF_REACHED] >= 0, weary.days_out[:, D_CF_REACHED] >= 0)


def test_bounded_aims_let_mediation_produce_ceasefires() -> None:
    bounded = (*GAZA_DEAL, "relations.ISR>HAM.war_aim=bounded")
    some = run(overrides=(*bounded, "mediators.QAT.effort=0.02"), runs=1000)
    reached = some.days_out[:, D_CF_REACHED] >= 0
    assert reached.mean() > 0.05
    more = run(overrides=(*bounded, "mediators.QAT.effort=0.1"), runs=1000)
    assert_greater(reached, more.days_out[:, D_CF_REACHED] >= 0)


# ---- Lead times: a discrete operation is prepared before it is launched -----------------------
def _first_strike_day(raw, a: str, b: str) -> np.ndarray:
    """Day of a's first strike on b (days past the horizon count as the horizon + 1)."""
    from escalade.engine.layout import PD_STRIKE

    c = raw.compiled
    d = raw.pair_days[:, c.index(a), c.index(b), PD_STRIKE].astype(float)
    return np.where(d >= 0, d, c.days + 1)


def test_longer_lead_times_delay_the_first_answer() -> None:
    """Iran answers the killing in Tehran with a prepared operation: doubling its lead times
    pushes its first strike on Israel later, and zero lead time brings it to day 1 or 2."""
    c = compiled().with_days(40)
    base = simulate(c, 1500, 4, keep_pair_days=True)
    slow = simulate(compiled(overrides=("actors.IRN.lead_factor=2.0",)).with_days(40), 1500, 4,
                    keep_pair_days=True)
    now = simulate(compiled(overrides=("actors.IRN.lead_factor=0.0",)).with_days(40), 1500, 4,
                   keep_pair_days=True)
    assert_greater(_first_strike_day(base, "IRN", "ISR"), _first_strike_day(slow, "IRN", "ISR"))
    assert_greater(_first_strike_day(now, "IRN", "ISR"), _first_strike_day(base, "IRN", "ISR"))
    assert np.median(_first_strike_day(now, "IRN", "ISR")) <= 2


def _prepared_operation(c, actor: str, target: str, days: int = 30):
    """One replicate's daily (prep rung, launch day, grievance, reputation tally) for a pair."""
    i, j = c.index(actor), c.index(target)
    seen: dict[int, tuple[int, int, float]] = {}

    def observe(day: int, w: reference.World) -> None:
        seen[day] = (w.prep[i][j], w.launch[i][j], w.grievance[i][j])

    res = reference.simulate_replicate(c.with_days(days), int(replicate_keys(2, 0, 1)[0]),
                                       trace=True, observe=observe)
    return seen, res


def test_a_prepared_operation_holds_the_grievance_and_is_launched_on_its_day() -> None:
    """While Iran prepares its answer its grievance does not fade (Israel cannot strike Iran
    here, harassment fire, which Iran may still use, settles nothing, and Iran takes up no war
    on its partners)."""
    c = compiled(overrides=("actors.IRN.lead_factor=2.0", "relations.ISR>IRN.max_rung=0",
                            "ladder.3.campaign_days=0", "ladder.3.damage=0",
                            "commitments.IRN>HEZ.type=none", "commitments.IRN>HOU.type=none"))
    seen, res = _prepared_operation(c, "IRN", "ISR", days=60)  # its lead on Israel is 12 days x 2
    prepared = [d for d, (r, _, _) in seen.items() if r > 0]
    assert prepared, "Iran prepares an answer to the killing in Tehran"
    first = prepared[0]
    rung, launch, _ = seen[first]
    assert launch > first + 1
    for d in range(first + 1, launch):  # held: no decay while the operation is prepared
        assert seen[d][0] == rung and seen[d][2] == seen[first][2]
    assert seen[launch + 1][2] < seen[launch][2]  # once launched it is settled and fades again
    irn, isr = c.index("IRN"), c.index("ISR")
    kinds = [(e.day, e.kind, e.rung) for e in res.events if e.actor == irn and e.target == isr
             and e.kind in ("prepare", "launch")]
    assert (first, "prepare", rung) in kinds and (launch, "launch", rung) in kinds
    assert any(e.day == launch and e.kind == "attack" and e.rung == rung and e.actor == irn
               for e in res.events)


def test_silence_while_preparing_costs_no_reputation() -> None:
    """A vow buys time: while its answer is prepared, Iran pays no reputation cost for not yet
    answering; with no lead time it answers at once, and in neither case does it pay much."""
    from escalade.engine.layout import O_REP

    irn = compiled().index("IRN")
    slow = run(overrides=("actors.IRN.lead_factor=3.0", "actors.IRN.resolve=0.85"), runs=1000,
               days=30)
    base = run(overrides=("actors.IRN.lead_factor=3.0", "ladder.7.lead_days=0",
                          "ladder.4.lead_days=0", "ladder.5.lead_days=0", "ladder.6.lead_days=0",
                          "actors.IRN.resolve=0.85"), runs=1000, days=30)
    # Preparing defers the strike but does not make Iran pay for the wait (if it did, about 24
    # days of a grievance of 40 would cost it ~100 units, against a few when it answers at once).
    waited, answered = slow.actor_out[:, irn, O_REP], base.actor_out[:, irn, O_REP]
    assert waited.mean() <= answered.mean() + 3 * answered.std() / np.sqrt(len(answered))


def test_a_ceasefire_calls_off_a_prepared_operation() -> None:
    """A truce between Iran and Israel, scripted for the day after Iran decides, calls off the
    operation it prepares: it is never launched on its planned day."""
    c = compiled(overrides=("actors.IRN.lead_factor=3.0",))
    seen, res = _prepared_operation(c, "IRN", "ISR", days=60)  # long enough to see the launch
    first = min(d for d, (r, _, _) in seen.items() if r > 0)
    launch = seen[first][1]
    truce = compiled(overrides=("actors.IRN.lead_factor=3.0", "injects=[{type: ceasefire, "
                                f"day: {first + 1}, between: [IRN, ISR]}}]"))
    seen_t, res_t = _prepared_operation(truce, "IRN", "ISR", days=60)
    assert seen_t[first][:2] == seen[first][:2]  # the same decision, the same day
    # Called off the next day (Iran may decide anew, at the cost of breaking the truce, but the
    # operation first prepared is gone).
    assert seen_t[first + 1][:2] != seen[first][:2]
    irn, rung = c.index("IRN"), seen[first][0]
    launched = [(e.day, e.rung) for e in res.events if e.kind == "launch" and e.actor == irn]
    launched_t = [(e.day, e.rung) for e in res_t.events if e.kind == "launch" and e.actor == irn]
    assert (launch, rung) in launched and (launch, rung) not in launched_t


# ---- Declared ends: a reply smaller than the answer it follows closes the round ---------------
def test_a_smaller_reply_after_an_answer_is_absorbed() -> None:
    """A answers on day 1; B's day-2 reply does a third of the damage A meant to deal. With no
    tolerance A answers again; when a reply below half of its own answer is absorbed, the round
    is over (Iran and Isfahan, April 2024): not later either, when the raised threshold has
    faded, since what was absorbed is written off (60 days)."""
    from pathlib import Path

    from escalade.engine.layout import PD_FORCE

    path = str(Path(__file__).parent / "data" / "round.yaml")

    def again(share: float) -> np.ndarray:
        c = compiled(None, (f"model.tolerance_share={share}",), scenario=path).with_free_day(3)
        raw = simulate(c, 500, 3, keep_pair_days=True)
        return raw.pair_days[:, c.index("AAA"), c.index("BBB"), PD_FORCE] >= 0

    none, half = again(0.0), again(0.5)
    assert none.mean() > 0.5
    assert_greater(half, none)
    assert half.mean() < 0.05


def test_the_raised_threshold_fades_at_its_memory() -> None:
    from pathlib import Path

    path = str(Path(__file__).parent / "data" / "round.yaml")
    c = compiled(None, ("model.tolerance_share=0.5",), scenario=path)
    a, b = c.index("AAA"), c.index("BBB")
    tol: dict[int, float] = {}
    reference.simulate_replicate(c, int(replicate_keys(0, 0, 1)[0]),
                                 observe=lambda day, w: tol.__setitem__(day, w.tol[a][b]))
    assert np.isclose(tol[1], 0.5 * 6.0)  # half of the strike A meant to deal
    for day in range(2, 60):
        assert np.isclose(tol[day], 0.95 * tol[day - 1]) or tol[day] > tol[day - 1]


def test_a_prepared_answer_is_launched_as_an_answer() -> None:
    """An answer prepared for four days, while A's own fire settles its grievance, is still an
    answer when launched: not an unprovoked strike, and it does not void A's formal pact."""
    from escalade.compile import compile_scenario
    from escalade.scenario.schema import Scenario

    def make(lead: float):
        return compile_scenario(Scenario.model_validate({
            "name": "launch", "start_date": "2024-01-01", "days": 20,
            "model": {"answer_threshold": 1.0, "damage_noise": 0.0, "lead_noise": 0.0},
            "ladder": [
                {"rung": 0, "name": "restraint", "cameo": "01", "goldstein": 0, "damage": 0, "cost": 0},
                {"rung": 1, "name": "fire", "cameo": "190", "goldstein": -10, "damage": 1, "cost": 0},
                {"rung": 2, "name": "strike", "cameo": "195", "goldstein": -10, "damage": 4,
                 "cost": 0, "cooldown_days": 30, "lead_days": lead}],
            "actors": {
                "AAA": {"name": "A", "kind": "state", "leaders": ["a"], "resolve": 0.9,
                        "rationality": 20.0, "risk_weight": 0.0, "cost_weight": 0.0,
                        "grievance_decay": 1.0},
                "BBB": {"name": "B", "kind": "state", "leaders": ["b"], "resolve": 0.5},
                "CCC": {"name": "C", "kind": "state", "leaders": ["c"], "resolve": 0.5}},
            "relations": [{"actor": "AAA", "target": "BBB", "grievance": 4.0, "hostility": 0.6}],
            "commitments": [{"protector": "CCC", "protected": "AAA", "type": "formal",
                             "trigger_rung": 1, "join_rung": 2, "void_rung": 2, "void_days": 30}],
            "outcomes": {"regional_war": {"actors": ["AAA", "BBB"], "rung": 2}, "force_rung": 1,
                         "strike_rung": 2, "protector_combat_rung": 2,
                         "ceasefire": {"pairs": [["AAA", "BBB"]]}, "horizons": [20]}}))

    c = make(4.0)
    raw = simulate(c, 200, 1)
    assert raw.actor_out[:, 0, O_STRIKES].mean() >= 0.9  # the prepared strike is launched
    assert raw.actor_out[:, 0, O_INIT].sum() == 0  # ... as the answer it was decided as
    res = reference.simulate_replicate(c, int(replicate_keys(1, 0, 1)[0]), trace=True)
    assert any(e.kind == "launch" for e in res.events)
    assert not any(e.kind == "pact_void" for e in res.events)


# ---- Regional war as a state: N days at the war rung within a window ---------------------------
def test_regional_war_needs_its_days_within_the_window() -> None:
    """One day at the war rung between main parties is an exchange; a war needs N days of a W-day
    window. Requiring more days can only lower P(regional war), and the days counted are exactly
    the days the escalation path sits at or above the war rung."""
    from escalade.engine.layout import D_WAR_DAYS

    hot = ("relations.ISR>HEZ.hostility=0.8",)  # enough war for the comparison to bite
    daily = ("ladder.3.campaign_days=0", "ladder.8.campaign_days=0", "ladder.9.campaign_days=0")

    def wars(*extra: str) -> tuple[np.ndarray, np.ndarray]:
        one = run(overrides=(*hot, *extra, "outcomes.regional_war.days=1",
                             "outcomes.regional_war.window=1"), runs=1500, days=90)
        three = run(overrides=(*hot, *extra, "outcomes.regional_war.days=3",
                               "outcomes.regional_war.window=7"), runs=1500, days=90)
        assert (war(three) <= war(one)).all()  # the same runs: a 3-in-7 war is also a 1-day war
        return war(one), war(three)

    # Redrawn daily, most "wars" are a single day at the war rung: requiring 3 of 7 days cuts them.
    one, three = wars(*daily)
    assert_greater(three, one)
    # Waged as campaigns, a war once begun lasts: nearly every 1-day war is a 3-in-7 war.
    one_c, three_c = wars()
    assert three_c.sum() >= 0.9 * one_c.sum() and one_c.sum() > 50
    c = compiled(None, (*hot, "outcomes.regional_war.days=3",
                        "outcomes.regional_war.window=7")).with_days(90)
    raw = simulate(c, 300, 11, keep_paths=True)
    at_war = (raw.path >= c.MI[C.WAR_RUNG]).sum(axis=1)
    np.testing.assert_array_equal(raw.days_out[:, D_WAR_DAYS], at_war)
    first = raw.days_out[:, D_WAR]
    for k in np.flatnonzero(first >= 0)[:50]:  # the war day is the first with 3 of the last 7
        hits = np.convolve(raw.path[k] >= c.MI[C.WAR_RUNG], np.ones(7), "full")[:90]
        assert int(np.argmax(hits >= 3)) + 1 == first[k]


def test_a_truce_survives_clashes_below_its_break_rung() -> None:
    """A scripted Israel-Hezbollah truce on day 1 and a border clash on day 3: when border fire
    (rung 3) no longer ends it and only a strike does, it holds its two weeks more often (clashes
    during a truce, not the end of it; Israel then decides whether to answer)."""
    truce = ("injects=[{type: ceasefire, day: 1, between: [ISR, HEZ]}, "
             "{type: attack, day: 3, actor: HEZ, target: ISR, rung: 3}]",)  # a border clash
    strict = run(overrides=(*truce, "model.truce_break_rung=3"), runs=2000, days=30)
    lenient = run(overrides=(*truce, "model.truce_break_rung=4"), runs=2000, days=30)
    held = lambda r: r.days_out[:, D_CF_HELD] >= 0  # noqa: E731
    assert_greater(held(strict), held(lenient))


# ---- Campaigns: a continuous use of force, once decided, lasts (W) -----------------------------
def _campaign_scenario(days: float, noise: float, injects: list | None = None, horizon: int = 200,
                       b_hostile: bool = False):
    """A wages fire on B (the only rung it wants); B does not fight unless scripted to (with
    ``b_hostile`` B has a relation toward A, so it decides, but no aim and no grievance)."""
    from escalade.compile import compile_scenario
    from escalade.scenario.schema import Scenario

    return compile_scenario(Scenario.model_validate({
        "name": "campaign", "start_date": "2024-01-01", "days": horizon,
        "model": {"answer_threshold": 1.0, "campaign_noise": noise, "damage_noise": 0.0},
        "ladder": [
            {"rung": 0, "name": "restraint", "cameo": "01", "goldstein": 0, "damage": 0, "cost": 0},
            {"rung": 1, "name": "fire", "cameo": "190", "goldstein": -10, "damage": 1, "cost": 0,
             "campaign_days": days},
            {"rung": 2, "name": "strike", "cameo": "195", "goldstein": -10, "damage": 6, "cost": 0}],
        "actors": {
            "AAA": {"name": "A", "kind": "state", "leaders": ["a"], "resolve": 0.5,
                    "rationality": 30.0, "risk_weight": 0.0, "cost_weight": 0.0,
                    "retaliation_multiplier": 1.0},
            "BBB": {"name": "B", "kind": "state", "leaders": ["b"], "resolve": 0.5}},
        "relations": [{"actor": "AAA", "target": "BBB", "hostility": 1.0, "max_rung": 1}]
        + ([{"actor": "BBB", "target": "AAA"}] if b_hostile else []),
        "injects": injects or [],
        "outcomes": {"regional_war": {"actors": ["AAA", "BBB"], "rung": 2}, "force_rung": 1,
                     "strike_rung": 2, "protector_combat_rung": 2,
                     "ceasefire": {"pairs": [["AAA", "BBB"]]}, "horizons": [horizon]}}))


def _campaign_events(c, runs: int, seed: int = 0) -> list[list[reference.Event]]:
    keys = replicate_keys(seed, 0, runs)
    return [[e for e in reference.simulate_replicate(c, int(k), trace=True).events
             if e.kind in ("campaign", "campaign_end", "prepare")] for k in keys]


def _durations(runs: list[list[reference.Event]]) -> np.ndarray:
    """Days each campaign ran before it had run its course (the next decision's day - start)."""
    out = []
    for events in runs:
        start = None
        for e in events:
            if e.kind == "campaign":
                start = e.day
            elif e.kind == "campaign_end" and e.detail == "ran its course" and start is not None:
                out.append(e.day - start)
                start = None
    return np.array(out, dtype=float)


def test_a_campaigns_duration_follows_its_parameters() -> None:
    """Without noise every campaign runs exactly its campaign_days; with noise the mean of the
    drawn durations is campaign_days (a lognormal with that mean, rounded), within Monte Carlo
    error, and a longer mean gives longer campaigns."""
    exact = _durations(_campaign_events(_campaign_scenario(12, 0.0), 5))
    assert len(exact) >= 40 and set(exact) == {12.0}
    for mean in (6.0, 15.0):
        d = _durations(_campaign_events(_campaign_scenario(mean, 0.5), 60, seed=1))
        se = d.std(ddof=1) / np.sqrt(len(d))
        assert len(d) > 200
        # Rounding to whole days (and at least one) moves the mean by well under half a day.
        assert abs(d.mean() - mean) < 3 * se + 0.5, (mean, d.mean(), se)
    short = _durations(_campaign_events(_campaign_scenario(6.0, 0.5), 60, seed=1))
    long = _durations(_campaign_events(_campaign_scenario(15.0, 0.5), 60, seed=1))
    assert long.mean() - short.mean() > 3 * np.hypot(long.std() / np.sqrt(len(long)),
                                                      short.std() / np.sqrt(len(short)))


def test_only_an_escalation_past_the_campaign_reopens_the_decision() -> None:
    """A's 50-day fire campaign on B is not redrawn day by day: B's fire at the campaign's own
    rung on day 10 leaves it running; B's strike (above it) makes A decide again the next day."""
    def decisions_after(rung: int) -> list[int]:
        inj = [{"type": "attack", "day": 10, "actor": "BBB", "target": "AAA", "rung": rung}]
        runs = _campaign_events(_campaign_scenario(50, 0.0, inj, horizon=40), 20)
        return [sum(1 for e in ev if 1 < e.day <= 40 and e.actor == 0) for ev in runs]  # A's

    assert decisions_after(0) == [0] * 20  # no blow: one decision on day 1, nothing since
    assert decisions_after(1) == [0] * 20  # a blow within the campaign's rung: it goes on
    assert all(n >= 1 for n in decisions_after(2))  # an escalation past it: decided anew


def test_a_campaign_under_way_in_replayed_history_goes_on_after_the_cut() -> None:
    """B's scripted fire at the campaign rung on days 1-5 (replayed history, free from day 6)
    begins a campaign, so B goes on firing on the day of the cut although it has no aim or
    grievance of its own; fire at a rung without campaign days stops at the cut (B fires again
    only later, to answer A's fire)."""
    from escalade.engine.layout import PD_FORCE

    inj = [{"type": "attack", "day": d, "actor": "BBB", "target": "AAA", "rung": 1}
           for d in range(1, 6)]

    def fires_after(days: float) -> np.ndarray:
        c = _campaign_scenario(days, 0.5, inj, horizon=20, b_hostile=True).with_free_day(6)
        raw = simulate(c, 300, 1, keep_pair_days=True)
        return raw.pair_days[:, c.index("BBB"), c.index("AAA"), PD_FORCE] == 6

    assert fires_after(30.0).all() and not fires_after(0.0).any()


def test_a_truce_calls_off_a_campaign() -> None:
    c = _campaign_scenario(50, 0.0, [{"type": "ceasefire", "day": 5, "between": ["AAA", "BBB"]}],
                           horizon=20)
    camp: dict[int, int] = {}
    res = reference.simulate_replicate(c, int(replicate_keys(0, 0, 1)[0]), trace=True,
                                       observe=lambda day, w: camp.__setitem__(day, w.camp[0][1]))
    assert camp[4] == 1  # (after the truce A may decide anew, at the cost of breaking it)
    ends = [e for e in res.events if e.kind == "campaign_end"]
    assert ends and ends[0].day == 5 and "cease-fire" in ends[0].detail


def test_campaigns_replace_daily_redraws_of_strikes() -> None:
    """Israel's fronts with campaigns at rungs 3, 8 and 9, against the same scenario with every
    rung redrawn daily: holding a decided campaign leaves fewer days on which a limited strike
    is drawn, so Israel initiates fewer strikes (history: daily border fire with strikes on a
    few days, not a strike every week)."""
    daily = ("ladder.3.campaign_days=0", "ladder.8.campaign_days=0", "ladder.9.campaign_days=0")
    held, redrawn = run(runs=4000, days=60), run(overrides=daily, runs=4000, days=60)
    assert_greater(held.actor_out[:, ISR, O_INIT], redrawn.actor_out[:, ISR, O_INIT])


def test_a_truce_is_kept_until_the_other_side_uses_force() -> None:
    """(T) A truce binds the sides that made it: with no violation neither uses force on the
    other for as long as it lasts (whatever its hostility); one border clash lets the side hit
    decide again, and some answers follow."""
    from escalade.engine.layout import PD_FORCE

    def force(injects: str) -> np.ndarray:
        c = compiled(None, (f"injects=[{injects}]",)).with_days(30)
        raw = simulate(c, 1000, 4, keep_pair_days=True)
        isr, hez = c.index("ISR"), c.index("HEZ")
        return raw.pair_days[:, isr, hez, PD_FORCE] >= 0

    truce = "{type: ceasefire, day: 1, between: [ISR, HEZ]}"
    assert not force(truce).any()
    clash = force(truce + ", {type: attack, day: 3, actor: HEZ, target: ISR, rung: 3}")
    assert clash.mean() > 0.05


# ---- War aims as state (H): opportunity, achievement, abandonment ------------------------------
def test_opportunity_raises_hostility_by_the_capability_lost() -> None:
    """Israel kills Hezbollah's leader on day 30 (the decapitate-hez move): with opportunism o,
    Israel's hostility toward Hezbollah rises that day by o times the share of Hezbollah's
    starting capability lost, and Israel strikes Hezbollah more in the two months after."""
    c = compiled("decapitate-hez", ("actors.ISR.opportunism=2.0",)).with_days(40)
    isr, hez = c.index("ISR"), c.index("HEZ")
    seen: dict[int, tuple[float, float]] = {}
    reference.simulate_replicate(c, int(replicate_keys(3, 0, 1)[0]), observe=lambda d, w: (
        seen.__setitem__(d, (w.hostility[isr][hez], w.cap[hez]))))
    drop = (seen[29][1] - seen[30][1]) / c.AF[hez, C.CAP0]
    assert drop > 0.1  # the killing cost Hezbollah a fifth of its capability or so
    assert np.isclose(seen[30][0] - seen[29][0], 2.0 * drop)
    assert seen[29][0] == c.PF[isr, hez, C.HOSTILITY] and seen[39][0] == seen[30][0]

    def strikes(o: float) -> np.ndarray:
        cc = compiled("decapitate-hez", (f"actors.ISR.opportunism={o}",)).with_days(90)
        raw = simulate(cc, 1500, 2, keep_pair_days=False)
        return raw.pair_out[:, isr, hez].astype(float)

    assert_greater(strikes(0.0), strikes(3.0))


def test_an_aim_met_ends_the_war_it_drove() -> None:
    """Israel's aim toward Hamas is total; if it is met once Hamas is down to 90% of its starting
    capability (a leader killed is enough), Israel's hostility ends and it strikes Hamas less."""
    isr, ham = ISR, compiled().index("HAM")
    base = run(runs=1000, days=90)
    met = run(overrides=("relations.ISR>HAM.aim_capability=0.9",), runs=1000, days=90)
    assert_greater(met.pair_out[:, isr, ham].astype(float), base.pair_out[:, isr, ham].astype(float))


def test_exhaustion_abandons_a_total_aim_and_a_truce_can_hold() -> None:
    """An Israel worn down past its aim_exhaustion gives up its war aims (toward Hamas, total;
    toward Hezbollah): a deal is then a cease-fire that can hold, not only a pause that lapses."""
    base = run(runs=2000, days=90)
    worn = run(overrides=("actors.ISR.aim_exhaustion=0.0",), runs=2000, days=90)
    held = lambda r: r.days_out[:, D_CF_HELD] >= 0  # noqa: E731
    assert_greater(held(base), held(worn))


# ---- M1 leadership posts: what a killing empties and what the loss changes ---------------------
def _kill(day: int, target: str, post: str, kill: str = "true", actor: str = "ISR") -> str:
    """An injects override: ``actor`` kills the holder of ``target``'s ``post`` on ``day``."""
    return (f"injects=[{{type: attack, day: {day}, actor: {actor}, target: {target}, rung: 5, "
            f"kill_leader: {kill}, post: {post}}}]")


def test_a_commanders_killing_does_not_empty_the_head_post() -> None:
    """Israel kills Hezbollah's military commander on day 2 (Shukr's successor takes the post on
    day 5): that post is vacant for its succession delay and the next name takes it, while the
    head post and its holder stay as they were; the loss is counted at the military post, not
    the head's. Kills aim at the relation's kill_post unless the inject names a post."""
    c = compiled(None, (_kill(6, "HEZ", "military"), "actors.HEZ.leader_protection=1.0"))
    c = c.with_days(20)
    hez, head, mil = c.index("HEZ"), C.POST_KINDS.index("head"), C.POST_KINDS.index("military")
    delay = int(c.POI[hez, mil, C.POST_DELAY])
    seen: dict[int, tuple[list[int], list[int], float]] = {}
    res = reference.simulate_replicate(c, int(replicate_keys(5, 0, 1)[0]), trace=True,
                                       observe=lambda d, w: seen.__setitem__(
                                           d, (list(w.vacancy[hez]), list(w.holder[hez]),
                                               w.cap[hez])))
    assert seen[5][0][mil] == 0 and seen[6][0][mil] == delay and seen[6][1][mil] == 1
    assert all(seen[d][0][head] == 0 and seen[d][1][head] == 0 for d in seen)
    assert np.isclose(seen[6][2], seen[5][2] * (1 - c.POF[hez, mil, C.POST_LOSS]))
    kill = next(e for e in res.events if e.kind == "kill" and e.target == hez)
    assert kill.post == mil and "successor to Fuad Shukr" in kill.detail
    assert any(e.kind == "succession" and e.post == mil and e.day == 6 + delay for e in res.events)
    # In every run: the military post's loss is counted there, never at the head post.
    raw = simulate(c, 500, 3)
    lost = raw.actor_out[:, hez]
    assert (lost[:, O_POST_LOST[mil]] >= 1).all() and (lost[:, O_POST_LOST[head]] == 0).all()
    assert (lost[:, O_LEADERS] == lost[:, list(O_POST_LOST)].sum(axis=1)).all()
    # Israel's own kill attempts aim at the relation's kill_post (military), the inject's post
    # wins over it, and a relation without one aims at the target's first post (head).
    assert c.PI[ISR, hez, C.KILL_POST] == mil
    assert c.INJ[0, C.INJ_POST] == mil
    assert compiled(None, ("relations.ISR>HEZ.kill_post=null",)).PI[ISR, hez, C.KILL_POST] == head


def test_a_kill_aimed_at_a_protected_post_succeeds_less_often() -> None:
    """Israel's attempts on Hezbollah's military commander (its kill_post) kill fewer holders
    when the post is better protected, and more when it is more exposed."""
    hez, mil = compiled().index("HEZ"), O_POST_LOST[C.POST_KINDS.index("military")]

    def lost(*over: str) -> np.ndarray:
        return run(overrides=over, runs=2000, days=90).actor_out[:, hez, mil]

    base = lost()
    assert_greater(lost("actors.HEZ.posts.military.protection=0.9"), base)
    assert_greater(base, lost("actors.HEZ.posts.military.exposure=2.0"))


def test_a_posts_loss_changes_capability_resolve_hostility_and_deals_as_set() -> None:
    """The loss of a post changes what its fields say, on the day of the killing and in the
    runs that follow (paired runs, same keys): a larger capability_loss leaves Hezbollah weaker,
    so Israel suffers less; a negative resolve_change makes its answers weaker (Israel suffers
    less again, with Hezbollah's capability unchanged); a hostility_change
    makes it strike its killer more; a negative deal_change makes Hamas refuse cease-fires."""
    hez, ham = compiled().index("HEZ"), compiled().index("HAM")
    kill_head, kill_pol = _kill(1, "HEZ", "head"), _kill(10, "HAM", "political")
    post = "actors.HEZ.posts.head"
    cases = {  # effect: (overrides of the base arm, of the changed arm)
        "capability": ((kill_head, f"{post}.capability_loss=0.0"),
                       (kill_head, f"{post}.capability_loss=0.6")),
        "resolve": ((kill_head, f"{post}.resolve_change=0.0"),
                    (kill_head, f"{post}.resolve_change=-0.6")),
        "hostility": ((kill_head, f"{post}.hostility_change=0.0"),
                      (kill_head, f"{post}.hostility_change=2.0")),
        "deal": ((kill_pol, "actors.HAM.posts.political.deal_change=0.0"),
                 (kill_pol, "actors.HAM.posts.political.deal_change=-3.0")),
    }
    # The state on the day of the killing moves by exactly what the field says.
    for effect, (before, after) in cases.items():
        states = []
        for over in (before, after):
            c = compiled(None, over).with_days(12)
            seen: dict[int, tuple[float, float, float, float]] = {}
            reference.simulate_replicate(c, int(replicate_keys(1, 0, 1)[0]), observe=lambda d, w, s=seen: (
                s.__setitem__(d, (w.cap[hez], w.resolve[hez], w.hostility[hez][ISR],
                                  w.deal[ham][ISR]))))
            states.append(seen[10] if effect == "deal" else seen[1])
        k = ("capability", "resolve", "hostility", "deal").index(effect)
        changed = [s[k] for s in states]
        if effect == "capability":
            assert np.isclose(changed[1], changed[0] * 0.4)
        else:
            assert np.isclose(changed[1] - changed[0], {"resolve": -0.6, "hostility": 2.0,
                                                        "deal": -3.0}[effect]), effect
    # And what the change should move, moves.
    days = 60
    # Hostility's effect is a few strikes among many answers to the killing's affront: more runs.
    arms = {e: tuple(run(overrides=o, runs=3000 if e == "hostility" else 1500, days=days)
                     for o in arm) for e, arm in cases.items()}
    base, weak = arms["capability"]
    assert_greater(weak.actor_out[:, ISR, O_CAS], base.actor_out[:, ISR, O_CAS])
    base, meek = arms["resolve"]  # a weaker will to answer: answers by less force, so less harm
    assert_greater(meek.actor_out[:, ISR, O_CAS], base.actor_out[:, ISR, O_CAS])
    base, vengeful = arms["hostility"]
    assert_greater(base.pair_out[:, hez, ISR].astype(float),
                   vengeful.pair_out[:, hez, ISR].astype(float))
    base, soured = arms["deal"]
    never = lambda r: np.where(r.days_out[:, D_CF_REACHED] >= 0, r.days_out[:, D_CF_REACHED],  # noqa: E731
                               days + 1).astype(float)
    assert_greater(never(base), never(soured))


# ---- (G) The affront of an attack as launched, settled by any discrete answer ----------------
def _affront(*overrides: str):
    from pathlib import Path

    path = str(Path(__file__).parent / "data" / "affront.yaml")
    return compiled(None, overrides, scenario=path)


def test_an_intercepted_barrage_is_answered_by_its_affront() -> None:
    """Every missile of B's barrage is stopped, so nothing is delivered; A answers it all the
    same when the rung humiliates (Israel and the April 2024 barrage), and never when it does
    not, since then nothing but the toll is grievance."""
    from escalade.engine.layout import PD_STRIKE

    def answered(humiliation: float) -> np.ndarray:
        c = _affront(f"ladder.3.humiliation={humiliation}")
        raw = simulate(c, 400, 5, keep_pair_days=True)
        assert raw.actor_out[:, c.index("AAA"), O_CAS].max() == 0.0  # nothing got through
        return raw.pair_days[:, c.index("AAA"), c.index("BBB"), PD_STRIKE] >= 0

    none, some = answered(0.0), answered(0.5)
    assert none.mean() == 0.0
    assert_greater(none, some)
    assert some.mean() > 0.9


def test_a_discrete_answer_settles_the_affront_whatever_its_size() -> None:
    """A's answer, a strike of 2, is a tenth of the affront (0.5 x 40): its damage settles
    little of it, but the answer restores A's standing and the round is over: A's grievance falls
    below what must be answered on the day of its strike, and it strikes once, in every run."""
    c = _affront()
    a, b = c.index("AAA"), c.index("BBB")
    for k in range(20):
        g: dict[int, float] = {}
        res = reference.simulate_replicate(
            c, int(replicate_keys(6, k, 1)[0]), trace=True,
            observe=lambda day, w, g=g: g.__setitem__(day, w.grievance[a][b]))
        strikes = [e.day for e in res.events if e.kind == "attack" and e.actor == a and e.rung == 2]
        assert len(strikes) == 1, strikes
        assert g[strikes[0] - 1] > 15.0  # the affront held while the strike was prepared
        assert g[strikes[0]] < 3.0


def test_a_pairs_own_lead_time_delays_its_answer() -> None:
    """The same strike, prepared for ten days between this pair (a deep strike, a barrage
    flown across two countries) instead of the ladder's two, comes later."""
    from escalade.engine.layout import PD_STRIKE

    def day(*overrides: str) -> np.ndarray:
        c = _affront(*overrides)
        raw = simulate(c, 400, 7, keep_pair_days=True)
        d = raw.pair_days[:, c.index("AAA"), c.index("BBB"), PD_STRIKE].astype(float)
        return np.where(d >= 0, d, c.days + 1)

    ladder, pair = day(), day("relations.AAA>BBB.actions={2: {lead_days: 10}}")
    assert_greater(ladder, pair)
    assert np.median(pair) - np.median(ladder) >= 5


# ---- (L) A vow ties hands ---------------------------------------------------------------------
def _vow(*overrides: str):
    from pathlib import Path

    return compiled(None, overrides, scenario=str(Path(__file__).parent / "data" / "vow.yaml"))


def test_a_vow_ties_hands() -> None:
    """A reluctant actor that has vowed an answer strikes sooner and more often within the
    audience's wait when each day without the strike costs it (the US after Tower 22), than
    when its vows bind nothing."""
    from escalade.engine.layout import PD_STRIKE

    def day(cost: float) -> np.ndarray:
        c = _vow(f"actors.AAA.audience_cost={cost}")
        raw = simulate(c, 1000, 8, keep_pair_days=True)
        d = raw.pair_days[:, c.index("AAA"), c.index("BBB"), PD_STRIKE].astype(float)
        return np.where(d >= 0, d, c.days + 1)

    free, bound = day(0.0), day(1.5)
    assert_greater(bound, free)  # later (or never) when the vow binds nothing
    assert_greater((free <= 14).astype(float), (bound <= 14).astype(float))


def test_a_vow_binds_for_the_window_and_a_strike_keeps_it() -> None:
    """The scripted vow opens an obligation for the belief window (10 days); the day A strikes,
    the vow is kept and nothing more is owed; a threat with no grievance to answer vows nothing."""
    c = _vow()
    a, b = c.index("AAA"), c.index("BBB")
    strike = c.MI[C.STRIKE_RUNG]
    kept = 0
    for k in range(10):
        seen: dict[int, tuple[float, int]] = {}
        res = reference.simulate_replicate(
            c, int(replicate_keys(9, k, 1)[0]), trace=True,
            observe=lambda d, w, s=seen: s.__setitem__(d, (w.vow[a][b], w.vow_until[a][b])))
        assert seen[1] == (1.5, 1 + 10)
        assert any(e.kind == "vow" and e.day == 1 and e.actor == a for e in res.events)
        struck = [e.day for e in res.events if e.kind == "attack" and e.actor == a
                  and e.rung >= strike]
        if struck:
            assert seen[struck[0]][0] == 0.0
            kept += 1
    assert kept > 0
    calm = _vow("relations.0.grievance=0")
    seen2: dict[int, float] = {}
    reference.simulate_replicate(calm, int(replicate_keys(9, 0, 1)[0]),
                                 observe=lambda d, w: seen2.__setitem__(d, w.vow[a][b]))
    assert seen2[1] == 0.0


# ---- (A) What ends wars: weariness, the military balance, a protector's pressure --------------
def test_losses_the_balance_and_a_protectors_pressure_raise_acceptance() -> None:
    """Each term of (A) moves the worth of a deal by what it says, and the chance of accepting
    with it: a side that has lost half its strength while its adversary lost none values a deal
    by half the balance weight more; its adversary by as much less; a protector pressing its ally
    not to fight adds its restraint cost; weariness rises with the log of exhaustion (Mueller
    1973), so a war ten times as long does not make a deal ten times as welcome."""
    c = compiled(overrides=("model.balance_weight=1.0",))
    ham, isr = c.index("HAM"), c.index("ISR")
    w = reference.World(c, int(replicate_keys(0, 0, 1)[0]))
    base = reference.deal_worth(c, w, ham, isr)
    w.cap[ham] = 0.5 * c.AF[ham, C.CAP0]
    assert np.isclose(reference.deal_worth(c, w, ham, isr) - base, 0.5)
    assert np.isclose(reference.deal_worth(c, w, isr, ham) - reference.deal_worth(
        c, reference.World(c, int(replicate_keys(0, 0, 1)[0])), isr, ham), -0.5)
    pressed = compiled(overrides=("commitments.USA>ISR.restrains=[HAM]",
                                  "commitments.USA>ISR.restraint_cost=1.5"))
    w2 = reference.World(pressed, int(replicate_keys(0, 0, 1)[0]))
    assert np.isclose(reference.deal_worth(pressed, w2, isr, ham)
                      - reference.deal_worth(c, reference.World(c, int(replicate_keys(0, 0, 1)[0])),
                                             isr, ham), 1.5)
    worth = []
    for e in (0.0, 10.0, 100.0):
        w3 = reference.World(c, int(replicate_keys(0, 0, 1)[0]))
        w3.exhaustion[ham] = e
        worth.append(reference.deal_worth(c, w3, ham, isr))
    assert worth[0] < worth[1] < worth[2]
    assert worth[2] - worth[1] < worth[1] - worth[0]
    # And in the draw: over the same random numbers, Hamas weakened accepts more often.
    keys = replicate_keys(3, 0, 4000)

    def accepted(cap_share: float) -> np.ndarray:
        out = []
        for k in keys:
            wk = reference.World(c, int(k))
            wk.cap[ham] = cap_share * c.AF[ham, C.CAP0]
            out.append(float(reference.accepts(c, wk, int(k), ham, isr, 5)))
        return np.array(out)

    assert_greater(accepted(1.0), accepted(0.3))


# ---- (H) Aims raised by humiliation, and changed by script --------------------------------------
def test_a_humiliation_raises_hostility_toward_the_one_who_inflicted_it() -> None:
    """B's barrage humiliates A (the rung's humiliation 0.5); with a humiliation_hostility of 2,
    A's hostility toward B is 1.0 at the end of that day and 0 without; and on levant-2024, a
    Hezbollah that takes its commanders' killings as humiliations strikes Israel more often."""
    a_ = _affront("actors.AAA.humiliation_hostility=2.0")
    a, b = a_.index("AAA"), a_.index("BBB")
    for c, want in ((a_, 1.0), (_affront(), 0.0)):
        seen: dict[int, float] = {}
        res = reference.simulate_replicate(c, int(replicate_keys(0, 0, 1)[0]), trace=True,
                                           observe=lambda d, w, s=seen: s.__setitem__(
                                               d, w.hostility[a][b]))
        assert np.isclose(seen[1], want)
        assert any(e.kind == "aim_raised" and e.day == 1 for e in res.events) == (want > 0)
    hez, isr = compiled().index("HEZ"), compiled().index("ISR")
    calm = run(runs=1500, days=90)
    vengeful = run(overrides=("actors.HEZ.humiliation_hostility=1.0",), runs=1500, days=90)
    assert_greater(calm.pair_out[:, hez, isr].astype(float),
                   vengeful.pair_out[:, hez, isr].astype(float))


def test_a_scripted_aim_change_takes_effect_on_its_day() -> None:
    """An aim inject sets the actor's hostility and aim toward the target on its day, and the
    rules go on from there: Israel given a total aim toward Hezbollah on day 10 holds it, and,
    given hostility 1.0 there, strikes Hezbollah more often than without the change."""
    isr, hez = compiled().index("ISR"), compiled().index("HEZ")
    inj = "injects=[{type: aim, day: 10, actor: ISR, target: HEZ, hostility: 1.0, war_aim: total}]"
    c = compiled(overrides=(inj,))
    seen: dict[int, tuple[float, bool]] = {}
    res = reference.simulate_replicate(c.with_days(20), int(replicate_keys(0, 0, 1)[0]), trace=True,
                                       observe=lambda d, w: seen.__setitem__(
                                           d, (w.hostility[isr][hez], w.total[isr][hez])))
    assert not seen[9][1] and seen[10][1]
    assert any(e.kind == "aim_set" and e.day == 10 and e.actor == isr for e in res.events)
    base = run(runs=1500, days=60)
    raised = run(overrides=(inj.replace(", war_aim: total", ""),), runs=1500, days=60)
    assert_greater(base.pair_out[:, isr, hez].astype(float), raised.pair_out[:, isr, hez].astype(float))
