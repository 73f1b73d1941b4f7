"""``dlbook train`` finds the very models the book build trained, and reports the book's numbers.

Run after the book build, with the build's model cache (``DLBOOK_CACHE``, as
scripts/test.sh sets it): every task must load from the cache, train nothing,
and its key metric must equal the number the chapter glued into the page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
METRICS = Path(os.environ.get("DLBOOK_METRICS") or ROOT / "_build" / "metrics")

#: task -> (chapter record, glued name, the summary's label, unit after the number)
CASES = {
    "autoencoder": ("autoencoder", "test_bce", "test binary cross-entropy per pixel:", 1.0),
    "denoising": ("denoising-autoencoder", "noisy_denoiser_mse", "test MSE after denoising:", 1.0),
    "textgen": ("text-generation", "validation_bits", "validation loss (bits per character):", 1.0),
    "sentiment": ("sentiment", "lstm_test_accuracy", "test accuracy at threshold 0.5:", 100.0),
}


@pytest.fixture(scope="module", autouse=True)
def built_book() -> None:
    if not all((METRICS / f"{record}.json").is_file() for record, *_ in CASES.values()):
        if os.environ.get("DLBOOK_REQUIRE_BOOK") == "1":
            pytest.fail("No results records in _build/metrics: the build failed or did not run.")
        pytest.skip("The book is not built (run scripts/build.sh first).")


@pytest.mark.parametrize("task", list(CASES))
def test_train_loads_the_book_model_and_reports_its_number(task: str) -> None:
    record, glued, label, scale = CASES[task]
    book = json.loads((METRICS / f"{record}.json").read_text())
    environment = {**os.environ, "DLBOOK_PROFILE": book["profile"]}
    result = subprocess.run([sys.executable, "-m", "dlbook", "train", task], capture_output=True, text=True,
                            cwd=ROOT, env=environment, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded from the training cache" in result.stdout, result.stdout
    assert "val_loss:" not in result.stdout  # no training progress: nothing trained
    values = [line.split(label, 1)[1].split()[0] for line in result.stdout.splitlines() if label in line]
    assert len(values) == 1, result.stdout  # one line per label
    reported = float(values[0].rstrip("%")) / scale
    # The summary prints 4 decimals (percentages with 2), so they agree to 0.5e-4.
    assert reported == pytest.approx(book["values"][glued], abs=0.6e-4), result.stdout
