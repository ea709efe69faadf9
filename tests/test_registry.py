"""The outcome registry is the one place outcomes are declared, and every stage follows it.

Three kinds of check: the registry itself and the engine's named columns agree; every entry
reaches what users see (stored columns, summary JSON, report, CLI), and an outcome added to the
registry alone reaches them too (in a fresh interpreter, with the engine's output patched to fill
its column); and no module keeps a list of outcome names of its own.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from escalade import cli, registry
from escalade.engine import layout
from escalade.experiments.design import load_cell, run_design
from escalade.outcomes import Summary, summarise
from escalade.registry import OUTCOMES, of_kind
from escalade.reports.build import report_data
from escalade.reports.data import main_outcomes
from escalade.scenario.schema import POST_KINDS
from escalade.storage.record import execute
from escalade.storage.store import Store, actor_column, raw_from_frame, run_column

ROOT = Path(__file__).resolve().parent.parent


def test_the_registry_is_consistent_and_the_engine_columns_follow_it() -> None:
    registry.check()
    named = {"regional_war": layout.D_WAR, "protector_in_combat": layout.D_COMBAT,
             "ceasefire_reached": layout.D_CF_REACHED, "ceasefire": layout.D_CF_HELD,
             "hostages_returned": layout.D_HOSTAGES, "war_days": layout.D_WAR_DAYS,
             "protector_defending": layout.D_DEFEND, "protector_entrapped": layout.D_ENTRAP,
             "protector_own": layout.D_OWN,
             "strikes": layout.O_STRIKES, "strikes_initiated": layout.O_INIT,
             "leaders_lost": layout.O_LEADERS, "casualties": layout.O_CAS,
             "reputation_cost": layout.O_REP, "abandoned": layout.O_ABANDON, "helped": layout.O_HELPED}
    # leaders lost by post: one column per post of the scenario schema, in its order
    assert tuple(o.post for o in of_kind("actor") if o.post) == POST_KINDS
    named |= {f"{k}_lost": col for k, col in zip(POST_KINDS, layout.O_POST_LOST, strict=True)}
    assert set(named) == {o.name for o in OUTCOMES}, "every outcome has a named engine column"
    for name, col in named.items():
        assert type(col) is int and col == registry.column(name)  # numba wants plain ints
    assert len(registry.per_run()) == layout.N_DAY and len(of_kind("actor")) == layout.N_ACT
    assert tuple(o.name for o in of_kind("first_day")) == layout.DAY_NAMES
    assert tuple(o.name for o in of_kind("actor")) == layout.ACTOR_NAMES


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: (*t, t[0]), "declared twice"),
    (lambda t: (*t, dataclasses.replace(t[0], name="gap", column=12)), "are not 0.."),
    (lambda t: tuple(dataclasses.replace(o, column=0) if o.name == "war_days"
                     else dataclasses.replace(o, column=8) if o.name == "regional_war" else o for o in t),
     "before the counts"),
    (lambda t: tuple(dataclasses.replace(o, report=True) if o.kind == "actor" else o for o in t),
     "first-day outcomes only"),
    (lambda t: tuple(dataclasses.replace(o, difference_horizons=(30,)) if o.name == "hostages_returned"
                     else o for o in t), "need horizons=True"),
    (lambda t: tuple(dataclasses.replace(o, description="") if o.name == "casualties" else o for o in t),
     "needs a description"),
    (lambda t: tuple(dataclasses.replace(o, name="Bad-Name") if o.name == "helped" else o for o in t),
     "lower-case identifier"),
])
def test_check_refuses_an_inconsistent_table(change, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        registry.check(change(OUTCOMES))


def test_every_outcome_reaches_storage_summary_report_and_cli(capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored comparison carries each entry: its stored column, its key in the summary JSON,
    the report's chart and differences when flagged, and the CLI's tables."""
    design = run_design("compare", "levant-2024", ["informal", "no-guarantee"], 60, 5, 100, [],
                        keep_paths=True)
    store = Store()
    rid = execute(store, design)
    stored = store.get(rid)
    frame = store.replicates(rid, 0)
    doc = stored.cells[0]["summary"]
    summary = Summary.from_json(doc)
    ids = list(summary.actors)
    for o in OUTCOMES:
        if o.kind == "actor":
            assert all(actor_column(a, o.name) in frame for a in ids), o.name
            assert all(o.name in doc["actors"][a] for a in ids), o.name
        else:
            assert run_column(o) in frame, o.name
        if o.kind == "first_day":
            assert o.name in doc["outcomes"], o.name
        if o.kind == "count":
            assert o.name in doc and o.name in summary.counts, o.name
    report = report_data(store, rid)
    charted = main_outcomes(report.series)
    assert [o.name for o in of_kind("first_day") if o.report] == charted[:len(charted) - 2]
    assert charted[-2:] == ["regional_war_30d", "regional_war_90d"]  # chart_horizons
    assert report.differences is not None
    rows = {r["outcome"] for r in report.differences}
    assert {o.name for o in of_kind("first_day") if o.differences} <= rows
    monkeypatch.setattr(cli.out, "_width", 250)  # no wrapped headers
    cli.print_summary("t", summary)
    text = capsys.readouterr().out
    for o in OUTCOMES:
        shown = {"first_day": o.name, "count": o.label, "actor": o.name.replace("_", " ")}[o.kind]
        if o.post:  # leaders lost by post: one line, by post
            shown = f"{o.post}: "
        assert shown in text, o.name
    _, compiled = load_cell(stored.design, stored.design.cells[0])
    assert summarise(raw_from_frame(frame, compiled, design.seed)).to_json() == doc


def test_results_stored_before_a_count_existed_still_load(capsys: pytest.CaptureFixture[str]) -> None:
    """A frame and a summary without ``war_days`` (stored before it was counted) load as before:
    the count reads 0 per replicate and the summary has no count, so the CLI prints no line."""
    design = run_design("run", "levant-2024", [None], 40, 2, 50, [])
    store = Store()
    rid = execute(store, design)
    stored = store.get(rid)
    frame = store.replicates(rid, 0).drop(columns=["war_days"])
    _, compiled = load_cell(stored.design, stored.design.cells[0])
    back = raw_from_frame(frame, compiled, design.seed)
    assert (back.days_out[:, layout.D_WAR_DAYS] == 0).all()
    doc = dict(stored.cells[0]["summary"])
    del doc["war_days"]
    old = Summary.from_json(doc)
    assert old.counts == {} and old.to_json() == doc
    cli.print_summary("t", old)
    assert "days at war" not in capsys.readouterr().out
    with pytest.raises(KeyError):  # an outcome every stored result has is not made up
        raw_from_frame(frame.drop(columns=["ceasefire_day"]), compiled, design.seed)


NEW_OUTCOME = textwrap.dedent("""
    import dataclasses, json, sys
    import numpy as np
    import escalade.registry as R

    # One registry entry: a first day (so it goes before the count, which moves one column on).
    nf = len(R.of_kind("first_day"))
    new = R.Outcome("port_closed", "first_day", nf, "the strait is closed to shipping", "day",
                    "port closed", short="port closed", horizons=True, report=True, headline=True,
                    differences=True)
    R.OUTCOMES = (*(dataclasses.replace(o, column=nf + 1) if o.kind == "count" else o
                    for o in R.OUTCOMES), new)
    R.check()

    # ... and the engine code that fills its column (emulated: the reference engine's output).
    from escalade.engine import layout, reference
    assert layout.N_DAY == nf + 2 and layout.D_WAR_DAYS == nf + 1
    plain = reference.simulate
    def filled(compiled, keys, *args, **kwargs):
        out = plain(compiled, keys, *args, **kwargs)
        out[0][:, nf] = np.where(keys % 3 == 0, (keys % 50 + 1).astype(np.int32), -1)
        return out
    reference.simulate = filled

    import io
    from rich.console import Console
    from escalade import cli
    from escalade.experiments.design import run_design, load_cell
    from escalade.outcomes import Summary, summarise, outcome_names
    from escalade.reports.build import report_data
    from escalade.reports.data import main_outcomes, sweep_outcome_names
    from escalade.storage.record import execute
    from escalade.storage.store import Store, raw_from_frame

    design = run_design("compare", "levant-2024", ["informal", "no-guarantee"], 40, 5, 40, [],
                        engine="reference", keep_paths=True)
    store = Store()
    rid = execute(store, design)
    stored = store.get(rid)
    frame = store.replicates(rid, 0)
    summary = Summary.from_json(stored.cells[0]["summary"])
    _, compiled = load_cell(stored.design, stored.design.cells[0])
    report = report_data(store, rid)
    buf = io.StringIO()
    cli.out = Console(file=buf, width=300)
    cli.print_summary("t", summary)
    print(json.dumps({
        "column": "port_closed_day" in frame and int(frame["port_closed_day"].notna().sum()),
        "war_days_column": "war_days" in frame,
        "summary": sorted(k for k in summary.outcomes if k.startswith("port_closed")),
        "names": [n for n in outcome_names(compiled) if n.startswith("port_closed")],
        "round_trip": summarise(raw_from_frame(frame, compiled, design.seed)) == summary,
        "chart": "port_closed" in main_outcomes(report.series),
        "differences": any(r["outcome"] == "port_closed" for r in report.differences),
        "sweep": "port_closed" in sweep_outcome_names([{"outcomes": summary.to_json()["outcomes"]}]),
        "cli": "the strait is closed to shipping" in buf.getvalue(),
    }))
""")


def test_an_outcome_added_to_the_registry_alone_reaches_every_stage(tmp_path: Path) -> None:
    """The point of the registry: with one new entry and an engine that fills its column, the
    outcome is stored, summarised (with horizons), charted, compared and printed, no stage
    edited. Run in a fresh interpreter, as the stages read the registry when imported."""
    env = os.environ | {"PYTHONPATH": str(ROOT), "ESCALADE_RESULTS": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", NEW_OUTCOME], capture_output=True, text=True,
                          env=env, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["column"] > 0 and got["war_days_column"]
    assert got["summary"] == ["port_closed", "port_closed_30d"]  # horizons shorter than 40 days
    assert got["names"] == ["port_closed", "port_closed_30d"]
    checks = ("round_trip", "chart", "differences", "sweep", "cli")
    assert {k: got[k] for k in checks} == dict.fromkeys(checks, True)


# Lists of outcome names that are not lists of the registry's outcomes, and why.
NOT_OUTCOME_LISTS = {
    "escalade/history/questions.py": "the backtest's question kinds (per pair or per protector)",
}


def _outcome_lists(tree: ast.AST, known: set[str]) -> list[tuple[int, list[str]]]:
    """Literal tuples, lists, sets and dict keys naming two or more registry outcomes (or their
    stored day columns): each such literal is a hand-kept copy of part of the registry."""
    found = []
    for node in ast.walk(tree):
        items: list[ast.expr | None] = []
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        hits = [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)
                and (e.value in known or e.value.removesuffix("_day") in known)]
        if len(hits) >= 2:
            found.append((node.lineno, hits))
    return found


def test_no_module_keeps_its_own_list_of_outcomes() -> None:
    known = {o.name for o in OUTCOMES}
    offenders = []
    for path in sorted((ROOT / "escalade").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "escalade/registry.py" or rel in NOT_OUTCOME_LISTS:
            continue
        found = _outcome_lists(ast.parse(path.read_text()), known)
        offenders += [f"{rel}:{line} {hits}" for line, hits in found]
    assert not offenders, ("outcome names listed outside escalade/registry.py; read them from the "
                           "registry instead:\n" + "\n".join(offenders))


def test_the_list_finder_finds_a_hand_kept_list() -> None:
    """The scan above is not vacuous: the old literals it replaced are caught."""
    known = {o.name for o in OUTCOMES}
    old = ('MAIN = ("regional_war", "ceasefire")\nDESC = {"war_days": 1, "strikes": 2}\n'
           'X = ["regional_war_day", "y"]\n')
    assert [line for line, _ in _outcome_lists(ast.parse(old), known)] == [1, 2]


def test_results_stored_before_posts_still_load(capsys: pytest.CaptureFixture[str]) -> None:
    """A frame and a summary without the losses by post (stored before posts) load: the tallies
    read 0 per replicate, the summary lacks them, and the CLI prints no line of them."""
    design = run_design("run", "levant-2024", [None], 40, 2, 50, [])
    store = Store()
    rid = execute(store, design)
    stored = store.get(rid)
    frame = store.replicates(rid, 0)
    ids = list(stored.cells[0]["summary"]["actors"])
    posts = [o.name for o in of_kind("actor") if o.post]
    frame = frame.drop(columns=[actor_column(a, m) for a in ids for m in posts])
    _, compiled = load_cell(stored.design, stored.design.cells[0])
    back = raw_from_frame(frame, compiled, design.seed)
    assert (back.actor_out[:, :, list(layout.O_POST_LOST)] == 0).all()
    doc = dict(stored.cells[0]["summary"])
    doc["actors"] = {a: {m: v for m, v in ms.items() if m not in posts}
                     for a, ms in doc["actors"].items()}
    doc["actors_ci"] = {a: {m: v for m, v in ms.items() if m not in posts}
                        for a, ms in doc["actors_ci"].items()}
    old = Summary.from_json(doc)
    cli.print_summary("t", old)
    out = capsys.readouterr().out
    assert "per actor" in out and "leaders lost by post" not in out
