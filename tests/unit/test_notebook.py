"""Results records and glue."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dlbook import notebook
from dlbook.training import TrainingRun


def test_results_record_values_profile_and_training(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLBOOK_PROFILE", "full")
    results = notebook.Results("demo", seed=7)
    assert results.glue("accuracy", np.float32(0.5)) == 0.5
    assert isinstance(results.glue("counts", np.array([1, 2]))[0], int)
    run = TrainingRun(name="m", history={"loss": [0.9, 0.5], "val_loss": [1.0, 0.6]}, seconds=12.345,
                      cached=True, key="k", path=Path("."))
    results.add_training(run)
    record = json.loads((isolated_environment / "metrics" / "demo.json").read_text())
    assert record["profile"] == "full" and record["seed"] == 7 and record["chapter"] == "demo"
    assert record["values"] == {"accuracy": 0.5, "counts": [1, 2]}
    # The cache entry too: the build exports the very weights the chapter used (live panels).
    assert record["training"]["m"] == {"seconds": 12.35, "epochs": 2, "cached": True,
                                       "final": {"loss": 0.5, "val_loss": 0.6}, "key": "k", "path": "."}
    assert record["training_seconds"] == 12.35


def test_saved_arrays_read_back_without_pickle(isolated_environment: Path) -> None:
    results = notebook.Results("arrays")
    path = results.save_arrays("panel", scores=np.array([0.25, 0.75], np.float32), words=np.array(["", "[UNK]", "été"]),
                               length=150)
    assert path == isolated_environment / "metrics" / "arrays.panel.npz"
    with np.load(path, allow_pickle=False) as archive:  # strings as fixed-width Unicode, not objects
        np.testing.assert_array_equal(archive["scores"], [0.25, 0.75])
        assert archive["scores"].dtype == np.float32
        assert list(archive["words"]) == ["", "[UNK]", "été"] and int(archive["length"]) == 150
    assert json.loads(results.path.read_text())["arrays"] == {"panel": "arrays.panel.npz"}


def test_verdicts_are_recorded_with_their_branch(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dlbook.prose import Verdict

    glued = {}
    monkeypatch.setattr("myst_nb.glue", lambda name, value, display=False: glued.setdefault(name, value))
    results = notebook.Results("ids")
    value = results.glue("gap_verdict", Verdict("the gap is small", "small"))
    results.glue("cost_verdict", Verdict("slow here", "slow", lesson=False))
    results.glue("plain_verdict", "no id")
    # The page and the record get the plain sentence (IPython shows a str subclass by its own repr).
    assert type(value) is str and type(glued["gap_verdict"]) is str and value == "the gap is small"
    record = json.loads(results.path.read_text())
    assert record["values"]["gap_verdict"] == "the gap is small"
    assert record["verdict_ids"] == {"gap_verdict": {"id": "small", "lesson": True},
                                     "cost_verdict": {"id": "slow", "lesson": False}}


def test_figures_are_glued_but_not_recorded(isolated_environment: Path) -> None:
    import matplotlib.pyplot as plt

    results = notebook.Results("figs")
    fig = plt.figure()
    results.glue("fig", fig)
    plt.close(fig)
    record = json.loads(results.path.read_text())
    assert "fig" not in record["values"]


def test_setup_is_reproducible() -> None:
    notebook.setup(seed=3)
    first = np.random.random(3)
    notebook.setup(seed=3)
    np.testing.assert_array_equal(first, np.random.random(3))
