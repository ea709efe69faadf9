"""Fuzz escalade's scenario input: mutate the default scenario and check that every case ends well.

Each case is a mutation of ``levant-2024`` (its YAML text or its parsed structure): a deleted field,
a value of the wrong type, a non-finite or extreme number, an unknown key or actor id, a duplicate,
deep nesting, aliases, bad bytes, a broken policy, a wild ``--set``. Every case must end in one of

* ``ok``: exit 0 with a valid result (``validate`` says valid; a short ``run --json`` then prints
  strict JSON whose probabilities lie in [0, 1] and whose intervals contain their estimates);
* ``clean error``: exit 2 with one message that names the file (or the ``--set``);

and never in ``traceback`` (an exception escaped, or another exit status), ``unclear`` (exit 2
without naming where), ``hang`` (longer than the time bound) or ``crash`` (killed by a signal: a
segfault, the memory killer). Most cases run in-process through the CLI (Typer's CliRunner) under
``signal.alarm``; the crash-prone kinds (deep nesting, aliases, bad bytes) also run a few cases in
a subprocess, where a segfault would show.

    .venv/bin/python bench/fuzz.py --cases 10000            # make fuzz
    .venv/bin/python bench/fuzz.py --cases 200 --seed 3 -v  # print every failing case

Exits 1 if any case is a traceback, unclear, hang or crash, printing the first few.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOOD = ("ok", "clean error")
BAD = ("traceback", "unclear", "hang", "crash")
CATEGORIES = GOOD + BAD
TIME_BOUND_S = 20  # one case: validate every policy, then (when valid) a short run
SUBPROCESS_EVERY = 25  # every n-th crash-prone case also runs in a fresh process

_SOURCE = ROOT / "escalade" / "scenario" / "bundled" / "levant-2024.yaml"


@dataclass(frozen=True)
class Case:
    """One mutated input: the file's bytes, optional --set overrides, and what was done."""

    kind: str
    what: str
    data: bytes
    overrides: tuple[str, ...] = ()

    @property
    def crash_prone(self) -> bool:
        return self.kind in ("nesting", "aliases", "bytes")


# --- the mutator ------------------------------------------------------------------------------

WEIRD_NUMBERS: list[Any] = [
    math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, 2**63, 2**63 - 1, -(2**63), 2**64,
    10**30, -1, 0, 1, -0.0, 3650, 3651, 10**6, 10**6 + 1, 0.5, 1e-9, 99999999999999999999.5,
]
WEIRD_TEXT = ["Infinity", "-inf", ".nan", "NaN", "true", "yes", "1e999", "0x10", "", " ", "\u00e9",
              "ISR", "isr", "ZZZ", "A" * 500, "2024-02-30", "{", "[]", "null", "~", "0.5"]
WEIRD_VALUES: list[Any] = [None, True, False, [], {}, [1, 2], {"a": 1}, "x", [[["deep"]]],
                           {"ISR": None}, ["ISR", "ISR"]]
ID_SWAPS = ["ZZZ", "isr", "", "IS", "ISRAEL_LONG_NAME", "USA", "QAT", "HAM", 7, None]
YAML_SNIPPETS = ["&a", "*a", "*nope", "!!python/object/apply:os.system ['true']", "!!binary x",
                 "!!set {a, b}", "<<: *a", "? [a, b]", "- -", "{{{", "]]]", "'unterminated",
                 '"\\x00"', "%YAML 1.1", "--- !!str", "\t", "@", "`", "|", ">-"]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a parsed scenario (mapping keys and list indices)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _parent(node: Any, path: tuple) -> tuple[Any, Any]:
    return _get(node, path[:-1]), path[-1]


def _dump(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


def _leaf_paths(data: Any, want: Callable[[Any], bool]) -> list[tuple]:
    return [p for p in _paths(data) if want(_get(data, p))]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


class Mutator:
    """Seeded mutations of the default scenario; ``case(i)`` is the same for the same seed and i."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.text = _SOURCE.read_text(encoding="utf-8")
        self.data = yaml.safe_load(self.text)
        self.kinds: dict[str, Callable[[random.Random], Case]] = {
            "delete": self._delete, "type": self._wrong_type, "number": self._number,
            "unknown key": self._unknown_key, "unknown id": self._unknown_id,
            "duplicate": self._duplicate, "nesting": self._nesting, "aliases": self._aliases,
            "bytes": self._bytes, "text": self._text, "policy": self._policy,
            "override": self._override, "several": self._several,
        }

    def case(self, i: int) -> Case:
        rng = random.Random(f"{self.seed}:{i}")
        kind = rng.choice(list(self.kinds))
        return self.kinds[kind](rng)

    # structural mutations: change the parsed scenario and dump it again
    def _mutate(self, rng: random.Random, kind: str, edit: Callable[[Any, random.Random], str]) -> Case:
        data = copy.deepcopy(self.data)
        what = edit(data, rng)
        try:
            return Case(kind, what, _dump(data))
        except (ValueError, OverflowError, yaml.YAMLError) as exc:  # not representable: say so
            return Case(kind, f"{what} (undumpable: {exc})"[:200], self.text.encode())

    def _delete(self, rng: random.Random) -> Case:
        def edit(data: Any, rng: random.Random) -> str:
            path = rng.choice(_paths(data))
            parent, key = _parent(data, path)
            del parent[key]
            return f"deleted {'.'.join(map(str, path))}"
        return self._mutate(rng, "delete", edit)

    def _wrong_type(self, rng: random.Random) -> Case:
        def edit(data: Any, rng: random.Random) -> str:
            path = rng.choice(_paths(data))
            parent, key = _parent(data, path)
            parent[key] = copy.deepcopy(rng.choice(WEIRD_VALUES + WEIRD_TEXT))
            return f"{'.'.join(map(str, path))} = {parent[key]!r}"[:200]
        return self._mutate(rng, "type", edit)

    def _number(self, rng: random.Random) -> Case:
        def edit(data: Any, rng: random.Random) -> str:
            path = rng.choice(_leaf_paths(data, _is_number))
            parent, key = _parent(data, path)
            parent[key] = rng.choice([*WEIRD_NUMBERS, rng.uniform(-1e6, 1e6), rng.randint(-10**9, 10**9)])
            return f"{'.'.join(map(str, path))} = {parent[key]!r}"
        return self._mutate(rng, "number", edit)

    def _unknown_key(self, rng: random.Random) -> Case:
        def edit(data: Any, rng: random.Random) -> str:
            path = rng.choice([(), *_leaf_paths(data, lambda v: isinstance(v, dict))])
            node = _get(data, path)
            key = rng.choice(["resolv", "extra", "ISR2", "Actors", "set", "type", "", "0", "null"])
            node[key] = rng.choice([1, "x", None, [1]])
            return f"added {'.'.join(map(str, (*path, key)))}"
        return self._mutate(rng, "unknown key", edit)

    def _unknown_id(self, rng: random.Random) -> Case:
        def edit(data: Any, rng: random.Random) -> str:
            ids = set(data["actors"])
            path = rng.choice(_leaf_paths(data, lambda v: isinstance(v, str) and v in ids))
            parent, key = _parent(data, path)
            parent[key] = rng.choice(ID_SWAPS + sorted(ids))
            return f"{'.'.join(map(str, path))} = {parent[key]!r}"
        return self._mutate(rng, "unknown id", edit)

    def _duplicate(self, rng: random.Random) -> Case:
        lines = self.text.splitlines(keepends=True)
        choice = rng.randrange(3)
        if choice == 0:  # a duplicated line: often a duplicate key
            k = rng.randrange(len(lines))
            lines.insert(k, lines[k])
            return Case("duplicate", f"line {k + 1} twice", "".join(lines).encode())
        data = copy.deepcopy(self.data)
        lists = _leaf_paths(data, lambda v: isinstance(v, list) and v)
        path = rng.choice(lists)
        node = _get(data, path)
        if choice == 1:
            node.append(copy.deepcopy(rng.choice(node)))
            return Case("duplicate", f"{'.'.join(map(str, path))}: an item twice", _dump(data))
        pair = rng.choice(["ISR", "HEZ", "QAT", "USA"])
        where = rng.choice([("outcomes", "ceasefire", "pairs"), ("mediators", 0, "pairs")])
        _get(data, where).append([pair, pair if rng.random() < 0.5 else "ISR"])
        return Case("duplicate", f"{'.'.join(map(str, where))}: self or repeated pair", _dump(data))

    def _nesting(self, rng: random.Random) -> Case:
        depth = rng.choice([3, 10, 49, 50, 51, 60, 200, 1000, 5000, 100_000])
        style = rng.randrange(4)
        if style == 0:
            nested = "[" * depth + "]" * depth
        elif style == 1:
            nested = "{a: " * depth + "1" + "}" * depth
        elif style == 2:
            nested = "[" * depth  # unterminated
        else:
            nested = "- " * min(depth, 5000) + "x"  # block sequences on one line
        field = rng.choice(["description", "actors.ISR.posts.head.holders", "policies.informal.set.x",
                            "actors.ISR.resolve", "outcomes.horizons"])
        data = copy.deepcopy(self.data)
        node = data
        parts = field.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {}) if isinstance(node, dict) else node
        node[parts[-1]] = "@@NEST@@"
        text = _dump(data).decode().replace("'@@NEST@@'", nested if style != 3 else "\n" + nested)
        return Case("nesting", f"{field}: depth {depth}, style {style}", text.encode())

    def _aliases(self, rng: random.Random) -> Case:
        if rng.random() < 0.25:  # valid sharing: the dumper writes an anchor and its aliases
            data = copy.deepcopy(self.data)
            actors = [x for x, actor in data["actors"].items() if "posts" in actor]
            a, b = rng.sample(actors, 2)
            field = "posts.head.holders"  # (the dumper shares lists and mappings, not scalars)
            heads = data["actors"][a]["posts"]["head"], data["actors"][b]["posts"]["head"]
            heads[0]["holders"] = heads[1]["holders"] = [*heads[0]["holders"]]
            if rng.random() < 0.5:
                data["outcomes"]["ceasefire"]["pairs"][0] = data["outcomes"]["hostages"]["between"] = \
                    list(data["outcomes"]["ceasefire"]["pairs"][0])
            return Case("aliases", f"actors.{a}.{field} shared with {b}", _dump(data))
        levels = rng.choice([1, 2, 4, 6, 9, 12])
        width = rng.choice([2, 5, 9, 10])
        lines = ['a0: &a0 ["lol"]']
        for k in range(1, levels + 1):
            lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]")
        laughs = "\n  ".join(lines)
        where = rng.choice(["description", "policies.informal.set", "actors.ISR.posts.head.holders",
                            "x_bomb"])
        data = copy.deepcopy(self.data)
        node = data
        parts = where.split(".")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = "@@BOMB@@"
        text = _dump(data).decode().replace("'@@BOMB@@'", "\n  " + laughs)
        if rng.random() < 0.3:  # shared actors: an alias reused where a --set changes one place
            text = text.replace("  ISR:\n", "  ISR: &isr\n", 1) + "\n"
        return Case("aliases", f"{where}: {levels} levels x {width}", text.encode())

    def _bytes(self, rng: random.Random) -> Case:
        raw = bytearray(self.text.encode("utf-8"))
        what = []
        for _ in range(rng.randint(1, 4)):
            k = rng.randrange(len(raw) + 1)
            choice = rng.randrange(6)
            if choice == 0:
                ins = bytes([rng.randrange(256)])
            elif choice == 1:
                ins = rng.choice([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1b[31m", b"\r", b"\t",
                                  b"\xc3", b"\xe2\x80\xae", b"\x85", b"\xf0\x9f\x92\xa5"])
            elif choice == 2:
                del raw[k:]
                what.append(f"truncated at {k}")
                continue
            elif choice == 3:
                raw[k:k + 1] = b""
                what.append(f"byte {k} deleted")
                continue
            elif choice == 4:
                ins = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            else:
                ins = b"\x00" * rng.randint(1, 4)
            raw[k:k] = ins
            what.append(f"{ins[:8]!r} at {k}")
        if rng.random() < 0.02:
            raw = bytearray(b"a: 1\n" * 250_000)  # over the size limit
            what.append("1.25 MB")
        return Case("bytes", "; ".join(what), bytes(raw))

    def _text(self, rng: random.Random) -> Case:
        lines = self.text.splitlines(keepends=True)
        k = rng.randrange(len(lines))
        choice = rng.randrange(4)
        if choice == 0:
            del lines[k]
            what = f"line {k + 1} deleted"
        elif choice == 1:
            lines[k] = " " * rng.randint(1, 6) + lines[k]
            what = f"line {k + 1} indented"
        elif choice == 2:
            col = rng.randrange(len(lines[k]) + 1)
            lines[k] = lines[k][:col] + rng.choice(YAML_SNIPPETS) + lines[k][col:]
            what = f"line {k + 1}: snippet"
        else:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
            what = f"lines {k + 1} and {j + 1} swapped"
        return Case("text", what, "".join(lines).encode("utf-8"))

    def _policy(self, rng: random.Random) -> Case:
        data = copy.deepcopy(self.data)
        name = rng.choice(list(data["policies"]))
        pol = data["policies"][name]
        choice = rng.randrange(6)
        if choice == 0:
            pol["set"] = rng.choice(["actors.ISR.resolve=1", ["a", "b"], 5, None, {"": 1}])
        elif choice == 1:
            path = rng.choice(["actors.-0.resolve", "relations.-0.grievance", "relations.999.grievance",
                               "a..b", ".", "actors.ISR.resolve.x", "relations.ISR>HAM.grievance",
                               "actors.ISR.leader_vacant_days", "outcomes.hostages.held", "days",
                               "start_date", "relations.0" + "0" * 20 + ".grievance"])
            pol.setdefault("set", {})
            if not isinstance(pol["set"], dict):
                pol["set"] = {}
            pol["set"][path] = rng.choice(WEIRD_NUMBERS + WEIRD_TEXT + WEIRD_VALUES)
        elif choice == 2:
            pol["injects"] = rng.choice(["x", [{"type": "ceasefire", "day": 5, "between": ["ISR", "ISR"]}],
                                         [{"type": "attack", "day": 10**9, "actor": "ISR", "target": "HEZ",
                                           "rung": 3}], {"a": 1}, [None]])
        elif choice == 3:
            data["policies"] = rng.choice([[], "x", {1: {"description": "x"}, "a": None}, None])
        elif choice == 4:
            data["default_policy"] = rng.choice(["nope", 5, None, ["informal"], "informal"])
        else:
            del pol["description"]
        return Case("policy", f"policy {name}: change {choice}", _dump(data))

    def _override(self, rng: random.Random) -> Case:
        paths = [".".join(map(str, p)) for p in _paths(self.data)
                 if p and p[0] not in ("policies", "ladder") and not isinstance(_get(self.data, p), dict)]
        sets = []
        for _ in range(rng.randint(1, 3)):
            path = rng.choice([*paths, "relations.-0.grievance", "start_date", "actors.ISR", "days",
                               "nope.x", "relations.ISR>HAM.grievance", "mediators.QAT.effort"])
            value = rng.choice(WEIRD_TEXT + [repr(v) for v in WEIRD_NUMBERS]
                               + ["9" * rng.choice([20, 5000, 100_000]), "[" * rng.choice([10, 60, 5000]),
                                  "2024-02-30", "[ISR, ISR]", ".inf", "1e30", "9223372036854775808"])
            sets.append(f"{path}={value}")
        return Case("override", " ".join(s[:60] for s in sets), self.text.encode(), tuple(sets))

    def _several(self, rng: random.Random) -> Case:
        data = copy.deepcopy(self.data)
        whats = []
        for _ in range(rng.randint(2, 5)):
            path = rng.choice(_paths(data))
            parent, key = _parent(data, path)
            if rng.random() < 0.5:
                del parent[key]
                whats.append(f"-{'.'.join(map(str, path))}")
            else:
                parent[key] = copy.deepcopy(rng.choice(WEIRD_VALUES + WEIRD_NUMBERS))
                whats.append(f"~{'.'.join(map(str, path))}")
        try:
            return Case("several", " ".join(whats)[:200], _dump(data))
        except (ValueError, yaml.YAMLError):
            return Case("several", "undumpable", self.text.encode())


# --- running a case ---------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in the code under test eats it."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def _check_result(doc: dict[str, Any]) -> str:
    """'' when a run's JSON is sound, else what is wrong with it."""
    for name, o in doc["outcomes"].items():
        if not all(isinstance(o[k], float | int) for k in ("p", "ci_low", "ci_high")):
            return f"{name}: a probability or bound is not a number: {o}"
        if not (0.0 <= o["ci_low"] <= o["p"] <= o["ci_high"] <= 1.0):
            return f"{name}: not 0 <= low <= p <= high <= 1: {o}"
    for actor, ms in doc["actors_ci"].items():
        for m, (lo, hi) in ms.items():
            v = doc["actors"][actor][m]
            if v is not None and lo is not None and (lo < 0 or not lo <= v <= hi):
                return f"{actor}.{m}: interval [{lo}, {hi}] around {v}"
    return ""


def _classify(code: int | None, output: str, exc: BaseException | None, label: str) -> tuple[str, str]:
    if exc is not None and not isinstance(exc, SystemExit):
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    if "Traceback" in output:
        return "traceback", output[-300:]
    if code == 0:
        return "ok", ""
    if code == 2:
        msg = output.strip()
        one = msg.startswith("error:") and sum(line.startswith("error:") for line in msg.splitlines()) == 1
        if one and (label in msg or "--set" in msg):
            return "clean error", ""
        return "unclear", msg[:300]
    if code is not None and code < 0:
        return "crash", f"killed by signal {-code}"
    return "traceback", f"exit {code}: {output[-300:]}"


class Runner:
    """Runs cases in-process through the CLI (and crash-prone ones now and then in a subprocess)."""

    def __init__(self, folder: Path, run_valid: bool = True, bound_s: int = TIME_BOUND_S) -> None:
        import typer.testing
        from typer.testing import CliRunner

        from escalade.cli import app

        self.app, self.runner = app, CliRunner()
        self._testing = typer.testing
        command = typer.testing._get_command(app)  # built once: Typer builds it anew on every call
        self._command = lambda _app: command
        self.folder, self.run_valid, self.bound_s = folder, run_valid, bound_s
        self.crash_prone_seen = 0

    def _invoke(self, args: list[str]) -> tuple[int | None, str, BaseException | None]:
        old = signal.signal(signal.SIGALRM, _alarm)
        build, self._testing._get_command = self._testing._get_command, self._command
        signal.alarm(self.bound_s)
        try:
            res = self.runner.invoke(self.app, args)
            return res.exit_code, res.output, res.exception
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
            self._testing._get_command = build

    def run(self, case: Case, index: int) -> tuple[str, str]:
        path = self.folder / f"case-{index}.yaml"
        path.write_bytes(case.data)
        label = str(path)
        try:
            if case.crash_prone:
                self.crash_prone_seen += 1
                if self.crash_prone_seen % SUBPROCESS_EVERY == 1:
                    verdict = self._subprocess(path, case)
                    if verdict[0] in BAD:
                        return verdict
            if case.overrides:
                args = ["run", label, "--runs", "4", "--days", "12", "--no-store", "--json"]
                for s in case.overrides:
                    args += ["--set", s]
                code, output, exc = self._invoke(args)
                verdict = _classify(code, output, exc, label)
                if verdict[0] == "ok":
                    return self._check_json(output)
                return verdict
            code, output, exc = self._invoke(["validate", label])
            verdict = _classify(code, output, exc, label)
            if verdict[0] != "ok" or not self.run_valid:
                return verdict
            code, output, exc = self._invoke(["run", label, "--runs", "4", "--days", "12", "--no-store",
                                              "--json"])
            verdict = _classify(code, output, exc, label)
            return self._check_json(output) if verdict[0] == "ok" else verdict
        except _Timeout:
            return "hang", f"more than {self.bound_s} s"
        finally:
            path.unlink(missing_ok=True)

    def _check_json(self, output: str) -> tuple[str, str]:
        try:
            doc = _strict_json(output)
        except ValueError as exc:
            return "traceback", f"run --json printed invalid JSON: {exc}"
        problem = _check_result(doc)
        return ("traceback", problem) if problem else ("ok", "")

    def _subprocess(self, path: Path, case: Case) -> tuple[str, str]:
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        env = os.environ | {"PYTHONPATH": path}
        try:
            proc = subprocess.run([sys.executable, "-m", "escalade", "validate", str(path)],
                                  capture_output=True, text=True, timeout=self.bound_s * 2, env=env)
        except subprocess.TimeoutExpired:
            return "hang", f"subprocess: more than {self.bound_s * 2} s"
        return _classify(proc.returncode, proc.stdout + proc.stderr, None, str(path))


def run_cases(cases: range, seed: int, run_valid: bool = True, verbose: bool = False,
              bound_s: int = TIME_BOUND_S) -> tuple[Counter, list[tuple[int, Case, str, str]], Counter]:
    """Run ``cases`` of the seeded mutator; returns the tally, the bad cases and a tally by kind."""
    mutator = Mutator(seed)
    tally: Counter = Counter({c: 0 for c in CATEGORIES})
    by_kind: Counter = Counter()
    bad: list[tuple[int, Case, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="escalade-fuzz-") as tmp:
        runner = Runner(Path(tmp), run_valid, bound_s)
        for i in cases:
            case = mutator.case(i)
            verdict, detail = runner.run(case, i)
            tally[verdict] += 1
            by_kind[(case.kind, verdict)] += 1
            if verdict in BAD:
                bad.append((i, case, verdict, detail))
                if verbose:
                    print(f"case {i} [{case.kind}] {case.what}: {verdict}: {detail}", flush=True)
    return tally, bad, by_kind


def _worker(args: tuple[int, int, int, bool, int]) -> tuple[Counter, list, Counter]:
    start, stop, seed, run_valid, bound_s = args
    tally, bad, by_kind = run_cases(range(start, stop), seed, run_valid, bound_s=bound_s)
    return tally, [(i, c.kind, c.what, v, d) for i, c, v, d in bad], by_kind


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--no-run", action="store_true", help="only validate valid cases, do not run them")
    ap.add_argument("--bound", type=int, default=TIME_BOUND_S, help="seconds a case may take")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    jobs = max(1, min(a.jobs, a.cases))
    edges = [a.cases * k // jobs for k in range(jobs + 1)]
    parts = [(edges[k], edges[k + 1], a.seed, not a.no_run, a.bound) for k in range(jobs)]
    if jobs == 1:
        results = [_worker(parts[0])]
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_worker, parts)
    tally: Counter = Counter({c: 0 for c in CATEGORIES})
    by_kind: Counter = Counter()
    bad: list = []
    for t, b, k in results:
        tally.update(t)
        by_kind.update(k)
        bad += b
    took = time.perf_counter() - t0
    print(f"escalade fuzz: {a.cases} cases, seed {a.seed}, {jobs} processes, {took:.0f} s")
    for c in CATEGORIES:
        print(f"  {c:12s} {tally[c]:7d}")
    kinds = sorted({k for k, _ in by_kind})
    print("by kind (ok / clean error / bad):")
    for k in kinds:
        good = [by_kind[(k, c)] for c in GOOD]
        print(f"  {k:12s} {good[0]:6d} {good[1]:6d} {sum(by_kind[(k, c)] for c in BAD):6d}")
    for i, kind, what, verdict, detail in sorted(bad)[:20]:
        print(f"case {i} [{kind}] {what}: {verdict}: {detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
