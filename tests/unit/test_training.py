"""The trained-model cache: hit, miss, corrupt entries, and what goes into the key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dlbook import training


def tiny_model(units: int = 4, learning_rate: float = 0.01):
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(3,))
    outputs = layers.Dense(1, activation="sigmoid")(layers.Dense(units, activation="relu")(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=__import__("keras").optimizers.Adam(learning_rate), loss="binary_crossentropy")
    return model


@pytest.fixture
def tiny_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("float32")


def fit(model, x, y, **kwargs):
    return training.fit_cached(model, x, y, name="tiny", epochs=kwargs.pop("epochs", 2), batch_size=16, **kwargs)


def test_second_run_loads_the_same_weights_and_history(tiny_data) -> None:
    x, y = tiny_data
    first_model = tiny_model()
    first = fit(first_model, x, y, validation_data=(x, y))
    assert not first.cached and first.epochs == 2 and first.seconds > 0
    assert set(first.history) == {"loss", "val_loss"}

    second_model = tiny_model()
    second = fit(second_model, x, y, validation_data=(x, y))
    assert second.cached and second.key == first.key
    assert second.history == first.history and second.seconds == pytest.approx(first.seconds)
    for before, after in zip(first_model.get_weights(), second_model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert "loaded from the cache" in str(second) and "trained" in str(first)


@pytest.mark.parametrize(
    "change",
    ["epochs", "data", "architecture", "optimizer", "seed"],
)
def test_anything_that_changes_the_result_changes_the_key(tiny_data, change: str) -> None:
    x, y = tiny_data
    base = fit(tiny_model(), x, y)
    if change == "epochs":
        other = fit(tiny_model(), x, y, epochs=3)
    elif change == "data":
        other = fit(tiny_model(), x + 1, y)
    elif change == "architecture":
        other = fit(tiny_model(units=5), x, y)
    elif change == "optimizer":
        other = fit(tiny_model(learning_rate=0.02), x, y)
    else:
        other = fit(tiny_model(), x, y, seed=7)
    assert not other.cached and other.key != base.key


def test_auto_generated_names_do_not_change_the_key(tiny_data) -> None:
    from keras import layers

    x, y = tiny_data
    base = fit(tiny_model(), x, y)
    layers.Dense(2)  # shifts Keras' automatic layer numbering (dense_7 -> dense_8)
    assert fit(tiny_model(), x, y).cached is True and base.cached is False


@pytest.mark.parametrize("damage", ["weights", "meta", "both-missing"])
def test_corrupt_entry_is_retrained_not_fatal(tiny_data, damage: str) -> None:
    x, y = tiny_data
    first = fit(tiny_model(), x, y)
    weights, meta = first.path / "model.weights.h5", first.path / "run.json"
    if damage == "weights":
        weights.write_bytes(b"not an hdf5 file")
    elif damage == "meta":
        meta.write_text("{ truncated")
    else:
        weights.unlink()
    with pytest.warns(UserWarning, match="Retraining") if damage != "both-missing" else _no_check():
        again = fit(tiny_model(), x, y)
    assert not again.cached and again.key == first.key
    assert json.loads(meta.read_text())["key"] == first.key  # the entry is healthy again
    assert fit(tiny_model(), x, y).cached


class _no_check:
    def __enter__(self) -> None: ...
    def __exit__(self, *args: object) -> None: ...


def test_uncompiled_model_is_refused(tiny_data) -> None:
    import keras

    x, y = tiny_data
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        training.fit_cached(model, x, y, name="raw", epochs=1)


def test_entries_are_written_atomically(tiny_data) -> None:
    x, y = tiny_data
    run = fit(tiny_model(), x, y)
    leftovers = [path.name for path in run.path.parent.iterdir() if path.name.startswith(".")]
    assert leftovers == []


def test_fingerprint_is_stable_and_sensitive() -> None:
    a = np.arange(12, dtype="float32").reshape(3, 4)
    assert training.fingerprint([a, ["x", "y"]]) == training.fingerprint([a.copy(), ["x", "y"]])
    assert training.fingerprint(a) != training.fingerprint(a.reshape(4, 3))
    assert training.fingerprint(a) != training.fingerprint(a.astype("float64"))
    assert training.fingerprint(["x", "y"]) != training.fingerprint(["xy"])
    with pytest.raises(TypeError, match="data_key"):
        training.fingerprint(object())


def test_cached_json_computes_once(isolated_environment: Path) -> None:
    calls = []

    def compute() -> dict:
        calls.append(1)
        return {"accuracy": np.float64(0.875)}

    assert training.cached_json("baseline", {"c": 1.0}, compute) == {"accuracy": 0.875}
    assert training.cached_json("baseline", {"c": 1.0}, compute) == {"accuracy": 0.875}
    assert len(calls) == 1
    training.cached_json("baseline", {"c": 2.0}, compute)
    assert len(calls) == 2


def test_missing_raise_loads_a_trained_model_and_never_trains(tiny_data) -> None:
    x, y = tiny_data
    with pytest.raises(training.NotTrainedError, match="tiny"):
        fit(tiny_model(), x, y, missing="raise")
    assert not training.models_dir().exists() or not any(training.models_dir().iterdir())
    trained = fit(tiny_model(), x, y)
    loaded_model = tiny_model()
    loaded = fit(loaded_model, x, y, missing="raise")
    assert loaded.cached and loaded.key == trained.key
    with pytest.raises(ValueError, match="missing"):
        fit(tiny_model(), x, y, missing="ignore")


def test_verbose_does_not_change_the_key(tiny_data) -> None:
    x, y = tiny_data
    quiet = fit(tiny_model(), x, y)
    loud = fit(tiny_model(), x, y, verbose=2)
    assert not quiet.cached and loud.cached and loud.key == quiet.key


def test_the_key_covers_the_code_and_the_initial_weights(tiny_data) -> None:
    x, y = tiny_data
    run = fit(tiny_model(), x, y)
    description = json.loads((run.path / "run.json").read_text())["description"]
    assert description["versions"]["code"] == training.code_digest()
    assert description["initial_weights"] == training.fingerprint(tiny_model().get_weights())
    assert description["initial_weights"] != training.fingerprint(
        [np.asarray(weight) for weight in tiny_model(units=5).get_weights()])


def test_a_smoke_run_trains_a_few_steps_of_one_epoch_and_stores_nothing(tiny_data, monkeypatch) -> None:
    x, y = tiny_data  # 64 examples, batch 16: 4 steps per epoch normally
    monkeypatch.setenv("DLBOOK_SMOKE_STEPS", "2")
    smoke = fit(tiny_model(), x, y, validation_data=(x, y), epochs=5)
    assert not smoke.cached and smoke.epochs == 1
    assert not training.models_dir().exists() or not any(training.models_dir().iterdir())
    monkeypatch.delenv("DLBOOK_SMOKE_STEPS")
    real = fit(tiny_model(), x, y, validation_data=(x, y), epochs=5)
    assert not real.cached and real.epochs == 5, "a smoke run must never stand in for the real one"


def test_a_smoke_run_loads_a_model_that_is_already_trained(tiny_data, monkeypatch) -> None:
    x, y = tiny_data
    trained = fit(tiny_model(), x, y, epochs=3)
    monkeypatch.setenv("DLBOOK_SMOKE_STEPS", "1")
    again = fit(tiny_model(), x, y, epochs=3)
    assert again.cached and again.key == trained.key and again.epochs == 3


@pytest.mark.parametrize("value", ["0", "-3", "two"])
def test_a_smoke_setting_that_is_not_a_step_count_is_refused(value, monkeypatch) -> None:
    from dlbook import config

    monkeypatch.setenv("DLBOOK_SMOKE_STEPS", value)
    with pytest.raises(ValueError, match="DLBOOK_SMOKE_STEPS"):
        config.smoke_steps()
