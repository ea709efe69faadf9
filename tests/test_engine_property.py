"""Both engines on random valid scenarios: every mechanism at once, bit for bit.

The bundled scenarios exercise only the parameter values they were written with; this drives
both engines through random ones (lead times, declared ends, regional war windows, scripted
attacks with fixed damage and kills, leadership posts and the kills aimed at them, campaigns,
cease-fires, mediators, several commitments of every type with their terms, hostages, replayed
history through a free day) and demands identical outputs, and checks that the fixtures reach the
events the rules can produce.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

from escalade.compile import compile_scenario
from escalade.engine import kernel, reference
from escalade.engine import layout as L
from escalade.engine.rng import replicate_keys
from escalade.scenario.schema import Scenario

IDS = ["AAA", "BBB", "CCC", "DDD"]
NAMES = ("days_out", "actor_out", "path", "pair_out", "pair_days", "commit_out")
SCENARIOS = 40
POSTS = ["head", "military", "political"]


def gen(rng: np.random.Generator) -> tuple[Scenario, object]:
    """A random valid scenario (2-4 actors, 3-8 rungs, 30-60 days) and its compiled form."""
    n = int(rng.integers(2, 5))
    ids = IDS[:n]
    R = int(rng.integers(3, 9))
    ladder = [{"rung": 0, "name": "r0", "cameo": "01", "goldstein": 0.0, "damage": 0.0, "cost": 0.0}]
    dmg = 0.0
    for r in range(1, R + 1):
        dmg += float(rng.choice([0.0, rng.uniform(0, 30)], p=[0.15, 0.85]))
        cd = int(rng.choice([0, rng.integers(1, 12)], p=[0.4, 0.6]))
        lead = 0.0 if cd == 0 else float(rng.choice([0.0, rng.uniform(0.2, 15), float(rng.integers(1, 8))]))
        camp = 0.0 if cd or dmg == 0 else float(rng.choice([0.0, rng.uniform(0.5, 3), rng.uniform(3, 40)]))
        ladder.append(
            {
                "rung": r,
                "name": f"r{r}",
                "cameo": "190",
                "goldstein": -10.0,
                "damage": dmg,
                "cost": float(rng.uniform(0, 3)),
                "interceptable": float(rng.uniform()),
                "kill_probability": float(rng.choice([0.0, rng.uniform()])),
                "humiliation": float(rng.uniform()),
                "cooldown_days": cd,
                "lead_days": lead,
                "campaign_days": camp,
            }
        )
    top = R
    actors = {}
    for a in ids:
        actors[a] = {
            "name": a,
            "kind": str(rng.choice(["state", "armed_group"])),
            "leaders": ["x", "y"],
            "capability": float(rng.uniform(0.05, 1.0)),
            "resolve": float(rng.uniform()),
            "retaliation_multiplier": float(rng.uniform(0, 4)),
            "reputation_sensitivity": float(rng.uniform(0, 3)),
            "risk_weight": float(rng.uniform(0, 3)),
            "cost_weight": float(rng.uniform(0, 2)),
            "air_defence": float(rng.uniform()),
            "rationality": float(rng.choice([rng.uniform(0.1, 5), rng.uniform(5, 50)])),
            "grievance_decay": float(rng.uniform(0.5, 1.0)),
            "decapitation_loss": float(rng.uniform()),
            "recovery_rate": float(rng.uniform(0, 0.2)),
            "succession_delay": int(rng.integers(0, 10)),
            "leader_vacant_days": int(rng.choice([0, 0, rng.integers(1, 10)])),
            "war_aim": str(rng.choice(["total", "bounded", "bounded"])),
            "belief_noise": float(rng.uniform(0, 1)),
            "lead_factor": float(rng.choice([0.0, 1.0, rng.uniform(0, 3), rng.uniform(0, 10)])),
            "restraint_rung": (None if rng.uniform() < 0.6 else int(rng.integers(0, top + 1))),
            "opportunism": float(rng.choice([0.0, rng.uniform(0, 5)])),
            "aim_exhaustion": None if rng.uniform() < 0.5 else float(rng.uniform(0, 2)),
            "audience_cost": float(rng.choice([0.0, rng.uniform(0, 3)])),
            "humiliation_hostility": float(rng.choice([0.0, rng.uniform(0, 2)])),
        }
        if rng.uniform() < 0.6:  # several leadership posts instead of one
            kinds = [str(k) for k in rng.permutation(POSTS)][: int(rng.integers(1, 4))]
            del actors[a]["leaders"], actors[a]["leader_vacant_days"]
            actors[a]["posts"] = {k: {
                "holders": [f"{k}1", f"{k}2"],
                "vacant_days": int(rng.choice([0, 0, rng.integers(1, 10)])),
                "protection": None if rng.uniform() < 0.3 else float(rng.uniform()),
                "exposure": float(rng.choice([1.0, rng.uniform(0, 3)])),
                "capability_loss": None if rng.uniform() < 0.3 else float(rng.uniform()),
                "succession_delay": None if rng.uniform() < 0.3 else int(rng.integers(0, 10)),
                "resolve_change": float(rng.choice([0.0, rng.uniform(-1, 1)])),
                "hostility_change": float(rng.choice([0.0, rng.uniform(-2, 3)])),
                "deal_change": float(rng.choice([0.0, rng.uniform(-3, 3)])),
            } for k in kinds}
    posts = {a: list(actors[a].get("posts") or ["head"]) for a in ids}
    relations = []
    for a in ids:
        for b in ids:
            if a != b and rng.uniform() < 0.75:
                mr = int(rng.integers(0, top + 1)) if rng.uniform() < 0.3 else None
                reach = top if mr is None else mr
                rungs = (None if rng.uniform() < 0.6 else sorted(
                    int(r) for r in rng.choice(np.arange(1, reach + 1),
                                               int(rng.integers(0, reach + 1)), replace=False)))
                usable = list(range(1, top + 1)) if rungs is None else rungs
                actions = {int(r): {"interceptable": float(rng.uniform()),  # the pair's own means
                                    "place": str(rng.choice(["homeland", "forces"])),
                                    **({"lead_days": float(rng.choice([0.0, rng.uniform(0.2, 15)]))}
                                       if ladder[r]["cooldown_days"] > 0 else {})}
                           for r in usable if rng.uniform() < 0.3}
                relations.append(
                    {
                        "actor": a,
                        "target": b,
                        "grievance": float(rng.choice([0.0, rng.uniform(0, 40)])),
                        "hostility": float(rng.choice([0.0, rng.uniform(0, 2)])),
                        "belief_bias": float(rng.uniform(-1, 1)),
                        "max_rung": mr,
                        "rungs": rungs,
                        "actions": actions,
                        "grievance_floor": float(rng.choice([0.0, 0.0, rng.uniform(0, 5)])),
                        "deal_value": float(rng.uniform(-2, 4)),
                        "aim_capability": float(rng.choice([0.0, rng.uniform(0.3, 1.0)])),
                        "linked_front": (str(rng.choice([x for x in ids if x not in (a, b)]))
                                         if n > 2 and rng.uniform() < 0.3 else None),
                        "kill_post": (str(rng.choice(posts[b])) if rng.uniform() < 0.5 else None),
                    }
                )
    fr = int(rng.integers(1, top + 1))
    commitments = []
    pairs_c = [(a, b) for a in ids for b in ids if a != b]
    aided = set()
    for k in rng.permutation(len(pairs_c))[: int(rng.choice([0, 1, 1, 2, 3]))]:
        a, b = pairs_c[k]  # several commitments: an actor protected by several, or protecting several
        trig = int(rng.integers(0, top + 1))
        kind = str(rng.choice(["none", "informal", "formal", "aid_cut", "patron", "client"]))
        if kind == "aid_cut" and b in aided:
            kind = "informal"
        aided.add(b) if kind == "aid_cut" else None
        commitments.append(
            {
                "protector": a,
                "protected": b,
                "type": kind,
                "help_probability": float(rng.uniform()),
                "air_defence": float(rng.uniform()),
                "entrapment": float(rng.uniform(0, 2)),
                "burden_share": float(rng.uniform()),
                "trigger_rung": trig,
                "join_rung": int(rng.integers(trig, top + 1)),
                "joins_on": str(rng.choice(["delivered", "launched"])),
                "honour_cost": float(rng.choice([0.0, rng.uniform(0, 5)])),
                "void_rung": None if rng.uniform() < 0.3 else int(rng.integers(fr, top + 1)),
                "void_days": int(rng.integers(0, 20)),
                "interest": bool(rng.uniform() < 0.2),
                "restrains": [x for x in ids if x not in (a, b) and rng.uniform() < 0.4],
                "covers": str(rng.choice(["any", "any", "homeland", "forces"])),
                "restraint_cost": float(rng.choice([0.0, rng.uniform(0, 3)])),
            }
        )
    days = int(rng.integers(30, 61))
    mediators = []
    if n > 2 and rng.uniform() < 0.8:
        med = ids[-1]  # a third party mediates the first pair (and the second, with four actors)
        pairs = [[ids[0], ids[1]]]
        if n > 3:
            pairs.append([ids[1], ids[2]])
        mediators.append(
            {
                "actor": med,
                "effort": float(rng.uniform(0, 1)),
                "pairs": pairs,
                "sweetener": float(rng.uniform(0, 3)),
                "pause_days": int(rng.choice([0, rng.integers(1, 15)])),
            }
        )
    injects = []
    for _ in range(int(rng.integers(0, 7))):
        d = int(rng.integers(1, days + 1))
        a, b = rng.choice(n, 2, replace=False)
        if rng.uniform() < 0.35:
            injects.append({"type": "ceasefire", "day": d, "between": [ids[a], ids[b]]})
        else:
            inj = {
                "type": "attack",
                "day": d,
                "actor": ids[a],
                "target": ids[b],
                "rung": int(rng.integers(0, top + 1)),
            }
            u = rng.uniform()
            if u < 0.4:
                inj["damage"] = float(rng.uniform(0, 20))
            k = rng.uniform()
            if k < 0.2:
                inj["kill_leader"] = True
            elif k < 0.4:
                inj["kill_leader"] = False
            if rng.uniform() < 0.5:
                inj["post"] = str(rng.choice(posts[ids[b]]))
            injects.append(inj)
    for _ in range(int(rng.integers(0, 3))):  # scripted changes of war aim, on relations
        if relations:
            rel = relations[int(rng.integers(0, len(relations)))]
            aim = {"type": "aim", "day": int(rng.integers(1, days + 1)), "actor": rel["actor"],
                   "target": rel["target"]}
            if rng.uniform() < 0.7:
                aim["hostility"] = float(rng.uniform(0, 3))
            if rng.uniform() < 0.6 or "hostility" not in aim:
                aim["war_aim"] = str(rng.choice(["total", "bounded"]))
            injects.append(aim)
    window = int(rng.integers(1, 8))
    war = {"window": window, "days": int(rng.integers(1, window + 1))}
    model = {
        "answer_threshold": float(rng.choice([0.5, rng.uniform(0, 5)])),
        "lead_noise": float(rng.choice([0.0, 0.5, rng.uniform(0, 3)])),
        "campaign_noise": float(rng.choice([0.0, 0.5, rng.uniform(0, 3)])),
        "tolerance_share": float(rng.choice([0.0, rng.uniform(), 1.0])),
        "tolerance_memory": float(rng.choice([0.93, rng.uniform(), 1.0, 0.0])),
        "retaliation_half": float(rng.uniform(0.1, 5)),
        "conflict_memory": int(rng.integers(1, 20)),
        "truce_break_rung": None if rng.uniform() < 0.5 else int(rng.integers(fr, top + 1)),
        "vow_rung": None if fr <= 1 or rng.uniform() < 0.3 else int(rng.integers(1, fr)),
        "balance_weight": float(rng.choice([0.0, rng.uniform(0, 4)])),
    }
    sc = Scenario.model_validate(
        {
            "name": "fz",
            "start_date": "2024-01-01",
            "days": days,
            "ladder": ladder,
            "actors": actors,
            "relations": relations,
            "commitments": commitments,
            "mediators": mediators,
            "injects": injects,
            "model": model,
            "outcomes": {
                "regional_war": {"actors": ids[:2], "rung": int(rng.integers(1, top + 1)), **war},
                "strike_rung": int(rng.integers(fr, top + 1)),
                "force_rung": fr,
                "protector_combat_rung": int(rng.integers(1, top + 1)),
                "ceasefire": {"pairs": [[ids[0], ids[1]]], "hold_days": int(rng.integers(1, 15))},
                **(
                    {"hostages": {"between": [ids[0], ids[1]], "release_days": int(rng.integers(1, 20))}}
                    if rng.uniform() < 0.3
                    else {}
                ),
            },
        }
    )
    c = compile_scenario(sc)
    if rng.uniform() < 0.4:
        c = c.with_free_day(int(rng.integers(1, days + 1)))
    return sc, c


def _reference(c, keys):
    n, A = len(keys), c.n_actors
    out = (
        np.empty((n, L.N_DAY), np.int32),
        np.empty((n, A, L.N_ACT)),
        np.empty((n, c.days), np.int8),
        np.empty((n, A, A), np.int16),
        np.empty((n, A, A, L.N_PD), np.int16),
        np.empty((n, A, A, L.N_CO), np.int16),
    )
    kinds: collections.Counter[str] = collections.Counter()
    for k, key in enumerate(keys):
        res = reference.simulate_replicate(c, int(key), trace=True)
        out[0][k], out[1][k], out[2][k] = res.days_out, res.actor_out, res.path
        out[3][k], out[4][k], out[5][k] = res.pair_out, res.pair_days, res.commit_out
        kinds.update(e.kind for e in res.events)
    return out, kinds


@pytest.fixture(scope="module")
def seen() -> collections.Counter[str]:
    return collections.Counter()


@pytest.mark.parametrize("seed", range(SCENARIOS))
def test_engines_agree_on_random_scenarios(seed: int, seen: collections.Counter[str]) -> None:
    _, c = gen(np.random.default_rng(seed))
    keys = replicate_keys(seed, 0, 8)
    fast = kernel.simulate(c, keys)
    ref, kinds = _reference(c, keys)
    seen.update(kinds)
    for f, r, name in zip(fast, ref, NAMES, strict=True):
        np.testing.assert_array_equal(f, r, err_msg=f"seed {seed}: {name}")


def test_the_random_scenarios_reach_every_kind_of_event(seen: collections.Counter[str]) -> None:
    """Runs after the equality tests: they must have exercised what the rules can do."""
    if sum(seen.values()) == 0:
        pytest.skip("run with the equality tests")
    for kind in (
        "attack",
        "kill",
        "succession",
        "ceasefire",
        "ceasefire_broken",
        "prepare",
        "launch",
        "called_off",
        "vow",
        "campaign",
        "campaign_end",
        "pause_end",
        "aim_raised",
        "aim_met",
        "aim_abandoned",
        "aim_set",
        "declared_end",
        "outcome",
        "pact_void",
        "obligation",
        "proposal_rejected",
    ):
        assert seen[kind] > 0, (kind, dict(seen))
