"""Property tests on random valid scenarios: probabilities in [0, 1], no NaN, state in bounds."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalade.compile import compile_scenario
from escalade.engine import reference
from escalade.engine.rng import replicate_keys
from escalade.engine.run import simulate
from escalade.outcomes import summarise
from escalade.scenario.schema import Scenario

IDS = ["AAA", "BBB", "CCC", "DDD"]
unit = st.floats(0.0, 1.0)


@st.composite
def scenarios(draw) -> Scenario:
    n = draw(st.integers(2, 4))
    ids = IDS[:n]
    ladder = [{"rung": 0, "name": "r0", "cameo": "01", "goldstein": 0.0, "damage": 0.0,
               "cost": 0.0}]
    dmg = 0.0
    for r in range(1, draw(st.integers(3, 9)) + 1):
        dmg += draw(st.floats(0.0, 50.0))
        ladder.append({"rung": r, "name": f"r{r}", "cameo": "190", "goldstein": -10.0,
                       "damage": dmg, "cost": draw(st.floats(0.0, 5.0)),
                       "interceptable": draw(unit), "kill_probability": draw(unit),
                       "humiliation": draw(unit), "cooldown_days": draw(st.integers(0, 10))})
    top = len(ladder) - 1
    actors = {a: {"name": a, "kind": draw(st.sampled_from(["state", "armed_group"])),
                  "leaders": ["x"], "capability": draw(st.floats(0.05, 1.0)),
                  "resolve": draw(unit), "retaliation_multiplier": draw(st.floats(0.0, 4.0)),
                  "reputation_sensitivity": draw(st.floats(0.0, 3.0)),
                  "risk_weight": draw(st.floats(0.0, 3.0)), "air_defence": draw(unit),
                  "rationality": draw(st.floats(0.1, 50.0)), "grievance_decay": draw(unit),
                  "decapitation_loss": draw(unit), "recovery_rate": draw(unit),
                  "succession_delay": draw(st.integers(0, 20)),
                  "war_aim": draw(st.sampled_from(["total", "bounded"])),
                  "belief_noise": draw(st.floats(0.0, 1.0))} for a in ids}
    relations = [{"actor": a, "target": b, "grievance": draw(st.floats(0.0, 100.0)),
                  "hostility": draw(st.floats(0.0, 3.0)), "belief_bias": draw(st.floats(-1, 1)),
                  "max_rung": draw(st.integers(0, top))}
                 for a in ids for b in ids if a != b and draw(st.booleans())]
    commitments = []
    if draw(st.booleans()):
        trigger = draw(st.integers(0, top))
        kind = draw(st.sampled_from(["none", "informal", "formal", "aid_cut"]))
        commitments.append({"protector": ids[0], "protected": ids[1], "type": kind,
                            "trigger_rung": trigger, "join_rung": draw(st.integers(trigger, top)),
                            "void_rung": draw(st.integers(1, top))})
    return Scenario.model_validate({
        "name": "random", "start_date": "2024-01-01", "days": draw(st.integers(1, 60)),
        "ladder": ladder, "actors": actors, "relations": relations, "commitments": commitments,
        # a mediator is a third party (one of the pair cannot mediate it)
        "mediators": [{"actor": ids[-1], "effort": draw(unit), "pairs": [[ids[0], ids[1]]]}] if n > 2 else [],
        "outcomes": {"regional_war": {"actors": ids[:2], "rung": top}, "strike_rung": 1,
                     "force_rung": 1, "protector_combat_rung": 1,
                     "ceasefire": {"pairs": [[ids[0], ids[1]]]}},
    })


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios(), seed=st.integers(0, 2**32))
def test_outputs_are_probabilities_and_finite(sc: Scenario, seed: int) -> None:
    c = compile_scenario(sc)
    raw = simulate(c, 64, seed)
    s = summarise(raw)
    for est in s.outcomes.values():
        assert 0.0 <= est.ci_low <= est.value <= est.ci_high <= 1.0
    assert np.isfinite(raw.actor_out).all() and (raw.actor_out >= 0).all()
    assert ((raw.days_out >= -1) & (raw.days_out <= c.days)).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios(), seed=st.integers(0, 2**32))
def test_state_stays_in_bounds(sc: Scenario, seed: int) -> None:
    c = compile_scenario(sc)

    def observe(day: int, w: reference.World) -> None:
        for i in range(c.n_actors):
            assert 0.0 <= w.cap[i] <= 1.0 and min(w.vacancy[i]) >= 0 and w.exhaustion[i] >= 0
            assert 0.0 <= w.resolve[i] <= 1.0
            for j in range(c.n_actors):
                assert 0.0 <= w.belief[i][j] <= 1.0
                assert w.grievance[i][j] >= 0.0 and math.isfinite(w.grievance[i][j])

    reference.simulate_replicate(c, int(replicate_keys(seed, 0, 1)[0]), observe=observe)
