"""No global state, no import side effects: settings are read when used.

One process builds quick, then full: each setting, split and record must be
the active profile's, and importing the package must change nothing outside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from dlbook import autoencoders, config, notebook, sentiment, textgen

#: Each chapter module's profile-dependent constants, with their quick and full values.
PROFILE_CONSTANTS = {
    autoencoders: {"EPOCHS": (5, 50), "TRAIN_SIZE": (50_000, 50_000), "LEARNING_RATE": (0.003, 0.001)},
    textgen: {"EPOCHS": (2, 12), "TRAIN_CHARS": (None, None), "UNITS": (128, 512)},
    sentiment: {"EPOCHS": (2, 4), "TRAIN_SIZE": (20_000, 20_000), "TEST_SIZE": (5_000, 25_000),
                "SEQUENCE_LENGTH": (100, 300), "IMBALANCE_TRAIN_SIZE": (20_000, 20_000)},
}


def test_one_process_switches_from_quick_to_full(monkeypatch: pytest.MonkeyPatch) -> None:
    for index, profile in enumerate(("quick", "full", "quick")):
        monkeypatch.setenv("DLBOOK_PROFILE", profile)
        position = 0 if profile == "quick" else 1
        for module, constants in PROFILE_CONSTANTS.items():
            for name, values in constants.items():
                assert getattr(module, name) == values[position], f"{module.__name__}.{name} in {profile}"
                assert module.settings()[name] == values[position]
        # The from-import form reads the active profile too.
        namespace: dict = {}
        exec("from dlbook.autoencoders import EPOCHS", namespace)
        assert namespace["EPOCHS"] == PROFILE_CONSTANTS[autoencoders]["EPOCHS"][position]

        results = notebook.Results(f"switch-{index}")
        results.glue("epochs", autoencoders.EPOCHS)
        record = json.loads(results.path.read_text())
        assert record["profile"] == profile
        assert record["values"]["epochs"] == PROFILE_CONSTANTS[autoencoders]["EPOCHS"][position]


def test_splits_are_sized_by_the_profile_active_when_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    from dlbook import data

    texts = [f"review number {index}" for index in range(25_000)]
    labels = np.arange(25_000) % 2
    monkeypatch.setattr(data, "load_imdb", lambda: ((texts, labels), (texts, labels)))
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    quick = sentiment.load_imdb_splits()
    monkeypatch.setenv("DLBOOK_PROFILE", "full")
    full = sentiment.load_imdb_splits()
    assert (len(quick.train_texts), len(quick.test_texts)) == (20_000, 5_000)
    assert (len(full.train_texts), len(full.test_texts)) == (20_000, 25_000)


def test_a_record_refuses_values_from_another_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    results = notebook.Results("mixed")
    results.glue("accuracy", 0.8)
    monkeypatch.setenv("DLBOOK_PROFILE", "full")
    with pytest.raises(RuntimeError, match="changed from 'quick' to 'full'"):
        results.glue("accuracy", 0.9)
    assert json.loads(results.path.read_text())["values"] == {"accuracy": 0.8}


def test_unknown_constants_are_still_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        textgen.NOT_A_SETTING  # noqa: B018
    assert not hasattr(sentiment, "EPOCH")


def run_python(code: str, env_drop: tuple[str, ...] = ("TF_CPP_MIN_LOG_LEVEL",)) -> dict:
    """Run ``code`` in a fresh interpreter and return the JSON it prints last."""
    import os

    environment = {key: value for key, value in os.environ.items() if key not in env_drop}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            env=environment, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_dlbook_leaves_environment_and_warning_filters_alone() -> None:
    outcome = run_python("""
        import json, os, sys, warnings
        environment, filters = dict(os.environ), list(warnings.filters)
        import dlbook
        print(json.dumps({"environment": dict(os.environ) == environment,
                          "filters": warnings.filters == filters,
                          "tf_level": os.environ.get("TF_CPP_MIN_LOG_LEVEL"),
                          "heavy": sorted(m for m in ("tensorflow", "keras") if m in sys.modules)}))
    """)
    assert outcome == {"environment": True, "filters": True, "tf_level": None, "heavy": []}


def test_importing_every_module_leaves_environment_and_warning_filters_alone() -> None:
    # The libraries first: what *they* change on import is not dlbook's doing.
    outcome = run_python("""
        import json, os, warnings
        import keras, matplotlib.pyplot, numpy, pandas, seaborn, sklearn, tensorflow
        environment, filters = dict(os.environ), list(warnings.filters)
        from dlbook import (autoencoders, config, data, denoising, notebook, plotting, sentiment,
                            tasks, textgen, training)
        changed = sorted(set(os.environ.items()) ^ set(environment.items()))
        print(json.dumps({"environment": changed, "filters": warnings.filters == filters}))
    """)
    assert outcome == {"environment": [], "filters": True}


def test_setup_quiets_libraries_but_not_the_chapter_or_dlbook() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        notebook.setup()
        for module in ("keras.src.layers", "tensorflow.python.framework", "pandas.core.frame", "__main__",
                       "dlbook.training"):
            for category in (DeprecationWarning, FutureWarning):
                warnings.warn_explicit(f"{category.__name__} from {module}", category, "file.py", 1, module=module)
        warnings.warn_explicit("UserWarning from keras", UserWarning, "file.py", 1, module="keras.src.trainers")
        warnings.warn_explicit("UserWarning from __main__", UserWarning, "file.py", 1, module="__main__")
    shown = sorted(str(warning.message) for warning in caught)
    assert shown == sorted([
        "DeprecationWarning from __main__", "FutureWarning from __main__",
        "DeprecationWarning from dlbook.training", "FutureWarning from dlbook.training",
        "UserWarning from __main__",
    ])


def test_profile_settings_reads_each_access(monkeypatch: pytest.MonkeyPatch) -> None:
    lookup = config.profile_settings("demo", {"SIZE": {"quick": 1, "full": 2}})
    monkeypatch.setenv("DLBOOK_PROFILE", "full")
    assert lookup("SIZE") == 2
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert lookup("SIZE") == 1
    with pytest.raises(AttributeError, match="'demo' has no attribute 'OTHER'"):
        lookup("OTHER")
