"""Political event tables as data: who did what to whom, when, coded in CAMEO (or PLOVER).

The stage that turns history into something the model can be checked against: ``load_events``
reads a native CSV (or a GDELT, ICEWS or POLECAT export through a profile) into an
``EventTable`` of checked ``Event`` rows; ``cameo`` holds the code tables, the CAMEO → ladder
rung rule and the Goldstein intensity curve.
"""

from escalade.events.cameo import (
    CameoCode,
    EventsError,
    cameo_info,
    escalation_curve,
    is_ceasefire,
    rung_for,
)
from escalade.events.table import Event, EventTable, bundled_profiles, load_events, load_profile

__all__ = [
    "CameoCode",
    "Event",
    "EventTable",
    "EventsError",
    "bundled_profiles",
    "cameo_info",
    "escalation_curve",
    "is_ceasefire",
    "load_events",
    "load_profile",
    "rung_for",
]
