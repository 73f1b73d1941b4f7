"""Cache keys follow the code: a change to a function that shapes a result changes
the key, a change to a comment or a docstring does not.

The package's digest is computed from its source files (:func:`training.package_sources`);
these tests edit copies of those sources, never the files themselves.
"""

from __future__ import annotations

import inspect
import textwrap

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
    "table of generated text": (textgen.temperature_table, '"nll": float(-generation.log_likelihoods.mean())',
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


def test_the_command_line_is_not_part_of_the_digest(sources: dict[str, str]) -> None:
    assert "cli.py" not in sources and "__main__.py" not in sources
    assert {"textgen.py", "denoising.py", "sentiment.py", "training.py", "data.py"} <= set(sources)


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
