"""From a stored result to ``ReportData``, then to the HTML page and PNG figures.

Everything shown comes from the results database, except two things that are recomputed
exactly from the stored scenario and seed (replicate r always gets the same random numbers):
the sample trace, and the fan chart's daily paths when the result was run without
``--keep-paths`` (then only for the first ``PATHS_RUNS`` replicates, and the page says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from escalade.compile import WAR_RUNG
from escalade.engine.reference import simulate_replicate
from escalade.engine.rng import replicate_keys
from escalade.engine.run import simulate
from escalade.errors import UserError
from escalade.experiments.design import Cell, Design, load_cell
from escalade.outcomes import Estimate, compare
from escalade.registry import OUTCOMES, names_of, of_kind
from escalade.reports.data import MAX_LINE_SERIES, ReportData, Series
from escalade.reports.html import write_html
from escalade.reports.png import write_pngs
from escalade.reports.trace import render_trace
from escalade.storage.store import Store, raw_from_frame, replaceable, run_column

PATHS_RUNS = 2_000
DOCUMENT_KINDS = ("backtest", "replay")


def _label(design: Design, cell: Cell) -> str:
    if design.kind in ("run", "compare"):
        return cell.policy or "default policy"
    params = ", ".join(f"{k.split('.')[-1]}={v:.3g}" if isinstance(v, float) else f"{k.split('.')[-1]}={v}"
                       for k, v in cell.params.items())
    return f"point {cell.point} · {cell.policy or '-'}" + (f" · {params}" if params else "")


def _series(store: Store, rid: str, design: Design, stored_cell: dict[str, Any],
            frame: pd.DataFrame) -> tuple[Series, str]:
    cell = next(c for c in design.cells if c.index == stored_cell["cell"])
    event_days = {o.name: frame[run_column(o)].fillna(-1).to_numpy(np.int64)
                  for o in of_kind("first_day") if run_column(o) in frame}  # older results lack newer ones
    outcomes = {k: Estimate(v["p"], v["ci_low"], v["ci_high"])
                for k, v in stored_cell["summary"]["outcomes"].items()}
    paths = store.paths(rid, cell.index)
    note = ""
    if paths is None:
        _, compiled = load_cell(design, cell)
        n = min(design.runs, PATHS_RUNS)
        paths = simulate(compiled, n, design.seed, keep_paths=True).path
        note = (f"Daily paths were not stored (run with --keep-paths to store them); the fan chart "
                f"re-simulates the first {n} of {design.runs} replicates from the stored seed, "
                "which gives exactly the paths those replicates followed.")
    return Series(_label(design, cell), outcomes, event_days, paths), note


def report_data(store: Store, rid: str) -> ReportData:
    """Everything a report shows, from the catalogue, the Parquet files and the stored scenario."""
    stored = store.get(rid)
    rid = stored.id
    if not stored.cells:
        raise UserError(f"result {rid}: no finished cells yet, so nothing to report "
                        f"(status {stored.meta['status']})")
    design = stored.design.with_scenario(str(store.scenario_copy(rid)))
    meta = stored.meta
    if design.kind == "sensitivity" and not store.indices(rid):
        raise UserError(f"result {rid}: the sensitivity analysis is not finished ({len(stored.cells)} of "
                        f"{len(design.cells)} points, no indices yet); finish it with escalade "
                        f"sensitivity --resume {rid}, then write the report")
    chosen = stored.cells if design.kind in ("run", "compare") else stored.cells[:MAX_LINE_SERIES]
    if design.kind == "sensitivity":
        chosen = stored.cells[:1]
    frames = {c["cell"]: store.replicates(rid, c["cell"]) for c in chosen}  # read once, used twice
    built = [_series(store, rid, design, c, frames[c["cell"]]) for c in chosen]
    series = [s for s, _ in built]
    notes = sorted({n for _, n in built if n})
    first = next(c for c in design.cells if c.index == chosen[0]["cell"])
    loaded, compiled = load_cell(design, first)
    sc = loaded.scenario
    key = int(replicate_keys(design.seed, 0, 1)[0])
    trace = render_trace(compiled, simulate_replicate(compiled, key, trace=True))
    provenance = {k: v for k, v in meta.items() if k not in ("scenario_text", "design")}
    provenance["cells"] = f"{meta['cells_done']} of {meta['cells_total']}"
    if design.kind == "sensitivity":
        provenance["method"] = design.spec.get("method")
        provenance["outcomes explained"] = ", ".join(design.spec.get("outcomes", []))
    if design.kind in ("sweep", "sensitivity") and len(chosen) < len(stored.cells):
        notes.append(f"Curves and fan charts show the first {len(chosen)} of {len(stored.cells)} cells.")
    sweep_rows = None
    if design.kind == "sweep":
        sweep_rows = stored.cell_rows()
    indices = None
    if design.kind == "sensitivity":
        keys = ("outcome", "param", "method", "S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf",
                "sigma", "mu")
        indices = [{k: r[k] for k in keys if r.get(k) is not None} for r in store.indices(rid)]
    differences = _differences(design, stored.cells, frames) if design.kind == "compare" else None
    title = {"run": "Run", "compare": "Policy comparison", "sweep": "Parameter sweep",
             "sensitivity": "Global sensitivity analysis"}[design.kind]
    return ReportData(
        result_id=rid,
        kind=design.kind,
        title=f"{title}: {sc.name}",
        provenance=provenance,
        start_date=compiled.start_date,
        days=compiled.days,
        rung_names=tuple(compiled.rung_names),
        war_rung=int(compiled.MI[WAR_RUNG]),
        series=series,
        actors={aid: a.name for aid, a in sc.actors.items()},
        alliances=[(c.protector, c.protected, c.type) for c in sc.commitments],
        hostility=[(r.actor, r.target, float(r.hostility)) for r in sc.relations if r.hostility > 0],
        trace_lines=trace,
        trace_label=f"replicate 0 of {_label(design, first)}, seed {design.seed} "
                    f"(escalade trace reproduces it)",
        sweep_rows=sweep_rows,
        indices=indices,
        paths_note=" ".join(notes),
        differences=differences,
    )


# Rows of the differences table (flagged ``differences`` in the registry): the main outcomes, each
# followed by the horizons asked for, then the actor tallies a protector's adviser asks about.
DIFFERENCE_ROWS = tuple(row for o in OUTCOMES if o.differences and o.kind == "first_day"
                        for row in (o.name, *(f"{o.name}_{h}d" for h in o.difference_horizons)))
DIFFERENCE_ACTOR_METRICS = names_of("actor", "differences")


def _differences(design: Design, cells: list[dict[str, Any]],
                 frames: dict[int, pd.DataFrame]) -> list[dict[str, Any]]:
    """Paired differences of each policy against the first, rebuilt from the stored replicates."""
    raws = {}
    for c in cells:
        cell = next(x for x in design.cells if x.index == c["cell"])
        _, compiled = load_cell(design, cell)
        raws[cell.policy] = raw_from_frame(frames[cell.index], compiled, design.seed)
    base = design.cells[0].policy
    if base not in raws:
        return []
    rows = []
    for pol, raw in raws.items():
        if pol == base:
            continue
        diffs = compare(raws[base], raw)
        keys = [k for k in DIFFERENCE_ROWS if k in diffs]
        keys += [k for k in diffs if "." in k and k.split(".", 1)[1] in DIFFERENCE_ACTOR_METRICS
                 and (diffs[k].ci_low, diffs[k].ci_high) != (0.0, 0.0)]  # skip metrics never touched
        rows += [{"policy": pol, "baseline": base, "outcome": k, "diff": diffs[k].value,
                  "ci_low": diffs[k].ci_low, "ci_high": diffs[k].ci_high} for k in keys]
    return rows


def write_report(store: Store, rid: str, out: Path | None = None, png_dir: Path | None = None) -> Path:
    """Write ``out`` (default ``<results>/reports/<id>.html``) and, if asked, PNGs into ``png_dir``."""
    if png_dir is not None and png_dir.exists() and not png_dir.is_dir():
        raise UserError(f"--png {png_dir}: is a file; give a folder for the PNG figures")
    if out is not None:  # the Python API too: never over a device, pipe, link or folder
        replaceable(Path(out))
    stored = store.get(rid)
    if stored.meta["kind"] in DOCUMENT_KINDS:  # backtests and replays: a document, not cells
        from escalade.reports.history import write_history_report

        stored, doc = store.document(stored.id)
        kind = stored.meta["kind"]
        paths = None
        if kind == "replay" and doc.get("forecast"):
            frame = store.read_frame(stored.id, f"data/{stored.id}/paths.parquet")
            days = [c for c in frame.columns if c.startswith("d") and c[1:].isdigit()]
            paths = frame[days].to_numpy(np.int8)
        target = out or store.root / "reports" / f"{stored.id}.html"
        return write_history_report(kind, stored.meta, doc, paths, target, png_dir)
    data = report_data(store, rid)
    target = out or store.root / "reports" / f"{data.result_id}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_html(data, target)
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        write_pngs(data, png_dir)
    return target
