"""Columns of what an engine returns for each replicate; shared by both engines and outcomes.

``days_out`` (n, N_DAY) int32: the day (1-based) an event first happened, -1 if never.
``actor_out`` (n, A, N_ACT) float64: per-actor tallies over the whole run.
``path`` (n, days) int8: the highest rung used between two main parties each day (-1 if none),
the escalation level that fan charts show.
``pair_out`` (n, A, A) int16: strikes (attacks at or above the strike rung) by i on j.
``pair_days`` (n, A, A, N_PD) int16: the first day (from the scenario's ``free_day``) on which
i used force on j (PD_FORCE), struck j (PD_STRIKE), used a rung at or above the protector
combat rung on j (PD_COMBAT), or a cease-fire between i and j began (PD_CEASEFIRE, symmetric);
-1 if never. Backtests ask these per-pair questions. (Per-actor and per-pair tallies, unlike
these days, also count the replayed history before the free day.)
"""

D_WAR, D_COMBAT, D_CF_REACHED, D_CF_HELD, D_HOSTAGES, D_WAR_DAYS = range(6)
N_DAY = 6  # the last column is a count, not a day: days at war (regional-war rung), from free_day
DAY_NAMES = ("regional_war", "protector_in_combat", "ceasefire_reached", "ceasefire",
             "hostages_returned")

O_STRIKES, O_INIT, O_LEADERS, O_CAS, O_REP, O_ABANDON, O_HELPED = range(7)
N_ACT = 7
ACTOR_NAMES = ("strikes", "strikes_initiated", "leaders_lost", "casualties", "reputation_cost",
               "abandoned", "helped")

PD_FORCE, PD_STRIKE, PD_CEASEFIRE, PD_COMBAT = range(4)
N_PD = 4
