"""The fast engine: the rules of ``reference.py`` fused into one numba kernel over replicates.

Each replicate runs all its days inside the kernel with its state in a few small local arrays
(cache-resident), and replicates run in parallel (``prange``). The rules, phase order and every
floating-point operation mirror ``reference.py`` in the same order, so that for the same key
both produce the same outcome; tests check that. Read ``reference.py`` for the model; read this
file for how it is made fast. Change both together.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from escalade.compile import (
    AID_LAG,
    AID_SHARE,
    AIRDEF,
    ANSWER,
    BELIEF_NOISE,
    BIAS,
    BREAK_COST,
    BURDEN,
    C_FORMAL,
    C_INFORMAL,
    CAP0,
    CAS_PER_DAMAGE,
    CF_OUT,
    COMBAT_RUNG,
    COMMIT,
    COOLDOWN,
    COST,
    COSTW,
    DAMAGE,
    DEAL,
    DECAP_LOSS,
    DECAP_VALUE,
    DECAY,
    DISCHARGE,
    DNOISE,
    DSCALE,
    ENTRAP,
    ETA,
    EXH_DECAY,
    EXH_RATE,
    EXP_INTERCEPT,
    EXP_REPLY,
    FLOOR,
    FORCE_RUNG,
    G0,
    HELP_P,
    HOLD_DAYS,
    HOST_A,
    HOST_B,
    HOSTILE,
    HOSTILITY,
    HUMIL,
    INJ_ACTOR,
    INJ_CEASEFIRE,
    INJ_DAY,
    INJ_KILL,
    INJ_RUNG,
    INJ_TARGET,
    INJ_TYPE,
    INTERCEPTABLE,
    IS_MAIN,
    IS_PROTECTOR,
    JOIN,
    KILLP,
    LAM,
    LEVERAGE,
    MAXRUNG,
    MED_P,
    MEMORY,
    MULT,
    PROT_AD,
    PROTECT,
    PROTECTOR,
    RECOV,
    RELEASE_DAYS,
    REP,
    RESOLVE,
    RESTRAINT,
    RET_HALF,
    RISK,
    STRIKE_RUNG,
    SUCC_DELAY,
    SWEET,
    TOTAL_AIM,
    TRIGGER,
    VACANT0,
    VOID_DAYS,
    VOID_RUNG,
    WAR_RUNG,
    WEARY,
    WINDOW,
)
from escalade.engine.layout import (
    D_CF_HELD,
    D_CF_REACHED,
    D_COMBAT,
    D_HOSTAGES,
    D_WAR,
    N_ACT,
    N_DAY,
    O_ABANDON,
    O_CAS,
    O_HELPED,
    O_INIT,
    O_LEADERS,
    O_REP,
    O_STRIKES,
)
from escalade.engine.rng import (
    N_PURPOSE,
    P_ACCEPT,
    P_CHOICE,
    P_HELP,
    P_KILL,
    P_PROPOSE,
    P_SHOCK_A,
    P_SHOCK_B,
    normal_nb,
    uniform_nb,
)

NEVER = -(10**6)


@numba.njit(cache=True, inline="always")
def _ctr(day, i, j, purpose, A):  # pragma: no cover - compiled
    return ((day * A + i) * A + j) * N_PURPOSE + purpose


@numba.njit(cache=True)
def _expected_help(AF, AI, void_until, i, answering, r, t):  # pragma: no cover - compiled
    kind = AI[i, COMMIT]
    if r < AI[i, TRIGGER]:
        return 0.0
    if kind == C_INFORMAL:
        return AF[i, HELP_P]
    if kind == C_FORMAL:
        if t <= void_until[i]:
            return 0.0
        if not answering and r >= AI[i, VOID_RUNG]:
            return 0.0
        return 1.0
    return 0.0


@numba.njit(cache=True)
def _expected_protector_reply(AF, AI, void_until, j, r, t):  # pragma: no cover - compiled
    kind = AI[j, COMMIT]
    if r < AI[j, JOIN]:
        return 0.0
    if kind == C_INFORMAL:
        return AF[j, HELP_P]
    if kind == C_FORMAL and t > void_until[j]:
        return 1.0
    return 0.0


@numba.njit(cache=True)
def _utility(AF, AI, PF, LF, MC, MI, G, belief, cap, vacancy, exhaustion, void_until, cf,
             i, j, r, x, t, cooling):  # pragma: no cover - compiled
    g = G[i, j]
    answering = g >= MC[ANSWER]
    d = LF[r, DAMAGE]
    u = 0.0
    if answering and not cooling:
        target = math.log1p(AF[i, MULT] * g)
        excess = g - MC[ANSWER]
        urge = excess / (excess + MC[RET_HALF])
        diff = x - target
        u -= AF[i, RESOLVE] * urge * (diff * diff)
        if r < MI[FORCE_RUNG]:
            u -= AF[i, REP] * AF[i, RESOLVE] * math.log1p(g)
    present = 1.0 if vacancy[j] == 0 else 0.0
    kill = LF[r, KILLP] * (1.0 - AF[j, PROTECT]) * present
    u += PF[i, j, HOSTILITY] * (x + MC[DECAP_VALUE] * kill)
    u -= AF[i, COSTW] * LF[r, COST] * (1.0 + AF[i, WEARY] * exhaustion[i])
    if d > 0.0:
        h = _expected_help(AF, AI, void_until, i, answering, r, t)
        icpt = 1.0 - (1.0 - AF[i, AIRDEF]) * (1.0 - h * AF[i, PROT_AD])
        reply = (MC[EXP_REPLY] * d * cap[j] * (1.0 - MC[EXP_INTERCEPT] * icpt)
                 * (1.0 - h * AF[i, BURDEN]))
        u -= AF[i, RISK] * belief[i, j] * reply / MC[DSCALE]
        p = AI[j, PROTECTOR]
        if p >= 0 and p != i:
            hj = _expected_protector_reply(AF, AI, void_until, j, r, t)
            if hj > 0.0:
                punish = MC[EXP_REPLY] * AF[j, ENTRAP] * d * cap[i]
                u -= AF[i, RISK] * hj * punish / MC[DSCALE]
    if cf[i, j] and r >= MI[FORCE_RUNG]:
        u -= MC[BREAK_COST] + max(0.0, PF[i, j, DEAL] + PF[i, j, SWEET])
    return u


@numba.njit(cache=True)
def _accepts(AF, PF, PI, G, exhaustion, key, x, y, t, A):  # pragma: no cover - compiled
    if PI[x, y, TOTAL_AIM]:
        return False
    value = (PF[x, y, DEAL] + PF[x, y, SWEET] + AF[x, WEARY] * exhaustion[x]
             + AF[x, LEVERAGE] - PF[x, y, HOSTILITY]
             - AF[x, RESOLVE] * math.log1p(G[x, y]))
    p = 1.0 / (1.0 + math.exp(-AF[x, LAM] * value))
    return uniform_nb(key, _ctr(t, x, y, P_ACCEPT, A)) < p


@numba.njit(cache=True)
def _start_ceasefire(PF, cf, cf_start, a, b, t, days_out):  # pragma: no cover - compiled
    if cf[a, b]:
        return
    cf[a, b] = True
    cf[b, a] = True
    cf_start[a, b] = t
    cf_start[b, a] = t
    if PF[a, b, CF_OUT] > 0.0 and days_out[D_CF_REACHED] < 0:
        days_out[D_CF_REACHED] = t


@numba.njit(cache=True)
def _replicate(AF, AI, PF, PI, LF, MC, MI, INJ, key, days, days_out, actor_out, path):
    """One replicate, all days; writes into its rows of the output arrays."""  # pragma: no cover
    A = AF.shape[0]
    R = LF.shape[0]
    force = MI[FORCE_RUNG]
    answer = MC[ANSWER]
    # ---- state ----
    cap = np.empty(A)
    vacancy = np.empty(A, dtype=np.int64)
    exhaustion = np.zeros(A)
    void_until = np.full(A, NEVER, dtype=np.int64)
    G = np.empty((A, A))
    belief = np.empty((A, A))
    waiting = np.zeros((A, A), dtype=np.int64)
    cf = np.zeros((A, A), dtype=np.bool_)
    cf_start = np.full((A, A), NEVER, dtype=np.int64)
    last_force = np.full((A, A), NEVER, dtype=np.int64)
    ready = np.zeros((A, A), dtype=np.int64)
    # ---- scratch ----
    NG = np.empty((A, A))
    SET = np.empty((A, A))
    choice = np.zeros((A, A), dtype=np.int64)
    kill_order = np.full((A, A), -1, dtype=np.int64)
    answering = np.zeros((A, A), dtype=np.bool_)
    cap0 = np.empty(A)
    voided = np.zeros(A, dtype=np.bool_)
    pending = np.zeros((A, A), dtype=np.bool_)
    killed = np.zeros(A, dtype=np.bool_)
    X = np.empty((A, R))
    utils = np.empty(R)

    for i in range(A):
        cap[i] = AF[i, CAP0]
        vacancy[i] = AI[i, VACANT0]
    for i in range(A):
        for j in range(A):
            G[i, j] = PF[i, j, G0]
            z = normal_nb(key, _ctr(0, i, j, P_SHOCK_A, A), _ctr(0, i, j, P_SHOCK_B, A))
            b = AF[j, RESOLVE] + PF[i, j, BIAS] + AF[i, BELIEF_NOISE] * z
            belief[i, j] = min(0.99, max(0.01, b))
            if PF[i, j, G0] >= answer or PF[j, i, G0] >= answer:
                last_force[i, j] = 0

    inj = 0
    n_inj = INJ.shape[0]
    for t in range(1, days + 1):
        # Phase 1: injects.
        for i in range(A):
            for j in range(A):
                kill_order[i, j] = -1
        forced_start = inj
        while inj < n_inj and INJ[inj, INJ_DAY] == t:
            a = INJ[inj, INJ_ACTOR]
            b = INJ[inj, INJ_TARGET]
            if INJ[inj, INJ_TYPE] == INJ_CEASEFIRE:
                _start_ceasefire(PF, cf, cf_start, a, b, t, days_out)
            inj += 1
        # Phase 2: mediation.
        for a in range(A):
            for b in range(a + 1, A):
                if PF[a, b, MED_P] <= 0.0 or cf[a, b]:
                    continue
                if t - last_force[a, b] > MI[MEMORY]:
                    continue
                if uniform_nb(key, _ctr(t, a, b, P_PROPOSE, A)) >= PF[a, b, MED_P]:
                    continue
                ok_a = _accepts(AF, PF, PI, G, exhaustion, key, a, b, t, A)
                ok_b = _accepts(AF, PF, PI, G, exhaustion, key, b, a, t, A)
                if ok_a and ok_b:
                    _start_ceasefire(PF, cf, cf_start, a, b, t, days_out)
        # Phase 3: decisions.
        for i in range(A):
            for r in range(R):
                X[i, r] = math.log1p(LF[r, DAMAGE] * cap[i])
        for i in range(A):
            lam = AF[i, LAM]
            for j in range(A):
                choice[i, j] = 0
                if PF[i, j, HOSTILE] <= 0.0:
                    continue
                top = PI[i, j, MAXRUNG]
                if G[i, j] < answer:
                    if PF[i, j, HOSTILITY] <= 0.0:
                        continue
                    if AI[i, RESTRAINT] < top:
                        top = AI[i, RESTRAINT]
                best = -np.inf
                cooling = t < ready[i, j]
                for r in range(top + 1):
                    if cooling and LF[r, COOLDOWN] > 0.0:
                        utils[r] = -np.inf
                        continue
                    utils[r] = _utility(AF, AI, PF, LF, MC, MI, G, belief, cap, vacancy,
                                        exhaustion, void_until, cf, i, j, r, X[i, r], t, cooling)
                    if utils[r] > best:
                        best = utils[r]
                total = 0.0
                for r in range(top + 1):
                    if cooling and LF[r, COOLDOWN] > 0.0:
                        utils[r] = 0.0
                    else:
                        utils[r] = math.exp(lam * (utils[r] - best))
                    total += utils[r]
                draw = uniform_nb(key, _ctr(t, i, j, P_CHOICE, A)) * total
                acc = 0.0
                pick = top
                for r in range(top + 1):
                    acc += utils[r]
                    if draw < acc:
                        pick = r
                        break
                choice[i, j] = pick
        for k in range(forced_start, inj):
            if INJ[k, INJ_TYPE] != INJ_CEASEFIRE:
                a = INJ[k, INJ_ACTOR]
                b = INJ[k, INJ_TARGET]
                choice[a, b] = INJ[k, INJ_RUNG]
                kill_order[a, b] = INJ[k, INJ_KILL]

        # Phase 4: resolution.
        for i in range(A):
            cap0[i] = cap[i]
            voided[i] = t <= void_until[i]
            killed[i] = False
            exhaustion[i] = MC[EXH_DECAY] * exhaustion[i]
            for j in range(A):
                answering[i, j] = G[i, j] >= answer
                pending[i, j] = t < ready[i, j]
                NG[i, j] = AF[i, DECAY] * G[i, j]
                SET[i, j] = 0.0
        level = -1
        for i in range(A):
            for j in range(A):
                r = choice[i, j]
                if r == 0:
                    continue
                if r >= force:
                    last_force[i, j] = t
                    last_force[j, i] = t
                    if cf[i, j]:
                        cf[i, j] = False
                        cf[j, i] = False
                    if r >= MI[STRIKE_RUNG]:
                        actor_out[i, O_STRIKES] += 1.0
                        if not answering[i, j]:
                            actor_out[i, O_INIT] += 1.0
                    if not answering[i, j] and r >= AI[i, VOID_RUNG] and not voided[i]:
                        void_until[i] = t + AI[i, VOID_DAYS]
                if AI[i, IS_MAIN] and AI[j, IS_MAIN]:
                    if r > level:
                        level = r
                    if r >= MI[WAR_RUNG] and days_out[D_WAR] < 0:
                        days_out[D_WAR] = t
                if AI[i, IS_PROTECTOR] and r >= MI[COMBAT_RUNG] and days_out[D_COMBAT] < 0:
                    days_out[D_COMBAT] = t
                exhaustion[i] += MC[EXH_RATE] * LF[r, COST]
                if LF[r, COOLDOWN] > 0.0:
                    ready[i, j] = t + np.int64(LF[r, COOLDOWN])
                if LF[r, DAMAGE] > 0.0:
                    p = AI[j, PROTECTOR]
                    kind = AI[j, COMMIT]
                    helps = False
                    if (p >= 0 and p != i and r >= AI[j, TRIGGER]
                            and (kind == C_INFORMAL or kind == C_FORMAL)):  # noqa: SIM109 numba
                        helps = uniform_nb(key, _ctr(t, i, j, P_HELP, A)) < AF[j, HELP_P]
                        if kind == C_FORMAL and voided[j]:
                            helps = False
                        if helps:
                            actor_out[j, O_HELPED] += 1.0
                        else:
                            actor_out[j, O_ABANDON] += 1.0
                    extra = AF[j, PROT_AD] if helps else 0.0
                    icpt = 1.0 - (1.0 - AF[j, AIRDEF]) * (1.0 - extra)
                    sigma = MC[DNOISE]
                    z = normal_nb(key, _ctr(t, i, j, P_SHOCK_A, A), _ctr(t, i, j, P_SHOCK_B, A))
                    shock = math.exp(sigma * z - 0.5 * sigma * sigma)
                    full = LF[r, DAMAGE] * cap0[i]
                    received = full * (1.0 - LF[r, INTERCEPTABLE] * icpt) * shock
                    actor_out[j, O_CAS] += received * MC[CAS_PER_DAMAGE]
                    NG[j, i] += received * (1.0 + AF[j, REP] * LF[r, HUMIL])
                    exhaustion[j] += MC[EXH_RATE] * received
                    if helps and r >= AI[j, JOIN]:
                        NG[p, i] += AF[j, ENTRAP] * received
                    SET[i, j] += MC[DISCHARGE] * full / max(AF[i, MULT], 1e-3)
                order = kill_order[i, j]
                attempt = LF[r, KILLP] > 0.0 or order == 1
                if attempt and vacancy[j] == 0 and not killed[j] and order != 0:
                    pk = LF[r, KILLP] * (1.0 - AF[j, PROTECT])
                    u = uniform_nb(key, _ctr(t, i, j, P_KILL, A))
                    if order == 1 or u < pk:
                        killed[j] = True
                        actor_out[j, O_LEADERS] += 1.0
        path[t - 1] = level

        # Phase 5: updates.
        for i in range(A):
            for j in range(A):
                if (PF[i, j, HOSTILE] > 0.0 and answering[i, j] and not pending[i, j]
                        and choice[i, j] < force):
                    actor_out[i, O_REP] += AF[i, REP] * AF[i, RESOLVE] * math.log1p(G[i, j])
        eta = MC[ETA]
        for i in range(A):
            for j in range(A):
                if waiting[i, j] > 0:
                    if choice[j, i] >= force:
                        belief[i, j] += eta * (1.0 - belief[i, j])
                        waiting[i, j] = 0
                    else:
                        waiting[i, j] -= 1
                        if waiting[i, j] == 0:
                            belief[i, j] -= eta * belief[i, j]
                if choice[i, j] >= force:
                    waiting[i, j] = MI[WINDOW]
        for i in range(A):
            for j in range(A):
                if SET[i, j] > 0.0:
                    NG[i, j] = max(0.0, NG[i, j] - SET[i, j])
                if not cf[i, j] and NG[i, j] < PF[i, j, FLOOR]:
                    NG[i, j] = PF[i, j, FLOOR]
                G[i, j] = NG[i, j]
        for j in range(A):
            share = AF[j, AID_SHARE]
            ceil = AF[j, CAP0]
            if share > 0.0:
                ceil = AF[j, CAP0] * (1.0 - share * min(1.0, t / AI[j, AID_LAG]))
            if killed[j]:
                cap[j] *= 1.0 - AF[j, DECAP_LOSS]
                vacancy[j] = AI[j, SUCC_DELAY]
            elif vacancy[j] > 0:
                vacancy[j] -= 1
            else:
                cap[j] += AF[j, RECOV] * (ceil - cap[j])
            cap[j] = min(cap[j], ceil)
        for a in range(A):
            for b in range(a + 1, A):
                if cf[a, b]:
                    held = t - cf_start[a, b] + 1
                    if PF[a, b, CF_OUT] > 0.0 and held >= MI[HOLD_DAYS] and days_out[D_CF_HELD] < 0:
                        days_out[D_CF_HELD] = t
                    ha = MI[HOST_A]
                    hb = MI[HOST_B]
                    hostage_pair = (a == ha and b == hb) or (a == hb and b == ha)
                    if hostage_pair and held >= MI[RELEASE_DAYS] and days_out[D_HOSTAGES] < 0:
                        days_out[D_HOSTAGES] = t


@numba.njit(cache=True, parallel=True)
def simulate_block(AF, AI, PF, PI, LF, MC, MI, INJ, keys, days, days_out, actor_out, path):
    """Run ``len(keys)`` replicates in parallel; outputs are preallocated and filled in place."""
    for k in numba.prange(keys.shape[0]):  # pragma: no cover - compiled
        _replicate(AF, AI, PF, PI, LF, MC, MI, INJ, keys[k], days, days_out[k], actor_out[k],
                   path[k])


def simulate(c, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the fast engine on ``keys``; returns (days_out, actor_out, path) as in ``layout``."""
    n = len(keys)
    days_out = np.full((n, N_DAY), -1, dtype=np.int32)
    actor_out = np.zeros((n, c.n_actors, N_ACT))
    path = np.empty((n, c.days), dtype=np.int8)
    simulate_block(c.AF, c.AI, c.PF, c.PI, c.LF, c.MC, c.MI, c.INJ, np.asarray(keys, np.uint64),
                   c.days, days_out, actor_out, path)
    return days_out, actor_out, path
