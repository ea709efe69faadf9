"""The state of one replicate, named once for both engines.

Both engines evolve the same variables: the reference as lists in ``reference.World`` (one
attribute per field, indexed ``[i]`` or ``[i][j]``), the kernel as arrays in a ``State``
namedtuple (``state.grievance[i, j]``), which numba passes and reads by name. A variable is
added here, then given its rules in both engines; no function takes it by position.
``tests/test_engines.py`` checks that the reference's ``World``, the kernel's allocation and
this table name the same fields with the same shapes and types. (``World.holder``, the index of
each post's current holder among its names, is the one extra: traces print names, outcomes never
need them.)
"""

from __future__ import annotations

from collections import namedtuple
from typing import Literal

import numpy as np

from escalade.compile import N_POST

# name, "actor" (A,), "pair" (A, A) for i toward j or "post" (A, N_POST) for actor i's post k
# (compile.POST_KINDS), dtype, what it holds (docs/model.md, section 2)
FIELDS: tuple[tuple[str, Literal["actor", "pair", "post"], str, str], ...] = (
    ("cap", "actor", "float64", "capability"),
    ("vacancy", "post", "int64", "days until a successor takes the post (0: its holder in post)"),
    ("resolve", "actor", "float64", "willingness to retaliate; a post's loss can change it (M1)"),
    ("exhaustion", "actor", "float64", "war weariness index"),
    ("grievance", "pair", "float64", "grievance of i toward j"),
    ("affront", "pair", "float64", "the part of that grievance that is an affront to i's standing (G)"),
    ("belief", "pair", "float64", "i's estimate of j's resolve"),
    ("waiting", "pair", "int64", "days left for j to answer i's last use of force"),
    ("ceasefire", "pair", "bool", "a cease-fire in force (symmetric)"),
    ("cf_start", "pair", "int64", "day the current cease-fire began"),
    ("cf_until", "pair", "int64", "last day of a pause (FOREVER for other cease-fires)"),
    ("violated", "pair", "bool", "j has used force on i during their cease-fire (T)"),
    ("last_force", "pair", "int64", "last day either used force on the other (symmetric)"),
    ("void_until", "pair", "int64", "last day p's commitment to q is void (its void clause)"),
    ("owed", "pair", "float64", "audience cost a day of p's silence toward x costs (M6)"),
    ("owed_until", "pair", "int64", "last day of p's obligation to answer x (M6)"),
    ("vow", "pair", "float64", "audience cost a day without a strike on j costs i after its vow (L)"),
    ("vow_until", "pair", "int64", "last day i's audience waits for that strike (L)"),
    ("pulled", "pair", "int64", "why p's grievance toward x last grew by a commitment (M6)"),
    ("ready", "pair", "int64", "first day i can mount another discrete operation on j (R)"),
    ("prep", "pair", "int64", "rung of the operation i prepares on j (0: none) (L)"),
    ("launch", "pair", "int64", "the day it will be launched (L)"),
    ("prep_answer", "pair", "bool", "whether that operation was decided as an answer (L)"),
    ("tol", "pair", "float64", "raised answer threshold after i's answer (E)"),
    ("camp", "pair", "int64", "rung of i's campaign on j (0: none) (W)"),
    ("camp_start", "pair", "int64", "the campaign's first day (W)"),
    ("camp_end", "pair", "int64", "the campaign's last day (W)"),
    ("escalated", "pair", "bool", "j went above i's campaign rung since i last decided (W)"),
    ("camp_answer", "pair", "bool", "whether the campaign was decided as an answer (W)"),
    ("hostility", "pair", "float64", "i's war aim toward j: value of damaging it (H)"),
    ("total", "pair", "bool", "whether that aim is total (no deal but a pause) (H)"),
    ("deal", "pair", "float64", "value i puts on a cease-fire with j; a post's loss can change it"),
)

State = namedtuple("State", [f[0] for f in FIELDS])  # type: ignore[misc]


def new_state(n_actors: int) -> State:
    """Uninitialised arrays of one replicate's state, shaped and typed as declared."""
    shapes = {"actor": (n_actors,), "pair": (n_actors, n_actors), "post": (n_actors, N_POST)}
    return State(*(np.empty(shapes[kind], dtype=dtype) for _, kind, dtype, _ in FIELDS))
