"""Run a design and keep every finished cell: the one place where experiments meet storage.

``execute`` registers the result, runs the cells one after another and stores each as soon as
it finishes; ``resume`` runs only the cells a stored result is missing. Since every cell is a
pure function of the design (same seed, same replicate keys), a resumed result is identical to
one that was never interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from typing import Any

from escalade import __version__
from escalade.errors import UserError
from escalade.experiments.design import CellResult, Design, check, prepare, run_cells
from escalade.experiments.sensitivity import indices_from_summaries
from escalade.outcomes import summarise
from escalade.storage.store import CatalogueBusy, Store, outcome_values

COMMIT_EVERY_S = 1.0
FINAL_COMMIT_TRIES = 5  # each waits up to LOCK_WAIT_S for a reader to let go of the catalogue
ChunkCallback = Callable[[int, int], None]
CellCallback = Callable[[CellResult], None]


def _run(store: Store, result_id: str, design: Design, skip: set[int],
         on_chunk: ChunkCallback | None, on_cell: CellCallback | None, chunk: int | None,
         on_begin: Callable[[str], None] | None = None) -> None:
    """Run the cells; whatever stops it (Ctrl-C, SIGTERM, an error) is written to the catalogue.

    Each cell's files are written as soon as it finishes; catalogue rows are committed at most
    every ``COMMIT_EVERY_S`` seconds (opening the catalogue costs tens of milliseconds, which
    would dominate designs of many small cells). A hard kill loses at most that much work: a
    cell whose file exists but whose row was not committed is simply run again on resume. If
    another process holds the catalogue for long, rows wait and the cells go on running.
    A sensitivity analysis is done only once its indices are stored with it.
    """
    with store.writing(result_id):
        _run_locked(store, result_id, design, skip, on_chunk, on_cell, chunk, on_begin)


def _run_locked(store: Store, result_id: str, design: Design, skip: set[int],
                on_chunk: ChunkCallback | None, on_cell: CellCallback | None, chunk: int | None,
                on_begin: Callable[[str], None] | None) -> None:
    pending: list[dict[str, Any]] = []
    last = time.monotonic()

    def commit(must: bool) -> None:
        nonlocal pending, last
        for attempt in range(FINAL_COMMIT_TRIES if must else 1):
            try:
                store.commit_cells(result_id, pending)
                pending, last = [], time.monotonic()
                return
            except CatalogueBusy:
                if must and attempt == FINAL_COMMIT_TRIES - 1:
                    raise

    try:
        store.set_status(result_id, "running")
        if on_begin is not None:
            on_begin(result_id)
        for res in run_cells(design, skip, on_chunk, chunk):
            pending.append(store.write_cell(result_id, res, summarise(res.raw).to_json()))
            if time.monotonic() - last >= COMMIT_EVERY_S:
                commit(must=False)
            if on_cell is not None:
                on_cell(res)
        commit(must=True)
        if design.kind == "sensitivity":
            stored = _patiently(lambda: store.get(result_id))
            cells = {int(c["cell"]): c["summary"] for c in stored.cells}
            frames = {int(c["cell"]): store.read_frame(result_id, c["file"]) for c in stored.cells}
            values = {o: {i: outcome_values(f, o) for i, f in frames.items()}
                      for o in design.spec["outcomes"]}
            rows = indices_from_summaries(design, cells, values)
            _patiently(lambda: store.add_indices(result_id, rows))
        _patiently(lambda: store.set_status(result_id, "done"))
    except BaseException as exc:
        with contextlib.suppress(Exception):  # keep what finished; the first error is the one to report
            commit(must=False)
        with contextlib.suppress(Exception):
            store.set_status(result_id, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
        raise


def _patiently(step: Callable[[], Any]) -> Any:
    """A catalogue step retried while another process holds the file (each try waits LOCK_WAIT_S)."""
    for attempt in range(FINAL_COMMIT_TRIES):
        try:
            return step()
        except CatalogueBusy:
            if attempt == FINAL_COMMIT_TRIES - 1:
                raise
    return None


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
    try:  # the file as given, before --set (a file valid only with its overrides: hash the text)
        file_hash = prepare(design.scenario, None, [], None)[0].hash
    except UserError:
        file_hash = hashlib.sha256(base.text.encode("utf-8")).hexdigest()[:16]
    result_id, stored_design = store.begin(design, source=design.scenario,
                                           scenario_name=base.scenario.name,
                                           scenario_text=base.text, scenario_hash=file_hash,
                                           days=compiled.days, command=command)
    _run(store, result_id, stored_design, set(), on_chunk, on_cell, chunk, on_begin)
    return result_id


def resume(store: Store, result_id: str, on_chunk: ChunkCallback | None = None,
           on_cell: CellCallback | None = None, chunk: int | None = None) -> tuple[str, Design, int]:
    """Finish the missing cells of a stored result; returns (id, design, cells run now)."""
    stored = store.get(result_id)
    result_id = stored.id
    if stored.meta["version"] != __version__:
        raise UserError(f"result {result_id} was made by escalade {stored.meta['version']}, this is "
                        f"{__version__}: resuming would mix two versions of the model; run it again")
    design = stored.design.with_scenario(str(store.scenario_copy(result_id)))
    done = {int(c["cell"]) for c in stored.cells if store.has_file(result_id, c["file"])}
    complete = len(done) == len(design.cells) and (design.kind != "sensitivity" or store.indices(result_id))
    if complete and stored.meta["status"] == "done":
        raise UserError(f"result {result_id} is already complete ({len(done)} cells); nothing to resume")
    todo = len(design.cells) - len(done)
    _run(store, result_id, design, done, on_chunk, on_cell, chunk)
    return result_id, design, todo
