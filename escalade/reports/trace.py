"""One replicate told day by day, for a person to read (and as JSON records for programs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from escalade.compile import POST_KINDS, Compiled
from escalade.engine.reference import POST_LABELS, Event, ReplicateResult


def _date(c: Compiled, day: int) -> str:
    return (c.start_date + dt.timedelta(days=day - 1)).isoformat()


def _post(e: Event) -> str:
    """The post a kill aimed at, as a trace names it (leader, military commander ...)."""
    return POST_LABELS[e.post] if e.post >= 0 else "leader"


def _rung(c: Compiled, e: Event) -> tuple[str, str]:
    """The event's rung as the pair calls and codes it (a relation's own words, else the
    ladder's); empty for events without a rung."""
    if e.rung < 0:
        return "", ""
    return c.rung_name(e.actor, e.target, e.rung), c.rung_code(e.actor, e.target, e.rung)


def describe_event(c: Compiled, e: Event) -> str:
    """A sentence for one event: actor → target, rung with its name and CAMEO code, detail."""
    actor = c.ids[e.actor] if e.actor >= 0 else ""
    target = c.ids[e.target] if e.target >= 0 else ""
    name, code = _rung(c, e)
    if e.kind == "attack":
        rung = f"rung {e.rung} {name} [CAMEO {code}]"
        return f"{actor} → {target}: {rung}" + (f"; {e.detail}" if e.detail else "")
    if e.kind == "prepare":
        rung = f"rung {e.rung} {name}"
        return f"{actor} decides on {rung} against {target} and prepares it ({e.detail})"
    if e.kind == "launch":
        return f"{actor} launches the {name} it prepared against {target}"
    if e.kind == "vow":
        return f"{actor} vows to answer {target}: its hands are tied ({e.detail})"
    if e.kind == "called_off":
        return f"{actor} calls off the operation it prepared against {target} ({e.detail})"
    if e.kind == "campaign":
        return (f"{actor} begins a campaign of rung {e.rung} {name} against "
                f"{target} ({e.detail})")
    if e.kind == "campaign_end":
        return f"{actor} ends its {name} campaign against {target} ({e.detail})"
    if e.kind == "kill":
        return f"{actor} kills {target}'s {_post(e)}: {e.detail}"
    if e.kind == "succession":
        return f"{actor}: {e.detail}"
    if e.kind == "ceasefire":
        return f"cease-fire {actor}–{target} [CAMEO 0871] ({e.detail})"
    if e.kind == "ceasefire_broken":
        return f"{actor} breaks the cease-fire with {target}"
    if e.kind == "pause_end":
        return f"the pause {actor}–{target} lapses ({e.detail})"
    if e.kind == "obligation":
        return f"{actor} owes an answer to {target} under its commitment ({e.detail})"
    if e.kind == "aim_set":
        return f"{actor} changes its war aim toward {target} ({e.detail})"
    if e.kind == "declared_end":
        return f"{actor} declares its round with {target} over ({e.detail})"
    if e.kind == "aim_raised":
        return f"{actor} sees an opening against {target}: its aim grows ({e.detail})"
    if e.kind == "aim_met":
        return f"{actor}'s aim against {target} is met ({e.detail})"
    if e.kind == "aim_abandoned":
        return f"{actor} gives up its war aim against {target} ({e.detail})"
    if e.kind == "proposal_rejected":
        return f"cease-fire proposal {actor}–{target} [CAMEO 045] rejected ({e.detail})"
    if e.kind == "pact_void":
        return f"{actor}'s unprovoked rung-{e.rung} strike voids {target}'s pact"
    if e.kind == "outcome":
        return f"OUTCOME: {e.detail}" + (f" ({actor} → {target})" if target else "")
    return f"{e.kind} {actor} {target} {e.detail}"


def render_trace(c: Compiled, result: ReplicateResult, threats: bool = False) -> list[str]:
    """Lines grouped by day; threats and shows of force are left out unless asked for."""
    lines: list[str] = []
    day = None
    for e in result.events:
        if e.kind == "attack" and e.rung < 3 and not threats:
            continue
        if e.day != day:
            day = e.day
            lines.append(f"Day {e.day:3d} ({_date(c, e.day)})")
        lines.append(f"    {describe_event(c, e)}")
    final = ", ".join(
        f"{name} day {d}" for name, d in zip(
            ("regional war", "protector in combat", "cease-fire reached", "cease-fire held",
             "hostages returned"), result.days_out[:5], strict=True) if d >= 0
    )
    lines.append(f"End of day {c.days}: {final or 'no outcome events'}")
    return lines


def _what(c: Compiled, e: Event) -> tuple[str, str]:
    """(what happened, detail) for the trace table: short, so one event fits one line."""
    target = c.ids[e.target] if e.target >= 0 else ""
    name, code = _rung(c, e)
    if e.kind == "attack":
        return f"{name} [CAMEO {code}]", e.detail
    if e.kind == "prepare":
        return f"prepares {name}", e.detail
    if e.kind == "launch":
        return f"launches the prepared {name}", ""
    if e.kind == "vow":
        return "vows an answer: its hands are tied", e.detail
    if e.kind == "called_off":
        return "calls off its prepared operation", e.detail
    if e.kind == "campaign":
        return f"begins a campaign: {name}", e.detail
    if e.kind == "campaign_end":
        return f"ends its campaign: {name}", e.detail
    if e.kind == "kill":
        return f"kills {target}'s {_post(e)}", e.detail
    if e.kind == "succession":
        return f"its {_post(e)} is succeeded", e.detail
    if e.kind == "obligation":
        return "owes its ally an answer", e.detail
    if e.kind == "ceasefire":
        return "cease-fire [CAMEO 0871]", e.detail
    if e.kind == "ceasefire_broken":
        return "breaks the cease-fire", ""
    if e.kind == "pause_end":
        return "the pause lapses", e.detail
    if e.kind == "aim_raised":
        return "sees an opening: its aim grows", e.detail
    if e.kind == "aim_met":
        return "its aim is met", e.detail
    if e.kind == "aim_set":
        return "changes its war aim (scripted)", e.detail
    if e.kind == "declared_end":
        return "declares the round over", e.detail
    if e.kind == "aim_abandoned":
        return "gives up its war aim", e.detail
    if e.kind == "proposal_rejected":
        return "cease-fire proposal rejected [CAMEO 045]", e.detail
    if e.kind == "pact_void":
        return f"unprovoked rung-{e.rung} strike voids the pact", ""
    if e.kind == "outcome":
        return f"OUTCOME: {e.detail}", ""
    return e.kind, e.detail


def trace_rows(c: Compiled, result: ReplicateResult,
               threats: bool = False) -> list[tuple[str, str, str, str, str]]:
    """One row per event (day and date, actor > target, rung, what, detail) for a table that
    keeps each event on one line; threats and shows of force are left out unless asked for."""
    rows = []
    for e in result.events:
        if e.kind == "attack" and e.rung < 3 and not threats:
            continue
        actor = c.ids[e.actor] if e.actor >= 0 else ""
        pair = f"{actor}>{c.ids[e.target]}" if e.target >= 0 and e.kind != "succession" else actor
        what, detail = _what(c, e)
        rows.append((f"{e.day:3d} {_date(c, e.day)[5:]}", pair,
                     str(e.rung) if e.rung >= 0 else "", what, detail))
    return rows


def trace_records(c: Compiled, result: ReplicateResult) -> list[dict[str, Any]]:
    return [
        {"day": e.day, "date": _date(c, e.day), "kind": e.kind,
         "actor": c.ids[e.actor] if e.actor >= 0 else None,
         "target": c.ids[e.target] if e.target >= 0 else None,
         "rung": e.rung if e.rung >= 0 else None,
         "post": POST_KINDS[e.post] if e.post >= 0 else None,
         "cameo": _rung(c, e)[1] or None,
         "text": describe_event(c, e)}
        for e in result.events
    ]
