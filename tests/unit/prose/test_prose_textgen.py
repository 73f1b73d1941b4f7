"""dlbook.prose.textgen: every branch of chapter 3's verdicts, with synthetic numbers."""

from __future__ import annotations

import pytest

from dlbook.prose import textgen as prose


def test_target_verdict_in_both_profiles():
    settings = {"epochs": 2, "train_chars": 300_000}
    assert prose.target_verdict(1.65, 1.70, profile="full", **settings) == "reaches it, 0.05 nats below"
    assert prose.target_verdict(1.75, 1.70, profile="full", **settings) == "misses it by 0.05 nats after 2 epochs"
    assert prose.target_verdict(1.75, 1.70, profile="full", epochs=1,
                                  train_chars=9) == "misses it by 0.05 nats after 1 epoch"
    assert prose.target_verdict(1.698, 1.70, profile="full", **settings) == "just reaches it"
    assert prose.target_verdict(1.702, 1.70, profile="full", **settings).startswith("misses it by less than 0.01")
    assert prose.target_verdict(1.70, 1.70, profile="quick", **settings) == "reaches it even in the quick profile"
    quick = prose.target_verdict(2.33, 1.70, profile="quick", **settings)
    assert quick.startswith("misses it by 0.63 nats") and "2 epochs on 300,000 characters" in quick
    # Never the quick profile's excuse on a full-profile page.
    assert "quick" not in prose.target_verdict(2.33, 1.70, profile="full", **settings)


def test_context_verdict_every_branch():
    assert prose.context_verdict(1.80, 1.70).startswith("lower by 0.10 nats")
    assert prose.context_verdict(1.70, 1.85).startswith("higher by 0.15 nats")
    assert prose.context_verdict(1.700, 1.695).startswith("about the same")


def test_window_verdict_every_branch():
    assert prose.window_verdict(60, 50).startswith("above the window length of 50")
    assert prose.window_verdict(40, 50).startswith("close to the window length of 50")
    assert prose.window_verdict(50, 50).startswith("close to")
    assert prose.window_verdict(10, 50).startswith("well below the window length of 50")
    assert prose.window_verdict(1.2, 50).startswith("no real gain")


def test_framework_verdict_every_branch():
    assert prose.framework_verdict(200, 80) == ("what it adds per character (about 80 milliseconds) is almost all "
                                                  "the framework's own work per call, not the model's arithmetic")
    assert prose.framework_verdict(3, 0.4) == ("what it adds per character (under a millisecond) is the framework's "
                                                 "work per call, 2.0 times the arithmetic itself")
    assert prose.framework_verdict(1.2, 2) == "the framework adds little (about 2 milliseconds per character)"


def test_floor_verdict_every_branch():
    assert prose.floor_verdict(0.95) == "the rest of the step costs almost nothing"
    assert prose.floor_verdict(0.6).startswith("the matrix products take more")
    assert prose.floor_verdict(0.5).startswith("the matrix products take more")
    assert prose.floor_verdict(0.3).startswith("the rest of the step (gates")


def test_rounding_verdict_every_branch():
    assert prose.rounding_verdict(0.0) == "identical"
    assert prose.rounding_verdict(3e-7) == "equal up to float rounding (they differ by 3e-07)"
    assert prose.rounding_verdict(0.01).startswith("different")


def test_trend_verdict_every_branch():
    assert prose.trend_verdict([1, 2, 3]) == "rises at every step"
    assert prose.trend_verdict([3, 2, 1]) == "falls at every step"
    assert prose.trend_verdict([1, 0.5, 3]) == "rises overall"
    assert prose.trend_verdict([3, 4, 1]) == "falls overall"
    assert prose.trend_verdict([1, 2, 1]) == "ends where it started"


def test_temperature_verdicts_every_branch():
    def row(entropy, word_share, distinct):
        return {"entropy": entropy, "word_share": word_share, "distinct_ngrams": distinct}

    usual = prose.temperature_verdicts(row(0.2, 0.9, 0.3), row(1.3, 0.7, 0.8), row(2.0, 0.4, 0.95))
    assert usual["entropy_verdict"] == "so the text is predictable"
    assert usual["distinct_verdict"].startswith("low temperatures repeat")
    assert usual["word_share_verdict"].startswith("the variety bought")
    assert usual["temperature_verdict"].startswith("low temperatures give safe, repetitive text")
    odd = prose.temperature_verdicts(row(1.5, 0.4, 0.9), row(1.3, 0.7, 0.8), row(2.0, 0.9, 0.5))
    assert odd["entropy_verdict"].startswith("yet")
    assert odd["distinct_verdict"].startswith("unexpectedly")
    assert odd["word_share_verdict"].startswith("unexpectedly")
    assert odd["temperature_verdict"].startswith("here the measurements do not show")


def test_one_hot_verdicts_every_branch():
    def read(gap, params=0.99, time=0.95):
        return prose.one_hot_verdicts(loss_gap=gap, params_ratio=params, time_ratio=time)

    assert read(0.1)["one_hot_verdict"].startswith("In this short run the embedding model did learn faster")
    assert read(-0.1)["one_hot_verdict"].startswith("In this short run the one-hot model even")
    assert read(0.01)["one_hot_verdict"] == "Both learn about equally fast."
    assert read(0, params=0.991)["params_verdict"].endswith("even slightly smaller.")
    assert read(0, params=0.8)["params_verdict"].endswith("even smaller.")
    assert read(0, params=1.05)["params_verdict"] == "In parameters the claim barely holds for characters."
    assert read(0, params=1.5)["params_verdict"] == "In parameters the claim holds here."
    assert read(0, params=0.991, time=0.91)["embedding_cost_verdict"].startswith("an embedding and one-hot inputs cost")
    assert read(0, params=1.5, time=2.0)["embedding_cost_verdict"].startswith("the embedding and the one-hot model differ")


@pytest.mark.parametrize(("one_hot", "embedding", "expected"), [
    (66_560, 20_544, "the embedding saves 46,016 weights, 13% of the model"),
    (66_560, 66_500, "the embedding saves 60 weights, under 1% of the model"),
    (1_000, 1_000, "the two cost exactly the same number of weights: there is nothing to save"),
    (1_000, 1_500, "the embedding costs 500 more weights than one-hot inputs: there is nothing to save"),
])
def test_embedding_saving_verdict_every_branch(one_hot: int, embedding: int, expected: str) -> None:
    assert prose.embedding_saving_verdict(one_hot, embedding, 350_000) == expected
