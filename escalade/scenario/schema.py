"""The scenario schema: what a scenario file may say, with types, bounds and cross-references.

Validation happens once, here; nothing downstream changes a validated ``Scenario``. Every
model forbids unknown fields so that a typo (``resolv: 0.9``) is an error, not a silent default.
Units: *damage* is an abstract unit of harm (the default scenario reads 1 as about one person
killed); utilities are in arbitrary units shared by all actors.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ActorId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,11}$", description="Actor id, e.g. ISR")]
Prob = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0, le=1e6)]
Rung = Annotated[int, Field(ge=0, le=15)]


class _Strict(BaseModel):
    # allow_inf_nan=False: every number is finite (no .inf, .nan or "Infinity")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_numbers(cls, data: Any) -> Any:
        """A number field takes a number: not true/yes (YAML booleans), not a quoted "0.5"."""
        if not isinstance(data, dict):
            return data
        for name, value in data.items():
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            kind = _number_kind(field.annotation) if field is not None else None
            if kind is None:
                continue
            items = value if kind == "list" and isinstance(value, list) else [value]
            for v in items:
                if isinstance(v, bool | str):
                    got = (f"{str(v).lower()}, a YAML boolean (true, yes, on ...)" if isinstance(v, bool)
                           else f"the text {v[:40]!r}")
                    raise ValueError(f"{name}: expected a valid number, got {got}")
        return data


@functools.cache
def _number_kind(annotation: Any) -> str | None:
    """'number' for an int or float field (optional or not), 'list' for a list of them, else None."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if annotation in (int, float):
        return "number"
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return "number" if args and all(a in (int, float) for a in args) else None
    if typing.get_origin(annotation) is list and args and args[0] in (int, float):
        return "list"
    if typing.get_origin(annotation) is list and args and typing.get_origin(args[0]) is Annotated:
        return "list" if typing.get_args(args[0])[0] in (int, float) else None
    return None


class LadderRung(_Strict):
    """One rung of the escalation ladder (Kahn); the ladder's order is its intensity order."""

    rung: Rung
    name: str
    cameo: str = Field(pattern=r"^\d{2,4}$", description="CAMEO event code")
    goldstein: float = Field(ge=-10.0, le=10.0, description="Goldstein weight of the CAMEO code")
    plover: str = Field(default="", description="PLOVER event type and mode, e.g. ASSAULT/aerial")
    damage: NonNeg = Field(description="expected damage to the target at full capability, in damage units")
    cost: NonNeg = Field(description="direct cost to the actor (munitions, standing), in utility units")
    interceptable: Prob = Field(0.0, description="share of the damage carried by missiles/drones")
    kill_probability: Prob = Field(0.0, description="chance an attempt kills an unprotected leader")
    humiliation: Prob = Field(0.0, description="how visible a humiliation the rung inflicts")
    cooldown_days: int = Field(
        0, ge=0, le=365,
        description="a discrete operation: days before the actor can mount another discrete "
        "operation on the same target (0: continuous, usable every day)",
    )
    lead_days: float = Field(
        0.0, ge=0.0, le=365.0,
        description="a discrete operation: mean days from the decision to the launch "
        "(preparation; 0: launched the day it is decided)",
    )
    campaign_days: float = Field(
        0.0, ge=0.0, le=3650.0,
        description="a continuous rung with damage: mean days a campaign at this rung lasts once "
        "decided, unless the adversary escalates past it or a truce calls it off (0: redrawn "
        "every day)",
    )


PostKind = Literal["head", "military", "political"]
# The posts an actor can declare, in this order in the engine's arrays and in the outputs
# (``head_lost``, ``military_lost``, ``political_lost``): head of state, supreme leader or
# overall leader; senior military commander; political bureau chief.
POST_KINDS: tuple[PostKind, ...] = typing.get_args(PostKind)


class Post(_Strict):
    """One leadership post of an actor (M1): who holds it, how exposed it is, what its loss costs.

    Jordan (2009, 2014) and Price (2012): decapitation hurts young, small, non-religious groups
    most; old, large, religious organisations lose little and recover (a low ``capability_loss``,
    a short ``succession_delay``, a ``resolve_change`` that can even be positive). The fields left
    out (none) take the actor's single-post values: ``leader_protection``, ``decapitation_loss``,
    ``succession_delay``.
    """

    holders: list[str] = Field(
        min_length=1, description="who holds the post (or takes it when a vacancy at start ends), "
        "then successors in order")
    vacant_days: int = Field(0, ge=0, le=3650,
                             description="days until the first holder takes over at start")
    protection: Prob | None = Field(
        None, description="how much protection cuts the kill chance (none: leader_protection)")
    exposure: float = Field(
        1.0, ge=0.0, le=100.0, description="scales the rung's kill_probability for this post (a "
        "commander in the field: above 1; a head of state in a bunker: below 1)")
    capability_loss: Prob | None = Field(
        None, description="share of capability lost when the holder is killed (none: "
        "decapitation_loss)")
    succession_delay: int | None = Field(
        None, ge=0, le=365, description="days the post stays vacant after a killing (none: the "
        "actor's succession_delay)")
    resolve_change: float = Field(
        0.0, ge=-1.0, le=1.0, description="added to the actor's resolve when the holder is killed "
        "(clipped to 0..1): negative, a group that loses its will; positive, one that hardens")
    hostility_change: float = Field(
        0.0, ge=-100.0, le=100.0, description="added to the actor's hostility toward the killer "
        "(not below 0): revenge as a standing aim")
    deal_change: float = Field(
        0.0, ge=-100.0, le=100.0, description="added to the value the actor puts on a cease-fire "
        "with the killer: negative, the negotiator lost or talks tainted")


class Actor(_Strict):
    """A state or armed group: its capability, leadership, doctrine, stakes and defences."""

    name: str
    kind: Literal["state", "armed_group"]
    capability: float = Field(1.0, gt=0.0, le=1.0, description="share of full capability at start")
    leaders: list[str] | None = Field(
        None, min_length=1, description="one leadership post: current leader, then successors in "
        "order (give this or posts)")
    leader_vacant_days: int = Field(0, ge=0, le=3650,
                                    description="days until a successor takes over at start")
    succession_delay: int = Field(7, ge=0, le=365, description="days a leadership post stays vacant")
    decapitation_loss: Prob = Field(0.2, description="share of capability lost when a leader is killed")
    recovery_rate: Prob = Field(0.02, description="daily share of the capability gap recovered")
    leader_protection: Prob = Field(0.5, description="how much protection cuts the kill chance")
    posts: dict[PostKind, Post] | None = Field(
        None, description="several leadership posts (head, military, political), in the order "
        "kills aim at them by default (give this or leaders)")
    resolve: Prob = Field(description="willingness to retaliate (what adversaries try to estimate)")
    retaliation_multiplier: float = Field(1.0, ge=0.0, le=20.0, description="reply size / damage suffered")
    reputation_sensitivity: NonNeg = Field(1.0, description="cost of leaving a grievance unanswered")
    risk_weight: NonNeg = Field(1.0, description="weight on expected retaliation (low = high stakes)")
    cost_weight: NonNeg = Field(1.0, description="weight on the direct cost of actions")
    air_defence: Prob = Field(0.0, description="own interception rate of interceptable damage")
    rationality: float = Field(2.0, gt=0.0, le=1e6, description="logit precision of choices")
    grievance_decay: Prob = Field(0.97, description="daily retention of grievance")
    war_weariness: NonNeg = Field(0.1, description="how much exhaustion raises costs and deal value")
    war_aim: Literal["total", "bounded"] = Field("bounded", description="total: accepts no cease-fire")
    restraint_rung: Rung | None = Field(
        None, description="highest rung it initiates without a grievance (none: no limit)"
    )
    belief_noise: NonNeg = Field(0.1, description="sd of its estimates of adversaries' resolve")
    lead_factor: float = Field(
        1.0, ge=0.0, le=10.0,
        description="scales the ladder's lead times for this actor (forces on alert: below 1)",
    )
    audience_cost: float = Field(
        0.0, ge=0.0, le=1e6,
        description="what each day of silence after a public vow of an answer costs the actor, "
        "until the vow is kept by a strike or its audience stops waiting (model.vow_rung; 0: its "
        "vows bind nothing)",
    )
    humiliation_hostility: float = Field(
        0.0, ge=0.0, le=100.0,
        description="hostility gained toward an attacker per unit of the humiliation of an "
        "attack suffered (the rung's humiliation): revenge beyond the answer (0: none)",
    )
    opportunism: float = Field(
        0.0, ge=0.0, le=100.0,
        description="hostility gained toward an adversary per unit share of its starting "
        "capability it loses (a leader killed, aid cut): a window of opportunity (0: none)",
    )
    aim_exhaustion: float | None = Field(
        None, ge=0.0, le=1e6,
        description="exhaustion at which the actor abandons its war aims: hostility ends and a "
        "total aim becomes bounded (none: never)",
    )

    @model_validator(mode="after")
    def _leaders_or_posts(self) -> Actor:
        if self.posts is None and self.leaders is None:
            raise ValueError("give leaders (one post) or posts (several), found neither")
        if self.posts is not None:
            if not self.posts:
                raise ValueError("posts: at least one post, e.g. head: {holders: [name]}")
            if self.leaders is not None:
                raise ValueError("leaders: give leaders or posts, not both (name each post's "
                                 "holders in posts.<post>.holders)")
            if self.leader_vacant_days:
                raise ValueError("leader_vacant_days: with posts, give each post's vacant_days")
        return self

    def post_table(self) -> dict[str, Post]:
        """The actor's posts with every field filled: its ``posts``, or one ``head`` post built
        from ``leaders``, ``leader_vacant_days``, ``succession_delay``, ``decapitation_loss`` and
        ``leader_protection`` (scenarios written before posts)."""
        posts = self.posts or {"head": Post(holders=list(self.leaders or []),
                                            vacant_days=self.leader_vacant_days)}
        return {k: p.model_copy(update={
            "protection": self.leader_protection if p.protection is None else p.protection,
            "capability_loss": (self.decapitation_loss if p.capability_loss is None
                                else p.capability_loss),
            "succession_delay": (self.succession_delay if p.succession_delay is None
                                 else p.succession_delay)}) for k, p in posts.items()}


class Action(_Strict):
    """What a rung is between one pair when the means differ from the ladder's: a Houthi attack
    on a merchant ship is the ladder's fire or strike, coded as a blockade or a maritime assault;
    Hamas's fire on troops in Gaza is mostly ambushes, not rockets an air defence can stop. Any
    field left out is the ladder's; the rung's damage and costs stay the ladder's."""

    name: str | None = Field(None, min_length=1, description="what the rung is called here")
    cameo: str | None = Field(None, pattern=r"^\d{2,4}$", description="CAMEO event code")
    plover: str = Field(default="", description="PLOVER event type and mode")
    interceptable: Prob | None = Field(
        None, description="share of the damage carried by missiles and drones between this pair "
        "(what defences can stop), where the means differ from the ladder's")
    place: Literal["homeland", "forces"] | None = Field(
        None, description="where the rung lands between this pair: on the target's homeland or "
        "on its forces and ships abroad (none: the homeland)")
    lead_days: float | None = Field(
        None, ge=0.0, le=365.0,
        description="mean days from the decision to the launch of this discrete operation "
        "between this pair, where reach makes it differ from the ladder's (a barrage flown for "
        "hours across two countries, a deep strike past air defences)")


class Relation(_Strict):
    """A directed hostile relation: what ``actor`` feels toward and wants from ``target``."""

    actor: ActorId
    target: ActorId
    grievance: NonNeg = Field(0.0, description="outstanding grievance at start, in damage units")
    grievance_floor: NonNeg = Field(
        0.0, description="grievance that does not fade outside a cease-fire (hostages, siege)"
    )
    hostility: NonNeg = Field(0.0, description="value of damaging the target (war aims)")
    max_rung: Rung | None = Field(
        None, description="highest rung the actor can use on this target (none: the top)"
    )
    rungs: list[Rung] | None = Field(
        None, description="the rungs the actor has the means and reach to use on this target "
        "(geography, weapons: no border fire without a border), beside restraint, rung 0, which "
        "is always open; none: every rung; max_rung caps either"
    )
    belief_bias: float = Field(0.0, ge=-1.0, le=1.0, description="bias of the belief in target's resolve")
    war_aim: Literal["total", "bounded"] | None = Field(None, description="overrides the actor's aim")
    deal_value: float = Field(0.0, ge=-100.0, le=100.0, description="value of a cease-fire with target")
    aim_capability: Prob = Field(
        0.0, description="the target's capability, as a share of its start, at or below which "
        "the actor's aim toward it is met: its hostility ends and a total aim becomes bounded "
        "(0: never met)"
    )
    linked_front: ActorId | None = Field(
        None, description="a partner this actor fights the target for: no cease-fire with the "
        "target while the partner is at war with it without one (a 'support front')"
    )
    kill_post: PostKind | None = Field(
        None, description="the post of the target the actor's kill attempts aim at (none: the "
        "target's first post)"
    )
    actions: dict[Rung, Action] = Field(
        default_factory=dict, description="what some rungs are called and coded between this "
        "pair (attacks on shipping, a blockade), where they differ from the ladder's")

    @property
    def key(self) -> str:
        return f"{self.actor}>{self.target}"


class Commitment(_Strict):
    """A promise of one actor to another, with its terms as data (Snyder 1984; Benson 2012).

    Two families. A protector's guarantee: ``informal`` (help comes with the political chance
    ``help_probability``, whatever the ally did: the moral hazard), ``formal`` (help is certain
    for attacks on the stated terms, unless the ally's own conduct voided it), ``none`` (no
    help) and ``aid_cut`` (no help, and the aid-dependent share of the ally's capability runs
    down over ``aid_lag_days`` while ``leverage`` pushes it toward a deal). A patron-client tie:
    ``patron`` (the committed side arms its client and avenges it) and ``client`` (the
    committed side, a client, avenges its patron); they help and avenge with
    ``help_probability`` and never make the committed side "the protector" of the outcomes.

    The terms: attacks on the protected side at or above ``trigger_rung`` call for help
    (interception, ``air_defence``); at or above ``join_rung`` the committed side takes up a
    share (``entrapment``) of the attack as its own grievance, counted on the damage as
    launched or as delivered (``joins_on``); a stated obligation then costs ``honour_cost`` a
    day of silence toward the attacker until it is honoured or lapses (audience costs, Fearon
    1994; Tomz 2007). ``void_rung`` (none: no void clause) voids help for ``void_days`` after
    the protected side itself initiates force at or above it. ``covers``: the places of attack
    the terms count (the homeland, forces abroad, or any; where a rung lands is the pair's
    ``actions``). ``restrains``: actors the committed side holds the protected side back from,
    each day of force on them costing it ``restraint_cost`` (Pressman 2008). ``interest``: the
    committed side protects its own interest (shipping lanes, its forces), so combat on its
    behalf is the protector's own campaign, not help to an ally.
    """

    protector: ActorId
    protected: ActorId
    type: Literal["none", "informal", "formal", "aid_cut", "patron", "client"]
    help_probability: Prob = Field(
        0.8, description="informal, patron, client: chance help comes when triggered (formal: 1)")
    air_defence: Prob = Field(0.5, description="interception the protector adds when it helps")
    entrapment: NonNeg = Field(0.5, description="share of an attack on the ally felt as own grievance")
    burden_share: Prob = Field(0.3, description="share of expected retaliation help takes off the ally")
    trigger_rung: Rung = Field(3, description="attacks on the ally at or above this rung call for help")
    join_rung: Rung = Field(
        3, description="attacks on the ally at or above this rung become the protector's grievance"
    )
    joins_on: Literal["delivered", "launched"] = Field(
        "delivered", description="what the protector's grievance counts: the damage that got "
        "through (politics, what the public sees) or the attack as launched (a stated obligation)")
    honour_cost: NonNeg = Field(
        0.0, description="utility the committed side loses each day it leaves a joined attack "
        "unanswered (audience and reputation costs of not honouring; 0: none)")
    void_rung: Rung | None = Field(
        None, description="an initiation by the protected side at or above this rung voids help "
        "(none: no void clause)")
    void_days: int = Field(30, ge=0, le=3650, description="how long a violation voids help")
    interest: bool = Field(
        False, description="the protector's own interest (shipping, its forces): combat for it "
        "counts as the protector's own, not as help to an ally")
    covers: Literal["any", "homeland", "forces"] = Field(
        "any", description="which attacks on the protected side the terms cover (help, join and "
        "deterrence): on its homeland, on its forces abroad, or any")
    restrains: list[ActorId] = Field(
        default_factory=list, description="actors the committed side presses the protected side "
        "not to use force on (alliance restraint: a front it keeps to itself or keeps closed)")
    restraint_cost: NonNeg = Field(
        0.0, description="utility the protected side loses for each day it uses force on one of "
        "those actors (what the pressure costs it: standing, aid, help)")
    aid_share: Prob = Field(0.2, description="share of the ally's capability that rests on aid")
    aid_lag_days: int = Field(30, ge=1, le=3650, description="days for an aid cut to bite fully")
    leverage: NonNeg = Field(1.0, description="aid cut: extra value the ally puts on a cease-fire")

    @property
    def key(self) -> str:
        return f"{self.protector}>{self.protected}"


class Mediator(_Strict):
    """A third party that proposes cease-fires between pairs in conflict (M8)."""

    actor: ActorId
    effort: Prob = Field(description="daily chance of a proposal to each pair in conflict")
    pairs: list[tuple[ActorId, ActorId]] = Field(min_length=1)
    sweetener: NonNeg = Field(0.5, description="value the mediator adds to any deal it brokers")
    pause_days: int = Field(
        0, ge=0, le=365,
        description="days of the pause it offers a pair where one side's war aim is total (a "
        "hostage or humanitarian pause that lapses unless renewed; 0: none, such a pair never "
        "agrees)",
    )

    @property
    def key(self) -> str:
        return self.actor


class AttackInject(_Strict):
    """A scripted attack on a given day, as a wargame scripts it ("day 30: ISR kills HEZ leader")."""

    type: Literal["attack"]
    day: int = Field(ge=1, le=3650, description="1 = the scenario's start date")
    actor: ActorId
    target: ActorId
    rung: Rung
    kill_leader: bool | None = Field(None, description="force the kill (true/false) or leave it to chance")
    post: PostKind | None = Field(
        None, description="the target's post the attack aims at (none: the relation's kill_post, "
        "else the target's first post)"
    )
    damage: NonNeg | None = Field(
        None, description="damage delivered, fixed (a real event's toll, in damage units); "
        "none: the model resolves it (interception, noise)"
    )
    note: str = ""


class CeasefireInject(_Strict):
    """A scripted cease-fire between two actors from a given day."""

    type: Literal["ceasefire"]
    day: int = Field(ge=1, le=3650)
    between: tuple[ActorId, ActorId]
    note: str = ""


class AimInject(_Strict):
    """A scripted change of war aim on a given day, as a wargame or history scripts it (a cabinet
    adopts a new aim, a new leader brings his own): from that day the actor's hostility toward
    the target is ``hostility`` and its aim ``war_aim``, whichever are given; the rules of (H)
    go on from there."""

    type: Literal["aim"]
    day: int = Field(ge=1, le=3650)
    actor: ActorId
    target: ActorId
    hostility: NonNeg | None = Field(None, description="the new value of damaging the target")
    war_aim: Literal["total", "bounded"] | None = Field(None, description="the new aim")
    note: str = ""


Inject = Annotated[AttackInject | CeasefireInject | AimInject, Field(discriminator="type")]


class Policy(_Strict):
    """A named variant: overrides of scenario values by dotted path, and extra injects."""

    description: str
    set: dict[str, Any] = Field(default_factory=dict)
    injects: list[Inject] = Field(default_factory=list)


class RegionalWar(_Strict):
    """War as a state, not one day's act: two main parties fight at or above ``rung`` on at least
    ``days`` days within a ``window`` of days (``days`` = ``window`` = 1: any single day)."""

    actors: list[ActorId] = Field(min_length=2, description="the main parties")
    rung: Rung = Field(8, description="rung between two main parties that counts as regional war")
    days: int = Field(1, ge=1, le=3650, description="days at or above the rung that make a war")
    window: int = Field(1, ge=1, le=3650, description="... within this many consecutive days")

    @model_validator(mode="after")
    def _days_fit_the_window(self) -> RegionalWar:
        if self.days > self.window:
            raise ValueError(f"days {self.days} cannot exceed window {self.window}")
        return self


class CeasefireOutcome(_Strict):
    pairs: list[tuple[ActorId, ActorId]] = Field(min_length=1)
    hold_days: int = Field(14, ge=1, le=3650, description="days a cease-fire must hold to count")


class Hostages(_Strict):
    between: tuple[ActorId, ActorId]
    release_days: int = Field(42, ge=1, le=3650, description="days of cease-fire to free the hostages")
    held: int = Field(0, ge=0, le=1_000_000, description="hostages held at start")


class Outcomes(_Strict):
    """How model states map to the outcomes users ask about (M9)."""

    regional_war: RegionalWar
    protector_combat_rung: Rung = 4
    strike_rung: Rung = Field(4, description="lowest rung counted in strikes_initiated")
    force_rung: Rung = Field(3, description="lowest rung that is a use of force")
    ceasefire: CeasefireOutcome
    hostages: Hostages | None = None
    casualties_per_damage: NonNeg = Field(10.0, description="casualties per damage unit received")
    horizons: list[Annotated[int, Field(ge=1, le=3650)]] = Field(
        default_factory=lambda: [30, 90, 180], min_length=1, max_length=20)


class ModelConstants(_Strict):
    """Constants of the decision and update rules shared by all actors (see docs/model.md)."""

    answer_threshold: NonNeg = Field(
        0.5, description="grievance at or above which force is an answer; below it is tolerated"
    )
    retaliation_half: float = Field(
        1.0, gt=0.0, le=1e6, description="grievance beyond the threshold at which the urge is half"
    )
    belief_learning: Prob = Field(0.3, description="weight of one observation in a belief update")
    belief_window: int = Field(14, ge=1, le=365, description="days to wait for an answer")
    ceasefire_break_cost: NonNeg = Field(2.0, description="utility cost of breaking a cease-fire")
    exhaustion_rate: NonNeg = Field(0.01, description="exhaustion per unit of damage and cost")
    exhaustion_decay: Prob = Field(0.99, description="daily retention of exhaustion")
    discharge: NonNeg = Field(
        1.0, description="grievance an attack settles, per unit of intended damage / multiplier"
    )
    damage_noise: NonNeg = Field(0.5, description="sd of the log damage shock of an attack")
    decapitation_value: NonNeg = Field(1.0, description="value of a kill attempt, per unit hostility")
    conflict_memory: int = Field(7, ge=1, le=365, description="days a pair counts as in conflict")
    damage_scale: float = Field(
        20.0, gt=0.0, le=1e6, description="damage that weighs one utility unit as an expected loss"
    )
    expected_reply: NonNeg = Field(1.0, description="reply size actors expect, per damage dealt")
    expected_interceptable: Prob = Field(0.7, description="share of a reply actors expect intercepted")
    lead_noise: float = Field(
        0.5, ge=0.0, le=3.0, description="sd of the log of a drawn lead time (lognormal)"
    )
    tolerance_share: Prob = Field(
        0.0, description="after a discrete answer, a grievance below this share of the damage it "
        "was meant to deal is absorbed, not answered (a declared end; 0: off)"
    )
    truce_break_rung: Rung | None = Field(
        None, description="lowest rung that ends a cease-fire; clashes below it are tolerated "
        "(none: any use of force ends it)"
    )
    vow_rung: Rung | None = Field(
        None, description="the rung that is a public vow of an answer (the ladder's threat): used "
        "while a grievance calls for an answer, it ties the actor's hands for belief_window days "
        "(its audience_cost for each day without a strike); none: vows are not modelled"
    )
    tolerance_memory: Prob = Field(
        0.93, description="daily retention of that raised threshold (it fades back to "
        "answer_threshold)"
    )
    campaign_noise: float = Field(
        0.5, ge=0.0, le=3.0, description="sd of the log of a drawn campaign duration (lognormal)"
    )
    balance_weight: float = Field(
        0.0, ge=0.0, le=1e6,
        description="value of a cease-fire to a side per unit by which its share of starting "
        "capability lost exceeds its adversary's (the military balance fighting reveals; 0: off)",
    )


class Scenario(_Strict):
    """A whole crisis: actors, relations, commitments, mediators, ladder, injects and policies."""

    name: str
    description: str = ""
    start_date: dt.date
    days: int = Field(180, ge=1, le=3650)
    default_policy: str | None = None
    model: ModelConstants = Field(default_factory=ModelConstants)
    ladder: list[LadderRung] = Field(min_length=2, max_length=16)
    actors: dict[ActorId, Actor] = Field(min_length=2, max_length=64)
    relations: list[Relation] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    mediators: list[Mediator] = Field(default_factory=list)
    injects: list[Inject] = Field(default_factory=list)
    policies: dict[str, Policy] = Field(default_factory=dict)
    outcomes: Outcomes

    @field_validator("ladder")
    @classmethod
    def _ladder_in_order(cls, ladder: list[LadderRung]) -> list[LadderRung]:
        for i, r in enumerate(ladder):
            if r.rung != i:
                raise ValueError(f"rung {i} must have rung: {i}, found rung: {r.rung}")
        if ladder[0].damage != 0.0 or ladder[0].cost != 0.0 or ladder[0].cooldown_days != 0:
            raise ValueError("rung 0 (restraint) must have damage 0, cost 0 and cooldown_days 0")
        for r in ladder:
            if r.lead_days > 0 and r.cooldown_days == 0:
                raise ValueError(f"rung {r.rung}: lead_days {r.lead_days} needs cooldown_days > 0; "
                                 "only a discrete operation is prepared (a continuous rung is "
                                 "used every day)")
            if r.campaign_days > 0 and (r.cooldown_days > 0 or r.damage == 0):
                raise ValueError(f"rung {r.rung}: campaign_days {r.campaign_days} needs "
                                 "cooldown_days 0 and damage > 0; only a continuous use of "
                                 "force is waged as a campaign")
        return ladder

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        """Check every actor id and rung refers to something that exists; say where it does not."""
        ids = set(self.actors)
        top = len(self.ladder) - 1
        errors: list[str] = []

        def need(actor: str, where: str) -> None:
            if actor not in ids:
                errors.append(f"{where}: unknown actor id '{actor}'; expected one of {sorted(ids)}")

        def rung_ok(rung: int | None, where: str) -> None:
            if rung is not None and rung > top:
                errors.append(f"{where}: rung {rung} is above the ladder's top rung {top}")

        def pairs_ok(pairs: list[tuple[str, str]], where: str) -> None:
            """Pairs of two different actors, each pair once (in either order)."""
            seen_pairs: set[frozenset[str]] = set()
            for p, (a, b) in enumerate(pairs):
                if a == b:
                    errors.append(f"{where}.{p}: a pair needs two different actors, got {a} twice")
                elif frozenset((a, b)) in seen_pairs:
                    errors.append(f"{where}.{p}: the pair {a}-{b} is listed twice")
                seen_pairs.add(frozenset((a, b)))

        for aid, a in self.actors.items():
            rung_ok(a.restraint_rung, f"actors.{aid}.restraint_rung")

        def post_ok(post: str | None, target: str, where: str) -> None:
            if post is not None and target in ids and post not in self.actors[target].post_table():
                errors.append(f"{where}: {target} has no post '{post}'; expected one of "
                              f"{list(self.actors[target].post_table())}")
        seen: set[str] = set()
        for k, rel in enumerate(self.relations):
            need(rel.actor, f"relations.{k}.actor")
            need(rel.target, f"relations.{k}.target")
            if rel.actor == rel.target:
                errors.append(f"relations.{k}: an actor cannot be hostile to itself ({rel.actor})")
            if rel.linked_front is not None:
                need(rel.linked_front, f"relations.{k}.linked_front")
                if rel.linked_front in (rel.actor, rel.target):
                    errors.append(f"relations.{k}.linked_front: '{rel.linked_front}' must be a third "
                                  "actor, a partner fighting the same target")
            if rel.key in seen:
                errors.append(f"relations.{k}: duplicate relation {rel.key}")
            seen.add(rel.key)
            rung_ok(rel.max_rung, f"relations.{k}.max_rung")
            for p, r in enumerate(rel.rungs or []):
                rung_ok(r, f"relations.{k}.rungs.{p}")
                if r in (rel.rungs or [])[:p]:
                    errors.append(f"relations.{k}.rungs.{p}: rung {r} is listed twice")
            post_ok(rel.kill_post, rel.target, f"relations.{k}.kill_post")
            for r in rel.actions:
                rung_ok(r, f"relations.{k}.actions.{r}")
                if r == 0 or (rel.rungs is not None and r not in rel.rungs):
                    errors.append(f"relations.{k}.actions.{r}: rung {r} is not one the actor can "
                                  f"use on {rel.target} (rungs {rel.rungs or 'all but 0'})")
                lead = rel.actions[r].lead_days
                if (lead is not None and lead > 0 and r < len(self.ladder)
                        and self.ladder[r].cooldown_days == 0):
                    errors.append(f"relations.{k}.actions.{r}.lead_days: {lead} needs a discrete "
                                  f"rung (cooldown_days > 0); rung {r} is continuous")
        committed: set[str] = set()
        aided: set[str] = set()
        for k, c in enumerate(self.commitments):
            need(c.protector, f"commitments.{k}.protector")
            need(c.protected, f"commitments.{k}.protected")
            if c.protector == c.protected:
                errors.append(f"commitments.{k}: an actor cannot protect itself")
            if c.key in committed:
                errors.append(f"commitments.{k}: {c.protector} already has a commitment to "
                              f"{c.protected}; one per pair")
            committed.add(c.key)
            if c.type == "aid_cut":
                if c.protected in aided:
                    errors.append(f"commitments.{k}: {c.protected} already has its aid cut by "
                                  "another commitment; one aid cut per actor")
                aided.add(c.protected)
            for r, x in enumerate(c.restrains):
                need(x, f"commitments.{k}.restrains.{r}")
                if x in (c.protected, c.protector):
                    errors.append(f"commitments.{k}.restrains.{r}: '{x}' must be a third actor, "
                                  "one the protected side might fight")
            rung_ok(c.trigger_rung, f"commitments.{k}.trigger_rung")
            rung_ok(c.void_rung, f"commitments.{k}.void_rung")
            rung_ok(c.join_rung, f"commitments.{k}.join_rung")
        mediating: set[str] = set()
        for k, m in enumerate(self.mediators):
            need(m.actor, f"mediators.{k}.actor")
            if m.actor in mediating:
                errors.append(f"mediators.{k}: {m.actor} is already a mediator; list it once")
            mediating.add(m.actor)
            for p, (a, b) in enumerate(m.pairs):
                need(a, f"mediators.{k}.pairs.{p}.0")
                need(b, f"mediators.{k}.pairs.{p}.1")
                if m.actor in (a, b):
                    errors.append(f"mediators.{k}.pairs.{p}: {m.actor} cannot mediate a conflict it is "
                                  "a party to")
            pairs_ok(m.pairs, f"mediators.{k}.pairs")
        for k, inj in enumerate(self.injects):
            if isinstance(inj, AttackInject):
                need(inj.actor, f"injects.{k}.actor")
                need(inj.target, f"injects.{k}.target")
                rung_ok(inj.rung, f"injects.{k}.rung")
                if inj.actor == inj.target:
                    errors.append(f"injects.{k}: an actor cannot attack itself")
                post_ok(inj.post, inj.target, f"injects.{k}.post")
            elif isinstance(inj, AimInject):
                need(inj.actor, f"injects.{k}.actor")
                need(inj.target, f"injects.{k}.target")
                if inj.hostility is None and inj.war_aim is None:
                    errors.append(f"injects.{k}: an aim change needs hostility or war_aim")
                if not any(r.actor == inj.actor and r.target == inj.target for r in self.relations):
                    errors.append(f"injects.{k}: {inj.actor} has no relation toward {inj.target}; "
                                  "an aim is part of one (add it under relations)")
            else:
                need(inj.between[0], f"injects.{k}.between.0")
                need(inj.between[1], f"injects.{k}.between.1")
                if inj.between[0] == inj.between[1]:
                    errors.append(f"injects.{k}.between: a cease-fire needs two different actors, "
                                  f"got {inj.between[0]} twice")
            if inj.day > self.days:
                errors.append(f"injects.{k}.day: day {inj.day} is after the last day {self.days}")
        o = self.outcomes
        for p, a in enumerate(o.regional_war.actors):
            need(a, f"outcomes.regional_war.actors.{p}")
            if a in o.regional_war.actors[:p]:
                errors.append(f"outcomes.regional_war.actors.{p}: {a} is listed twice")
        if len(set(o.horizons)) != len(o.horizons):
            errors.append(f"outcomes.horizons: each horizon once, got {o.horizons}")
        for name in ("protector_combat_rung", "strike_rung", "force_rung"):
            rung_ok(getattr(o, name), f"outcomes.{name}")
        b = self.model.truce_break_rung
        if b is not None and not o.force_rung <= b <= top:
            errors.append(f"model.truce_break_rung: {b} must lie between force_rung {o.force_rung} "
                          f"and the ladder's top rung {top}")
        v = self.model.vow_rung
        if v is not None and not 1 <= v < o.force_rung:
            errors.append(f"model.vow_rung: {v} must be a rung short of force (1 to force_rung "
                          f"{o.force_rung} - 1): a vow promises force, it is not force")
        if o.strike_rung < o.force_rung:
            errors.append(f"outcomes.strike_rung: {o.strike_rung} is below force_rung "
                          f"{o.force_rung}; a strike must be a use of force")
        for k, c in enumerate(self.commitments):
            if c.join_rung < c.trigger_rung:
                errors.append(f"commitments.{k}.join_rung: {c.join_rung} is below trigger_rung "
                              f"{c.trigger_rung}; the protector only takes up attacks it helps "
                              "against")
            if c.void_rung is not None and c.void_rung < o.force_rung:
                errors.append(f"commitments.{k}.void_rung: {c.void_rung} is below force_rung "
                              f"{o.force_rung}; only a use of force can void a pact")
        rung_ok(o.regional_war.rung, "outcomes.regional_war.rung")
        for p, (a, b) in enumerate(o.ceasefire.pairs):
            need(a, f"outcomes.ceasefire.pairs.{p}.0")
            need(b, f"outcomes.ceasefire.pairs.{p}.1")
        pairs_ok(o.ceasefire.pairs, "outcomes.ceasefire.pairs")
        if o.hostages is not None:
            need(o.hostages.between[0], "outcomes.hostages.between.0")
            need(o.hostages.between[1], "outcomes.hostages.between.1")
            if o.hostages.between[0] == o.hostages.between[1]:
                errors.append(f"outcomes.hostages.between: two different actors, got "
                              f"{o.hostages.between[0]} twice")
        if self.default_policy is not None and self.default_policy not in self.policies:
            errors.append(
                f"default_policy: unknown policy '{self.default_policy}'; "
                f"expected one of {sorted(self.policies)}"
            )
        if errors:
            raise ValueError("; ".join(errors))
        return self
