"""The fast engine: the rules of ``reference.py`` fused into one numba kernel over replicates.

Each replicate runs all its days inside the kernel with its state in a few small arrays
(cache-resident); replicates run in parallel in blocks of ``BLOCK`` (``prange``), each block
allocating its arrays once. The rules, phase order and every floating-point operation mirror
``reference.py`` in the same order, so that for the same key both produce the same outcome;
tests check that. Read ``reference.py`` for the model; read this file for how it is made fast.
Change both together.

How it is made fast, without changing a single bit of the results (``bench/profile_kernel.py``
times it):

* No helper that takes arrays is called per rung or per pair: numba increments and decrements
  the reference count of every array argument of a call with atomic instructions, which cost
  more than the arithmetic. The hot loops are written out in ``_replicate``; the helpers left
  are called at most a few times a day.
* Only pairs that can act are visited. ``_plan`` lists them once per call, in the row-major
  order in which the reference visits all pairs, so sums accumulate in the same order.
* In a decision, what does not depend on the rung is computed once per pair and day. Hoisting
  is exact when it takes out a whole left operand of a left-to-right product (``a * b * f(r)``
  is ``(a * b) * f(r)``) or a pure sub-expression; no sum is reordered.
* ``log1p`` (~16 ns here) and ``exp`` (~10 ns) are the dearest operations. ``x`` =
  ``log1p(damage[r] * cap)`` depends only on the actor's capability: it is cached in a row per
  actor keyed on the exact capability it was computed from (a cached value is the very number
  a fresh call would return), so it is computed again only after a capability changes.
* ``log1p(0) == 0`` and ``exp(0) == 1`` exactly (C99 Annex F; CPython's ``math.log1p`` itself
  returns a zero argument as is), so those calls are skipped.
* A term that the reference adds only under a condition is subtracted as ``+0.0`` otherwise,
  which leaves any ``u`` unchanged, so the rung loop computes every term without branching.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from escalade import compile as C
from escalade.engine import layout as L
from escalade.engine.rng import (
    N_PURPOSE,
    P_ACCEPT,
    P_CAMP_A,
    P_CAMP_B,
    P_CHOICE,
    P_CHOICE2,
    P_HELP,
    P_KILL,
    P_LEAD_A,
    P_LEAD_B,
    P_PROPOSE,
    P_SHOCK_A,
    P_SHOCK_B,
    normal_nb,
    uniform_nb,
)
from escalade.engine.state import State

NEVER = -(10**6)
FOREVER = 10**9  # reference.FOREVER: the last day of a cease-fire that is not a pause
BLOCK = 64  # replicates per parallel task: its arrays are allocated once and reused
# error_model="numpy" below drops numba's zero-division checks; no divisor here can be zero
# (excess grievance >= 0 plus retaliation_half > 0, damage_scale > 0, max(MULT, 1e-3),
# aid_lag_days >= 1, 1 + exp(...)).


@numba.njit(cache=True, inline="always")
def _ctr(day, i, j, purpose, A):  # pragma: no cover - compiled
    return ((day * A + i) * A + j) * N_PURPOSE + purpose


@numba.njit(cache=True, inline="always")
def _log1p(y):  # pragma: no cover - compiled
    """``math.log1p``, skipping the call for a zero argument (returned as is, as CPython does)."""
    return y if y == 0.0 else math.log1p(y)


@numba.njit(cache=True, inline="always")
def _drawn_days(key, t, i, j, mean, sigma, purpose_a, purpose_b, A):  # pragma: no cover - compiled
    """reference.drawn_days: whole days from a lognormal (lead times, campaign durations)."""
    z = normal_nb(key, _ctr(t, i, j, purpose_a, A), _ctr(t, i, j, purpose_b, A))
    return np.int64(math.floor(mean * math.exp(sigma * z - 0.5 * sigma * sigma) + 0.5))


@numba.njit(cache=True, inline="always")
def _covered(cover, place):  # pragma: no cover - compiled
    """reference.covered, on scalars: a commitment's cover admits an attack landing at place."""
    return cover == C.COVER_ANY or cover == place


@numba.njit(cache=True, inline="always")
def _pause_days(PI, total, a, b):  # pragma: no cover - compiled
    if total[a, b] or total[b, a]:
        return PI[a, b, C.PAUSE]
    return 0


@numba.njit(cache=True, error_model="numpy")
def _accepts(AF, PF, PI, MC, MI, G, tol, exhaustion, cf, last_force, H, total_aim, resolve, deal,
             cap, key, x, y, t, A):  # pragma: no cover - compiled
    total = total_aim[x, y]
    if total and _pause_days(PI, total_aim, x, y) == 0:
        return False
    k = PI[x, y, C.LINK]
    if k >= 0 and not cf[k, y] and t - last_force[k, y] <= MI[C.MEMORY]:
        return False
    excess = max(0.0, G[x, y] - max(MC[C.ANSWER], tol[x, y]))
    urge = excess / (excess + MC[C.RET_HALF])
    aim = 0.0 if total else H[x, y]
    balance = cap[y] / AF[y, C.CAP0] - cap[x] / AF[x, C.CAP0]  # reference.accepts
    value = (deal[x, y] + PF[x, y, C.SWEET] + AF[x, C.WEARY] * math.log1p(exhaustion[x])
             + AF[x, C.LEVERAGE] + MC[C.BALANCE] * balance + PF[x, y, C.RESTRAIN]
             - aim - resolve[x] * urge)
    p = 1.0 / (1.0 + math.exp(-AF[x, C.LAM] * value))
    return uniform_nb(key, _ctr(t, x, y, P_ACCEPT, A)) < p


@numba.njit(cache=True, error_model="numpy")
def _start_ceasefire(PF, cf, cf_start, cf_until, violated, prep, camp, a, b, t, days_out,
                     pair_days, free, pause):  # pragma: no cover - compiled
    prep[a, b] = 0  # a truce (new or renewed) calls off operations in preparation
    prep[b, a] = 0
    camp[a, b] = 0  # ... and campaigns
    camp[b, a] = 0
    until = t + pause - 1 if pause > 0 else FOREVER
    if cf[a, b]:
        cf_until[a, b] = max(cf_until[a, b], until)
        cf_until[b, a] = cf_until[a, b]
        return
    cf[a, b] = True
    cf[b, a] = True
    violated[a, b] = False
    violated[b, a] = False
    cf_until[a, b] = until
    cf_until[b, a] = until
    cf_start[a, b] = t
    cf_start[b, a] = t
    if t < free:
        return
    if pair_days[a, b, L.PD_CEASEFIRE] < 0:
        pair_days[a, b, L.PD_CEASEFIRE] = t
        pair_days[b, a, L.PD_CEASEFIRE] = t
    if PF[a, b, C.CF_OUT] > 0.0 and days_out[L.D_CF_REACHED] < 0:
        days_out[L.D_CF_REACHED] = t


def _pairs(mask: np.ndarray) -> np.ndarray:
    """(n, 2) indices of the True cells of an (A, A) mask, row-major: the reference's order."""
    return np.ascontiguousarray(np.argwhere(mask), dtype=np.int64).reshape(-1, 2)


def _plan(c) -> tuple[np.ndarray, ...]:
    """Which pairs each phase must visit, and per-actor x per-rung products used every day.

    hostile: pairs that decide (phase 3); active: pairs that may act (hostile, or a scripted
    attack) in phase 4; watch: pairs (i, j) whose belief and waiting can change (i can use
    force on j); talks: pairs a < b with a mediator; truce: pairs a < b that can be in a
    cease-fire.
    """
    A = c.n_actors
    hostile = c.PF[:, :, C.HOSTILE] > 0.0
    active = hostile.copy()
    truce = np.zeros((A, A), dtype=np.bool_)
    for row in c.INJ:
        a, b = row[C.INJ_ACTOR], row[C.INJ_TARGET]
        if row[C.INJ_TYPE] == C.INJ_CEASEFIRE:
            truce[a, b] = truce[b, a] = True
        elif row[C.INJ_TYPE] == C.INJ_ATTACK:
            active[a, b] = True
    watch = active.copy()  # a belief about j moves only after a use of force on j
    if c.MI[C.FORCE_RUNG] <= 0:  # ... which doing nothing then is
        watch[:] = True
    talks = np.triu(c.PF[:, :, C.MED_P] > 0.0, 1)
    truce = np.triu(truce | talks | talks.T, 1)
    # (COSTW * COST) and reference.kill_chance (KILLP * EXPOSURE * (1 - PROTECTION)), by target,
    # post and rung: the left operands of the reference's products.
    costw_cost = c.AF[:, C.COSTW, None] * c.LF[None, :, C.COST]
    kill_j = (c.LF[None, None, :, C.KILLP] * c.POF[:, :, None, C.EXPOSURE]
              * (1.0 - c.POF[:, :, None, C.PROTECTION]))
    rungs = np.ascontiguousarray(c.LF.T)  # rungs[col] is a contiguous vector over rungs
    # prot[q, :n_prot[q]]: the actors committed to q, in index order (reference.protectors).
    prot = np.full((A, A), -1, dtype=np.int64)
    n_prot = np.zeros(A, dtype=np.int64)
    for p, q in _pairs(c.PI[:, :, C.COMMIT] != C.NO_COMMIT):
        prot[q, n_prot[q]] = p
        n_prot[q] += 1
    return (_pairs(hostile), _pairs(active), _pairs(watch), _pairs(talks), _pairs(truce), rungs,
            costw_cost, kill_j, prot, n_prot)


@numba.njit(cache=True, error_model="numpy")
def _redraw(X, utils, dmg, cooldown, kill_j, costw_cost, top, hostility, decap_value, present,
            wear, exp_reply, cap_i, cap_j, unblk, unshr, rb, det_rh, det_pull, det_join, det_cov,
            places, nd,
            dscale, breaking, bc, break_rung, lam, means, restrain, force,
            u01):  # pragma: no cover - compiled
    """The day's rung of a pair that has just set a discrete operation aside to prepare it:
    ``_replicate``'s utility loop with the urge off and discrete rungs closed (the reference's
    second ``choose``), drawn with ``u01``."""
    best = -np.inf
    for r in range(top + 1):
        x = X[r]
        d = dmg[r]
        u = 0.0 - 0.0
        u -= 0.0
        u -= restrain if r >= force else 0.0
        u += hostility * (x + decap_value * (kill_j[r] * present))
        u -= costw_cost[r] * wear
        reply = exp_reply * d * cap_j * unblk[r] * unshr[r]
        u -= rb * reply / dscale if d > 0.0 else 0.0
        for k in range(nd):
            u -= (det_rh[k] * (det_pull[k] * d * cap_i) / dscale
                  if d > 0.0 and r >= det_join[k]
                  and _covered(det_cov[k], places[r]) else 0.0)
        u -= bc if breaking and r >= break_rung else 0.0
        if cooldown[r] > 0.0 or not (means >> r) & 1:
            u = -np.inf
        utils[r] = u
        if u > best:
            best = u
    total = 0.0
    for r in range(top + 1):
        w = 0.0
        if not cooldown[r] > 0.0 and (means >> r) & 1:
            a = lam * (utils[r] - best)
            w = 1.0 if a == 0.0 else math.exp(a)
        utils[r] = w
        total += w
    draw = u01 * total
    acc = 0.0
    pick = top
    for r in range(top + 1):
        acc += utils[r]
        if draw < acc:
            return r
    return pick


@numba.njit(cache=True, error_model="numpy")
def _replicate(AF, AI, PF, PI, POF, POI, LF, MC, MI, INJ, INJF, SR, SP, free, plan, key, days,
               days_out, actor_out, pair_out, pair_days, path, commit_out, state, scratch,
               cache):  # pragma: no cover - compiled
    """One replicate, all days; writes into its rows of the output arrays.

    ``state`` is overwritten from the scenario first; ``scratch`` needs no reset (``choice`` and
    ``settle`` are 0, ``kill_order`` -1 and ``aimed`` the relation's kill post off the pairs
    written here); ``cache`` stays valid across replicates.
    """
    hostile, active, watch, talks, truce, rungs, costw_cost, kill_j, prot, n_prot = plan
    # The state by name (engine/state.py); the short local names are the equations' letters.
    cap, vacancy, exhaustion, void_until = state.cap, state.vacancy, state.exhaustion, state.void_until
    owed, owed_until, pulled = state.owed, state.owed_until, state.pulled
    vow, vow_until = state.vow, state.vow_until
    G, belief, waiting, last_force = state.grievance, state.belief, state.waiting, state.last_force
    AFR = state.affront
    cf, cf_start, cf_until, violated = state.ceasefire, state.cf_start, state.cf_until, state.violated
    ready, prep, launch, prep_ans = state.ready, state.prep, state.launch, state.prep_answer
    tol, camp, camp_start, camp_end = state.tol, state.camp, state.camp_start, state.camp_end
    escalated, camp_ans = state.escalated, state.camp_answer
    H, total_aim = state.hostility, state.total
    resolve, deal = state.resolve, state.deal
    (NG, settle, choice, kill_order, cap0, voided, killed, utils, rep_g, urged, fixed,
     forced, dealt, war_ring, launched, killer, aimed, honour_due, unblk, unshr, det_rh,
     det_pull, det_join, det_cov, helpers, vow_due) = scratch
    X, x_cap, x_n = cache
    A = AF.shape[0]
    force = MI[C.FORCE_RUNG]
    strike = MI[C.STRIKE_RUNG]
    break_rung = MI[C.BREAK_RUNG]
    answer = MC[C.ANSWER]
    decap_value = MC[C.DECAP_VALUE]
    break_cost = MC[C.BREAK_COST]
    exp_reply = MC[C.EXP_REPLY]
    exp_intercept = MC[C.EXP_INTERCEPT]
    dscale = MC[C.DSCALE]
    dmg = rungs[C.DAMAGE]
    cooldown = rungs[C.COOLDOWN]

    days_out[L.D_WAR_DAYS] = 0
    war_ring[:] = False
    war_count = np.int64(0)
    for i in range(A):
        cap[i] = AF[i, C.CAP0]
        for k in range(C.N_POST):
            vacancy[i, k] = POI[i, k, C.POST_VACANT0]
        resolve[i] = AF[i, C.RESOLVE]
        exhaustion[i] = 0.0
    for i in range(A):
        for j in range(A):
            G[i, j] = PF[i, j, C.G0]
            AFR[i, j] = 0.0
            z = normal_nb(key, _ctr(0, i, j, P_SHOCK_A, A), _ctr(0, i, j, P_SHOCK_B, A))
            b = AF[j, C.RESOLVE] + PF[i, j, C.BIAS] + AF[i, C.BELIEF_NOISE] * z
            belief[i, j] = min(0.99, max(0.01, b))
            waiting[i, j] = 0
            cf[i, j] = False
            cf_start[i, j] = NEVER
            cf_until[i, j] = FOREVER
            violated[i, j] = False
            last_force[i, j] = NEVER
            void_until[i, j] = NEVER
            owed[i, j] = 0.0
            owed_until[i, j] = NEVER
            vow[i, j] = 0.0
            vow_until[i, j] = NEVER
            pulled[i, j] = C.PULL_OWN
            ready[i, j] = 0
            prep[i, j] = 0
            launch[i, j] = 0
            tol[i, j] = 0.0
            prep_ans[i, j] = False
            camp[i, j] = 0
            camp_start[i, j] = 0
            camp_end[i, j] = 0
            escalated[i, j] = False
            camp_ans[i, j] = False
            H[i, j] = PF[i, j, C.HOSTILITY]
            total_aim[i, j] = PI[i, j, C.TOTAL_AIM] != 0
            deal[i, j] = PF[i, j, C.DEAL]
            if PF[i, j, C.G0] >= answer or PF[j, i, C.G0] >= answer:
                last_force[i, j] = 0

    inj = 0
    n_inj = INJ.shape[0]
    for t in range(1, days + 1):
        # Phase 1: injects.
        forced_start = inj
        while inj < n_inj and INJ[inj, C.INJ_DAY] == t:
            if INJ[inj, C.INJ_TYPE] == C.INJ_CEASEFIRE:
                _start_ceasefire(PF, cf, cf_start, cf_until, violated, prep, camp,
                                 INJ[inj, C.INJ_ACTOR], INJ[inj, C.INJ_TARGET], t, days_out,
                                 pair_days, free, 0)
            elif INJ[inj, C.INJ_TYPE] == C.INJ_AIM:  # (H) a scripted change of aim
                a = INJ[inj, C.INJ_ACTOR]
                b = INJ[inj, C.INJ_TARGET]
                if not math.isnan(INJF[inj]):
                    H[a, b] = INJF[inj]
                if INJ[inj, C.INJ_AIM_CODE] >= 0:
                    total_aim[a, b] = INJ[inj, C.INJ_AIM_CODE] == 1
            else:
                forced[INJ[inj, C.INJ_ACTOR], INJ[inj, C.INJ_TARGET]] = True
            inj += 1

        # Phase 2: pauses past their last day lapse; then mediation.
        for q in range(truce.shape[0]):
            a = truce[q, 0]
            b = truce[q, 1]
            if cf[a, b] and t > cf_until[a, b]:
                cf[a, b] = False
                cf[b, a] = False
        for q in range(talks.shape[0] if t >= free else 0):
            a = talks[q, 0]
            b = talks[q, 1]
            if cf[a, b]:
                continue
            if t - last_force[a, b] > MI[C.MEMORY]:
                continue
            if uniform_nb(key, _ctr(t, a, b, P_PROPOSE, A)) >= PF[a, b, C.MED_P]:
                continue
            ok_a = _accepts(AF, PF, PI, MC, MI, G, tol, exhaustion, cf, last_force, H, total_aim,
                            resolve, deal, cap, key, a, b, t, A)
            ok_b = _accepts(AF, PF, PI, MC, MI, G, tol, exhaustion, cf, last_force, H, total_aim,
                            resolve, deal, cap, key, b, a, t, A)
            if ok_a and ok_b:
                _start_ceasefire(PF, cf, cf_start, cf_until, violated, prep, camp, a, b, t,
                                 days_out, pair_days, free, _pause_days(PI, total_aim, a, b))

        # Phase 3: decisions (reference.choose and reference.utility).
        for q in range(active.shape[0]):
            choice[active[q, 0], active[q, 1]] = 0
        for p in range(hostile.shape[0]):
            urged[p] = False
            honour_due[p] = 0.0
            vow_due[p] = 0.0
            if t < free:
                continue  # replayed history: only injects act before the free day
            i = hostile[p, 0]
            j = hostile[p, 1]
            g = G[i, j]
            thr = max(answer, tol[i, j])  # reference.threshold: raised after an answer (E)
            if camp[i, j] > 0 and t > camp_end[i, j]:  # (W) the campaign has run its course
                camp[i, j] = 0
            if forced[i, j]:  # a scripted move replaces the choice; silence may still cost
                if g >= thr and not t < ready[i, j] and prep[i, j] == 0:
                    urged[p] = True
                    rep_g[p] = AF[i, C.REP] * resolve[i] * _log1p(g)
                continue
            if prep[i, j] > 0 and t >= launch[i, j]:
                choice[i, j] = prep[i, j]  # the prepared operation is launched
                prep[i, j] = 0
                launched[i, j] = prep_ans[i, j]  # judged as it was when decided
                continue
            if cf[i, j] and not violated[i, j]:
                continue  # (T) a truce is kept until the other side uses force
            if camp[i, j] > 0 and not (g >= thr and not t < ready[i, j] and prep[i, j] == 0
                                       and escalated[i, j]):
                choice[i, j] = camp[i, j]  # (W) the campaign goes on: no redraw
                launched[i, j] = camp_ans[i, j]  # judged as it was when decided
                continue
            escalated[i, j] = False  # a decision takes in whatever escalation came
            cooling = t < ready[i, j] or prep[i, j] > 0
            obliged = t <= owed_until[i, j] and owed[i, j] > 0.0  # reference.obligated
            honour_on = not cooling and obliged
            if honour_on:
                honour_due[p] = owed[i, j]
            vowing = t <= vow_until[i, j] and vow[i, j] > 0.0  # reference.vowed
            vow_on = not cooling and vowing
            if vow_on:
                vow_due[p] = vow[i, j]
            top = PI[i, j, C.MAXRUNG]
            if g < thr and not obliged and not vowing:
                if H[i, j] <= 0.0:
                    continue  # no aim, no grievance and no obligation: force is not considered
                if AI[i, C.RESTRAINT] < top:
                    top = AI[i, C.RESTRAINT]
            answering = g >= thr
            honour = owed[i, j]
            means = PI[i, j, C.RUNGS]
            restrain = PF[i, j, C.RESTRAIN]
            # The utility's terms that do not depend on the rung, once per pair and day.
            urge_on = answering and not cooling
            ru = 0.0
            target = 0.0
            rep = 0.0
            if urge_on:
                lg = _log1p(g)
                mg = AF[i, C.MULT] * g
                target = lg if mg == g else math.log1p(mg)
                excess = g - thr
                urge = excess / (excess + MC[C.RET_HALF])
                ru = resolve[i] * urge
                rep = AF[i, C.REP] * resolve[i] * lg  # also phase 5's reputation cost
                urged[p] = True
                rep_g[p] = rep
            kp = PI[i, j, C.KILL_POST]  # the post of j that i's kill attempts aim at
            present = 1.0 if vacancy[j, kp] == 0 else 0.0
            hostility = H[i, j]
            wear = 1.0 + AF[i, C.WEARY] * exhaustion[i]
            rb = AF[i, C.RISK] * belief[i, j]
            breaking = cf[i, j]
            bc = break_cost + max(0.0, deal[i, j] + PF[i, j, C.SWEET])
            cap_i = cap[i]
            cap_j = cap[j]
            # Help i expects (reference.expected_help) from each actor committed to it: the
            # reply i expects is EXP_REPLY * d * cap_j * unblk[r] * unshr[r], multiplied left to
            # right as in the reference; the last two factors depend on the help only.
            airdef = AF[i, C.AIRDEF]
            for r in range(top + 1):
                keep = 1.0 - airdef
                unshared = 1.0
                for k in range(n_prot[i]):
                    pp = prot[i, k]
                    h = PF[pp, i, C.HELP_P]
                    if (r < PI[pp, i, C.TRIGGER] or t <= void_until[pp, i]
                            or (not answering and r >= PI[pp, i, C.VOID_RUNG])
                            or not _covered(PI[pp, i, C.COVERS], SP[j, i, r])):  # j's reply
                        h = 0.0
                    keep *= 1.0 - h * PF[pp, i, C.PROT_AD]
                    unshared *= 1.0 - h * PF[pp, i, C.BURDEN]
                unblk[r] = 1.0 - exp_intercept * (1.0 - keep)
                unshr[r] = unshared
            # Deterrence by those committed to j (reference.expected_protector_reply), each from
            # its join rung up: det_rh * (det_pull * d * cap_i), det_pull = EXP_REPLY * ENTRAP.
            nd = 0
            for k in range(n_prot[j]):
                pp = prot[j, k]
                if pp == i or t <= void_until[pp, j] or not PF[pp, j, C.HELP_P] > 0.0:
                    continue
                det_rh[nd] = AF[i, C.RISK] * PF[pp, j, C.HELP_P]
                det_pull[nd] = exp_reply * PF[pp, j, C.ENTRAP]
                det_join[nd] = PI[pp, j, C.JOIN]
                det_cov[nd] = PI[pp, j, C.COVERS]
                nd += 1

            # x = log1p(damage * cap_i) for rungs 0..top, from a row cached per actor and keyed
            # on the capability it was computed from (refilled when that changes).
            if x_cap[i] != cap_i:
                x_cap[i] = cap_i
                x_n[i] = 0
            for r in range(x_n[i], top + 1):
                X[i, r] = _log1p(dmg[r] * cap_i)
            x_n[i] = max(x_n[i], top + 1)
            # Utilities: a term that the reference adds only under a condition is subtracted as
            # +0.0 otherwise (u - 0.0 == u for every u). A rung still cooling down is out.
            best = -np.inf
            for r in range(top + 1):
                x = X[i, r]
                d = dmg[r]
                diff = x - target
                u = 0.0 - (ru * (diff * diff) if urge_on else 0.0)
                u -= rep if urge_on and r < force else 0.0
                u -= honour if honour_on and r < force else 0.0
                u -= vow[i, j] if vow_on and r < strike else 0.0
                u -= restrain if r >= force else 0.0
                u += hostility * (x + decap_value * (kill_j[j, kp, r] * present))
                u -= costw_cost[i, r] * wear
                reply = exp_reply * d * cap_j * unblk[r] * unshr[r]
                u -= rb * reply / dscale if d > 0.0 else 0.0
                for k in range(nd):
                    u -= (det_rh[k] * (det_pull[k] * d * cap_i) / dscale
                          if d > 0.0 and r >= det_join[k]
                          and _covered(det_cov[k], SP[i, j, r]) else 0.0)
                u -= bc if breaking and r >= break_rung else 0.0
                if (cooling and cooldown[r] > 0.0) or not (means >> r) & 1:
                    u = -np.inf  # cooling down, or beyond the actor's means on j (RUNGS)
                utils[r] = u
                if u > best:
                    best = u
            lam = AF[i, C.LAM]
            total = 0.0
            for r in range(top + 1):
                w = 0.0
                if not (cooling and cooldown[r] > 0.0) and (means >> r) & 1:
                    a = lam * (utils[r] - best)
                    w = 1.0 if a == 0.0 else math.exp(a)
                utils[r] = w
                total += w
            draw = uniform_nb(key, _ctr(t, i, j, P_CHOICE, A)) * total
            acc = 0.0
            pick = top
            for r in range(top + 1):
                acc += utils[r]
                if draw < acc:
                    pick = r
                    break
            # reference.lead_time: a discrete operation is prepared before it is launched.
            mean = SR[i, j, pick, C.SR_LEAD] * AF[i, C.LEAD_F]
            prepared = False
            if prep[i, j] == 0 and cooldown[pick] > 0.0 and mean > 0.0:
                lead = _drawn_days(key, t, i, j, mean, MC[C.LEAD_NOISE], P_LEAD_A, P_LEAD_B, A)
                if lead > 0:
                    prep[i, j] = pick
                    launch[i, j] = t + lead
                    prep_ans[i, j] = answering
                    urged[p] = False
                    honour_due[p] = 0.0  # an answer is on its way
                    vow_due[p] = 0.0
                    prepared = True
            if prepared and camp[i, j] > 0:
                pick = camp[i, j]  # the campaign goes on while the operation is prepared
                launched[i, j] = camp_ans[i, j]
            else:
                if prepared:
                    # The day's action is drawn again as while preparing (reference.choose
                    # called a second time); rare, so a call is cheaper than a loop here.
                    pick = _redraw(X[i], utils, dmg, cooldown, kill_j[j, kp], costw_cost[i], top,
                                   hostility, decap_value, present, wear, exp_reply, cap_i, cap_j,
                                   unblk, unshr, rb, det_rh, det_pull, det_join, det_cov,
                                   SP[i, j], nd, dscale,
                                   breaking, bc, break_rung, AF[i, C.LAM], means, restrain, force,
                                   uniform_nb(key, _ctr(t, i, j, P_CHOICE2, A)))
                # reference.decided: a continuous rung replaces the campaign (W).
                if not cooldown[pick] > 0.0:
                    camp[i, j] = 0
                    mean = LF[pick, C.CAMPAIGN]
                    if mean > 0.0:
                        n_days = _drawn_days(key, t, i, j, mean, MC[C.CAMP_NOISE], P_CAMP_A,
                                             P_CAMP_B, A)
                        camp[i, j] = pick
                        camp_start[i, j] = t
                        camp_end[i, j] = t + max(np.int64(1), n_days) - 1
                        camp_ans[i, j] = answering
            choice[i, j] = pick
        for k in range(forced_start, inj):
            if INJ[k, C.INJ_TYPE] == C.INJ_ATTACK:
                a = INJ[k, C.INJ_ACTOR]
                b = INJ[k, C.INJ_TARGET]
                r = INJ[k, C.INJ_RUNG]
                choice[a, b] = r
                kill_order[a, b] = INJ[k, C.INJ_KILL]
                aimed[a, b] = INJ[k, C.INJ_POST]
                fixed[a, b] = INJF[k]
                forced[a, b] = False
                if not cooldown[r] > 0.0 and LF[r, C.CAMPAIGN] > 0.0:
                    # reference: a scripted move at a campaign rung begins a campaign (W)
                    escalated[a, b] = False
                    n_days = _drawn_days(key, t, a, b, LF[r, C.CAMPAIGN], MC[C.CAMP_NOISE],
                                         P_CAMP_A, P_CAMP_B, A)
                    camp[a, b] = r
                    camp_start[a, b] = t
                    camp_end[a, b] = t + max(np.int64(1), n_days) - 1
                    camp_ans[a, b] = G[a, b] >= max(answer, tol[a, b])

        # Phase 4: resolution.
        for i in range(A):
            cap0[i] = cap[i]
            for k in range(C.N_POST):
                killed[i, k] = False
            for j in range(A):
                voided[i, j] = t <= void_until[i, j]
        for i in range(A):
            exhaustion[i] = MC[C.EXH_DECAY] * exhaustion[i]
            for j in range(A):
                # A grievance held for an operation in preparation does not fade.
                NG[i, j] = G[i, j] if prep[i, j] > 0 else AF[i, C.DECAY] * G[i, j]
                if prep[i, j] == 0:
                    AFR[i, j] = AF[i, C.DECAY] * AFR[i, j]
        for q in range(active.shape[0]):
            settle[active[q, 0], active[q, 1]] = 0.0
            dealt[active[q, 0], active[q, 1]] = 0.0
        level = -1
        record = t >= free
        # The protector in combat, and why (reference), from before today's blows.
        for q in range(active.shape[0] if record else 0):
            i = active[q, 0]
            j = active[q, 1]
            r = choice[i, j]
            if not (AI[i, C.IS_PROTECTOR] and r >= MI[C.COMBAT_RUNG]):
                continue
            if days_out[L.D_COMBAT] < 0:
                days_out[L.D_COMBAT] = t
            col = L.D_OWN
            if pulled[i, j] == C.PULL_DEFEND:
                col = L.D_DEFEND
            elif pulled[i, j] == C.PULL_ENTRAP:
                col = L.D_ENTRAP
            if days_out[col] < 0:
                days_out[col] = t
        for q in range(active.shape[0]):
            i = active[q, 0]
            j = active[q, 1]
            r = choice[i, j]
            if r == 0:
                continue
            answering = G[i, j] >= max(answer, tol[i, j]) or launched[i, j]
            launched[i, j] = False
            if r >= strike:
                vow[i, j] = 0.0  # a vow kept
                vow_until[i, j] = NEVER
            if record and r >= MI[C.COMBAT_RUNG] and pair_days[i, j, L.PD_COMBAT] < 0:
                pair_days[i, j, L.PD_COMBAT] = t
            if r >= force:
                if record and pair_days[i, j, L.PD_FORCE] < 0:
                    pair_days[i, j, L.PD_FORCE] = t
                if record and r >= MI[C.STRIKE_RUNG] and pair_days[i, j, L.PD_STRIKE] < 0:
                    pair_days[i, j, L.PD_STRIKE] = t
                last_force[i, j] = t
                last_force[j, i] = t
                owed[i, j] = 0.0  # an obligation honoured
                owed_until[i, j] = NEVER
                if cf[i, j]:
                    violated[j, i] = True
                if cf[i, j] and r >= break_rung:  # lower clashes are tolerated
                    cf[i, j] = False
                    cf[j, i] = False
                if r >= MI[C.STRIKE_RUNG]:
                    actor_out[i, L.O_STRIKES] += 1.0
                    pair_out[i, j] += 1
                    if not answering:
                        actor_out[i, L.O_INIT] += 1.0
                for k in range(n_prot[i]):  # a void clause: i's own initiation
                    pp = prot[i, k]
                    if not answering and r >= PI[pp, i, C.VOID_RUNG] and not voided[pp, i]:
                        void_until[pp, i] = t + PI[pp, i, C.VOID_DAYS]
            # (W) news for j's campaign on i: a blow above it, not an older campaign of i's
            if camp[j, i] > 0 and r > camp[j, i] and not (r == camp[i, j]
                                                          and camp_start[i, j] < t):
                escalated[j, i] = True
            if AI[i, C.IS_MAIN] and AI[j, C.IS_MAIN] and r > level:
                level = r
            exhaustion[i] += MC[C.EXH_RATE] * LF[r, C.COST]
            if LF[r, C.COOLDOWN] > 0.0:
                ready[i, j] = t + np.int64(LF[r, C.COOLDOWN])
            if LF[r, C.DAMAGE] > 0.0:
                # reference.resolve_attack: each actor committed to j helps or not, once a day
                keep = 1.0 - AF[j, C.AIRDEF]
                n_help = 0
                for k in range(n_prot[j]):
                    pp = prot[j, k]
                    if (pp == i or r < PI[pp, j, C.TRIGGER] or PF[pp, j, C.HELP_P] <= 0.0
                            or not _covered(PI[pp, j, C.COVERS], SP[i, j, r])):
                        continue
                    helps = uniform_nb(key, _ctr(t, pp, j, P_HELP, A)) < PF[pp, j, C.HELP_P]
                    if helps and not voided[pp, j]:
                        actor_out[j, L.O_HELPED] += 1.0
                        commit_out[pp, j, L.CO_HELPED] += 1
                        keep *= 1.0 - PF[pp, j, C.PROT_AD]
                        n_help += 1
                        helpers[n_help - 1] = pp
                    else:
                        actor_out[j, L.O_ABANDON] += 1.0
                        commit_out[pp, j, L.CO_ABANDON] += 1
                icpt = 1.0 - keep
                sigma = MC[C.DNOISE]
                z = normal_nb(key, _ctr(t, i, j, P_SHOCK_A, A), _ctr(t, i, j, P_SHOCK_B, A))
                shock = math.exp(sigma * z - 0.5 * sigma * sigma)
                full = LF[r, C.DAMAGE] * cap0[i]
                received = full * (1.0 - SR[i, j, r, C.SR_ICPT] * icpt) * shock
                if not math.isnan(fixed[i, j]):
                    received = fixed[i, j]
                actor_out[j, L.O_CAS] += received * MC[C.CAS_PER_DAMAGE]
                NG[j, i] += received + AF[j, C.REP] * LF[r, C.HUMIL] * full  # (G) the affront
                exhaustion[j] += MC[C.EXH_RATE] * received
                for k in range(n_help):
                    pp = helpers[k]
                    if r < PI[pp, j, C.JOIN]:
                        continue
                    NG[pp, i] += PF[pp, j, C.ENTRAP] * (full if PI[pp, j, C.ON_LAUNCH] else received)
                    if PI[pp, j, C.INTEREST]:
                        pulled[pp, i] = C.PULL_OWN
                    elif answering:
                        pulled[pp, i] = C.PULL_ENTRAP
                    else:
                        pulled[pp, i] = C.PULL_DEFEND
                    if PF[pp, j, C.HONOUR] > 0.0:
                        if t <= owed_until[pp, i]:
                            owed[pp, i] = max(owed[pp, i], PF[pp, j, C.HONOUR])
                        else:
                            owed[pp, i] = PF[pp, j, C.HONOUR]
                        owed_until[pp, i] = max(owed_until[pp, i], t + MI[C.WINDOW])
                settle[i, j] += MC[C.DISCHARGE] * full / max(AF[i, C.MULT], 1e-3)
                if answering and LF[r, C.COOLDOWN] > 0.0:
                    dealt[i, j] = full
            order = kill_order[i, j]
            kp = aimed[i, j]
            if ((LF[r, C.KILLP] > 0.0 or order == 1)
                    and vacancy[j, kp] == 0 and not killed[j, kp] and order != 0):
                pk = kill_j[j, kp, r]  # reference.kill_chance
                u = uniform_nb(key, _ctr(t, i, j, P_KILL, A))
                if order == 1 or u < pk:
                    killed[j, kp] = True
                    killer[j, kp] = i
                    actor_out[j, L.O_LEADERS] += 1.0
                    actor_out[j, L.O_POST_LOST[kp]] += 1.0
        for k in range(forced_start, inj):
            a = INJ[k, C.INJ_ACTOR]
            b = INJ[k, C.INJ_TARGET]
            kill_order[a, b] = -1
            aimed[a, b] = PI[a, b, C.KILL_POST]
            fixed[a, b] = np.nan
        path[t - 1] = level
        # Regional war as a state (reference): N war days within the last W.
        at_war = record and level >= MI[C.WAR_RUNG]
        slot = t % MI[C.WAR_WINDOW]
        war_count += np.int64(at_war) - np.int64(war_ring[slot])
        war_ring[slot] = at_war
        if at_war:
            days_out[L.D_WAR_DAYS] += 1
        if war_count >= MI[C.WAR_DAYS] and days_out[L.D_WAR] < 0:
            days_out[L.D_WAR] = t

        # Phase 5: updates.
        for p in range(hostile.shape[0]):
            i = hostile[p, 0]
            # answering, not cooling down (urged) and not using force: a reputation cost
            if urged[p] and choice[i, hostile[p, 1]] < force:
                actor_out[i, L.O_REP] += rep_g[p]
            if honour_due[p] > 0.0 and choice[i, hostile[p, 1]] < force:
                actor_out[i, L.O_REP] += honour_due[p]
            if vow_due[p] > 0.0 and choice[i, hostile[p, 1]] < strike:
                actor_out[i, L.O_REP] += vow_due[p]
        eta = MC[C.ETA]
        for q in range(watch.shape[0]):
            i = watch[q, 0]
            j = watch[q, 1]
            if waiting[i, j] > 0:
                if choice[j, i] >= force:
                    belief[i, j] += eta * (1.0 - belief[i, j])
                    waiting[i, j] = 0
                else:
                    waiting[i, j] -= 1
                    if waiting[i, j] == 0:
                        belief[i, j] -= eta * belief[i, j]
            if choice[i, j] >= force:
                waiting[i, j] = MI[C.WINDOW]
        for i in range(A):
            for j in range(A):
                if dealt[i, j] > 0.0:  # (G) a discrete answer settles the affront in full
                    settle[i, j] += AFR[i, j]
                    AFR[i, j] = 0.0
                rj = choice[j, i]  # one blow a pair a day (reference.affront_of)
                if dmg[rj] > 0.0:
                    AFR[i, j] += AF[i, C.REP] * LF[rj, C.HUMIL] * (LF[rj, C.DAMAGE] * cap0[j])
                if settle[i, j] > 0.0:
                    NG[i, j] = max(0.0, NG[i, j] - settle[i, j])
                if not cf[i, j] and NG[i, j] < PF[i, j, C.FLOOR]:
                    NG[i, j] = PF[i, j, C.FLOOR]
                G[i, j] = NG[i, j]
                AFR[i, j] = min(AFR[i, j], G[i, j])
        for q in range(active.shape[0]):  # (L) a vow ties hands, judged after the day's blows
            i = active[q, 0]
            j = active[q, 1]
            if (choice[i, j] == MI[C.VOW_RUNG] and AF[i, C.AUDIENCE] > 0.0
                    and G[i, j] >= max(answer, tol[i, j]) and pulled[i, j] == C.PULL_OWN):
                vow[i, j] = AF[i, C.AUDIENCE]
                vow_until[i, j] = t + MI[C.WINDOW]
        # (E) a declared end: the raised answer threshold fades, and a discrete answer raises it.
        for i in range(A):
            for j in range(A):
                tol[i, j] = MC[C.TOL_MEMORY] * tol[i, j]
                if dealt[i, j] > 0.0:
                    tol[i, j] = max(tol[i, j], MC[C.TOL_SHARE] * dealt[i, j])
                if answer <= G[i, j] < tol[i, j]:  # absorbed: written off, the round is over
                    G[i, j] = min(G[i, j], PF[i, j, C.FLOOR])
        for j in range(A):
            share = AF[j, C.AID_SHARE]
            ceil = AF[j, C.CAP0]
            if share > 0.0:
                ceil = AF[j, C.CAP0] * (1.0 - share * min(1.0, t / AI[j, C.AID_LAG]))
            # reference.update_leadership: each post lost today, then recovery if none is vacant.
            recovering = True
            for k in range(C.N_POST):
                if killed[j, k]:
                    recovering = False
                    cap[j] *= 1.0 - POF[j, k, C.POST_LOSS]
                    i = killer[j, k]
                    if POF[j, k, C.RESOLVE_CHG] != 0.0:
                        resolve[j] = min(1.0, max(0.0, resolve[j] + POF[j, k, C.RESOLVE_CHG]))
                    if POF[j, k, C.HOSTILITY_CHG] != 0.0:
                        H[j, i] = max(0.0, H[j, i] + POF[j, k, C.HOSTILITY_CHG])
                    if POF[j, k, C.DEAL_CHG] != 0.0:
                        deal[j, i] += POF[j, k, C.DEAL_CHG]
                    vacancy[j, k] = POI[j, k, C.POST_DELAY]
                elif vacancy[j, k] > 0:
                    recovering = False
                    vacancy[j, k] -= 1
            if recovering:
                cap[j] += AF[j, C.RECOV] * (ceil - cap[j])
            cap[j] = min(cap[j], ceil)
        # (H) war aims (reference.update_aims): opportunity, achievement, abandonment.
        for p in range(hostile.shape[0]):
            i = hostile[p, 0]
            j = hostile[p, 1]
            rj = choice[j, i]  # humiliation: a discrete operation of j on i today
            if (dmg[rj] > 0.0 and cooldown[rj] > 0.0 and LF[rj, C.HUMIL] > 0.0
                    and AF[i, C.HUMIL_H] > 0.0):
                H[i, j] += AF[i, C.HUMIL_H] * LF[rj, C.HUMIL]
            drop = max(0.0, (cap0[j] - cap[j]) / AF[j, C.CAP0])
            if drop > 0.0 and AF[i, C.OPPORT] > 0.0:
                H[i, j] += AF[i, C.OPPORT] * drop
            if (H[i, j] > 0.0 and PF[i, j, C.AIM_CAP] > 0.0
                    and cap[j] <= PF[i, j, C.AIM_CAP] * AF[j, C.CAP0]):
                H[i, j] = 0.0
                total_aim[i, j] = False
            if (H[i, j] > 0.0 or total_aim[i, j]) and exhaustion[i] >= AF[i, C.AIM_EXH]:
                H[i, j] = 0.0
                total_aim[i, j] = False
        for q in range(truce.shape[0]):
            a = truce[q, 0]
            b = truce[q, 1]
            if cf[a, b]:
                held = t - cf_start[a, b] + 1
                if (record and PF[a, b, C.CF_OUT] > 0.0 and held >= MI[C.HOLD_DAYS]
                        and days_out[L.D_CF_HELD] < 0):
                    days_out[L.D_CF_HELD] = t
                ha = MI[C.HOST_A]
                hb = MI[C.HOST_B]
                hostage_pair = (a == ha and b == hb) or (a == hb and b == ha)
                if (record and hostage_pair and held >= MI[C.RELEASE_DAYS]
                        and days_out[L.D_HOSTAGES] < 0):
                    days_out[L.D_HOSTAGES] = t


@numba.njit(cache=True)
def _new_state(A):  # pragma: no cover - compiled
    """engine/state.py's State, allocated in the kernel (numba cannot loop over the table's
    dtypes); a test checks that this matches the table field by field."""
    f8, i8, b1 = np.float64, np.int64, np.bool_
    return State(
        np.empty(A, dtype=f8),  # cap
        np.empty((A, C.N_POST), dtype=i8),  # vacancy
        np.empty(A, dtype=f8),  # resolve
        np.empty(A, dtype=f8),  # exhaustion
        np.empty((A, A), dtype=f8),  # grievance
        np.empty((A, A), dtype=f8),  # affront
        np.empty((A, A), dtype=f8),  # belief
        np.empty((A, A), dtype=i8),  # waiting
        np.empty((A, A), dtype=b1),  # ceasefire
        np.empty((A, A), dtype=i8),  # cf_start
        np.empty((A, A), dtype=i8),  # cf_until
        np.empty((A, A), dtype=b1),  # violated
        np.empty((A, A), dtype=i8),  # last_force
        np.empty((A, A), dtype=i8),  # void_until
        np.empty((A, A), dtype=f8),  # owed
        np.empty((A, A), dtype=i8),  # owed_until
        np.empty((A, A), dtype=f8),  # vow
        np.empty((A, A), dtype=i8),  # vow_until
        np.empty((A, A), dtype=i8),  # pulled
        np.empty((A, A), dtype=i8),  # ready
        np.empty((A, A), dtype=i8),  # prep
        np.empty((A, A), dtype=i8),  # launch
        np.empty((A, A), dtype=b1),  # prep_answer
        np.empty((A, A), dtype=f8),  # tol
        np.empty((A, A), dtype=i8),  # camp
        np.empty((A, A), dtype=i8),  # camp_start
        np.empty((A, A), dtype=i8),  # camp_end
        np.empty((A, A), dtype=b1),  # escalated
        np.empty((A, A), dtype=b1),  # camp_answer
        np.empty((A, A), dtype=f8),  # hostility
        np.empty((A, A), dtype=b1),  # total
        np.empty((A, A), dtype=f8),  # deal
    )


@numba.njit(cache=True, error_model="numpy")
def _run_block(AF, AI, PF, PI, POF, POI, LF, MC, MI, INJ, INJF, SR, SP, free, plan, keys, days,
               days_out, actor_out, pair_out, pair_days, path, commit_out):  # pragma: no cover - compiled
    """Replicates ``keys`` one after another, reusing one set of arrays."""
    A = AF.shape[0]
    R = LF.shape[0]
    H = plan[0].shape[0]
    state = _new_state(A)
    # settle is 0 and choice 0 off the active pairs, kill_order -1 and aimed the relation's kill
    # post off the day's injects: set here once, restored by _replicate after every use.
    scratch = (np.empty((A, A)), np.zeros((A, A)), np.zeros((A, A), dtype=np.int64),
               np.full((A, A), -1, dtype=np.int64), np.empty(A), np.empty((A, A), dtype=np.bool_),
               np.empty((A, C.N_POST), dtype=np.bool_), np.empty(R), np.empty(H),
               np.zeros(H, dtype=np.bool_), np.full((A, A), np.nan),
               np.zeros((A, A), dtype=np.bool_), np.zeros((A, A)),
               np.zeros(MI[C.WAR_WINDOW], dtype=np.bool_), np.zeros((A, A), dtype=np.bool_),
               np.full((A, C.N_POST), -1, dtype=np.int64), PI[:, :, C.KILL_POST].copy(),
               np.zeros(H), np.empty(R), np.empty(R), np.empty(A), np.empty(A),
               np.empty(A, dtype=np.int64), np.empty(A, dtype=np.int64),
               np.empty(A, dtype=np.int64), np.zeros(H))
    # x rows are keyed on a capability; a NaN key matches nothing, so all start stale.
    cache = (np.empty((A, R)), np.full(A, np.nan), np.zeros(A, dtype=np.int64))
    for k in range(keys.shape[0]):
        _replicate(AF, AI, PF, PI, POF, POI, LF, MC, MI, INJ, INJF, SR, SP, free, plan, keys[k],
                   days,
                   days_out[k], actor_out[k], pair_out[k], pair_days[k], path[k], commit_out[k],
                   state, scratch,
                   cache)


@numba.njit(cache=True, parallel=True, error_model="numpy")
def simulate_block(AF, AI, PF, PI, POF, POI, LF, MC, MI, INJ, INJF, SR, SP, free, plan, keys, days,
                   days_out, actor_out, pair_out, pair_days, path,
                   commit_out):  # pragma: no cover - compiled
    """Run ``len(keys)`` replicates in parallel; outputs are preallocated and filled in place."""
    n = keys.shape[0]
    for b in numba.prange((n + BLOCK - 1) // BLOCK):
        lo = b * BLOCK
        hi = min(n, lo + BLOCK)
        _run_block(AF, AI, PF, PI, POF, POI, LF, MC, MI, INJ, INJF, SR, SP, free, plan, keys[lo:hi],
                   days,
                   days_out[lo:hi], actor_out[lo:hi], pair_out[lo:hi], pair_days[lo:hi],
                   path[lo:hi], commit_out[lo:hi])


def simulate(c, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Run the fast engine on ``keys``; returns (days_out, actor_out, path, pair_out, pair_days,
    commit_out) as in ``layout``."""
    n = len(keys)
    days_out = np.full((n, L.N_DAY), -1, dtype=np.int32)
    actor_out = np.zeros((n, c.n_actors, L.N_ACT))
    pair_out = np.zeros((n, c.n_actors, c.n_actors), dtype=np.int16)
    path = np.empty((n, c.days), dtype=np.int8)
    pair_days = np.full((n, c.n_actors, c.n_actors, L.N_PD), -1, dtype=np.int16)
    commit_out = np.zeros((n, c.n_actors, c.n_actors, L.N_CO), dtype=np.int16)
    # Hand out blocks one at a time rather than a fixed share per thread, so that a thread
    # slowed by other work on the machine does not hold the others up.
    old = numba.set_parallel_chunksize(1)
    try:
        simulate_block(c.AF, c.AI, c.PF, c.PI, c.POF, c.POI, c.LF, c.MC, c.MI, c.INJ, c.INJF,
                       c.SR, c.SP, c.free_day,
                       _plan(c), np.asarray(keys, np.uint64), c.days, days_out, actor_out,
                       pair_out, pair_days, path, commit_out)
    finally:
        numba.set_parallel_chunksize(old)
    return days_out, actor_out, path, pair_out, pair_days, commit_out
