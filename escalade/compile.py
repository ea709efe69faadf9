"""Compile a validated ``Scenario`` into read-only arrays the engines consume.

The engines never see pydantic objects or actor names: only dense arrays indexed by actor,
pair and rung, with the column layouts named below. Both the fast kernel and the readable
reference read these same arrays, so they cannot drift apart in what they are told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from escalade.scenario.schema import POST_KINDS, AimInject, AttackInject, Scenario

# --- actor float columns: AF[i, col] -------------------------------------------------------
(CAP0, RESOLVE, MULT, REP, RISK, COSTW, AIRDEF, LAM, DECAY, WEARY, RECOV, BELIEF_NOISE, AID_SHARE,
 LEVERAGE, LEAD_F, OPPORT, AIM_EXH, AUDIENCE, HUMIL_H) = range(19)
N_AF = 19
# --- actor int columns: AI[i, col] ---------------------------------------------------------
RESTRAINT, AID_LAG, IS_MAIN, IS_PROTECTOR = range(4)
N_AI = 4
# commitment types in PI[p, q, COMMIT] (protector p, protected q; NO_COMMIT: none between them)
NO_COMMIT, C_NONE, C_INFORMAL, C_FORMAL, C_AID_CUT, C_PATRON, C_CLIENT = -1, 0, 1, 2, 3, 4, 5
COMMIT_CODES = {"none": C_NONE, "informal": C_INFORMAL, "formal": C_FORMAL, "aid_cut": C_AID_CUT,
                "patron": C_PATRON, "client": C_CLIENT}
# why a protector's grievance toward an attacker last grew (state ``pulled``), for its combat
PULL_OWN, PULL_DEFEND, PULL_ENTRAP = 0, 1, 2
# --- pair float columns: PF[i, j, col] -----------------------------------------------------
# The commitment columns (HELP_P .. HONOUR) describe p's commitment to q at PF[p, q].
# RESTRAIN at PF[i, j]: what i's protectors make each day of i's force on j cost i (restraint).
(HOSTILE, G0, HOSTILITY, BIAS, DEAL, MED_P, SWEET, CF_OUT, FLOOR, AIM_CAP, HELP_P, PROT_AD, ENTRAP,
 BURDEN, HONOUR, RESTRAIN) = range(16)
N_PF = 16
# --- pair int columns: PI[i, j, col] -------------------------------------------------------
# The commitment columns (COMMIT .. INTEREST) describe p's commitment to q at PI[p, q].
# RUNGS: a bit mask of the rungs i can use on j (bit r set: rung r open; rung 0 always);
# KILL_POST: the post of j that i's kill attempts aim at; COVERS: the places of attacks on q that
# p's commitment covers (COVER_ANY, or the one place it names).
(MAXRUNG, TOTAL_AIM, MEDIATOR, PAUSE, LINK, COMMIT, TRIGGER, JOIN, VOID_RUNG, VOID_DAYS, ON_LAUNCH,
 INTEREST, RUNGS, KILL_POST, COVERS) = range(15)
N_PI = 15
# where an attack lands (SP[i, j, r]) and what a commitment covers (PI[p, q, COVERS])
HOMELAND, FORCES = 0, 1
COVER_ANY = -1
PLACE_CODES = {"homeland": HOMELAND, "forces": FORCES}
# --- a rung as one pair uses it: SR[i, j, r, col] float64 (the ladder's unless actions say) --
SR_ICPT, SR_LEAD = range(2)
N_SR = 2
# --- leadership posts (M1): POF[i, k, col] float64, POI[i, k, col] int64 --------------------
# k indexes POST_KINDS (head, military, political); an actor without post k has HAS_POST 0 there.
# PROTECTION: how much protection cuts the kill chance; EXPOSURE: scales the rung's kill chance;
# POST_LOSS: share of capability lost when the holder is killed; RESOLVE_CHG, HOSTILITY_CHG,
# DEAL_CHG: what the loss adds to the actor's resolve, hostility toward the killer and value of
# a deal with the killer. POST_VACANT0: days the post is vacant at start; POST_DELAY: days it
# stays vacant after a killing.
N_POST = len(POST_KINDS)
PROTECTION, EXPOSURE, POST_LOSS, RESOLVE_CHG, HOSTILITY_CHG, DEAL_CHG = range(6)
N_POF = 6
HAS_POST, POST_VACANT0, POST_DELAY = range(3)
N_POI = 3
# --- ladder columns: LF[r, col] ------------------------------------------------------------
DAMAGE, COST, INTERCEPTABLE, KILLP, HUMIL, COOLDOWN, LEAD, CAMPAIGN = range(8)
N_LF = 8
# --- model float constants: MC[col] ----------------------------------------------------------
(ANSWER, RET_HALF, ETA, BREAK_COST, EXH_RATE, EXH_DECAY, DNOISE, DECAP_VALUE, EXP_REPLY,
 EXP_INTERCEPT, CAS_PER_DAMAGE, DISCHARGE, DSCALE, LEAD_NOISE, TOL_SHARE, TOL_MEMORY,
 CAMP_NOISE, BALANCE) = range(18)
N_MC = 18
# --- model int constants: MI[col] ------------------------------------------------------------
(WINDOW, MEMORY, WAR_RUNG, COMBAT_RUNG, STRIKE_RUNG, FORCE_RUNG, HOLD_DAYS, HOST_A, HOST_B,
 RELEASE_DAYS, WAR_DAYS, WAR_WINDOW, BREAK_RUNG, VOW_RUNG) = range(14)
N_MI = 14  # VOW_RUNG: -1 when vows are not modelled
# --- inject rows: INJ[k, col] ----------------------------------------------------------------
INJ_DAY, INJ_TYPE, INJ_ACTOR, INJ_TARGET, INJ_RUNG, INJ_KILL, INJ_POST = range(7)
N_INJ = 7
INJ_ATTACK, INJ_CEASEFIRE, INJ_AIM = 0, 1, 2
# An INJ_AIM row keeps its new war aim in INJ_KILL (-1: unchanged, 0: bounded, 1: total) and its
# new hostility in INJF (NaN: unchanged).
INJ_AIM_CODE = INJ_KILL


@dataclass(frozen=True)
class Compiled:
    """A scenario as dense arrays. Shapes: A actors, R rungs, K injects.

    AF (A, N_AF) float64, AI (A, N_AI) int64: per-actor parameters (the aid columns describe an
    aid cut on that actor). PF (A, A, N_PF) float64, PI (A, A, N_PI) int64: per directed pair
    (i toward j); their commitment columns describe i's commitment to j (PI[i, j, COMMIT] is
    NO_COMMIT where there is none). POF (A, N_POST, N_POF) float64, POI (A, N_POST, N_POI)
    int64: leadership posts. LF (R, N_LF): ladder. MC, MI: model constants.
    SR (A, A, R, N_SR) float64: rung r as i uses it on j, the ladder's unless the relation's
    actions say otherwise: its interceptable share (SR_ICPT) and mean lead time (SR_LEAD, days
    before the actor's factor). SP (A, A, R) int64: where it lands (HOMELAND,
    unless the relation's actions say FORCES). INJ (K, N_INJ) int64: scripted events sorted
    by day. INJF (K,) float64: the damage an
    attack inject delivers when it is fixed (a real event's reported toll), NaN when the model
    resolves it (interception, noise).

    ``free_day``: the first day actors choose for themselves. Before it only injects happen
    (history replayed into the state), no mediator proposes, and no outcome is recorded, so a
    forecast conditioned on what really happened until a cut date starts at the cut. 1 (the
    default) is an ordinary run.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    holders: tuple[tuple[tuple[str, ...], ...], ...]  # [actor][post]: holder, then successors
    rung_names: tuple[str, ...]
    rung_cameo: tuple[str, ...]
    rung_goldstein: tuple[float, ...]
    days: int
    start_date: dt.date
    horizons: tuple[int, ...]
    hostages_held: int
    AF: np.ndarray
    AI: np.ndarray
    PF: np.ndarray
    PI: np.ndarray
    POF: np.ndarray
    POI: np.ndarray
    LF: np.ndarray
    MC: np.ndarray
    MI: np.ndarray
    INJ: np.ndarray
    INJF: np.ndarray
    SR: np.ndarray
    SP: np.ndarray
    free_day: int = 1
    # (i, j, rung, name, CAMEO code): what a rung is called and coded between i and j where the
    # relation says (Relation.actions); elsewhere the ladder's words.
    actions: tuple[tuple[int, int, int, str, str], ...] = ()

    def rung_name(self, i: int, j: int, r: int) -> str:
        """The rung's name for i acting on j (a relation's own word for it, else the ladder's)."""
        for a, b, rung, name, _ in self.actions:
            if (a, b, rung) == (i, j, r):
                return name
        return self.rung_names[r]

    def rung_code(self, i: int, j: int, r: int) -> str:
        """The rung's CAMEO code for i acting on j (as ``rung_name``)."""
        for a, b, rung, _, code in self.actions:
            if (a, b, rung) == (i, j, r):
                return code
        return self.rung_cameo[r]

    @property
    def commitments(self) -> tuple[tuple[int, int], ...]:
        """(p, q) for each commitment of p to q, row-major: the order of ``commit_out``."""
        return tuple((int(p), int(q)) for p, q in np.argwhere(self.PI[:, :, COMMIT] != NO_COMMIT))

    @property
    def n_actors(self) -> int:
        return len(self.ids)

    @property
    def n_rungs(self) -> int:
        return self.LF.shape[0]

    def index(self, actor_id: str) -> int:
        return self.ids.index(actor_id)

    def with_days(self, days: int) -> Compiled:
        """The same scenario run for another number of days (injects after the end never fire)."""
        return replace(self, days=days)

    def with_free_day(self, day: int) -> Compiled:
        """The same scenario with actors' own choices (and outcomes) starting on ``day``."""
        if day < 1:
            raise ValueError(f"free_day must be at least 1, got {day}")
        return replace(self, free_day=day)


def compile_scenario(sc: Scenario) -> Compiled:
    """Turn a validated scenario into arrays; pure, deterministic, no randomness."""
    ids = tuple(sc.actors)
    ix = {a: k for k, a in enumerate(ids)}
    A, R = len(ids), len(sc.ladder)
    top = R - 1

    AF = np.zeros((A, N_AF))
    AI = np.zeros((A, N_AI), dtype=np.int64)
    for k, (aid, a) in enumerate(sc.actors.items()):
        AF[k, [CAP0, RESOLVE, MULT, REP, RISK, COSTW, AIRDEF, LAM, DECAY, WEARY, RECOV,
               BELIEF_NOISE, LEAD_F, OPPORT]] = [
            a.capability, a.resolve, a.retaliation_multiplier, a.reputation_sensitivity,
            a.risk_weight, a.cost_weight, a.air_defence, a.rationality, a.grievance_decay,
            a.war_weariness, a.recovery_rate, a.belief_noise, a.lead_factor, a.opportunism]
        AF[k, AIM_EXH] = np.inf if a.aim_exhaustion is None else a.aim_exhaustion
        AF[k, AUDIENCE] = a.audience_cost
        AF[k, HUMIL_H] = a.humiliation_hostility
        AI[k, RESTRAINT] = top if a.restraint_rung is None else a.restraint_rung
        AI[k, AID_LAG] = 1
        AI[k, IS_MAIN] = int(aid in sc.outcomes.regional_war.actors)

    # Leadership posts (M1): an actor without ``posts`` has one, ``head``, from its single-post
    # fields (Actor.post_table).
    POF = np.zeros((A, N_POST, N_POF))
    POI = np.zeros((A, N_POST, N_POI), dtype=np.int64)
    first_post = np.zeros(A, dtype=np.int64)
    holders = []
    for k, a in enumerate(sc.actors.values()):
        table = a.post_table()
        names: list[tuple[str, ...]] = [()] * N_POST
        for kind, post in table.items():
            q = POST_KINDS.index(kind)
            POF[k, q] = [post.protection, post.exposure, post.capability_loss,
                         post.resolve_change, post.hostility_change, post.deal_change]
            POI[k, q] = [1, post.vacant_days, post.succession_delay]
            names[q] = tuple(post.holders)
        first_post[k] = POST_KINDS.index(next(iter(table)))
        holders.append(tuple(names))

    PF = np.zeros((A, A, N_PF))
    PI = np.zeros((A, A, N_PI), dtype=np.int64)
    PI[:, :, MEDIATOR] = -1
    PI[:, :, LINK] = -1
    PI[:, :, COMMIT] = NO_COMMIT
    PI[:, :, [TRIGGER, JOIN, VOID_RUNG]] = top + 1  # never, unless committed
    for c in sc.commitments:
        p, q = ix[c.protector], ix[c.protected]
        if c.type not in ("patron", "client"):
            AI[p, IS_PROTECTOR] = 1  # the protector of the outcomes (not a patron or client)
        PI[p, q, [COMMIT, TRIGGER, JOIN, VOID_DAYS, ON_LAUNCH, INTEREST]] = [
            COMMIT_CODES[c.type], c.trigger_rung, c.join_rung, c.void_days,
            int(c.joins_on == "launched"), int(c.interest)]
        PI[p, q, VOID_RUNG] = top + 1 if c.void_rung is None else c.void_rung
        PI[p, q, COVERS] = COVER_ANY if c.covers == "any" else PLACE_CODES[c.covers]
        help_p = 1.0 if c.type == "formal" else (
            c.help_probability if c.type in ("informal", "patron", "client") else 0.0)
        PF[p, q, [HELP_P, PROT_AD, ENTRAP, BURDEN, HONOUR]] = [
            help_p, c.air_defence, c.entrapment, c.burden_share, c.honour_cost]
        for x in c.restrains:  # several protectors' pressures add up
            PF[q, ix[x], RESTRAIN] += c.restraint_cost
        if c.type == "aid_cut":  # one per protected actor (the schema checks)
            AF[q, AID_SHARE] = c.aid_share
            AF[q, LEVERAGE] = c.leverage
            AI[q, AID_LAG] = c.aid_lag_days
    for k, aid in enumerate(ids):
        PI[k, :, TOTAL_AIM] = int(sc.actors[aid].war_aim == "total")
    PI[:, :, KILL_POST] = first_post[None, :]  # kills aim at the target's first post
    for rel in sc.relations:
        i, j = ix[rel.actor], ix[rel.target]
        PF[i, j, [HOSTILE, G0, HOSTILITY, BIAS, DEAL, FLOOR, AIM_CAP]] = [
            1.0, rel.grievance, rel.hostility, rel.belief_bias, rel.deal_value,
            rel.grievance_floor, rel.aim_capability]
        PI[i, j, MAXRUNG] = top if rel.max_rung is None else rel.max_rung
        open_rungs = range(R) if rel.rungs is None else {0, *rel.rungs}
        PI[i, j, RUNGS] = sum(1 << r for r in open_rungs)
        aim = rel.war_aim or sc.actors[rel.actor].war_aim
        PI[i, j, TOTAL_AIM] = int(aim == "total")
        if rel.linked_front is not None:
            PI[i, j, LINK] = ix[rel.linked_front]
        if rel.kill_post is not None:
            PI[i, j, KILL_POST] = POST_KINDS.index(rel.kill_post)
    for m in sc.mediators:
        for a, b in m.pairs:
            i, j = ix[a], ix[b]
            for x, y in ((i, j), (j, i)):
                # Several mediators on one pair: a proposal comes if any of them proposes.
                PF[x, y, MED_P] = 1.0 - (1.0 - PF[x, y, MED_P]) * (1.0 - m.effort)
                PI[x, y, PAUSE] = max(PI[x, y, PAUSE], m.pause_days)
                if PI[x, y, MEDIATOR] < 0 or m.sweetener > PF[x, y, SWEET]:
                    PF[x, y, SWEET] = m.sweetener
                    PI[x, y, MEDIATOR] = ix[m.actor]
    for a, b in sc.outcomes.ceasefire.pairs:
        PF[ix[a], ix[b], CF_OUT] = PF[ix[b], ix[a], CF_OUT] = 1.0

    LF = np.array([[r.damage, r.cost, r.interceptable, r.kill_probability, r.humiliation,
                    r.cooldown_days, r.lead_days, r.campaign_days] for r in sc.ladder], dtype=np.float64)
    m, o = sc.model, sc.outcomes
    MC = np.array([m.answer_threshold, m.retaliation_half, m.belief_learning,
                   m.ceasefire_break_cost, m.exhaustion_rate, m.exhaustion_decay, m.damage_noise,
                   m.decapitation_value, m.expected_reply, m.expected_interceptable,
                   o.casualties_per_damage, m.discharge, m.damage_scale, m.lead_noise,
                   m.tolerance_share, m.tolerance_memory, m.campaign_noise, m.balance_weight])
    host = o.hostages
    MI = np.array([m.belief_window, m.conflict_memory, o.regional_war.rung,
                   o.protector_combat_rung, o.strike_rung, o.force_rung, o.ceasefire.hold_days,
                   ix[host.between[0]] if host else -1, ix[host.between[1]] if host else -1,
                   host.release_days if host else 0, o.regional_war.days,
                   o.regional_war.window,
                   o.force_rung if m.truce_break_rung is None else m.truce_break_rung,
                   -1 if m.vow_rung is None else m.vow_rung],
                  dtype=np.int64)

    rows = []
    fixed = []
    for inj in sorted(sc.injects, key=lambda x: x.day):
        if isinstance(inj, AttackInject):
            kill = -1 if inj.kill_leader is None else int(inj.kill_leader)
            i, j = ix[inj.actor], ix[inj.target]
            post = PI[i, j, KILL_POST] if inj.post is None else POST_KINDS.index(inj.post)
            rows.append([inj.day, INJ_ATTACK, i, j, inj.rung, kill, post])
            fixed.append(np.nan if inj.damage is None else inj.damage)
        elif isinstance(inj, AimInject):
            code = -1 if inj.war_aim is None else int(inj.war_aim == "total")
            rows.append([inj.day, INJ_AIM, ix[inj.actor], ix[inj.target], 0, code, 0])
            fixed.append(np.nan if inj.hostility is None else inj.hostility)
        else:
            rows.append([inj.day, INJ_CEASEFIRE, ix[inj.between[0]], ix[inj.between[1]], 0, 0, 0])
            fixed.append(np.nan)
    INJ = np.array(rows, dtype=np.int64).reshape(len(rows), N_INJ)
    INJF = np.array(fixed, dtype=np.float64).reshape(len(rows))

    SR = np.empty((A, A, R, N_SR))
    SR[:, :, :, SR_ICPT] = LF[:, INTERCEPTABLE]
    SR[:, :, :, SR_LEAD] = LF[:, LEAD]
    SP = np.full((A, A, R), HOMELAND, dtype=np.int64)
    for rel in sc.relations:
        for r, act in rel.actions.items():
            if act.interceptable is not None:
                SR[ix[rel.actor], ix[rel.target], r, SR_ICPT] = act.interceptable
            if act.lead_days is not None:
                SR[ix[rel.actor], ix[rel.target], r, SR_LEAD] = act.lead_days
            if act.place is not None:
                SP[ix[rel.actor], ix[rel.target], r] = PLACE_CODES[act.place]
    for arr in (AF, AI, PF, PI, POF, POI, LF, MC, MI, INJ, INJF, SR, SP):
        arr.setflags(write=False)
    return Compiled(
        ids=ids,
        names=tuple(a.name for a in sc.actors.values()),
        holders=tuple(holders),
        rung_names=tuple(r.name for r in sc.ladder),
        rung_cameo=tuple(r.cameo for r in sc.ladder),
        rung_goldstein=tuple(r.goldstein for r in sc.ladder),
        days=sc.days,
        start_date=sc.start_date,
        horizons=tuple(sorted(set(o.horizons))),
        hostages_held=host.held if host else 0,
        AF=AF, AI=AI, PF=PF, PI=PI, POF=POF, POI=POI, LF=LF, MC=MC, MI=MI, INJ=INJ, INJF=INJF,
        SR=SR, SP=SP,
        actions=tuple((ix[rel.actor], ix[rel.target], r, a.name or sc.ladder[r].name,
                       a.cameo or sc.ladder[r].cameo)
                      for rel in sc.relations for r, a in sorted(rel.actions.items())
                      if a.name is not None or a.cameo is not None),
    )
