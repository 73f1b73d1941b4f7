"""Every verdict says which branch it took: a dlbook.prose.Verdict with an id, not a bare string."""

from __future__ import annotations

import importlib
import inspect
import pickle

import pytest

from dlbook.prose import Verdict

MODULES = ["autoencoders", "denoising", "textgen", "sentiment"]


@pytest.mark.parametrize("name", MODULES)
def test_every_public_verdict_function_returns_verdicts(name: str) -> None:
    module = importlib.import_module(f"dlbook.prose.{name}")
    functions = [function for function_name, function in inspect.getmembers(module, inspect.isfunction)
                 if function.__module__ == module.__name__ and not function_name.startswith("_")]
    assert functions
    for function in functions:
        returns = inspect.signature(function).return_annotation
        assert returns in ("Verdict", "dict[str, Verdict]"), f"{name}.{function.__name__} returns {returns}"


def test_a_verdict_is_its_sentence_with_an_id() -> None:
    verdict = Verdict("The codes are dense.", "dense")
    assert verdict == "The codes are dense." and verdict.id == "dense" and verdict.lesson
    assert type(verdict.text) is str and verdict + " More." == "The codes are dense. More."
    copy = pickle.loads(pickle.dumps(Verdict("slow", "slow", lesson=False)))
    assert copy.id == "slow" and not copy.lesson
    with pytest.raises(ValueError):
        Verdict("no branch", "")


def test_each_branch_has_its_own_id() -> None:
    from dlbook.prose import autoencoders, denoising, sentiment, textgen

    assert len({autoencoders.pca_smallest_verdict(ae, 0.02, 16).id for ae in (0.01, 0.03)}) == 2
    assert len({denoising.noisy_verdict(a, b).id for a, b in ((1, 2), (2, 2), (3, 2))}) == 3
    assert len({textgen.trend_verdict(values).id for values in ([1, 2, 3], [3, 2, 1], [1, 2, 1])}) == 3
    assert len({sentiment.baselines_verdict(a, b, b).id for a, b in ((0.9, 0.8), (0.8, 0.9))}) == 2
    # An edit to a sentence keeps its id; the numbers in it do not change it either.
    assert textgen.rounding_verdict(2e-5).id == textgen.rounding_verdict(5e-7).id == "rounding"


def test_no_chapter_reads_a_machine_timing_in_words() -> None:
    """Issue 22: no sentence depends on which side of a threshold a timing lands."""
    import inspect

    from dlbook.prose import autoencoders, denoising, sentiment, textgen

    for module in (autoencoders, denoising, sentiment, textgen):
        names = [name for name, _ in inspect.getmembers(module, inspect.isfunction)]
        assert not [name for name in names if any(word in name for word in ("cost_verdict", "floor", "framework",
                                                                            "window_verdict", "size_cost"))
                    and name != "cost_threshold_verdict" and name != "clean_cost_verdict"], module.__name__
    assert textgen.trend_verdict([1, 2]).lesson and textgen.rounding_verdict(0).lesson

