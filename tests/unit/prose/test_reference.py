"""The full-profile record: the script that writes it, the module that reads it, and the verdict comparison."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from dlbook.prose import reference

ROOT = Path(__file__).resolve().parents[3]


def load_script() -> Any:
    """scripts/record_full_build.py as a module (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location("record_full_build", ROOT / "scripts" / "record_full_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


record_full_build = load_script()


def results_record(chapter: str, profile: str = "full", **values: Any) -> dict[str, Any]:
    """A results record as dlbook.notebook.Results writes it."""
    return {
        "chapter": chapter, "profile": profile, "seed": 42, "dlbook": "0.1.0", "python": "3.11.7",
        "machine": "x86_64, 2 CPU cores", "started": "2026-11-29T10:15:00+0100",
        "values": values,
        "training": {"model": {"seconds": 81.5, "epochs": 50, "cached": True, "final": {"loss": 0.09},
                               "key": "ab12", "path": "/home/someone/.cache/dlbook/models/ab12"}},
        "training_seconds": 81.5,
    }


def write_records(folder: Path, *records: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record['chapter']}.json").write_text(json.dumps(record))
    return folder


def full_record(**chapters: dict[str, Any]) -> dict[str, Any]:
    """A full-profile record as the script writes it."""
    return {"date": "2026-11-29", "commit": "abc1234def5678", "dirty": False, "machine": "x86_64, 2 CPU cores",
            "profile": "full", "chapters": chapters}


def chapter(values: dict[str, Any] | None = None, verdicts: dict[str, str] | None = None) -> dict[str, Any]:
    return {"values": values or {}, "verdicts": verdicts or {}, "training": {}}


@pytest.fixture
def record_file(tmp_path: Path) -> Path:
    path = tmp_path / "full_profile.json"
    path.write_text(json.dumps(full_record(
        autoencoder=chapter({"test_bce": 0.0712, "sample": "the cat"}, {"gap_verdict": "# below the baseline"}))))
    return path


# ------------------------------------------------------------ compare_verdicts

def test_the_same_story_is_no_difference() -> None:
    quick = {"autoencoder": {"gap_verdict": "the gap is 0.12, small"}}
    full = {"autoencoder": {"gap_verdict": "the gap is 0.03, small"}, "intro": {"other_verdict": "x"}}
    assert reference.compare_verdicts(quick, full) == []


def test_a_different_story_is_listed_with_both_sentences() -> None:
    quick = {"autoencoder": {"gap_verdict": "the gap is #, large", "same_verdict": "fine"},
             "sentiment": {"threshold_verdict": "# beats #"}}
    full = {"autoencoder": {"gap_verdict": "the gap is #, small", "same_verdict": "fine"},
            "sentiment": {"threshold_verdict": "# loses to #"}}
    problems = reference.compare_verdicts(quick, full)
    assert len(problems) == 2
    assert problems[0].startswith("autoencoder/gap_verdict:")
    assert "quick: the gap is #, large" in problems[0] and "full:  the gap is #, small" in problems[0]
    assert problems[1].startswith("sentiment/threshold_verdict:")


@pytest.mark.parametrize("sentence", ["the gap is #, large here; the full profile closes it",
                                      "Large (the Full-profile build: small)"])
def test_a_different_story_the_quick_page_explains_is_allowed(sentence: str) -> None:
    quick = {"autoencoder": {"gap_verdict": sentence}}
    full = {"autoencoder": {"gap_verdict": "the gap is #, small"}}
    assert reference.compare_verdicts(quick, full) == []


def test_a_chapter_missing_from_the_record_is_skipped_and_said() -> None:
    """A new chapter passes before the next full build records it, and the comparison says so."""
    skipped: list[str] = []
    problems = reference.compare_verdicts({"sentiment": {"b_verdict": "x", "a_verdict": "y"}}, {"autoencoder": {}},
                                          skipped=skipped)
    assert problems == []
    assert skipped == ["sentiment: skipped, the full-profile record has no such chapter yet "
                       "(the next full build records it)"]


def test_a_verdict_missing_from_the_record_is_skipped_and_said() -> None:
    quick = {"sentiment": {"new_verdict": "unlike the full profile", "old_verdict": "same"}}
    skipped: list[str] = []
    assert reference.compare_verdicts(quick, {"sentiment": {"old_verdict": "same"}}, skipped=skipped) == []
    assert skipped == ["sentiment/new_verdict: skipped, the full-profile record lacks this verdict"]


def ids(**branches: str) -> dict[str, dict[str, object]]:
    return {name: {"id": branch, "lesson": True} for name, branch in branches.items()}


def test_verdicts_with_ids_are_compared_by_branch_not_by_sentence() -> None:
    # Reworded sentences that took the same branch agree; no masking needed.
    quick = {"ch": {"gap_verdict": "the gap is small, reworded"}}
    full = {"ch": {"gap_verdict": "the gap is small"}}
    assert reference.compare_verdicts(quick, full, quick_ids={"ch": ids(gap_verdict="small")},
                                      full_ids={"ch": ids(gap_verdict="small")}) == []
    # Another branch fails, even where the quick sentence names the full profile.
    quick = {"ch": {"gap_verdict": "the gap is large; the full profile closes it"}}
    problems = reference.compare_verdicts(quick, full, quick_ids={"ch": ids(gap_verdict="large")},
                                          full_ids={"ch": ids(gap_verdict="small")})
    assert len(problems) == 1 and problems[0].startswith("ch/gap_verdict: the profiles took different branches")
    assert "quick: large: the gap is large" in problems[0] and "full:  small: the gap is small" in problems[0]


def test_ids_are_compared_for_glued_names_that_are_not_verdicts_too() -> None:
    problems = reference.compare_verdicts({}, {"ch": {}}, quick_ids={"ch": ids(size_text="grows")},
                                          full_ids={"ch": ids(size_text="shrinks")})
    assert len(problems) == 1 and problems[0].startswith("ch/size_text:")


def test_a_record_without_ids_falls_back_to_the_masked_sentences() -> None:
    """A build without ids against a record without ids: sentences are compared as before, exemption included."""
    quick = {"ch": {"gap_verdict": "the gap is 0.2, large", "other_verdict": "large here; the full profile differs"}}
    full = {"ch": {"gap_verdict": "the gap is 0.1, small", "other_verdict": "small"}}
    problems = reference.compare_verdicts(quick, full, quick_ids={}, full_ids={})
    assert len(problems) == 1 and problems[0].startswith("ch/gap_verdict: the profiles differ")


def test_a_record_that_predates_ids_is_not_read_as_a_different_story_and_says_so() -> None:
    """A quick build with ids, a record without: a reworded sentence is no evidence; skipped, and said."""
    quick = {"ch": {"gap_verdict": "the gap is 0.2, large"}}
    full = {"ch": {"gap_verdict": "the gap is 0.1, small"}}
    skipped: list[str] = []
    assert reference.compare_verdicts(quick, full, quick_ids={"ch": ids(gap_verdict="large")}, full_ids={},
                                      skipped=skipped) == []
    assert skipped == ["ch/gap_verdict: skipped, the full-profile record predates verdict ids "
                       "(the next full build records them)"]


def test_readings_of_timings_are_skipped_and_said() -> None:
    skipped: list[str] = []
    quick_ids = {"ch": {"floor_verdict": {"id": "rest_dominates", "lesson": False}}}
    full_ids = {"ch": {"floor_verdict": {"id": "near_floor", "lesson": False}}}
    assert reference.compare_verdicts({"ch": {"floor_verdict": "a"}}, {"ch": {"floor_verdict": "b"}},
                                      quick_ids=quick_ids, full_ids=full_ids, skipped=skipped) == []
    assert skipped == ["ch/floor_verdict: skipped, a reading of this machine's timings"]


def test_annotate_keeps_the_verdicts_branch(tmp_path: Path) -> None:
    from dlbook.prose import Verdict

    path = tmp_path / "full_profile.json"
    path.write_text(json.dumps(full_record(**{"text-generation": chapter({"hard_verdict": "It gets all right."}, {})})))
    annotated = reference.annotate("text-generation", "hard_verdict", Verdict("It gets one wrong.", "one_wrong"),
                                   profile="quick", path=path)
    assert isinstance(annotated, Verdict) and annotated.id == "one_wrong"
    assert annotated.text.startswith("It gets one wrong. The full profile's model shows otherwise here")


def test_numbers_are_masked_before_comparing() -> None:
    """A record written from unmasked sentences still compares by story, not by number."""
    assert reference.compare_verdicts({"c": {"v": "# epochs"}}, {"c": {"v": "50 epochs"}}) == []


# ------------------------------------------------------------ reading the record

def test_load_value_verdicts_and_describe_read_a_record_file(record_file: Path) -> None:
    assert reference.load(record_file)["profile"] == "full"
    assert reference.value("autoencoder", "test_bce", path=record_file) == 0.0712
    assert reference.value("autoencoder", "sample", path=record_file) == "the cat"
    assert reference.verdicts("autoencoder", path=record_file) == {"gap_verdict": "# below the baseline"}
    assert reference.describe(record_file) == "the full-profile build of 2026-11-29 (commit abc1234)"


def test_describe_says_the_build_had_uncommitted_changes(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps({**full_record(), "dirty": True}))
    assert reference.describe(path) == "the full-profile build of 2026-11-29 (commit abc1234, with uncommitted changes)"


def test_the_packaged_record_is_read_when_no_path_is_given(record_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "_packaged_record", lambda: record_file)
    assert reference.value("autoencoder", "test_bce") == 0.0712


def test_the_packaged_record_is_the_package_data_file() -> None:
    resource = reference._packaged_record()
    assert resource.name == "full_profile.json"
    assert Path(str(resource)).parent == Path(reference.__file__).parent.parent  # dlbook/, beside dlbook/prose/


def test_a_missing_record_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="record_full_build.py"):
        reference.load(tmp_path / "absent.json")
    monkeypatch.setattr(reference, "_packaged_record", lambda: tmp_path / "absent.json")
    with pytest.raises(FileNotFoundError, match="the dlbook package's full_profile.json"):
        reference.value("autoencoder", "test_bce")


@pytest.mark.parametrize(("text", "problem"), [
    ("{not json", "is not JSON"),
    ("[]", "holds a list"),
    (json.dumps({**full_record(), "profile": "quick"}), "profile is 'quick'"),
    (json.dumps({**full_record(), "commit": None}), "'commit' is missing"),
    (json.dumps(full_record(autoencoder={"values": {}, "training": {}})), "chapter 'autoencoder' has no 'verdicts'"),
    (json.dumps(full_record(autoencoder=chapter(verdicts={"v": 1}))), "not a sentence"),
])
def test_a_malformed_record_is_a_clear_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "record.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=problem) as raised:
        reference.load(path)
    assert str(path) in str(raised.value) and "record_full_build.py" in str(raised.value)


def test_a_missing_chapter_or_value_names_it_and_the_refresh(record_file: Path) -> None:
    with pytest.raises(KeyError) as raised:
        reference.value("sentiment", "accuracy", path=record_file)
    message = str(raised.value)
    assert "no chapter 'sentiment' (it has autoencoder)" in message
    assert "DLBOOK_PROFILE=full bash scripts/build.sh" in message and "record_full_build.py" in message
    with pytest.raises(KeyError) as raised:
        reference.value("autoencoder", "accuracy", path=record_file)
    assert str(raised.value).startswith("the full-profile build of 2026-11-29 (commit abc1234) recorded no value "
                                        "'accuracy' for chapter 'autoencoder'")
    with pytest.raises(KeyError, match="no chapter 'sentiment'"):
        reference.verdicts("sentiment", path=record_file)


def test_importing_reads_nothing() -> None:
    """The record is read when asked: importing dlbook.prose.reference with no record present must work."""
    result = subprocess.run([sys.executable, "-c", "import dlbook.prose.reference"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------ packaging and the build stamp

def test_the_record_ships_in_the_package_and_re_executes_the_chapters() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "*.json" in pyproject["tool"]["setuptools"]["package-data"]["dlbook"]
    build = (ROOT / "scripts" / "build.sh").read_text()
    # The execution stamp hashes the package's JSON: by the file list, or
    # through dlbook.training.build_stamp(), which reads every *.json of the package.
    assert "-name '*.json'" in build or "build_stamp()" in build


# ------------------------------------------------------------ scripts/record_full_build.py

def test_the_script_keeps_values_verdicts_and_portable_training(tmp_path: Path) -> None:
    verdicts = {"gap_verdict": "# below the baseline"}
    metrics = write_records(
        tmp_path / "metrics",
        {**results_record("autoencoder", test_bce=0.0712, gap_verdict="0.01 below the baseline", verdicts=verdicts,
                          samples=["the cat sat", "a dog"], sweep={"16": 0.1}),
         "verdict_ids": {"gap_verdict": {"id": "below", "lesson": True}}},
        {**results_record("sentiment", accuracy_verdict="beats 0.85 at 50 epochs"), "started": "2026-11-30T01:00:00+0100"},
    )
    records = record_full_build.read_records(metrics, ["autoencoder", "sentiment"])
    record = record_full_build.full_profile_record(records, metrics, "abc1234def", dirty=True)
    assert record["date"] == "2026-11-30" and record["commit"] == "abc1234def" and record["dirty"] is True
    assert record["profile"] == "full" and record["machine"] == "x86_64, 2 CPU cores"
    autoencoder = record["chapters"]["autoencoder"]
    assert autoencoder["values"]["samples"] == ["the cat sat", "a dog"] and autoencoder["values"]["sweep"] == {"16": 0.1}
    assert autoencoder["verdicts"] == verdicts
    assert autoencoder["verdict_ids"] == {"gap_verdict": {"id": "below", "lesson": True}}
    assert record["chapters"]["sentiment"]["verdict_ids"] == {}  # a build from before verdicts had ids
    assert autoencoder["training"] == {"model": {"seconds": 81.5, "epochs": 50, "final": {"loss": 0.09}}}
    # A chapter that glued no verdicts still has its sentences, masked.
    assert record["chapters"]["sentiment"]["verdicts"] == {"accuracy_verdict": "beats # at # epochs"}


def test_the_script_writes_stable_sorted_json_that_reference_reads(tmp_path: Path) -> None:
    metrics = write_records(tmp_path / "metrics", results_record("autoencoder", zeta=1, alpha="é", verdicts={}))
    record = record_full_build.full_profile_record(
        record_full_build.read_records(metrics, ["autoencoder"]), metrics, "abc1234def", dirty=False)
    first, second = tmp_path / "first.json", tmp_path / "out" / "second.json"
    record_full_build.write(record, first)
    record_full_build.write(json.loads(first.read_text()), second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.index('"alpha"') < text.index('"zeta"') and '"é"' in text
    assert reference.load(first)["chapters"]["autoencoder"]["values"] == {"alpha": "é", "verdicts": {}, "zeta": 1}


@pytest.mark.parametrize(("setup", "message"), [
    (lambda folder: None, "autoencoder.json: no results record for chapter 'autoencoder'; build the book in the full"),
    (lambda folder: (folder / "autoencoder.json").write_text("{truncated"), "autoencoder.json: cannot read"),
    (lambda folder: (folder / "autoencoder.json").write_text("[]"), "autoencoder.json: not a results record"),
    (lambda folder: write_records(folder, results_record("autoencoder", profile="quick")),
     "autoencoder.json was written by the 'quick' profile, not 'full'"),
])
def test_the_script_refuses_a_bad_record_naming_its_file(tmp_path: Path, setup: Any, message: str) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    setup(folder)
    with pytest.raises(record_full_build.RecordError, match=message):
        record_full_build.read_records(folder, ["autoencoder"])


def test_the_script_refuses_an_unreadable_start_time(tmp_path: Path) -> None:
    metrics = write_records(tmp_path, {**results_record("autoencoder"), "started": "yesterday"})
    records = record_full_build.read_records(metrics, ["autoencoder"])
    with pytest.raises(record_full_build.RecordError, match="autoencoder.json: 'started' is not a time"):
        record_full_build.full_profile_record(records, metrics, "abc", dirty=False)


def test_main_prints_one_line_and_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chapters = record_full_build.toc_chapters()
    metrics = write_records(tmp_path / "metrics", *(results_record(name) for name in chapters[:-1]),
                            results_record(chapters[-1], profile="quick"))
    out = tmp_path / "full_profile.json"
    assert record_full_build.main(["--metrics", str(metrics), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert error.startswith(f"record_full_build.py: {metrics / chapters[-1]}.json was written by the 'quick' profile")
    assert not out.exists()


def test_main_records_every_chapter_of_the_table_of_contents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chapters = record_full_build.toc_chapters()
    assert {"intro", "autoencoder", "denoising-autoencoder", "text-generation", "sentiment"} <= set(chapters)
    assert "references" not in chapters  # a page without a kernel writes no results record
    metrics = write_records(tmp_path / "metrics", *(results_record(name, verdicts={}) for name in chapters))
    out = tmp_path / "full_profile.json"
    assert record_full_build.main(["--metrics", str(metrics), "--out", str(out)]) == 0
    record = reference.load(out)
    assert sorted(record["chapters"]) == sorted(chapters)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert record["commit"] == commit.strip()
    assert "Wrote" in capsys.readouterr().out


def test_git_state_sees_changes_to_tracked_files_only(tmp_path: Path) -> None:
    def git(*arguments: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
                       check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "tracked.txt").write_text("one")
    git("add", "tracked.txt")
    git("commit", "-q", "-m", "first")
    (tmp_path / "untracked.txt").write_text("new")
    commit, dirty = record_full_build.git_state(tmp_path)
    assert len(commit) == 40 and dirty is False
    (tmp_path / "tracked.txt").write_text("two")
    assert record_full_build.git_state(tmp_path) == (commit, True)
    with pytest.raises(record_full_build.RecordError, match="cannot read the git commit"):
        record_full_build.git_state(tmp_path / "no-repository")


def _beside_record(tmp_path, values):
    record = {"date": "2026-11-29", "commit": "abcdef1234567", "dirty": False, "machine": "m", "profile": "full",
              "chapters": {"text-generation": {"values": values, "verdicts": {}, "training": {}}}}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    return path


def test_beside_quotes_the_full_number_in_a_quick_build(tmp_path) -> None:
    path = _beside_record(tmp_path, {"test_loss": 1.5234})
    text = reference.beside("text-generation", "test_loss", 2.1, profile="quick", path=path)
    assert text == "In the full-profile build of 2026-11-29 (commit abcdef1), the same number is 1.523."


def test_beside_in_a_full_build_says_whether_the_record_reproduces(tmp_path) -> None:
    path = _beside_record(tmp_path, {"test_loss": 1.5234})
    same = reference.beside("text-generation", "test_loss", 1.5231, profile="full", path=path)
    other = reference.beside("text-generation", "test_loss", 1.61, profile="full", path=path)
    assert same.endswith("gave 1.523 too: the published number reproduces.")
    assert same.startswith("The full-profile build of 2026-11-29")
    assert other.endswith("gave 1.523; this build gives 1.610.")


def test_beside_without_a_record_or_value_says_so(tmp_path) -> None:
    path = _beside_record(tmp_path, {})
    for where in (path, tmp_path / "absent.json"):
        text = reference.beside("text-generation", "test_loss", 1.0, profile="quick", path=where)
        assert text.startswith("No full-profile build is recorded")


def test_value_with_a_default_never_raises(tmp_path) -> None:
    path = _beside_record(tmp_path, {"test_loss": 1.5})
    assert reference.value("text-generation", "test_loss", path=path, default=None) == 1.5
    assert reference.value("text-generation", "absent", path=path, default="none") == "none"
    assert reference.value("text-generation", "test_loss", path=tmp_path / "absent.json", default=0) == 0
    with pytest.raises(reference.MissingReference):
        reference.value("text-generation", "absent", path=path)


def test_beside_names_what_the_number_is(tmp_path) -> None:
    path = _beside_record(tmp_path, {"test_loss": 1.5234})
    text = reference.beside("text-generation", "test_loss", 2.1, profile="quick", what="the test loss", path=path)
    assert text == "In the full-profile build of 2026-11-29 (commit abcdef1), the test loss is 1.523."


def test_annotate_quotes_the_full_profile_where_it_took_another_branch(tmp_path) -> None:
    path = _beside_record(tmp_path, {"hard_verdict": "It gets 2 of the 4 hard cases wrong: the sarcasm.",
                                     "target_verdict": "reaches it with 0.4 points to spare"})
    sentence = "It gets all 4 hard cases wrong."
    annotated = reference.annotate("text-generation", "hard_verdict", sentence, profile="quick", path=path)
    assert annotated == ("It gets all 4 hard cases wrong. The full profile's model shows otherwise here: "
                         "It gets 2 of the 4 hard cases wrong: the sarcasm.")
    assert reference.says_profiles_differ(annotated)
    fragment = reference.annotate("text-generation", "target_verdict", "falls short by 1.1 points",
                                  profile="quick", path=path)
    assert fragment == "falls short by 1.1 points (in the full profile: reaches it with 0.4 points to spare)"


def test_annotate_leaves_agreeing_full_and_unrecorded_verdicts_alone(tmp_path) -> None:
    path = _beside_record(tmp_path, {"target_verdict": "reaches it with 0.4 points to spare"})
    same = "reaches it with 1.2 points to spare"  # the same branch, other numbers
    assert reference.annotate("text-generation", "target_verdict", same, profile="quick", path=path) == same
    other = "falls short by 1.1 points"
    assert reference.annotate("text-generation", "target_verdict", other, profile="full", path=path) == other
    assert reference.annotate("text-generation", "absent_verdict", other, profile="quick", path=path) == other
    assert reference.annotate("text-generation", "target_verdict", other, profile="quick",
                              path=tmp_path / "absent.json") == other


def test_compare_verdicts_ignores_rounding_words_but_not_branches() -> None:
    quick = {"ch": {"sparsity_verdict": "only 6% of all code numbers are zero",
                    "time_verdict": "takes about 3 minutes", "trend_verdict": "rises at every step"}}
    full = {"ch": {"sparsity_verdict": "only under 1% of all code numbers are zero",
                   "time_verdict": "takes 12 minutes", "trend_verdict": "falls at every step"}}
    problems = reference.compare_verdicts(quick, full)
    assert len(problems) == 1 and problems[0].startswith("ch/trend_verdict")
