"""A fuzz suite over scenario input (issue 8): a few hundred seeded mutations of the default scenario.

Every case must end with exit 0 and a valid result, or exit 2 and one message naming the file (or
the ``--set``); never a traceback, a hang or a crash. ``make fuzz`` runs the same mutator over
10,000 cases (``bench/fuzz.py``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = 300
SEED = 8  # the number; any seed must pass


def _load_fuzz():
    spec = importlib.util.spec_from_file_location("escalade_bench_fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()


def _report(bad: list) -> str:
    return "\n".join(f"case {i} [{c.kind}] {c.what}: {verdict}: {detail}"
                     for i, c, verdict, detail in bad[:10])


def test_the_mutator_is_seeded() -> None:
    a, b = fuzz.Mutator(SEED), fuzz.Mutator(SEED)
    assert all(a.case(i) == b.case(i) for i in range(20))
    assert a.case(0) != fuzz.Mutator(SEED + 1).case(0) or a.case(1) != fuzz.Mutator(SEED + 1).case(1)


def test_a_few_hundred_mutations_end_cleanly() -> None:
    tally, bad, by_kind = fuzz.run_cases(range(CASES), SEED)
    assert not bad, _report(bad)
    assert tally["ok"] > 0 and tally["clean error"] > CASES // 2, tally
    assert sum(tally.values()) == CASES
    kinds = Counter(kind for kind, _ in by_kind.elements())
    assert set(kinds) == set(fuzz.Mutator(SEED).kinds), kinds


@pytest.mark.parametrize("kind", ["nesting", "aliases", "bytes"])
def test_crash_prone_cases_in_a_fresh_process(tmp_path: Path, kind: str) -> None:
    """Where a segfault or the memory killer would show: a real process per case."""
    mutator = fuzz.Mutator(SEED + 1)
    cases = [c for c in (mutator.case(i) for i in range(200)) if c.kind == kind][:2]
    runner = fuzz.Runner(tmp_path)
    for n, case in enumerate(cases):
        path = tmp_path / f"{kind}-{n}.yaml"
        path.write_bytes(case.data)
        verdict, detail = runner._subprocess(path, case)
        assert verdict in fuzz.GOOD, f"[{kind}] {case.what}: {verdict}: {detail}"


def test_the_classifier_tells_the_categories_apart() -> None:
    label = "/tmp/x.yaml"
    assert fuzz._classify(0, "", None, label)[0] == "ok"
    assert fuzz._classify(2, f"error: {label}: days: bad\n", None, label)[0] == "clean error"
    assert fuzz._classify(2, "error: something went wrong\n", None, label)[0] == "unclear"
    assert fuzz._classify(1, "Traceback (most recent call last):", None, label)[0] == "traceback"
    assert fuzz._classify(None, "", KeyError("x"), label)[0] == "traceback"
    assert fuzz._classify(-11, "", None, label)[0] == "crash"
