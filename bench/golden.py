"""The golden baseline: levant-2024's outcomes under each policy, at a fixed seed, kept in
tests/data/golden-levant-2024.json so that no change to the model moves them unnoticed.

tests/test_golden.py reruns the same design and fails when an outcome moves by more than four
Monte Carlo standard errors. A deliberate change to the model refreshes the file:

    .venv/bin/python bench/golden.py --write     # then commit the file with the change, saying why
    .venv/bin/python bench/golden.py             # show what moved, without writing
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from escalade.compile import compile_scenario
from escalade.engine.layout import ACTOR_NAMES
from escalade.engine.run import simulate
from escalade.outcomes import indicators
from escalade.registry import of_kind
from escalade.scenario.load import load_scenario

FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "golden-levant-2024.json"
SCENARIO, RUNS, SEED = "levant-2024", 4000, 0
POLICIES = ("informal", "formal-pact", "formal-no-void", "informal-red-line", "no-guarantee", "aid-cut")
METRICS = ("strikes", "strikes_initiated", "casualties", "leaders_lost", "head_lost", "military_lost",
           "political_lost")


def measure() -> dict[str, Any]:
    """Every outcome's probability and each actor's mean metrics, with their spreads."""
    doc: dict[str, Any] = {"scenario": SCENARIO, "runs": RUNS, "seed": SEED, "policies": {}}
    for policy in POLICIES:
        c = compile_scenario(load_scenario(SCENARIO, policy).scenario)
        raw = simulate(c, RUNS, SEED)
        out = {name: float(v.mean()) for name, v in indicators(raw).items()}
        means: dict[str, list[float]] = {}
        for a, aid in enumerate(c.ids):
            for m in METRICS:
                x = raw.actor_out[:, a, ACTOR_NAMES.index(m)]
                means[f"{aid}.{m}"] = [float(x.mean()), float(x.std(ddof=1))]
        for o in of_kind("count"):  # war_days
            x = raw.days_out[:, o.column].astype(float)
            means[o.name] = [float(x.mean()), float(x.std(ddof=1))]
        doc["policies"][policy] = {"p": out, "mean_sd": means}
    return doc


def moved(golden: dict[str, Any], now: dict[str, Any], z: float = 4.0) -> list[str]:
    """What moved by more than ``z`` Monte Carlo standard errors (of the golden values)."""
    n = golden["runs"]
    found = []
    for policy, g in golden["policies"].items():
        c = now["policies"].get(policy)
        if c is None:
            found.append(f"{policy}: missing")
            continue
        for name, p in g["p"].items():
            q = c["p"].get(name)
            se = math.sqrt(max(p * (1 - p), 1.0 / n) / n)
            if q is None or abs(q - p) > z * se:
                found.append(f"{policy} {name}: {p:.4f} -> {q}")
        for name, (m, sd) in g["mean_sd"].items():
            q = c["mean_sd"].get(name, [None])[0]
            se = max(sd, 1e-9) / math.sqrt(n)
            if q is None or abs(q - m) > z * se + 1e-9 * max(1.0, abs(m)):
                found.append(f"{policy} {name}: {m:.4f} -> {q}")
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="refresh the golden file")
    args = ap.parse_args()
    now = measure()
    if FILE.exists():
        changes = moved(json.loads(FILE.read_text()), now)
        print("\n".join(changes) if changes else "nothing moved beyond 4 standard errors")
    if args.write:
        FILE.write_text(json.dumps(now, indent=1, sort_keys=True, allow_nan=False) + "\n")
        print(f"wrote {FILE.name}")


if __name__ == "__main__":
    main()
