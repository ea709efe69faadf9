"""Columns of what an engine returns for each replicate; shared by both engines and outcomes.

``days_out`` (n, N_DAY) int32: the day (1-based) an event first happened, -1 if never.
``actor_out`` (n, A, N_ACT) float64: per-actor tallies over the whole run.
``path`` (n, days) int8: the highest rung used between two main parties each day (-1 if none),
the escalation level that fan charts show.
``pair_out`` (n, A, A) int16: strikes (attacks at or above the strike rung) by i on j.
``commit_out`` (n, A, A, N_CO) int16: per commitment of p to q, at [p, q], the attacks on q at or
above the commitment's trigger rung that p helped against (CO_HELPED) or left without help
(CO_ABANDON); zero where p has no commitment to q.
``pair_days`` (n, A, A, N_PD) int16: the first day (from the scenario's ``free_day``) on which
i used force on j (PD_FORCE), struck j (PD_STRIKE), used a rung at or above the protector
combat rung on j (PD_COMBAT), or a cease-fire between i and j began (PD_CEASEFIRE, symmetric);
-1 if never. Backtests ask these per-pair questions. (Per-actor and per-pair tallies, unlike
these days, also count the replayed history before the free day.)

What each column of ``days_out`` and ``actor_out`` means is declared in ``escalade.registry``.
"""

from escalade.registry import column, names_of, of_kind, per_run

# Named column indices for the kernels, derived from the outcome registry (escalade.registry, the
# one place an outcome is declared). They stay plain module-level ints because numba compiles
# them in as constants; a new outcome needs its entry there and its name here.
D_WAR: int = column("regional_war")
D_COMBAT: int = column("protector_in_combat")
D_CF_REACHED: int = column("ceasefire_reached")
D_CF_HELD: int = column("ceasefire")
D_HOSTAGES: int = column("hostages_returned")
D_DEFEND: int = column("protector_defending")
D_ENTRAP: int = column("protector_entrapped")
D_OWN: int = column("protector_own")
D_WAR_DAYS: int = column("war_days")  # a count, not a day: days at war (regional-war rung), from free_day
N_DAY: int = len(per_run())
DAY_NAMES: tuple[str, ...] = names_of("first_day")  # columns 0.. of days_out, in order

O_STRIKES: int = column("strikes")
O_INIT: int = column("strikes_initiated")
O_LEADERS: int = column("leaders_lost")
O_CAS: int = column("casualties")
O_REP: int = column("reputation_cost")
O_ABANDON: int = column("abandoned")
O_HELPED: int = column("helped")
# Leaders lost by post, in the order of the posts (compile.POST_KINDS): O_POST_LOST[k].
O_POST_LOST: tuple[int, ...] = tuple(o.column for o in of_kind("actor") if o.post)
N_ACT: int = len(names_of("actor"))
ACTOR_NAMES: tuple[str, ...] = names_of("actor")  # the columns of actor_out, in order

# commit_out breaks the protected actor's two help tallies down by commitment: same names.
CO_HELPED, CO_ABANDON = range(2)
N_CO = 2
CO_NAMES: tuple[str, ...] = (ACTOR_NAMES[O_HELPED], ACTOR_NAMES[O_ABANDON])  # columns, in order

PD_FORCE, PD_STRIKE, PD_CEASEFIRE, PD_COMBAT = range(4)
N_PD = 4
