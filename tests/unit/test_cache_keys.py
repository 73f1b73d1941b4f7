"""Cache keys follow the code: a change to a function that shapes a result changes
the key, a change to a comment or a docstring does not.

The package's digest is computed from its source files (:func:`training.package_sources`);
these tests edit copies of those sources, never the files themselves.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from dlbook import autoencoders, denoising, sentiment, textgen, training


def edited(sources: dict[str, str], function: object, old: str, new: str) -> dict[str, str]:
    """A copy of ``sources`` with ``old`` replaced by ``new`` inside ``function``'s source only."""
    sources = dict(sources)
    module = inspect.getmodule(function)
    name = module.__name__.removeprefix("dlbook.") + ".py"
    body = inspect.getsource(function)
    assert old in body, f"{old!r} is not in {function.__qualname__}"
    assert sources[name].count(body) == 1
    sources[name] = sources[name].replace(body, body.replace(old, new, 1))
    return sources



@pytest.fixture
def sources() -> dict[str, str]:
    """One reading of the package's sources, the base every edit is compared with."""
    return training.package_sources()

#: One change per kind of code the issue names: a windowing function, a
#: corruption function, a text cleaner and a metric (two metrics' bodies).
CODE_CHANGES = {
    "windowing": (textgen.make_dataset, "batch(sequence_length + 1, drop_remainder=True)",
                  "batch(sequence_length + 2, drop_remainder=True)"),
    "corruption": (denoising.NoisyImages.corrupt, "add_gaussian_noise(clean, self.std, seed=seed)",
                   "add_gaussian_noise(clean, 2 * self.std, seed=seed)"),
    "text cleaner": (sentiment.clean_review, '_HTML_BREAK.sub(" ", text)', '_HTML_BREAK.sub("", text)'),
    "metric": (autoencoders.psnr, "10 * np.log10", "20 * np.log10"),
    "table of generated text": (textgen.measure, '"nll": float(-generation.log_likelihoods.mean())',
                                '"nll": float(-generation.log_likelihoods.sum())'),
}


def test_the_digest_is_the_package_digest_and_stable(sources: dict[str, str]) -> None:
    base = training.source_digest(sources)
    assert training.code_digest() == base == training.source_digest(dict(reversed(sources.items())))
    assert len(base) == 64 and int(base, 16) >= 0


@pytest.mark.parametrize("change", list(CODE_CHANGES))
def test_a_code_change_changes_the_digest(sources: dict[str, str], change: str) -> None:
    function, old, new = CODE_CHANGES[change]
    assert training.source_digest(edited(sources, function, old, new)) != training.source_digest(sources)


@pytest.mark.parametrize("change", list(CODE_CHANGES))
def test_a_comment_or_docstring_change_keeps_the_digest(sources: dict[str, str], change: str) -> None:
    base = training.source_digest(sources)
    function, old, _ = CODE_CHANGES[change]
    # A comment at the end of the line that the code change edits, a blank
    # line after it, and a reworded docstring.
    line = next(line for line in inspect.getsource(function).splitlines() if old in line)
    commented = edited(sources, function, line, line + "  # a comment about this line")
    assert training.source_digest(commented) == base
    blank_line = edited(sources, function, line, line + "\n")
    assert training.source_digest(blank_line) == base
    documented = edited(sources, function, '"""', '"""Reworded: ')
    assert training.source_digest(documented) == base


def test_only_the_code_that_shapes_models_is_part_of_the_digest(sources: dict[str, str]) -> None:
    assert {"textgen.py", "denoising.py", "sentiment.py", "autoencoders.py", "training.py", "data.py",
            "config.py"} <= set(sources)
    for name in sources:
        assert not name.startswith("prose/"), name
    assert not {"cli.py", "__main__.py", "tasks.py", "notebook.py", "plotting.py"} & set(sources)


def test_every_module_is_placed_in_or_out_of_the_key() -> None:
    """A new module must be put in MODEL_CODE or NOT_MODEL_CODE on purpose, not fall into either."""
    import fnmatch

    for name in training.package_sources(everything=True):
        inside = any(fnmatch.fnmatchcase(name, pattern) for pattern in training.MODEL_CODE)
        outside = any(fnmatch.fnmatchcase(name, pattern) for pattern in training.NOT_MODEL_CODE)
        assert inside != outside, f"{name} must match exactly one of training.MODEL_CODE and training.NOT_MODEL_CODE"


def _digests_of_copy(tmp_path: Path, edit: Callable[[Path], None]) -> tuple[str, str]:
    """(code_digest, build_stamp) of a copy of the package after ``edit``, in a fresh interpreter."""
    package = Path(training.__file__).parent
    copy = tmp_path / "src" / "dlbook"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edit(copy)
    result = subprocess.run(
        [sys.executable, "-c", "from dlbook import training; print(training.code_digest(), training.build_stamp())"],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(copy.parent)})
    code, stamp = result.stdout.split()
    return code, stamp


def _replace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(copy: Path) -> None:
        path = copy / relative
        text = path.read_text()
        assert text.count(old) >= 1, f"{old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1))
    return edit


#: Edits of the prose: a word in a verdict sentence, a branch of a verdict,
#: a word of dlbook.prose.wording, the full-profile reader.
PROSE_EDITS = {
    "a word in a verdict": ("prose/autoencoders.py", "the non-linearity pays off.", "the non-linearity pays."),
    "a verdict's branch": ("prose/textgen.py", "if last > first:", "if last >= first:"),
    "wording": ("prose/wording.py", 'return "under a second"', 'return "less than a second"'),
    "reference": ("prose/reference.py", "re.IGNORECASE", "re.IGNORECASE | re.MULTILINE"),
}

#: Edits of what shapes models: the data pipeline, a model's code, the training loop.
MODEL_EDITS = {
    "data pipeline": ("textgen.py", "batch(sequence_length + 1, drop_remainder=True)",
                      "batch(sequence_length + 2, drop_remainder=True)"),
    "data loader": ("data.py", "def ", "def _unused_helper():\n    return 1\n\n\ndef "),
    "training code": ("training.py", "keras.utils.set_random_seed(seed)\n    start",
                      "keras.utils.set_random_seed(seed + 1)\n    start"),
}


@pytest.fixture(scope="module")
def original_digests(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return _digests_of_copy(tmp_path_factory.mktemp("original"), lambda copy: None)


@pytest.mark.parametrize("change", list(PROSE_EDITS))
def test_a_prose_edit_keeps_every_model_key(tmp_path: Path, original_digests: tuple[str, str], change: str) -> None:
    """The issue's case: one word changed in a verdict sentence retrains nothing, but re-executes the pages."""
    code, stamp = _digests_of_copy(tmp_path, _replace(*PROSE_EDITS[change]))
    assert code == original_digests[0]
    assert stamp != original_digests[1]


@pytest.mark.parametrize("change", list(MODEL_EDITS))
def test_a_data_model_or_training_edit_changes_the_keys(tmp_path: Path, original_digests: tuple[str, str],
                                                         change: str) -> None:
    code, stamp = _digests_of_copy(tmp_path, _replace(*MODEL_EDITS[change]))
    assert code != original_digests[0]
    assert stamp != original_digests[1]


def test_a_new_full_profile_record_changes_the_stamp_only(tmp_path: Path, original_digests: tuple[str, str]) -> None:
    def edit(copy: Path) -> None:
        (copy / "full_profile.json").write_text((copy / "full_profile.json").read_text() + "\n")

    code, stamp = _digests_of_copy(tmp_path, edit)
    assert code == original_digests[0] and stamp != original_digests[1]


def test_a_recipe_edit_changes_the_key_of_the_models_it_builds_and_a_new_recipe_changes_none() -> None:
    """Recipes are keyed by what they build (layers, compile settings, initial weights), like a chapter's cells."""
    import keras

    from dlbook.recipes import autoencoder as recipe

    def description(build) -> str:
        keras.utils.set_random_seed(0)
        model = build(8)[0]
        return training.fingerprint(json.dumps([training._model_description(model),
                                                training._initial_weights(model)], sort_keys=True, default=repr))

    source = inspect.getsource(recipe.build_autoencoder)
    assert "keras.optimizers.Adam(learning_rate)" in source, "the edit below must find the optimizer"
    edited: dict = {"keras": keras, "layers": keras.layers, "config": recipe.config}
    exec(source.replace('activation="relu"', 'activation="elu"'), edited)
    recompiled: dict = {"keras": keras, "layers": keras.layers, "config": recipe.config}
    exec(source.replace("keras.optimizers.Adam(learning_rate)", "keras.optimizers.SGD(learning_rate)"), recompiled)
    same: dict = {"keras": keras, "layers": keras.layers, "config": recipe.config}
    exec(source.replace("# A sigmoid keeps", "# Reworded: a sigmoid keeps"), same)
    base = description(recipe.build_autoencoder)
    assert description(edited["build_autoencoder"]) != base
    assert description(recompiled["build_autoencoder"]) != base
    assert description(same["build_autoencoder"]) == base
    # A new chapter's recipe module is not part of the code digest: the other models keep their keys.
    sources = training.package_sources()
    assert not any(name.startswith("recipes/") for name in sources)


def test_a_comment_edit_changes_neither_key_nor_stamp(tmp_path: Path, original_digests: tuple[str, str]) -> None:
    def edit(copy: Path) -> None:
        for relative in ("textgen.py", "prose/autoencoders.py", "training.py"):
            path = copy / relative
            path.write_text(path.read_text().replace('"""', '"""Reworded. ', 1) + "\n# a closing comment\n")

    assert _digests_of_copy(tmp_path, edit) == original_digests


def test_a_new_module_changes_the_digest(sources: dict[str, str]) -> None:
    assert training.source_digest({**sources, "extra.py": "VALUE = 1\n"}) != training.source_digest(sources)


def test_normalised_source_drops_comments_and_docstrings_only() -> None:
    plain = "def f(x):\n    return x + 1\n"
    commented = '"""Module."""\n\ndef f(x):  # add one\n    """Add one."""\n\n    return x + 1  # why\n'
    assert training.normalised_source(plain) == training.normalised_source(commented)
    assert training.normalised_source(plain) != training.normalised_source(plain.replace("+ 1", "+ 2"))
    # A function that is only a docstring stays valid and differs from one that returns.
    assert training.normalised_source('def g():\n    """Doc."""\n') == training.normalised_source("def g():\n    pass\n")
    # A string that is not the first statement is code, not a docstring.
    assert training.normalised_source('def h():\n    x = 1\n    "text"\n') != training.normalised_source(
        "def h():\n    x = 1\n")


def test_function_digest_follows_source_and_falls_back_to_bytecode() -> None:
    assert training.function_digest(sentiment.clean_review) == training.function_digest(sentiment.clean_review)
    assert training.function_digest(sentiment.clean_review) != training.function_digest(sentiment.review_lengths)
    # Code without a source file (a notebook kernel's exec): the bytecode decides.
    first, second, renamed = {}, {}, {}
    exec(textwrap.dedent("def corrupt(x):\n    return x * 2\n"), first)
    exec(textwrap.dedent("def corrupt(x):\n    return x * 3\n"), second)
    exec(textwrap.dedent("def corrupt(x):\n    # a comment\n    return x * 2\n"), renamed)
    assert training.function_digest(first["corrupt"]) != training.function_digest(second["corrupt"])
    assert training.function_digest(first["corrupt"]) == training.function_digest(renamed["corrupt"])
    # A class without a source file: digested method by method.
    exec("class Noise:\n    def corrupt(self, x):\n        return x * 2\n", first)
    exec("class Noise:\n    def corrupt(self, x):\n        return x * 3\n", second)
    assert training.function_digest(first["Noise"]) != training.function_digest(second["Noise"])


# ------------------------------------------------- the digest in the keys

def tiny_model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.fixture
def tiny_data():
    import numpy as np

    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_fit_cached_retrains_after_a_code_change(tiny_data, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = tiny_data
    first = training.fit_cached(tiny_model(), x, y, epochs=1, name="keyed")
    assert training.fit_cached(tiny_model(), x, y, epochs=1, name="keyed").cached
    assert first.key and not first.cached
    monkeypatch.setattr(training, "code_digest", lambda: "0" * 64)
    changed = training.fit_cached(tiny_model(), x, y, epochs=1, name="keyed")
    assert not changed.cached and changed.key != first.key


def test_cached_json_recomputes_after_a_code_change(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def compute() -> dict:
        calls.append(1)
        return {"n": len(calls)}

    assert training.cached_json("scores", {"c": 1}, compute) == {"n": 1}
    assert training.cached_json("scores", {"c": 1}, compute) == {"n": 1}
    monkeypatch.setattr(training, "code_digest", lambda: "0" * 64)
    assert training.cached_json("scores", {"c": 1}, compute) == {"n": 2}


def test_different_initial_weights_give_a_different_key(tiny_data) -> None:
    x, y = tiny_data
    base = training.fit_cached(tiny_model(seed=0), x, y, epochs=1, name="init")
    same = training.fit_cached(tiny_model(seed=0), x, y, epochs=1, name="init")
    other = training.fit_cached(tiny_model(seed=1), x, y, epochs=1, name="init")
    assert same.cached and same.key == base.key
    assert not other.cached and other.key != base.key
    # Weights set by hand (training resumed from the trained model) are another start too.
    resumed = tiny_model(seed=0)
    resumed.set_weights([weight * 0.5 for weight in resumed.get_weights()])
    assert training.fit_cached(resumed, x, y, epochs=1, name="init").key not in (base.key, other.key)


def _recipe_description(module: str, source_edit: tuple[str, str] | None = None) -> str:
    """The fit_cached description of a chapter's model built and compiled by its recipe, after an edit of its source."""
    import importlib

    import keras

    recipe = importlib.import_module(f"dlbook.recipes.{module}")
    source = inspect.getsource(recipe)
    if source_edit is not None:
        assert source.count(source_edit[0]) == 1, f"{source_edit[0]!r} is not once in recipes/{module}.py"
        source = source.replace(*source_edit)
    namespace: dict = {}
    exec(compile(source, f"recipes/{module}.py", "exec"), namespace)
    keras.utils.set_random_seed(0)
    if module == "sentiment":
        model = namespace["build_model"](50)
    else:
        model = namespace["build_model"](12, 8)
        namespace["compile_model"](model, 10)
    return training.fingerprint(json.dumps([training._model_description(model), training._initial_weights(model)],
                                           sort_keys=True, default=repr))


#: Edits of chapter 3's and chapter 4's recipes that change the model they build, or how it is compiled.
RECIPE_EDITS = {
    "sentiment: a layer": ("sentiment", ("layers.LSTM(units, dropout=0.2)", "layers.LSTM(units, dropout=0.3)")),
    "sentiment: the step size": ("sentiment", ("learning_rate = 5e-4", "learning_rate = 1e-3")),
    "text generation: a layer": ("text_generation", ("dropout = 0.2", "dropout = 0.3")),
    "text generation: the clipping": ("text_generation", ("clipnorm=1.0", "clipnorm=5.0")),
    "text generation: the schedule": ("text_generation", ("alpha=0.05", "alpha=0.1")),
    "text generation: the schedule's length": ("text_generation", ("schedule_epochs = 12", "schedule_epochs = 10")),
}


@pytest.mark.parametrize("change", list(RECIPE_EDITS))
def test_an_edit_to_chapter_3s_or_4s_recipe_changes_its_models_key(change: str) -> None:
    module, edit = RECIPE_EDITS[change]
    assert _recipe_description(module, edit) != _recipe_description(module)


@pytest.mark.parametrize("module, comment", [
    ("sentiment", "# Numbers per word vector."),
    ("text_generation", "# Integer targets, logits out."),
])
def test_a_comment_in_a_recipe_keeps_its_models_key(module: str, comment: str) -> None:
    assert _recipe_description(module, (comment, "# Reworded.")) == _recipe_description(module)
