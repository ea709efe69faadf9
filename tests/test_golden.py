"""The default scenario's outcomes do not move unnoticed: a golden baseline, refreshed on purpose.

``bench/golden.py --write`` refreshes tests/data/golden-levant-2024.json when a change to the
model is meant to move them (commit it with the change and say why in the message).
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("golden", ROOT / "bench" / "golden.py")
assert spec is not None and spec.loader is not None
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


def test_levant_2024_outcomes_match_the_golden_baseline() -> None:
    stored = json.loads(golden.FILE.read_text())
    now = golden.measure()
    changes = golden.moved(stored, now)
    assert not changes, ("outcomes moved beyond 4 Monte Carlo standard errors; if the change to "
                         "the model is meant, run bench/golden.py --write:\n" + "\n".join(changes))


def test_the_comparison_sees_a_move() -> None:
    """A shift of a few standard errors in one outcome or one mean is reported, by name."""
    stored = json.loads(golden.FILE.read_text())
    shifted = copy.deepcopy(stored)
    n = stored["runs"]
    p = shifted["policies"]["informal"]["p"]["protector_entrapped"]  # a share away from 0 and 1
    shifted["policies"]["informal"]["p"]["protector_entrapped"] = p + 6 * (p * (1 - p) / n) ** 0.5
    m, sd = shifted["policies"]["formal-pact"]["mean_sd"]["ISR.strikes"]
    shifted["policies"]["formal-pact"]["mean_sd"]["ISR.strikes"] = [m - 6 * sd / n**0.5, sd]
    found = golden.moved(stored, shifted)
    assert any("informal protector_entrapped" in f for f in found)
    assert any("formal-pact ISR.strikes" in f for f in found)
    assert len(found) == 2
