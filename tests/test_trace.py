"""Every kind of event the engine can trace reads as a sentence of its own (issue 9, item 9)."""

from __future__ import annotations

import inspect
import re

import pytest

from escalade.engine import reference
from escalade.reports.trace import _what, describe_event

from .conftest import compiled

# Every kind reference.py logs, read from its source, so a new kind cannot go unrendered.
KINDS = sorted(set(re.findall(r'log\(\s*t,\s*"([a-z_]+)"', inspect.getsource(reference))))


def test_the_kinds_were_found() -> None:
    assert {"attack", "prepare", "launch", "vow", "declared_end", "aim_set", "campaign"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_own_words(kind: str) -> None:
    c = compiled()
    e = reference.Event(day=3, kind=kind, actor=c.index("ISR"), target=c.index("IRN"), rung=4,
                        detail="a detail", post=0)
    sentence = describe_event(c, e)
    what, _ = _what(c, e)
    # The fall-backs print the bare kind; a kind with words of its own never does.
    assert not sentence.startswith(f"{kind} "), sentence
    assert what != kind, what
