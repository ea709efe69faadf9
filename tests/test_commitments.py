"""Commitments (M6) by their terms: moral hazard, entrapment, reassurance, deterrence, obligations,
patrons and clients, and a protector's own interest.

The smallest crisis that can show them is ``data/pact.yaml``: an ally with an aim against its
rival, a protector with no quarrel of its own, and the rival's client. Policies change only the
protector's commitment, so every comparison is paired (the same replicate keys). Tolerances are
the Monte Carlo standard error of the paired difference (``assert_greater``: 3 standard errors).
"""

from __future__ import annotations

import numpy as np

from escalade.engine.layout import (
    D_COMBAT,
    D_DEFEND,
    D_ENTRAP,
    D_OWN,
    O_HELPED,
    O_INIT,
    O_STRIKES,
    PD_STRIKE,
)
from escalade.engine.run import RawResult, simulate

from .conftest import DATA, assert_greater, compiled, run

PACT = str(DATA / "pact.yaml")
C0 = compiled(scenario=PACT)
ALY, RIV, PRO, CLI = (C0.index(a) for a in ("ALY", "RIV", "PRO", "CLI"))
# An unprovoked barrage on the ally on day 5, by a rival with no grievance, against an ally with
# no aim of its own (so nothing the ally does voids a pact or starts the exchange).
ATTACKED = ("relations.ALY>RIV.hostility=0.0",
            "injects=[{type: attack, day: 5, actor: RIV, target: ALY, rung: 4}]")


def pact(policy: str, overrides: tuple[str, ...] = (), runs: int = 3000) -> RawResult:
    return run(policy, overrides, runs, scenario=PACT)


def happened(raw: RawResult, column: int) -> np.ndarray:
    return raw.days_out[:, column] >= 0


def test_moral_hazard_help_emboldens_the_ally_and_a_void_clause_restrains_it() -> None:
    """The ally initiates more when it counts on informal help than when it stands alone, and
    less under a pact that its own unprovoked strike would void (Snyder 1984; Benson 2012)."""
    informal, none, formal = pact("informal"), pact("none"), pact("formal")
    init = {k: r.actor_out[:, ALY, O_INIT] for k, r in
            (("informal", informal), ("none", none), ("formal", formal))}
    assert_greater(init["none"], init["informal"])
    assert_greater(init["formal"], init["informal"])


def test_entrapment_falls_under_the_pact_and_its_void_clause() -> None:
    """An informal guarantor is drawn into the exchanges its ally starts; the pact's stated terms
    (only a barrage binds) and its void clause keep it out."""
    informal, formal, loose = pact("informal"), pact("formal"), pact("formal-no-void")
    assert_greater(happened(formal, D_ENTRAP), happened(informal, D_ENTRAP))
    # Without the void clause the ally is emboldened further (help is certain whatever it does).
    assert_greater(formal.actor_out[:, ALY, O_INIT], loose.actor_out[:, ALY, O_INIT])


def test_reassurance_an_unprovoked_attack_is_defended_and_answered_more_under_the_pact() -> None:
    """Attacked without provocation, the ally is helped more often under the pact (help is certain)
    and the protector strikes the attacker more often (bound by the attack as launched, at a
    price for silence), and that combat counts as defending, not as entrapment."""
    informal, formal = pact("informal", ATTACKED), pact("formal", ATTACKED)
    assert_greater(informal.actor_out[:, ALY, O_HELPED], formal.actor_out[:, ALY, O_HELPED])
    assert_greater(happened(informal, D_DEFEND), happened(formal, D_DEFEND))
    assert not happened(formal, D_ENTRAP).any()


def test_deterrence_a_committed_protector_deters_the_rival() -> None:
    """A rival with an aim of its own strikes the ally later when a protector is committed to
    the ally: the protector's expected reply enters the rival's choice. (Counts of initiations
    would mislead here: help changes the exchange, and with it which strikes are answers.)"""
    hostile = ("relations.ALY>RIV.hostility=0.0", "relations.RIV>ALY.hostility=0.2")

    def struck_within_30_days(policy: str) -> np.ndarray:
        raw = simulate(compiled(policy, hostile, PACT), 3000, 11, keep_pair_days=True)
        first = raw.pair_days[:, RIV, ALY, PD_STRIKE]
        return (first >= 0) & (first <= 30)

    assert_greater(struck_within_30_days("informal"), struck_within_30_days("none"))


def test_an_obligation_with_a_price_is_honoured_more_often() -> None:
    """What binds a protector to answer an attack on its ally: the attack as launched rather
    than what got through the defences (90% interceptable here), and an audience cost for not
    honouring it, which moves a protector that feels too little of the attack to answer."""
    delivered = pact("formal", (*ATTACKED, "commitments.PRO>ALY.honour_cost=0.0",
                                "commitments.PRO>ALY.joins_on=delivered"))
    launched = pact("formal", (*ATTACKED, "commitments.PRO>ALY.honour_cost=0.0"))
    assert_greater(happened(delivered, D_COMBAT), happened(launched, D_COMBAT))
    faint = ("commitments.PRO>ALY.entrapment=0.02",)  # 0.8 of grievance: below the threshold
    free = pact("formal", (*ATTACKED, *faint, "commitments.PRO>ALY.honour_cost=0.0"))
    priced = pact("formal", (*ATTACKED, *faint))
    assert not happened(free, D_COMBAT).any()
    assert_greater(happened(free, D_COMBAT), happened(priced, D_COMBAT))


def test_a_client_avenges_its_patron() -> None:
    """With a client commitment to the rival, the client strikes the ally that attacks its patron;
    without one it never does; and the ally, expecting that, initiates less."""
    alone, avenged = pact("informal"), pact("client")
    assert (alone.actor_out[:, CLI, O_STRIKES] == 0).all()
    assert_greater(alone.actor_out[:, CLI, O_STRIKES], avenged.actor_out[:, CLI, O_STRIKES])
    assert_greater(avenged.actor_out[:, ALY, O_INIT], alone.actor_out[:, ALY, O_INIT])


def test_a_fight_for_the_protectors_own_interest_counts_as_its_own() -> None:
    """The same commitment marked as the protector's own interest (shipping lanes): the combat
    it draws the protector into is its own fight, never defending or entrapment."""
    ally, interest = pact("informal"), pact("informal", ("commitments.PRO>ALY.interest=true",))
    np.testing.assert_array_equal(happened(ally, D_COMBAT), happened(interest, D_COMBAT))
    assert happened(ally, D_ENTRAP).any() and not happened(ally, D_OWN).any()
    assert not (happened(interest, D_ENTRAP) | happened(interest, D_DEFEND)).any()
    np.testing.assert_array_equal(happened(interest, D_OWN), happened(interest, D_COMBAT))


def test_a_protector_that_holds_its_ally_back_lowers_its_use_of_force() -> None:
    """Alliance restraint (Pressman 2008; Fang, Johnson and Leeds 2014): a protector that presses
    its ally not to fight the rival makes each day of force on it cost the ally, which then uses
    force on the rival less, answers included; the protector's own help is unchanged."""
    held = ("commitments.PRO>ALY.restrains=[RIV]", "commitments.PRO>ALY.restraint_cost=1.0")
    free, restrained = pact("informal"), pact("informal", held)
    assert_greater(restrained.actor_out[:, ALY, O_STRIKES], free.actor_out[:, ALY, O_STRIKES])
    assert_greater(restrained.pair_out[:, ALY, RIV].astype(float),
                   free.pair_out[:, ALY, RIV].astype(float))


def test_a_pact_covers_the_places_its_terms_name() -> None:
    """A pact that covers attacks on the ally's homeland: the unprovoked barrage is defended and
    answered when it lands on the homeland, and neither helped against nor taken up when it
    lands on the ally's forces abroad; deterrence follows the same terms."""
    homeland = ("commitments.PRO>ALY.covers=homeland",)
    abroad = (*homeland, "relations.RIV>ALY.actions={4: {place: forces}}")
    home, away = pact("formal", (*ATTACKED, *homeland)), pact("formal", (*ATTACKED, *abroad))
    assert happened(home, D_DEFEND).mean() > 0.9
    assert not happened(away, D_DEFEND).any()
    assert_greater(away.actor_out[:, ALY, O_HELPED], home.actor_out[:, ALY, O_HELPED])
