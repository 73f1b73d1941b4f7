"""The last full-profile build, kept in the package: its date, commit, numbers and verdicts.

The quick profile trains briefly, so some of its numbers (a loss, an accuracy,
a generated sample) are far from the published edition's. A chapter built in
the quick profile quotes the full profile's value beside its own, and the test
``tests/book/test_profile_verdicts.py`` checks that both profiles tell the same
story (:func:`compare_verdicts`). Both read the record that
``scripts/record_full_build.py`` writes after a full build into
``src/dlbook/full_profile.json``. It lives in the package, not in ``_build``,
because the launch notebooks run in Colab from ``pip install git+...``, where
the package is all there is.

Nothing is read at import: every function reads the record when called, so a
freshly written record is seen by the next call.

Example:
    >>> reference.describe()
    'the full-profile build of 2026-11-29 (commit abc1234)'
    >>> reference.value("text-generation", "validation_bits")
    1.52
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook.prose import Verdict, wording

if TYPE_CHECKING:  # importlib.resources.abc is new in Python 3.11; the package supports 3.10
    from importlib.resources.abc import Traversable

__all__ = ["MissingReference", "RECORD_NAME", "REFRESH", "annotate", "beside", "compare_verdicts", "describe", "load",
           "says_profiles_differ", "value", "verdicts"]

#: The record's file name inside the ``dlbook`` package.
RECORD_NAME = "full_profile.json"

#: How to write the record anew; every error that a stale or absent record causes says it.
REFRESH = "run `DLBOOK_PROFILE=full bash scripts/build.sh`, then `python scripts/record_full_build.py`"

#: Where a quick page's verdict names the full profile, the page says at that
#: place that the profiles differ, so the verdicts may differ there.
_NAMES_THE_FULL_PROFILE = re.compile(r"\bfull[- ]profile\b", re.IGNORECASE)


class MissingReference(KeyError):
    """The record has no such chapter or value; the message names it and says how to refresh the record."""

    def __str__(self) -> str:
        # KeyError's own str() is the repr of its argument, quotes and escapes included.
        return str(self.args[0]) if self.args else ""


def _packaged_record() -> Traversable:
    """The record as a package resource (a file, or an entry in a zipped install)."""
    return importlib.resources.files("dlbook").joinpath(RECORD_NAME)


def load(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read the full-profile record: the packaged one, or the file at ``path``.

    Returns:
        ``{"date", "commit", "dirty", "machine", "profile": "full", "chapters":
        {chapter: {"values", "verdicts", "training"}}}``, as
        ``scripts/record_full_build.py`` writes it.

    Raises:
        FileNotFoundError: if there is no record.
        ValueError: if the record is not JSON or lacks what a record has.
    """
    source: Traversable = _packaged_record() if path is None else Path(path)
    where = f"the dlbook package's {RECORD_NAME}" if path is None else str(path)
    if not source.is_file():
        raise FileNotFoundError(f"No full-profile record in {where}: {REFRESH}.")
    try:
        record = json.loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The full-profile record in {where} is not JSON ({error}); {REFRESH}.") from None
    problem = _problem(record)
    if problem:
        raise ValueError(f"The full-profile record in {where} is malformed: {problem}; {REFRESH}.")
    return record


def _problem(record: Any) -> str | None:
    """What makes ``record`` unlike the script's output, or ``None`` when it has every part."""
    if not isinstance(record, dict):
        return f"it holds a {type(record).__name__}, not an object"
    if record.get("profile") != "full":
        return f"its profile is {record.get('profile')!r}, not 'full'"
    for key, kind in (("date", str), ("commit", str), ("dirty", bool), ("machine", str), ("chapters", dict)):
        if not isinstance(record.get(key), kind):
            return f"{key!r} is missing or not a {kind.__name__}"
    for chapter, entry in record["chapters"].items():
        if not isinstance(entry, dict):
            return f"chapter {chapter!r} is not an object"
        for key in ("values", "verdicts", "training"):
            if not isinstance(entry.get(key), dict):
                return f"chapter {chapter!r} has no {key!r} object"
        if not all(isinstance(sentence, str) for sentence in entry["verdicts"].values()):
            return f"chapter {chapter!r} has a verdict that is not a sentence"
    return None


def _chapter(record: Mapping[str, Any], chapter: str) -> Mapping[str, Any]:
    if chapter not in record["chapters"]:
        raise MissingReference(
            f"{_describe(record)} has no chapter {chapter!r} (it has {', '.join(sorted(record['chapters'])) or 'none'}); "
            f"to refresh the record, {REFRESH}.")
    return record["chapters"][chapter]


_NO_DEFAULT: Any = object()


def value(chapter: str, name: str, *, path: str | os.PathLike[str] | None = None,
          default: Any = _NO_DEFAULT) -> Any:
    """The value that ``chapter`` glued as ``name`` in the recorded full build.

    Args:
        default: Returned instead of raising when there is no record or it
            lacks the value (the first full build of a copy has none yet).

    Raises:
        MissingReference: a ``KeyError`` naming the chapter or value the
            record lacks, and how to refresh it (without ``default``).
        FileNotFoundError: if there is no record (without ``default``).
    """
    if default is not _NO_DEFAULT:
        try:
            return value(chapter, name, path=path)
        except (FileNotFoundError, MissingReference):
            return default
    record = load(path)
    values = _chapter(record, chapter)["values"]
    if name not in values:
        raise MissingReference(
            f"{_describe(record)} recorded no value {name!r} for chapter {chapter!r}; "
            f"to refresh the record, {REFRESH}.")
    return values[name]


def verdicts(chapter: str, *, path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The recorded full build's verdicts for ``chapter``: name -> sentence with numbers masked (``#``).

    Raises:
        MissingReference: if the record has no such chapter.
    """
    return dict(_chapter(load(path), chapter)["verdicts"])


def describe(path: str | os.PathLike[str] | None = None) -> str:
    """The recorded build in words, for the prose: "the full-profile build of 2026-11-29 (commit abc1234)"."""
    return _describe(load(path))


def _describe(record: Mapping[str, Any]) -> str:
    # Uncommitted changes are said: the commit alone would not reproduce the numbers.
    changes = ", with uncommitted changes" if record["dirty"] else ""
    return f"the full-profile build of {record['date']} (commit {record['commit'][:7]}{changes})"


def beside(chapter: str, name: str, this_value: float, *, fmt: str = "{:.3f}", profile: str,
           what: str = "the same number", path: str | os.PathLike[str] | None = None) -> str:
    """One sentence setting this build's ``name`` beside the recorded full build's, for the prose.

    A quick build quotes the published edition's number ("In the full-profile
    build of 2026-11-29 (commit abc1234), the same number is 1.523."). A full
    build compares itself with the record, which shows whether the published
    numbers reproduce. Without a record (the very first full build of a copy,
    before ``scripts/record_full_build.py`` has run) the sentence says so
    instead of failing the build.

    Args:
        chapter: The chapter that glued ``name`` in the record.
        name: The glued value's name.
        this_value: This build's value of ``name``.
        fmt: How both numbers are written.
        profile: The active profile (``config.profile()``).
        what: What the number is, for the quick profile's sentence ("the denoiser's MSE").
    """
    try:
        record = load(path)
        recorded = value(chapter, name, path=path)
    except (FileNotFoundError, MissingReference):
        return "No full-profile build is recorded in this copy of the book yet, so there is no published number to compare."
    where = _describe(record)
    if profile != "full":
        return f"In {where}, {what} is {fmt.format(recorded)}."
    ours, theirs = fmt.format(this_value), fmt.format(recorded)
    if ours == theirs:
        return f"{wording.sentence(where)} gave {theirs} too: the published number reproduces."
    return f"{wording.sentence(where)} gave {theirs}; this build gives {ours}."


def annotate(chapter: str, name: str, sentence: str, *, profile: str,
             path: str | os.PathLike[str] | None = None) -> str:
    """``sentence``, followed by the full profile's own where the recorded full build says otherwise.

    For verdicts on details that a short training run can honestly get
    otherwise (which hard case a model gets wrong, whether a threshold lands
    just above or just below its target): a quick build that took another
    branch than the recorded full build says so at that place, quoting the
    full profile's sentence, so a reader never takes the quick detail for the
    published one. The chapters' main lessons do not use this: for them, a
    difference fails ``tests/book/test_profile_verdicts.py`` instead.

    A full build, a build without a record and a verdict that took the same
    branch (the same sentence once numbers are masked) get ``sentence`` back.
    """
    if profile == "full":
        return sentence
    try:
        recorded = value(chapter, name, path=path)
    except (FileNotFoundError, MissingReference):
        return sentence
    if not isinstance(recorded, str) or _story(recorded) == _story(sentence):
        return sentence
    if sentence.endswith("."):  # a whole sentence: the full profile's follows it
        annotated = f"{sentence} The full profile's model shows otherwise here: {recorded}"
    else:
        annotated = f"{sentence} (in the full profile: {recorded.rstrip('.')})"  # a phrase inside the page's sentence
    if isinstance(sentence, Verdict):  # the branch is still this build's
        return Verdict(annotated, sentence.id, lesson=sentence.lesson)
    return annotated


def says_profiles_differ(sentence: str) -> bool:
    """Whether a verdict names the full profile ("full profile", "full-profile"), saying there that the profiles differ."""
    return bool(_NAMES_THE_FULL_PROFILE.search(sentence))


#: How the wording rounds a small number for reading ("under 1%", "about 3 minutes"):
#: a rounding word, not a branch of the verdict, so the comparison ignores it.
_ROUNDING_WORDS = re.compile(r"\b(?:under|about|over|less than|more than) #")


def _story(sentence: str) -> str:
    """A verdict with its numbers masked and their rounding words dropped: what it says."""
    return _ROUNDING_WORDS.sub("#", wording.outcome(sentence))


def compare_verdicts(quick: Mapping[str, Mapping[str, str]], full: Mapping[str, Mapping[str, str]], *,
                     quick_ids: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
                     full_ids: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
                     skipped: list[str] | None = None) -> list[str]:
    """Where the quick build's verdicts tell another story than the full build's.

    Args:
        quick: Chapter -> verdict name -> sentence, from the quick build.
        full: The same from the full-profile record.
        quick_ids, full_ids: Chapter -> glued name -> ``{"id", "lesson"}``,
            the branch each :class:`dlbook.prose.Verdict` took
            (``Results.verdict_ids``; a record written before verdicts had
            ids has none).
        skipped: If given, a line is appended for everything not compared:
            a chapter or a verdict the record lacks (a new chapter passes
            before the next full build records it), a reading of this
            machine's timings (``lesson=False``).

    Returns:
        One line per problem, in chapter and verdict order; empty when the
        profiles agree. Where both builds recorded the verdict's id, the ids
        are compared: a different branch is a problem, whatever the
        sentence says. Otherwise the sentences are compared with their
        numbers masked (:func:`dlbook.prose.wording.outcome`), and a
        difference is allowed where the quick sentence names the full
        profile (:func:`says_profiles_differ`): the page says so at that place.
    """
    quick_ids, full_ids = quick_ids or {}, full_ids or {}
    notes = skipped if skipped is not None else []
    problems = []
    for chapter in sorted(set(quick) | set(quick_ids)):
        texts, ids = quick.get(chapter, {}), quick_ids.get(chapter, {})
        if chapter not in full and chapter not in full_ids:
            notes.append(f"{chapter}: skipped, the full-profile record has no such chapter yet "
                         "(the next full build records it)")
            continue
        full_texts, recorded_ids = full.get(chapter, {}), full_ids.get(chapter, {})
        for name in sorted(set(texts) | set(ids)):
            ours = ids.get(name)
            if ours is not None and not ours.get("lesson", True):
                notes.append(f"{chapter}/{name}: skipped, a reading of this machine's timings")
                continue
            if ours is not None and name in recorded_ids:
                theirs = recorded_ids[name]
                if ours["id"] != theirs["id"]:
                    problems.append(f"{chapter}/{name}: the profiles took different branches\n"
                                    f"    quick: {ours['id']}: {texts.get(name, '')}\n"
                                    f"    full:  {theirs['id']}: {full_texts.get(name, '')}")
                continue
            if name not in texts:
                continue  # an id without a masked sentence: glued under a name that is not a *_verdict
            if name not in full_texts:
                notes.append(f"{chapter}/{name}: skipped, the full-profile record lacks this verdict")
                continue
            if ours is not None and not recorded_ids:
                # This build says which branch it took, the record (written before verdicts had
                # ids) only how its sentence read: a reworded sentence would fail here although
                # the story is the same. Said, and left to the next full build to check.
                notes.append(f"{chapter}/{name}: skipped, the full-profile record predates verdict ids "
                             "(the next full build records them)")
                continue
            quick_sentence = _story(texts[name])
            full_sentence = _story(full_texts[name])
            if quick_sentence != full_sentence and not says_profiles_differ(quick_sentence):
                problems.append(f"{chapter}/{name}: the profiles differ and the quick page does not say so\n"
                                f"    quick: {quick_sentence}\n    full:  {full_sentence}")
    return problems
