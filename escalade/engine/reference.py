"""The reference implementation: one replicate at a time, written to be read.

This is the model's executable specification. The fast kernel (``kernel.py``) implements the
same rules over a batch; a test checks that both give the same outcome for the same replicate
key. Equations and references are in ``docs/model.md``; the M-numbers name the mechanisms of
the domain description.

One day is five phases, in this order:
1. scripted injects (forced cease-fires now, forced attacks replace choices in phase 3);
2. mediation (M8): proposals to pairs in conflict; a deal needs every party to accept;
3. decisions (M2-M6): each actor picks a rung toward each adversary by a logit rule,
   all from the state at the start of the day (simultaneous moves);
4. resolution (M7, M1): help, interception, damage, decapitation, cease-fire breaches;
5. updates: grievances, beliefs (M4), exhaustion, succession, recovery and what the loss of a
   post does to resolve, hostility and deals (M1), outcomes (M9).

History replayed into a run (``Compiled.free_day`` > 1): before the free day only injects act
(phases 2 and 3 are skipped, the reputation cost of silence is not charged: nobody chose) and
no outcome day is recorded (the per-actor and per-pair tallies do count the replayed events);
the state (damage, grievance, beliefs, killings, cease-fires) evolves
by the same rules, so the model starts choosing from the state real events left.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from escalade import compile as C
from escalade.engine import layout as L
from escalade.engine import rng
from escalade.engine.rng import counter, normal, uniform

NEVER = -(10**6)
FOREVER = 10**9  # the last day of a cease-fire that is not a pause
# How traces name each post (compile.POST_KINDS order).
POST_LABELS = ("leader", "military commander", "political chief")


@dataclass
class Event:
    """One line of a trace: what happened on a day, for a person to read."""

    day: int
    kind: str  # attack, intercept, kill, succession, ceasefire, ceasefire_broken, help, outcome
    actor: int = -1
    target: int = -1
    rung: int = -1
    detail: str = ""
    post: int = -1  # kill and succession: the post (an index of compile.POST_KINDS)


@dataclass
class ReplicateResult:
    days_out: list[int]
    actor_out: list[list[float]]
    path: list[int]
    pair_out: list[list[int]]
    pair_days: list[list[list[int]]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    commit_out: list[list[list[int]]] = field(default_factory=list)  # [p][q]: helped, abandoned


class World:
    """The state of one replicate. Lists indexed by actor (i) and pair (i, j): i toward j.

    Its fields are those declared in ``engine/state.py`` (which the kernel uses by the same
    names), plus ``holder`` for traces. Post fields are indexed ``[i][k]``, k a post of
    ``compile.POST_KINDS``."""

    def __init__(self, c: C.Compiled, key: int):
        A = c.n_actors
        self.cap = [float(c.AF[i, C.CAP0]) for i in range(A)]
        self.vacancy = [[int(c.POI[i, k, C.POST_VACANT0]) for k in range(C.N_POST)]
                        for i in range(A)]
        self.holder = [[0] * C.N_POST for _ in range(A)]  # index of each post's holder's name
        self.resolve = [float(c.AF[i, C.RESOLVE]) for i in range(A)]
        self.exhaustion = [0.0] * A
        self.grievance = [[float(c.PF[i, j, C.G0]) for j in range(A)] for i in range(A)]
        # the part of it that is an affront, settled by any discrete answer (G)
        self.affront = [[0.0] * A for _ in range(A)]
        self.belief = [[0.0] * A for _ in range(A)]
        self.waiting = [[0] * A for _ in range(A)]
        self.ceasefire = [[False] * A for _ in range(A)]
        self.cf_start = [[NEVER] * A for _ in range(A)]
        self.cf_until = [[FOREVER] * A for _ in range(A)]  # last day of a pause (A')
        self.violated = [[False] * A for _ in range(A)]  # j used force on i during their truce
        self.last_force = [[NEVER] * A for _ in range(A)]
        # Commitments (M6), indexed [protector][protected] or [protector][attacker]:
        self.void_until = [[NEVER] * A for _ in range(A)]  # last day p's help to q is void
        self.owed = [[0.0] * A for _ in range(A)]  # honour cost a day of p's silence toward x
        self.owed_until = [[NEVER] * A for _ in range(A)]  # last day of that obligation
        self.vow = [[0.0] * A for _ in range(A)]  # audience cost a day without the vowed strike
        self.vow_until = [[NEVER] * A for _ in range(A)]  # last day the audience waits for it
        self.pulled = [[C.PULL_OWN] * A for _ in range(A)]  # why p's grievance toward x grew
        self.ready = [[0] * A for _ in range(A)]  # first day i can mount a discrete op on j
        self.prep = [[0] * A for _ in range(A)]  # rung of the operation i prepares on j (0: none)
        self.launch = [[0] * A for _ in range(A)]  # the day it will be launched
        self.tol = [[0.0] * A for _ in range(A)]  # raised answer threshold after an answer (E)
        self.prep_answer = [[False] * A for _ in range(A)]  # was the prepared op an answer?
        self.camp = [[0] * A for _ in range(A)]  # rung of i's campaign on j (0: none) (W)
        self.camp_start = [[0] * A for _ in range(A)]  # its first day
        self.camp_end = [[0] * A for _ in range(A)]  # its last day, unless decided otherwise
        self.escalated = [[False] * A for _ in range(A)]  # j went above i's campaign rung
        self.camp_answer = [[False] * A for _ in range(A)]  # was the campaign an answer?
        # War aims (H): what i wants from j, and whether that is total; both can change.
        self.hostility = [[float(c.PF[i, j, C.HOSTILITY]) for j in range(A)] for i in range(A)]
        self.total = [[bool(c.PI[i, j, C.TOTAL_AIM]) for j in range(A)] for i in range(A)]
        self.deal = [[float(c.PF[i, j, C.DEAL]) for j in range(A)] for i in range(A)]
        answer = c.MC[C.ANSWER]
        for i in range(A):
            for j in range(A):
                # i's estimate of j's resolve: the truth, plus a bias, plus intelligence noise.
                z = normal(key, counter(0, i, j, rng.P_SHOCK_A, A), counter(0, i, j, rng.P_SHOCK_B, A))
                b = c.AF[j, C.RESOLVE] + c.PF[i, j, C.BIAS] + c.AF[i, C.BELIEF_NOISE] * z
                self.belief[i][j] = min(0.99, max(0.01, b))
                # Pairs with an outstanding grievance start "in conflict" (mediators engage them).
                if c.PF[i, j, C.G0] >= answer or c.PF[j, i, C.G0] >= answer:
                    self.last_force[i][j] = 0


def protectors(c: C.Compiled, q: int) -> list[int]:
    """The actors committed to q (protectors, patrons, clients), in index order."""
    return [p for p in range(c.n_actors) if c.PI[p, q, C.COMMIT] != C.NO_COMMIT]


def covered(c: C.Compiled, p: int, q: int, i: int, r: int) -> bool:
    """Whether p's commitment to q covers an attack by i on q at rung r by where it lands."""
    cover = c.PI[p, q, C.COVERS]
    return cover == C.COVER_ANY or cover == c.SP[i, q, r]


def expected_help(c: C.Compiled, w: World, p: int, i: int, j: int, answering: bool, r: int,
                  t: int) -> float:
    """M6: how much help i (the protected) counts on from p if it takes rung r on j and is
    answered in kind.

    The commitment's chance of help (informal: political, whatever i does, the moral hazard;
    formal: certain), unless a void clause applies: the pact is void now, or this action, an
    initiation at or above the void rung, would void it; and none for a reply its terms do not
    cover (where j's reply would land).
    """
    if r < c.PI[p, i, C.TRIGGER]:  # a reply in kind to r would be too small to call for help
        return 0.0
    if not covered(c, p, i, j, r):
        return 0.0
    if t <= w.void_until[p][i]:
        return 0.0
    if not answering and r >= c.PI[p, i, C.VOID_RUNG]:
        return 0.0
    return float(c.PF[p, i, C.HELP_P])


def expected_protector_reply(c: C.Compiled, w: World, p: int, j: int, i: int, r: int,
                             t: int) -> float:
    """Deterrence: the chance that p, committed to j, takes up j's grievance if i hits j at r."""
    if r < c.PI[p, j, C.JOIN] or t <= w.void_until[p][j] or not covered(c, p, j, i, r):
        return 0.0
    return float(c.PF[p, j, C.HELP_P])


def obligated(w: World, i: int, j: int, t: int) -> bool:
    """Whether i owes an answer to j under a commitment it joined on (an attack on its ally)."""
    return t <= w.owed_until[i][j] and w.owed[i][j] > 0.0


def vowed(w: World, i: int, j: int, t: int) -> bool:
    """Whether i has publicly vowed an answer to j that its audience still waits for (L)."""
    return t <= w.vow_until[i][j] and w.vow[i][j] > 0.0


def threshold(c: C.Compiled, w: World, i: int, j: int) -> float:
    """The grievance at or above which i answers j: the model's threshold, raised for a while
    after i's own discrete answer on j (a declared end, eq. E)."""
    return max(c.MC[C.ANSWER], w.tol[i][j])


def utility(c: C.Compiled, w: World, i: int, j: int, r: int, x: float, t: int) -> float:
    """U_i(r; j): what actor i expects from using rung r on j today (docs/model.md, eq. U)."""
    af, lf, mc = c.AF, c.LF, c.MC
    g = w.grievance[i][j]
    thr = threshold(c, w, i, j)
    answering = g >= thr
    d = lf[r, C.DAMAGE]
    u = 0.0
    if answering and t >= w.ready[i][j] and w.prep[i][j] == 0:
        # M2/M3: answer in proportion (x multiplier) to what was suffered; grievances below the
        # threshold are tolerated, above it the urge grows toward 1. While a discrete operation
        # is being prepared (lead time) or the last one's cooldown runs, the answer is pending:
        # no urge, no reputation cost yet.
        target = math.log1p(af[i, C.MULT] * g)
        excess = g - thr
        urge = excess / (excess + mc[C.RET_HALF])
        diff = x - target
        u -= w.resolve[i] * urge * (diff * diff)
        if r < c.MI[C.FORCE_RUNG]:  # M2: leaving a grievance unanswered costs reputation
            u -= af[i, C.REP] * w.resolve[i] * math.log1p(g)
    if (t >= w.ready[i][j] and w.prep[i][j] == 0 and obligated(w, i, j, t)
            and r < c.MI[C.FORCE_RUNG]):
        u -= w.owed[i][j]  # M6: not honouring a commitment costs its audience cost
    if t >= w.ready[i][j] and w.prep[i][j] == 0 and vowed(w, i, j, t) and r < c.MI[C.STRIKE_RUNG]:
        u -= w.vow[i][j]  # (L) a vow ties hands: each day without the strike it promised costs
    if r >= c.MI[C.FORCE_RUNG]:
        u -= c.PF[i, j, C.RESTRAIN]  # M6: force on a target its protectors hold it back from
    # M1: the chance of killing the holder of the post of j that i aims at, if it is filled.
    k = int(c.PI[i, j, C.KILL_POST])
    present = 1.0 if w.vacancy[j][k] == 0 else 0.0
    kill = kill_chance(c, j, k, r) * present
    u += w.hostility[i][j] * (x + mc[C.DECAP_VALUE] * kill)  # war aims
    u -= af[i, C.COSTW] * lf[r, C.COST] * (1.0 + af[i, C.WEARY] * w.exhaustion[i])  # M5
    if d > 0.0:
        # M4 + M5 + M6 + M7: the reply i expects, as i believes j's resolve to be, cut by the
        # interception and burden-sharing i expects from those committed to it.
        keep = 1.0 - af[i, C.AIRDEF]
        unshared = 1.0
        for p in protectors(c, i):
            h = expected_help(c, w, p, i, j, answering, r, t)
            keep *= 1.0 - h * c.PF[p, i, C.PROT_AD]
            unshared *= 1.0 - h * c.PF[p, i, C.BURDEN]
        icpt = 1.0 - keep
        reply = mc[C.EXP_REPLY] * d * w.cap[j] * (1.0 - mc[C.EXP_INTERCEPT] * icpt) * unshared
        # Losses count linearly in damage, gains (x, the answer) concavely: the expected cost
        # of climbing grows faster than its satisfaction, so choices have an interior optimum.
        u -= af[i, C.RISK] * w.belief[i][j] * reply / mc[C.DSCALE]
        for p in protectors(c, j):  # deterrence by those committed to j
            if p == i:
                continue
            hj = expected_protector_reply(c, w, p, j, i, r, t)
            if hj > 0.0:
                punish = mc[C.EXP_REPLY] * c.PF[p, j, C.ENTRAP] * d * w.cap[i]
                u -= af[i, C.RISK] * hj * punish / mc[C.DSCALE]
    if w.ceasefire[i][j] and r >= c.MI[C.BREAK_RUNG]:
        # M8: breaking a truce costs standing with the mediator and forfeits the deal's value.
        u -= mc[C.BREAK_COST] + max(0.0, w.deal[i][j] + c.PF[i, j, C.SWEET])
    return u


def kill_chance(c: C.Compiled, j: int, k: int, r: int) -> float:
    """M1: the chance an attempt at rung r kills the holder of j's post k: the rung's kill
    probability, scaled by the post's exposure and cut by its protection."""
    return c.LF[r, C.KILLP] * c.POF[j, k, C.EXPOSURE] * (1.0 - c.POF[j, k, C.PROTECTION])


def choose(c: C.Compiled, w: World, key: int, i: int, j: int, t: int,
           purpose: int = rng.P_CHOICE) -> int:
    """Logit (quantal response) choice of a rung; rungs above reach or restraint are excluded."""
    top = int(c.PI[i, j, C.MAXRUNG])
    if (w.grievance[i][j] < threshold(c, w, i, j) and not obligated(w, i, j, t)
            and not vowed(w, i, j, t)):
        if w.hostility[i][j] <= 0.0:
            return 0  # no aim, no grievance and no obligation: force is not considered
        top = min(top, int(c.AI[i, C.RESTRAINT]))
    lam = c.AF[i, C.LAM]
    # Discrete operations (cooldown > 0): none while one is being prepared or the last one's
    # cooldown runs.
    # A rung the actor lacks the means or reach for on this target is not open (RUNGS).
    cooling = t < w.ready[i][j] or w.prep[i][j] > 0
    means = int(c.PI[i, j, C.RUNGS])
    available = [not (cooling and c.LF[r, C.COOLDOWN] > 0.0) and bool(means >> r & 1)
                 for r in range(top + 1)]
    utils = []
    for r in range(top + 1):
        x = math.log1p(c.LF[r, C.DAMAGE] * w.cap[i])
        utils.append(utility(c, w, i, j, r, x, t) if available[r] else -math.inf)
    best = max(utils)
    weights = [math.exp(lam * (u - best)) if ok else 0.0 for u, ok in zip(utils, available, strict=True)]
    total = 0.0
    for wgt in weights:  # left to right, as the kernel adds them
        total += wgt
    draw = uniform(key, counter(t, i, j, purpose, c.n_actors)) * total
    acc = 0.0
    for r, wgt in enumerate(weights):
        acc += wgt
        if draw < acc:
            return r
    return top


def lead_time(c: C.Compiled, key: int, i: int, j: int, r: int, t: int) -> int:
    """Days i needs to prepare rung r on j once decided (0: launched today).

    Only discrete operations (cooldown > 0) are prepared. The time is lognormal around the
    rung's mean between this pair (the relation's actions, else the ladder's: reach sets it, so
    Iran took 12 days on Israel in Apr 2024 and 5 on US bases in Jan 2020) times the actor's
    factor (Hezbollah: a day or two after commander killings), rounded to whole days.
    """
    mean = c.SR[i, j, r, C.SR_LEAD] * c.AF[i, C.LEAD_F]
    if c.LF[r, C.COOLDOWN] <= 0.0 or mean <= 0.0:
        return 0
    return drawn_days(c, key, i, j, t, mean, c.MC[C.LEAD_NOISE], rng.P_LEAD_A, rng.P_LEAD_B)


def drawn_days(c: C.Compiled, key: int, i: int, j: int, t: int, mean: float, sigma: float,
               purpose_a: int, purpose_b: int) -> int:
    """Whole days from a lognormal with this mean and log-sd, the normal drawn with the two
    purposes given: lead times (L) and campaign durations (W) are both such draws."""
    z = normal(key, counter(t, i, j, purpose_a, c.n_actors), counter(t, i, j, purpose_b,
                                                                     c.n_actors))
    return math.floor(mean * math.exp(sigma * z - 0.5 * sigma * sigma) + 0.5)


def campaign_days(c: C.Compiled, key: int, i: int, j: int, r: int, t: int) -> int:
    """How long a campaign at rung r that i decides on j today will last (at least a day).

    Lognormal around the rung's mean (``campaign_days``), with the model's ``campaign_noise``,
    rounded to whole days: a war is planned for weeks, reviewed when the adversary escalates
    past it, and ended early by a truce (docs/model.md, (W)).
    """
    return max(1, drawn_days(c, key, i, j, t, c.LF[r, C.CAMPAIGN], c.MC[C.CAMP_NOISE],
                             rng.P_CAMP_A, rng.P_CAMP_B))


def decided(c: C.Compiled, w: World, key: int, i: int, j: int, r: int, t: int, log) -> None:
    """(W) What a decided rung does to i's campaign on j: a continuous rung replaces it (ends it,
    and starts a new one if the rung is waged as a campaign); a discrete operation is mounted
    beside it, and the campaign goes on."""
    if c.LF[r, C.COOLDOWN] > 0.0:
        return
    if w.camp[i][j] > 0 and c.LF[r, C.CAMPAIGN] <= 0.0:
        log(t, "campaign_end", i, j, w.camp[i][j], f"stood down to rung {r}" if r else "stood down")
    w.camp[i][j] = 0
    if c.LF[r, C.CAMPAIGN] > 0.0:
        n = campaign_days(c, key, i, j, r, t)
        w.camp[i][j], w.camp_start[i][j], w.camp_end[i][j] = r, t, t + n - 1
        w.camp_answer[i][j] = w.grievance[i][j] >= threshold(c, w, i, j)
        log(t, "campaign", i, j, r, f"planned for {n} day{'' if n == 1 else 's'}")


def pause_days(c: C.Compiled, w: World, a: int, b: int) -> int:
    """The days of the pause a mediator offers a and b if either's war aim is total (0: none)."""
    if w.total[a][b] or w.total[b][a]:
        return int(c.PI[a, b, C.PAUSE])
    return 0


def accepts(c: C.Compiled, w: World, key: int, x: int, y: int, t: int) -> bool:
    """M8: x accepts a cease-fire with y if a deal beats fighting on (logit), eq. (A).

    The grievance that argues against a deal is the urge to answer of (U), which saturates:
    a war's mounting losses do not make a deal ever less acceptable. A total aim refuses any
    deal, except a pause a mediator offers (for hostages): a pause keeps the aim, so the aim
    does not count against it.
    """
    total = w.total[x][y]
    if total and pause_days(c, w, x, y) == 0:
        return False
    k = int(c.PI[x, y, C.LINK])
    if k >= 0 and not w.ceasefire[k][y] and t - w.last_force[k][y] <= c.MI[C.MEMORY]:
        return False  # a support front: no separate peace while the partner's war goes on
    try:
        p = 1.0 / (1.0 + math.exp(-c.AF[x, C.LAM] * deal_worth(c, w, x, y)))
    except OverflowError:  # a deal worth far less than nothing: as the kernel's 1 / (1 + inf)
        p = 0.0
    return uniform(key, counter(t, x, y, rng.P_ACCEPT, c.n_actors)) < p


def deal_worth(c: C.Compiled, w: World, x: int, y: int) -> float:
    """(A) What a cease-fire with y is worth to x today, against fighting on."""
    af = c.AF
    excess = max(0.0, w.grievance[x][y] - threshold(c, w, x, y))
    urge = excess / (excess + c.MC[C.RET_HALF])
    aim = 0.0 if w.total[x][y] else w.hostility[x][y]
    # What ends wars (Reiter 2009): weariness, which grows with the log of what was suffered
    # (Mueller 1973), not without bound; the military balance fighting has revealed, the share
    # of its strength x has lost beyond y's (posts lost count through the capability they
    # took); and a protector's pressure, which each day of fighting on would cost.
    balance = w.cap[y] / af[y, C.CAP0] - w.cap[x] / af[x, C.CAP0]
    value = (w.deal[x][y] + c.PF[x, y, C.SWEET] + af[x, C.WEARY] * math.log1p(w.exhaustion[x])
             + af[x, C.LEVERAGE] + c.MC[C.BALANCE] * balance + c.PF[x, y, C.RESTRAIN]
             - aim - w.resolve[x] * urge)
    return value


def simulate_replicate(
    c: C.Compiled, key: int, trace: bool = False,
    observe: Callable[[int, World], None] | None = None,
) -> ReplicateResult:
    """Run one replicate for ``c.days`` days and return its outcomes (and events if traced).

    ``observe(day, world)``, if given, sees the state at the end of every day (for tests and
    for tools that plot a single replicate's state).
    """
    A, days = c.n_actors, c.days
    af, ai, pf, lf, mc, mi = c.AF, c.AI, c.PF, c.LF, c.MC, c.MI
    key = int(key)
    w = World(c, key)
    days_out = [-1] * L.N_DAY
    days_out[L.D_WAR_DAYS] = 0
    war_ring = [False] * int(mi[C.WAR_WINDOW])
    war_count = 0
    actor_out = [[0.0] * L.N_ACT for _ in range(A)]
    pair_out = [[0] * A for _ in range(A)]  # strikes by i on j
    pair_days = [[[-1] * L.N_PD for _ in range(A)] for _ in range(A)]  # first days, from free
    commit_out = [[[0] * L.N_CO for _ in range(A)] for _ in range(A)]  # help per commitment
    path = [-1] * days
    events: list[Event] = []

    def log(*args, **kw) -> None:
        if trace:
            events.append(Event(*args, **kw))

    force, free = int(mi[C.FORCE_RUNG]), c.free_day
    for t in range(1, days + 1):
        # Phase 1: injects. Forced cease-fires start now; forced attacks wait for phase 3.
        forced = {}
        fixed = {}  # damage fixed by a forced attack (a real event's toll), else NaN
        for k, row in enumerate(c.INJ):
            if row[C.INJ_DAY] != t:
                continue
            a, b = int(row[C.INJ_ACTOR]), int(row[C.INJ_TARGET])
            if row[C.INJ_TYPE] == C.INJ_CEASEFIRE:
                log_called_off(w, a, b, t, log)
                start_ceasefire(c, w, a, b, t, days_out, pair_days)
                log(t, "ceasefire", a, b, detail="scripted")
            elif row[C.INJ_TYPE] == C.INJ_AIM:  # (H) a scripted change of aim
                if not math.isnan(c.INJF[k]):
                    w.hostility[a][b] = float(c.INJF[k])
                if row[C.INJ_AIM_CODE] >= 0:
                    w.total[a][b] = bool(row[C.INJ_AIM_CODE] == 1)
                log(t, "aim_set", a, b, detail=f"hostility {w.hostility[a][b]:.2f}, "
                    + ("total" if w.total[a][b] else "bounded"))
            else:
                forced[(a, b)] = (int(row[C.INJ_RUNG]), int(row[C.INJ_KILL]), int(row[C.INJ_POST]))
                fixed[(a, b)] = float(c.INJF[k])

        # Phase 2: pauses past their last day lapse; then mediation (M8), on pairs in conflict
        # within the memory window.
        for a in range(A):
            for b in range(a + 1, A):
                if w.ceasefire[a][b] and t > w.cf_until[a][b]:
                    w.ceasefire[a][b] = w.ceasefire[b][a] = False
                    log(t, "pause_end", a, b, detail=f"after {t - w.cf_start[a][b]} days")
        for a in range(A):
            for b in range(a + 1, A):
                if t < free or pf[a, b, C.MED_P] <= 0.0 or w.ceasefire[a][b]:
                    continue
                if t - w.last_force[a][b] > mi[C.MEMORY]:
                    continue
                if uniform(key, counter(t, a, b, rng.P_PROPOSE, A)) >= pf[a, b, C.MED_P]:
                    continue
                ok_a = accepts(c, w, key, a, b, t)
                ok_b = accepts(c, w, key, b, a, t)
                med = int(c.PI[a, b, C.MEDIATOR])
                if ok_a and ok_b:
                    log_called_off(w, a, b, t, log)
                    pause = pause_days(c, w, a, b)
                    start_ceasefire(c, w, a, b, t, days_out, pair_days, pause)
                    log(t, "ceasefire", a, b, detail=f"mediated by {c.ids[med]}"
                        + (f", a {pause}-day pause" if pause else ""))
                else:
                    who = [c.ids[x] for x, ok in ((a, ok_a), (b, ok_b)) if not ok]
                    log(t, "proposal_rejected", a, b, detail=f"{c.ids[med]}; refused by {who}")

        # Phase 3: decisions, all from the start-of-day state. A discrete operation that is
        # chosen is prepared for a drawn lead time and launched then (unless a cease-fire calls
        # it off); while it is prepared the pair's grievance is held and silence costs nothing.
        choice = [[0] * A for _ in range(A)]
        kill_order = [[-1] * A for _ in range(A)]
        aimed = [[int(c.PI[i, j, C.KILL_POST]) for j in range(A)] for i in range(A)]  # post aimed at
        urged = [[False] * A for _ in range(A)]  # silence today would cost reputation
        honour_due = [[0.0] * A for _ in range(A)]  # ... or the audience cost of an obligation
        vow_due = [[0.0] * A for _ in range(A)]  # ... or of a vow, unless a strike keeps it
        # a prepared operation launched, or a campaign waged, today that was decided as an answer
        launched = [[False] * A for _ in range(A)]
        for i in range(A):
            for j in range(A):
                if pf[i, j, C.HOSTILE] <= 0.0 or t < free:
                    if (i, j) in forced:
                        choice[i][j], kill_order[i][j], aimed[i][j] = forced[(i, j)]
                    continue
                prep = w.prep[i][j]
                urged[i][j] = (w.grievance[i][j] >= threshold(c, w, i, j) and t >= w.ready[i][j]
                               and prep == 0)
                camp = w.camp[i][j]
                if camp > 0 and t > w.camp_end[i][j]:  # (W) the campaign has run its course
                    log(t, "campaign_end", i, j, camp, "ran its course")
                    w.camp[i][j] = camp = 0
                if (i, j) in forced:
                    choice[i][j], kill_order[i][j], aimed[i][j] = forced[(i, j)]
                elif prep > 0 and t >= w.launch[i][j]:
                    choice[i][j] = prep  # the prepared operation is launched
                    w.prep[i][j] = 0
                    launched[i][j] = w.prep_answer[i][j]  # judged as it was when decided
                    urged[i][j] = False
                    log(t, "launch", i, j, prep)
                elif w.ceasefire[i][j] and not w.violated[i][j]:
                    # (T) A truce binds the side that accepted it: it is kept, with no draw and no
                    # cost of silence, until the other side uses force (or it lapses).
                    urged[i][j] = False
                elif camp > 0 and not (urged[i][j] and w.escalated[i][j]):
                    # (W) A campaign goes on: it already answers blows up to its own rung; only
                    # an escalation past it, while there is a grievance to answer, reopens the
                    # decision. No daily redraw.
                    choice[i][j] = camp
                    launched[i][j] = w.camp_answer[i][j]  # judged as it was when decided
                    urged[i][j] = False
                else:
                    w.escalated[i][j] = False  # a decision takes in whatever escalation came
                    if t >= w.ready[i][j] and prep == 0 and obligated(w, i, j, t):
                        honour_due[i][j] = w.owed[i][j]
                    if t >= w.ready[i][j] and prep == 0 and vowed(w, i, j, t):
                        vow_due[i][j] = w.vow[i][j]
                    r = choose(c, w, key, i, j, t)
                    lead = lead_time(c, key, i, j, r, t) if prep == 0 else 0
                    if lead > 0:
                        # The operation is set aside for its launch day; today's action is the
                        # campaign if one runs, else drawn again as while preparing (no
                        # discrete rung, no urge).
                        w.prep[i][j], w.launch[i][j] = r, t + lead
                        w.prep_answer[i][j] = w.grievance[i][j] >= threshold(c, w, i, j)
                        urged[i][j] = False
                        honour_due[i][j] = vow_due[i][j] = 0.0  # an answer is on its way
                        log(t, "prepare", i, j, r, f"launch in {lead} day{'' if lead == 1 else 's'}")
                        if camp > 0:
                            r = camp
                            launched[i][j] = w.camp_answer[i][j]
                        else:
                            r = choose(c, w, key, i, j, t, rng.P_CHOICE2)
                            decided(c, w, key, i, j, r, t, log)
                    else:
                        decided(c, w, key, i, j, r, t, log)
                    choice[i][j] = r

        # (W) A scripted move at a campaign rung (a wargame's, or replayed history) begins a
        # campaign as a decision would, so a campaign under way at a cut goes on after it.
        for row in c.INJ:
            r = int(row[C.INJ_RUNG])
            if (row[C.INJ_DAY] == t and row[C.INJ_TYPE] == C.INJ_ATTACK
                    and c.LF[r, C.COOLDOWN] <= 0.0 and c.LF[r, C.CAMPAIGN] > 0.0):
                a, b = int(row[C.INJ_ACTOR]), int(row[C.INJ_TARGET])
                w.escalated[a][b] = False
                decided(c, w, key, a, b, r, t, log)

        # Phase 4: resolution, against start-of-day capability and pact status.
        cap0 = list(w.cap)
        voided = [[t <= w.void_until[p][q] for q in range(A)] for p in range(A)]
        answering = [[w.grievance[i][j] >= threshold(c, w, i, j) or launched[i][j]
                      for j in range(A)] for i in range(A)]
        # A grievance held for an operation in preparation does not fade.
        grievance = [[w.grievance[i][j] if w.prep[i][j] > 0 else af[i, C.DECAY] * w.grievance[i][j]
                      for j in range(A)] for i in range(A)]
        w.affront = [[w.affront[i][j] if w.prep[i][j] > 0 else af[i, C.DECAY] * w.affront[i][j]
                      for j in range(A)] for i in range(A)]
        settled = [[0.0] * A for _ in range(A)]
        dealt = [[0.0] * A for _ in range(A)]  # what a discrete answer was meant to deal
        exhaustion = [mc[C.EXH_DECAY] * e for e in w.exhaustion]
        killed = [[False] * C.N_POST for _ in range(A)]  # post k of j emptied today
        killer = [[-1] * C.N_POST for _ in range(A)]  # by whom
        level = -1
        record = t >= free  # outcomes count from the free day on
        # M9: the protector in combat, and why, from what pulled it in before today's blows.
        for i in range(A):
            for j in range(A):
                r = choice[i][j]
                if not (record and ai[i, C.IS_PROTECTOR] and r >= mi[C.COMBAT_RUNG]):
                    continue
                if days_out[L.D_COMBAT] < 0:
                    days_out[L.D_COMBAT] = t
                    log(t, "outcome", i, j, r, "protector in combat")
                col = (L.D_OWN, L.D_DEFEND, L.D_ENTRAP)[w.pulled[i][j]]
                if days_out[col] < 0:
                    days_out[col] = t
                    log(t, "outcome", i, j, r, ("protector's own campaign", "protector defending",
                                                "protector entrapped")[w.pulled[i][j]])
        for i in range(A):
            for j in range(A):
                r = choice[i][j]
                if r == 0:
                    continue
                if r >= mi[C.STRIKE_RUNG]:
                    w.vow[i][j], w.vow_until[i][j] = 0.0, NEVER  # a vow kept
                if record and r >= mi[C.COMBAT_RUNG] and pair_days[i][j][L.PD_COMBAT] < 0:
                    pair_days[i][j][L.PD_COMBAT] = t
                if r >= force:
                    if record and pair_days[i][j][L.PD_FORCE] < 0:
                        pair_days[i][j][L.PD_FORCE] = t
                    if record and r >= mi[C.STRIKE_RUNG] and pair_days[i][j][L.PD_STRIKE] < 0:
                        pair_days[i][j][L.PD_STRIKE] = t
                    w.last_force[i][j] = w.last_force[j][i] = t
                    w.owed[i][j], w.owed_until[i][j] = 0.0, NEVER  # an obligation honoured
                    if w.ceasefire[i][j]:
                        w.violated[j][i] = True  # (T) j may now decide whether to answer
                    if w.ceasefire[i][j] and r >= mi[C.BREAK_RUNG]:  # lower clashes: tolerated
                        w.ceasefire[i][j] = w.ceasefire[j][i] = False
                        log(t, "ceasefire_broken", i, j)
                    if r >= mi[C.STRIKE_RUNG]:
                        actor_out[i][L.O_STRIKES] += 1
                        pair_out[i][j] += 1
                        if not answering[i][j]:
                            actor_out[i][L.O_INIT] += 1
                    for p in protectors(c, i):  # a void clause: i's own initiation
                        if not answering[i][j] and r >= c.PI[p, i, C.VOID_RUNG] and not voided[p][i]:
                            w.void_until[p][i] = t + int(c.PI[p, i, C.VOID_DAYS])
                            log(t, "pact_void", i, p, r)
                # (W) News for j's campaign on i: a blow above it, unless it is a day of a
                # campaign of i's that was already under way when j last decided.
                if (w.camp[j][i] > 0 and r > w.camp[j][i]
                        and not (r == w.camp[i][j] and w.camp_start[i][j] < t)):
                    w.escalated[j][i] = True
                if ai[i, C.IS_MAIN] and ai[j, C.IS_MAIN]:
                    level = max(level, r)
                exhaustion[i] += mc[C.EXH_RATE] * lf[r, C.COST]
                if lf[r, C.COOLDOWN] > 0.0:
                    w.ready[i][j] = t + int(lf[r, C.COOLDOWN])
                d = lf[r, C.DAMAGE]
                if d > 0.0:
                    received, icpt, helpers = resolve_attack(c, w, key, t, i, j, r, cap0, voided,
                                                             answering[i][j], grievance, settled,
                                                             exhaustion, actor_out, commit_out,
                                                             fixed.get((i, j), math.nan), log)
                    if answering[i][j] and lf[r, C.COOLDOWN] > 0.0:
                        dealt[i][j] = d * cap0[i]
                    if trace:
                        helped = (f"; {', '.join(c.ids[p] for p in helpers)} helped defend"
                                  if helpers else "")
                        log(t, "attack", i, j, r, f"damage {received:.2f} of {d * cap0[i]:.2f}, "
                            f"{icpt * c.SR[i, j, r, C.SR_ICPT]:.0%} intercepted{helped}")
                else:
                    log(t, "attack", i, j, r)
                # M1: a kill attempt (or a scripted kill) on the holder of the post aimed at.
                k = aimed[i][j]
                attempt = lf[r, C.KILLP] > 0.0 or kill_order[i][j] == 1
                if (attempt and w.vacancy[j][k] == 0 and not killed[j][k]
                        and kill_order[i][j] != 0):
                    p = kill_chance(c, j, k, r)
                    u = uniform(key, counter(t, i, j, rng.P_KILL, A))
                    if kill_order[i][j] == 1 or u < p:
                        killed[j][k], killer[j][k] = True, i
                        actor_out[j][L.O_LEADERS] += 1
                        actor_out[j][L.O_POST_LOST[k]] += 1
                        name = holder_name(c, j, k, w.holder[j][k])
                        log(t, "kill", i, j, r, f"{name} killed", post=k)
        path[t - 1] = level
        # M9: regional war is a state: the war rung between main parties on at least N days of
        # the last W (a ring of the last W days; days before the free day count as peace).
        at_war = record and level >= mi[C.WAR_RUNG]
        slot = t % int(mi[C.WAR_WINDOW])
        war_count += int(at_war) - int(war_ring[slot])
        war_ring[slot] = at_war
        if at_war:
            days_out[L.D_WAR_DAYS] += 1
        if war_count >= mi[C.WAR_DAYS] and days_out[L.D_WAR] < 0:
            days_out[L.D_WAR] = t
            log(t, "outcome", detail="regional war")

        # Phase 5: updates.
        for i in range(A):
            for j in range(A):
                if urged[i][j] and choice[i][j] < force:
                    actor_out[i][L.O_REP] += af[i, C.REP] * w.resolve[i] * math.log1p(
                        w.grievance[i][j])
                if honour_due[i][j] > 0.0 and choice[i][j] < force:
                    actor_out[i][L.O_REP] += honour_due[i][j]
                if vow_due[i][j] > 0.0 and choice[i][j] < mi[C.STRIKE_RUNG]:
                    actor_out[i][L.O_REP] += vow_due[i][j]
        update_beliefs(c, w, choice, force)
        for i in range(A):
            for j in range(A):  # settle answers; standing grievances do not fade outside a truce
                if dealt[i][j] > 0.0:
                    # (G) A discrete answer restores standing whatever its size: the affront
                    # held before today's blows is settled in full (Israel's limited strike near
                    # Isfahan answered a barrage sixteen times its weight).
                    settled[i][j] += w.affront[i][j]
                    w.affront[i][j] = 0.0
                r = choice[j][i]  # one blow a pair a day: today's affront is its affront
                if lf[r, C.DAMAGE] > 0.0:
                    w.affront[i][j] += affront_of(c, j, i, r, cap0)
                if settled[i][j] > 0.0:
                    grievance[i][j] = max(0.0, grievance[i][j] - settled[i][j])
                if not w.ceasefire[i][j] and grievance[i][j] < pf[i, j, C.FLOOR]:
                    grievance[i][j] = float(pf[i, j, C.FLOOR])
                w.affront[i][j] = min(w.affront[i][j], grievance[i][j])
        w.grievance = grievance
        w.exhaustion = exhaustion
        for i in range(A):
            for j in range(A):
                if (choice[i][j] == mi[C.VOW_RUNG] and af[i, C.AUDIENCE] > 0.0
                        and w.grievance[i][j] >= threshold(c, w, i, j)
                        and w.pulled[i][j] == C.PULL_OWN):
                    # (L) A public vow of an answer, while a grievance of its own calls for one
                    # (after the day's blows: a vow follows the blow of the same day), ties i's
                    # hands: its audience waits for the strike for the belief window (Fearon
                    # 1994; Tomz 2007). A new vow renews the wait. An ally's grievance taken up
                    # under a commitment is not vowed: the US helped defend Israel in April 2024
                    # and declined to join its answer.
                    again = vowed(w, i, j, t)
                    w.vow[i][j] = float(af[i, C.AUDIENCE])
                    w.vow_until[i][j] = t + int(mi[C.WINDOW])
                    log(t, "vow", i, j, choice[i][j], ("renewed: " if again else "")
                        + f"its audience waits {int(mi[C.WINDOW])} days")
        # (E) A declared end: after a discrete answer, what falls below a share of the damage it
        # was meant to deal is absorbed; the raised threshold fades day by day.
        for i in range(A):
            for j in range(A):
                w.tol[i][j] = mc[C.TOL_MEMORY] * w.tol[i][j]
                if dealt[i][j] > 0.0:
                    w.tol[i][j] = max(w.tol[i][j], mc[C.TOL_SHARE] * dealt[i][j])
                # What is absorbed is written off (down to the standing floor), so it cannot
                # come back as an answer when the raised threshold fades: the round is over.
                if mc[C.ANSWER] <= w.grievance[i][j] < w.tol[i][j]:
                    g = w.grievance[i][j]
                    w.grievance[i][j] = min(g, float(pf[i, j, C.FLOOR]))
                    if w.grievance[i][j] < g:
                        log(t, "declared_end", i, j, detail=f"a reply worth {g:.1f} absorbed "
                            f"under {w.tol[i][j]:.1f}")
        for j in range(A):
            update_leadership(c, w, j, t, killed[j], killer[j], log)
        update_aims(c, w, cap0, t, log, choice)
        for a in range(A):
            for b in range(a + 1, A):
                if w.ceasefire[a][b]:
                    held = t - w.cf_start[a][b] + 1
                    if record and pf[a, b, C.CF_OUT] > 0.0 and held >= mi[C.HOLD_DAYS] and days_out[
                            L.D_CF_HELD] < 0:
                        days_out[L.D_CF_HELD] = t
                        log(t, "outcome", a, b, detail=f"cease-fire held {held} days")
                    if record and is_hostage_pair(c, a, b) and held >= mi[C.RELEASE_DAYS] and days_out[
                            L.D_HOSTAGES] < 0:
                        days_out[L.D_HOSTAGES] = t
                        log(t, "outcome", a, b, detail="hostages returned")
        if observe is not None:
            observe(t, w)
    return ReplicateResult(days_out, actor_out, path, pair_out, pair_days, events, commit_out)


def log_called_off(w: World, a: int, b: int, t: int, log) -> None:
    """Trace the operations and campaigns between a and b that a cease-fire now calls off."""
    for x, y in ((a, b), (b, a)):
        if w.prep[x][y] > 0:
            log(t, "called_off", x, y, w.prep[x][y], detail="a cease-fire")
        if w.camp[x][y] > 0:
            log(t, "campaign_end", x, y, w.camp[x][y], "called off by a cease-fire")


def start_ceasefire(c: C.Compiled, w: World, a: int, b: int, t: int, days_out: list[int],
                    pair_days: list[list[list[int]]], pause: int = 0) -> None:
    """A cease-fire between a and b from day t: for good (until broken) or, for a pause, for
    ``pause`` days. A truce that is renewed keeps the later of the two ends."""
    # A truce (new or renewed) calls off operations in preparation and campaigns (W).
    w.prep[a][b] = w.prep[b][a] = 0
    w.camp[a][b] = w.camp[b][a] = 0
    until = t + pause - 1 if pause > 0 else FOREVER
    if w.ceasefire[a][b]:
        w.cf_until[a][b] = w.cf_until[b][a] = max(w.cf_until[a][b], until)
        return
    w.ceasefire[a][b] = w.ceasefire[b][a] = True
    w.violated[a][b] = w.violated[b][a] = False
    w.cf_until[a][b] = w.cf_until[b][a] = until
    w.cf_start[a][b] = w.cf_start[b][a] = t
    if t < c.free_day:
        return
    if pair_days[a][b][L.PD_CEASEFIRE] < 0:
        pair_days[a][b][L.PD_CEASEFIRE] = pair_days[b][a][L.PD_CEASEFIRE] = t
    if c.PF[a, b, C.CF_OUT] > 0.0 and days_out[L.D_CF_REACHED] < 0:
        days_out[L.D_CF_REACHED] = t


def is_hostage_pair(c: C.Compiled, a: int, b: int) -> bool:
    ha, hb = int(c.MI[C.HOST_A]), int(c.MI[C.HOST_B])
    return (a == ha and b == hb) or (a == hb and b == ha)


def resolve_attack(
    c: C.Compiled, w: World, key: int, t: int, i: int, j: int, r: int, cap0: list[float],
    voided: list[list[bool]], answering: bool, grievance: list[list[float]],
    settled: list[list[float]], exhaustion: list[float], actor_out: list[list[float]],
    commit_out: list[list[list[int]]], fixed: float = math.nan, log=None,
) -> tuple[float, float, list[int]]:
    """M7, M6 and M2: help, interception, damage, grievance and the pull of commitments.

    Each actor committed to j decides once a day whether it helps j (its chance; none while
    void); help adds interception. ``fixed``, when not NaN, is the damage that really got
    through (a replayed event's toll): it replaces the modelled interception and noise. Returns
    the damage received, the interception rate and the helpers.
    """
    af, lf, mc, pf, pi = c.AF, c.LF, c.MC, c.PF, c.PI
    A = c.n_actors
    keep = 1.0 - af[j, C.AIRDEF]
    helpers = []
    for p in protectors(c, j):
        if (p == i or r < pi[p, j, C.TRIGGER] or pf[p, j, C.HELP_P] <= 0.0
                or not covered(c, p, j, i, r)):
            continue
        helps = uniform(key, counter(t, p, j, rng.P_HELP, A)) < pf[p, j, C.HELP_P]
        if helps and not voided[p][j]:
            actor_out[j][L.O_HELPED] += 1
            commit_out[p][j][L.CO_HELPED] += 1
            keep *= 1.0 - pf[p, j, C.PROT_AD]
            helpers.append(p)
        else:
            actor_out[j][L.O_ABANDON] += 1
            commit_out[p][j][L.CO_ABANDON] += 1
    icpt = 1.0 - keep
    sigma = mc[C.DNOISE]
    z = normal(key, counter(t, i, j, rng.P_SHOCK_A, A), counter(t, i, j, rng.P_SHOCK_B, A))
    shock = math.exp(sigma * z - 0.5 * sigma * sigma)
    full = lf[r, C.DAMAGE] * cap0[i]
    received = full * (1.0 - c.SR[i, j, r, C.SR_ICPT] * icpt) * shock  # the pair's interceptable share
    if not math.isnan(fixed):
        received = fixed
    actor_out[j][L.O_CAS] += received * mc[C.CAS_PER_DAMAGE]
    # (G) The toll is grievance, and so is the affront: a humiliating rung challenges j's
    # standing by what was launched at it, whatever its defences stopped (Israel answered the
    # April 2024 barrage, ~99% intercepted and no one killed).
    grievance[j][i] += received + affront_of(c, i, j, r, cap0)
    exhaustion[j] += mc[C.EXH_RATE] * received
    for p in helpers:
        if r < pi[p, j, C.JOIN]:
            continue
        # The committed side takes up its share of the attack, as launched or as delivered;
        # what pulled it in is recorded for its combat: its own interest, the defence of its
        # ally, or an exchange the ally started (this attack answers the ally's blows).
        grievance[p][i] += pf[p, j, C.ENTRAP] * (full if pi[p, j, C.ON_LAUNCH] else received)
        w.pulled[p][i] = (C.PULL_OWN if pi[p, j, C.INTEREST]
                          else C.PULL_ENTRAP if answering else C.PULL_DEFEND)
        if pf[p, j, C.HONOUR] > 0.0:  # a stated obligation: silence now costs p
            w.owed[p][i] = max(w.owed[p][i], pf[p, j, C.HONOUR]) if t <= w.owed_until[p][i] \
                else float(pf[p, j, C.HONOUR])
            w.owed_until[p][i] = max(w.owed_until[p][i], t + int(c.MI[C.WINDOW]))
            if log is not None:
                log(t, "obligation", p, i, r, f"attack on {c.ids[j]} at rung {r}")
    # Answering settles the attacker's own grievance, by what it meant to deal (intent, not
    # outcome: Iran called April 2024 "concluded" though nearly all of it was intercepted).
    # Settled amounts are applied after all of the day's attacks, so order does not matter.
    settled[i][j] += mc[C.DISCHARGE] * full / max(af[i, C.MULT], 1e-3)
    return received, icpt, helpers


def affront_of(c: C.Compiled, i: int, j: int, r: int, cap0: list[float]) -> float:
    """(G) The affront to j of i's attack at rung r: j's reputation weight x the rung's
    humiliation x the attack as launched (the rung's damage at i's start-of-day capability)."""
    return c.AF[j, C.REP] * c.LF[r, C.HUMIL] * (c.LF[r, C.DAMAGE] * cap0[i])


def update_beliefs(c: C.Compiled, w: World, choice: list[list[int]], force: int) -> None:
    """M4: i's belief in j's resolve is tested only by i's own use of force on j: it rises if j
    answers within the window and falls if the window passes in silence. Force that j uses
    unprompted says nothing about its willingness to retaliate, so it does not count."""
    A, eta, window = c.n_actors, c.MC[C.ETA], int(c.MI[C.WINDOW])
    for i in range(A):
        for j in range(A):
            if w.waiting[i][j] > 0:
                if choice[j][i] >= force:
                    w.belief[i][j] += eta * (1.0 - w.belief[i][j])
                    w.waiting[i][j] = 0
                else:
                    w.waiting[i][j] -= 1
                    if w.waiting[i][j] == 0:
                        w.belief[i][j] -= eta * w.belief[i][j]
            if choice[i][j] >= force:
                w.waiting[i][j] = window


def update_aims(c: C.Compiled, w: World, cap0: list[float], t: int, log,
                choice: list[list[int]]) -> None:
    """(H) War aims as state, at the end of the day.

    Opportunity: an adversary that has just lost capability (a leader killed, aid cut) is a
    window for those with the appetite (Fearon 1995 on shifts in power; Powell 2006): i's
    hostility toward j rises by i's ``opportunism`` times the share of j's starting capability
    lost today. Achievement: once j's capability is at or below the share of its start that
    i's aim toward j asks for (``aim_capability``), the aim is met: hostility ends and a total
    aim becomes bounded (Reiter 2009: wars end when aims are met or abandoned). Abandonment: an
    actor whose exhaustion reaches its ``aim_exhaustion`` gives up its aims the same way.
    Humiliation: a humiliating discrete operation i suffered from j today (``choice``: one a
    pair a day) raises i's hostility toward j by its ``humiliation_hostility`` times the rung's
    humiliation, revenge beyond the answer (Löwenheim and Heimann 2008).
    """
    af, pf = c.AF, c.PF
    A = c.n_actors
    for i in range(A):
        for j in range(A):
            if pf[i, j, C.HOSTILE] <= 0.0:
                continue
            r = choice[j][i]
            lf = c.LF
            if (lf[r, C.DAMAGE] > 0.0 and lf[r, C.COOLDOWN] > 0.0 and lf[r, C.HUMIL] > 0.0
                    and af[i, C.HUMIL_H] > 0.0):  # an event, not a campaign's day
                w.hostility[i][j] += af[i, C.HUMIL_H] * lf[r, C.HUMIL]
                log(t, "aim_raised", i, j, detail=f"hostility {w.hostility[i][j]:.2f}: "
                    f"humiliated by {c.ids[j]}")
            drop = max(0.0, (cap0[j] - w.cap[j]) / af[j, C.CAP0])
            if drop > 0.0 and af[i, C.OPPORT] > 0.0:
                w.hostility[i][j] += af[i, C.OPPORT] * drop
                log(t, "aim_raised", i, j, detail=f"hostility {w.hostility[i][j]:.2f}: "
                    f"{c.ids[j]} lost {drop:.0%} of its capability")
            if (w.hostility[i][j] > 0.0 and pf[i, j, C.AIM_CAP] > 0.0
                    and w.cap[j] <= pf[i, j, C.AIM_CAP] * af[j, C.CAP0]):
                w.hostility[i][j] = 0.0
                w.total[i][j] = False
                log(t, "aim_met", i, j, detail=f"{c.ids[j]} down to {w.cap[j] / af[j, C.CAP0]:.0%}")
            if ((w.hostility[i][j] > 0.0 or w.total[i][j])
                    and w.exhaustion[i] >= af[i, C.AIM_EXH]):
                w.hostility[i][j] = 0.0
                w.total[i][j] = False
                log(t, "aim_abandoned", i, j, detail=f"exhaustion {w.exhaustion[i]:.1f}")


def update_leadership(c: C.Compiled, w: World, j: int, t: int, killed: list[bool],
                      killer: list[int], log) -> None:
    """M1: each post whose holder was killed today costs capability, changes j's resolve, its
    hostility toward the killer and the value of a deal with the killer, and stays vacant for
    its succession delay; then a successor takes over. Capability recovers on a day when every
    post is filled and none was lost."""
    af, pof, poi = c.AF, c.POF, c.POI
    recovering = True
    for k in range(C.N_POST):
        if killed[k]:
            recovering = False
            w.cap[j] *= 1.0 - pof[j, k, C.POST_LOSS]
            i = killer[k]
            if pof[j, k, C.RESOLVE_CHG] != 0.0:
                w.resolve[j] = min(1.0, max(0.0, w.resolve[j] + pof[j, k, C.RESOLVE_CHG]))
            if pof[j, k, C.HOSTILITY_CHG] != 0.0:
                w.hostility[j][i] = max(0.0, w.hostility[j][i] + pof[j, k, C.HOSTILITY_CHG])
            if pof[j, k, C.DEAL_CHG] != 0.0:
                w.deal[j][i] += pof[j, k, C.DEAL_CHG]
            w.vacancy[j][k] = int(poi[j, k, C.POST_DELAY])
            w.holder[j][k] += 1
            if w.vacancy[j][k] == 0:
                log(t, "succession", j, detail=succeeds(c, w, j, k), post=k)
        elif w.vacancy[j][k] > 0:
            recovering = False
            w.vacancy[j][k] -= 1
            if w.vacancy[j][k] == 0:
                log(t, "succession", j, detail=succeeds(c, w, j, k), post=k)
    if recovering:
        w.cap[j] += af[j, C.RECOV] * (ceiling(c, j, t) - w.cap[j])
    w.cap[j] = min(w.cap[j], ceiling(c, j, t))


def succeeds(c: C.Compiled, w: World, j: int, k: int) -> str:
    """A trace's words for a successor taking post k of j."""
    return f"{holder_name(c, j, k, w.holder[j][k])} takes over as {POST_LABELS[k]}"


def ceiling(c: C.Compiled, j: int, t: int) -> float:
    """Capability ceiling: what the actor had at the start (recovery restores what decapitation
    took, not what months of war wore down), less the aid-dependent share as an aid cut bites."""
    share = c.AF[j, C.AID_SHARE]
    if share <= 0.0:
        return float(c.AF[j, C.CAP0])
    return c.AF[j, C.CAP0] * (1.0 - share * min(1.0, t / c.AI[j, C.AID_LAG]))


def holder_name(c: C.Compiled, j: int, k: int, n: int) -> str:
    """The name of the n-th holder of j's post k (0: the one at the start)."""
    names = c.holders[j][k]
    return names[n] if n < len(names) else f"successor {n - len(names) + 1}"


def simulate(c: C.Compiled, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Run the reference on many keys; same return layout as the fast engine."""
    n, A = len(keys), c.n_actors
    days_out = np.empty((n, L.N_DAY), dtype=np.int32)
    actor_out = np.empty((n, A, L.N_ACT))
    path = np.empty((n, c.days), dtype=np.int8)
    pair_out = np.empty((n, A, A), dtype=np.int16)
    pair_days = np.empty((n, A, A, L.N_PD), dtype=np.int16)
    commit_out = np.empty((n, A, A, L.N_CO), dtype=np.int16)
    for k, key in enumerate(keys):
        res = simulate_replicate(c, int(key))
        days_out[k] = res.days_out
        actor_out[k] = res.actor_out
        path[k] = res.path
        pair_out[k] = res.pair_out
        pair_days[k] = res.pair_days
        commit_out[k] = res.commit_out
    return days_out, actor_out, path, pair_out, pair_days, commit_out
