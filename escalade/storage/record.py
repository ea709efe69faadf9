"""Run a design and keep every finished cell: the one place where experiments meet storage.

``execute`` registers the result, runs the cells one after another and stores each as soon as
it finishes; ``resume`` runs only the cells a stored result is missing. Since every cell is a
pure function of the design (same seed, same replicate keys), a resumed result is identical to
one that was never interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from escalade.errors import UserError
from escalade.experiments.design import CellResult, Design, check, prepare, run_cells
from escalade.outcomes import summarise
from escalade.storage.store import Store

COMMIT_EVERY_S = 1.0
ChunkCallback = Callable[[int, int], None]
CellCallback = Callable[[CellResult], None]


def _run(store: Store, result_id: str, design: Design, skip: set[int],
         on_chunk: ChunkCallback | None, on_cell: CellCallback | None, chunk: int | None,
         on_begin: Callable[[str], None] | None = None) -> None:
    """Run the cells; whatever stops it (Ctrl-C, SIGTERM, an error) is written to the catalogue.

    Each cell's files are written as soon as it finishes; catalogue rows are committed at most
    every ``COMMIT_EVERY_S`` seconds (opening the catalogue costs tens of milliseconds, which
    would dominate designs of many small cells). A hard kill loses at most that much work: a
    cell whose file exists but whose row was not committed is simply run again on resume.
    """
    pending: list[dict[str, Any]] = []
    last = time.monotonic()
    try:
        store.set_status(result_id, "running")
        if on_begin is not None:
            on_begin(result_id)
        for res in run_cells(design, skip, on_chunk, chunk):
            pending.append(store.write_cell(result_id, res, summarise(res.raw).to_json()))
            if time.monotonic() - last >= COMMIT_EVERY_S:
                store.commit_cells(result_id, pending)
                pending, last = [], time.monotonic()
            if on_cell is not None:
                on_cell(res)
        store.commit_cells(result_id, pending)
    except KeyboardInterrupt:
        store.commit_cells(result_id, pending)
        store.set_status(result_id, "interrupted")
        raise
    except BaseException:
        store.commit_cells(result_id, pending)
        store.set_status(result_id, "failed")
        raise
    store.set_status(result_id, "done")


def execute(store: Store, design: Design, command: str | None = None,
            on_chunk: ChunkCallback | None = None, on_cell: CellCallback | None = None,
            chunk: int | None = None, on_begin: Callable[[str], None] | None = None) -> str:
    """Register, run and store a design; returns the result id.

    Every cell is loaded first, so a bad override fails before anything is registered.
    ``on_begin(id)`` is called once the result is registered (so a caller can print how to
    resume it before the long part starts).
    """
    check(design)
    base, compiled = prepare(design.scenario, None, list(design.overrides), design.days)
    design = design.with_default_policy(base.policy)
    result_id, stored_design = store.begin(design, source=design.scenario,
                                           scenario_name=base.scenario.name,
                                           scenario_text=base.text, scenario_hash=base.hash,
                                           days=compiled.days, command=command)
    _run(store, result_id, stored_design, set(), on_chunk, on_cell, chunk, on_begin)
    return result_id


def resume(store: Store, result_id: str, on_chunk: ChunkCallback | None = None,
           on_cell: CellCallback | None = None, chunk: int | None = None) -> tuple[str, Design, int]:
    """Finish the missing cells of a stored result; returns (id, design, cells run now)."""
    stored = store.get(result_id)
    result_id = stored.id
    if stored.meta["status"] == "done" and len(stored.cells) == stored.meta["cells_total"]:
        raise UserError(f"result {result_id} is already complete ({len(stored.cells)} cells); "
                        "nothing to resume")
    design = stored.design.with_scenario(str(store.scenario_copy(result_id)))
    done = {int(c["cell"]) for c in stored.cells if (store.root / c["file"]).is_file()}
    todo = len(design.cells) - len(done)
    _run(store, result_id, design, done, on_chunk, on_cell, chunk)
    return result_id, design, todo


def cell_rows(store: Store, result_id: str) -> list[dict[str, Any]]:
    """Each stored cell as {point, policy, params, scenario_hash, outcomes} for tables and JSON."""
    return [{"cell": c["cell"], "point": c["point"], "policy": c["policy"], "params": c["params"],
             "scenario_hash": c["scenario_hash"], "outcomes": c["summary"]["outcomes"]}
            for c in store.get(result_id).cells]
