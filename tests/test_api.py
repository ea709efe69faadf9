"""The Python API: result objects, reproducibility from the seed, and the example notebook."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from typer.testing import CliRunner

import escalade
from escalade.cli import app
from escalade.errors import UserError

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_run_returns_tables_and_is_stored() -> None:
    r = escalade.run(runs=300, days=40, seed=2)
    assert r.id is not None and r.kind == "run"
    o = r.outcomes.set_index("outcome")
    assert ((o.ci_low <= o.p) & (o.p <= o.ci_high)).all()
    frame = r.to_pandas()
    assert len(frame) == 300 and list(frame.replicate) == list(range(300))
    assert frame.regional_war_day.notna().mean() == pytest.approx(o.loc["regional_war", "p"])
    back = escalade.load(r.id)
    pd.testing.assert_frame_equal(back.outcomes, r.outcomes)
    pd.testing.assert_frame_equal(back.to_pandas(), frame)


def test_unstored_results_still_give_frames() -> None:
    r = escalade.run(runs=100, days=20, seed=2, store=False, set={"actors.IRN.resolve": 0.6})
    assert r.id is None and len(r.to_pandas()) == 100
    with pytest.raises(UserError, match="only stored results"):
        r.report()


def test_compare_differences_match_the_cli() -> None:
    c = escalade.compare(policies=["informal", "no-guarantee"], runs=300, days=50, seed=4)
    cli = json.loads(CliRunner().invoke(app, ["compare", "-p", "informal", "-p", "no-guarantee",
                                              "--runs", "300", "--days", "50", "--seed", "4",
                                              "--json"]).stdout)
    d = c.differences.set_index("outcome")
    for name in ("regional_war", "protector_in_combat", "ISR.strikes_initiated"):
        assert d.loc[name, "diff"] == pytest.approx(cli["differences"]["no-guarantee"][name]["diff"])
    # a reloaded comparison rebuilds its paired differences from the stored replicates
    pd.testing.assert_frame_equal(escalade.load(c.id).differences, c.differences)
    # and its report shows the same paired differences
    from escalade.reports.build import report_data
    from escalade.storage.store import Store

    shown = {r["outcome"]: r for r in report_data(Store(), c.id).differences or []}
    assert shown["regional_war"]["diff"] == pytest.approx(d.loc["regional_war", "diff"])
    assert shown["protector_in_combat"]["ci_low"] == pytest.approx(d.loc["protector_in_combat", "ci_low"])


def test_sweep_and_sensitivity_are_reproducible_from_the_seed() -> None:
    kw = {"grid": {"actors.ISR.retaliation_multiplier": [1.0, 2.0]}, "runs": 200, "days": 40, "seed": 6}
    a, b = escalade.sweep(**kw), escalade.sweep(**kw)
    assert a.id != b.id
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    sk = {"params": {"actors.IRN.resolve": (0.5, 0.9), "relations.ISR>HEZ.hostility": (0.3, 0.6)},
          "samples": 4, "runs": 100, "days": 40, "seed": 3, "outcomes": ["regional_war", "ISR.casualties"]}
    s1, s2 = escalade.sensitivity(**sk), escalade.sensitivity(**sk)
    pd.testing.assert_frame_equal(s1.indices, s2.indices)
    assert set(s1.indices.param) == {"actors.IRN.resolve", "relations.ISR>HEZ.hostility"}
    stored = escalade.load(s1.id)
    assert stored.kind == "sensitivity" and len(stored.indices) == 4  # 2 outcomes x 2 params
    s3 = escalade.sensitivity(**(sk | {"seed": 4}))
    assert not s3.indices[["S1", "ST"]].equals(s1.indices[["S1", "ST"]])


def test_example_notebook_runs_top_to_bottom(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ESCALADE_EXAMPLE_RUNS", "400")
    nb = nbformat.read(EXAMPLES / "quickstart.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    texts = " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "regional_war" in texts and "formal-pact" in texts and ".html" in texts


def test_api_accepts_arrays_single_policies_and_whole_number_hypercubes() -> None:
    import numpy as np

    s = escalade.sweep(grid={"actors.IRN.resolve": np.array([0.5, 0.9])}, policies="informal",
                       runs=20, days=10)
    assert s.design.policies == ["informal"] and len(s.cells) == 2
    h = escalade.sweep(lhs={"commitments.USA>ISR.join_rung": (3, 5)}, samples=8, runs=20, days=10)
    assert all(isinstance(v, int) for v in h.outcomes["commitments.USA>ISR.join_rung"])
