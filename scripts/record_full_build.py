"""Keep the last full-profile build in the package: its date, commit, glued values and verdicts.

Run it after a full build, then commit the record it writes:

    DLBOOK_PROFILE=full bash scripts/build.sh
    python scripts/record_full_build.py [--metrics _build/metrics] [--out src/dlbook/full_profile.json]

It reads every chapter's results record (``<chapter>.json``, written by
:class:`dlbook.notebook.Results`) and refuses, in one line naming the file,
when one is missing, unreadable or from the quick profile: a record mixing
profiles would make the quick pages quote quick numbers as the full profile's.
The quick pages and ``tests/book/test_profile_verdicts.py`` read the result
through :mod:`dlbook.prose.reference`. Writing it changes the stamp of
``scripts/build.sh``, so the next build executes the chapters again and quotes
the new numbers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "dlbook" / "full_profile.json"
BUILD_FIRST = "build the book in the full profile first: DLBOOK_PROFILE=full bash scripts/build.sh"

#: What a training entry keeps. The cache entry's key and folder are left out,
#: since they name one machine's cache, and so is "cached", which says only
#: whether this build found the model trained already.
TRAINING_FIELDS = ("seconds", "epochs", "final")


class RecordError(Exception):
    """A results record that cannot go into the full-profile record; the message names its file."""


def default_metrics() -> Path:
    """Where the build wrote its records: ``DLBOOK_METRICS`` as the build resolves it, else ``_build/metrics``."""
    return Path(os.environ.get("DLBOOK_METRICS", "").strip() or ROOT / "_build" / "metrics")


def toc_chapters(root: Path = ROOT) -> list[str]:
    """The record names of the book's notebook pages (those with a kernel), in table-of-contents order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    documents = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        documents += [chapter["file"] for chapter in part["chapters"]]
    front_matter = {document: (root / f"{document}.md").read_text(encoding="utf-8").split("\n---", 1)[0]
                    for document in documents}
    return [Path(document).name for document in documents if "kernelspec" in front_matter[document]]


def read_records(metrics: Path, chapters: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Every chapter's results record from ``metrics``, each checked to come from the full profile.

    Raises:
        RecordError: naming the first record that is missing, unreadable or not from the full profile.
    """
    records = {}
    for chapter in chapters:
        path = metrics / f"{chapter}.json"
        if not path.is_file():
            raise RecordError(f"{path}: no results record for chapter {chapter!r}; {BUILD_FIRST}.")
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RecordError(f"{path}: cannot read the results record ({error}).") from None
        missing = [key for key in ("profile", "values", "training", "started", "machine")
                   if not isinstance(record, dict) or key not in record]
        if missing:
            raise RecordError(f"{path}: not a results record (it lacks {', '.join(missing)}).")
        if record["profile"] != "full":
            raise RecordError(f"{path} was written by the {record['profile']!r} profile, not 'full'; {BUILD_FIRST}.")
        records[chapter] = record
    return records


def started(record: Mapping[str, Any], path: str) -> datetime.datetime:
    """When the chapter's run started, as a time with its offset."""
    try:
        return datetime.datetime.strptime(record["started"], "%Y-%m-%dT%H:%M:%S%z")
    except (TypeError, ValueError):
        raise RecordError(f"{path}: 'started' is not a time: {record['started']!r}.") from None


def chapter_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the full-profile record keeps of one chapter: its values, its verdicts (sentences and ids) and its training runs."""
    from dlbook.prose import wording

    values = record["values"]
    # The glued verdicts are what the quick page's test compares: the sentences
    # the chapter had glued when it glued them. A chapter that glues none still
    # gets its masked sentences, so a later quick build that glues them finds them.
    glued = values.get("verdicts")
    verdicts = glued if isinstance(glued, dict) else wording.outcomes(values)
    training = {name: {field: run[field] for field in TRAINING_FIELDS if field in run}
                for name, run in record["training"].items()}
    # The branch each verdict took, which the quick build's test compares where both have it.
    return {"values": values, "verdicts": verdicts, "verdict_ids": dict(record.get("verdict_ids", {})),
            "training": training}


def git_state(root: Path = ROOT) -> tuple[str, bool]:
    """The checked-out commit and whether tracked files differ from it (untracked files do not count)."""
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        changes = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                 capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise RecordError(f"{root}: cannot read the git commit ({detail.strip()}).") from None
    return commit, bool(changes.strip())


def full_profile_record(records: Mapping[str, Mapping[str, Any]], metrics: Path, commit: str,
                        dirty: bool) -> dict[str, Any]:
    """The record that :mod:`dlbook.prose.reference` reads, from the chapters' results records."""
    if not records:
        raise RecordError(f"{metrics}: no chapters to record.")
    latest = max(started(record, str(metrics / f"{chapter}.json")) for chapter, record in records.items())
    machines = sorted({str(record["machine"]) for record in records.values()})
    return {
        # The day the newest chapter ran: chapters run one after the other, the build ends that day.
        "date": latest.date().isoformat(),
        "commit": commit,
        "dirty": dirty,
        "machine": "; ".join(machines),
        "profile": "full",
        "chapters": {chapter: chapter_entry(record) for chapter, record in records.items()},
    }


def write(record: Mapping[str, Any], out: Path) -> None:
    """Write ``record`` as stable JSON: sorted keys, one-space indent, text as UTF-8 (samples stay readable)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--metrics", type=Path, default=default_metrics(),
                        help="the full build's results records (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT, help="the record to write (default: %(default)s)")
    arguments = parser.parse_args(argv)
    try:
        records = read_records(arguments.metrics, toc_chapters())
        commit, dirty = git_state()
        record = full_profile_record(records, arguments.metrics, commit, dirty)
    except RecordError as error:
        print(f"record_full_build.py: {error}", file=sys.stderr)
        return 1
    write(record, arguments.out)
    from dlbook.prose import reference

    # Read it back the way the chapters will, so a record they cannot read is never left behind silently.
    reference.load(arguments.out)
    print(f"Wrote {arguments.out}: {reference.describe(arguments.out)}, chapters {', '.join(record['chapters'])}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
