"""The GitHub Actions workflows pass actionlint and zizmor (offline) before they reach GitHub."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from execdocs.engine.config import Config

ROOT = Config().root

WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent  # the venv's scripts: both tools are pinned in requirements.lock
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)", re.M)


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


def test_there_is_a_workflow():
    """Assert the repository has at least one workflow for the tools below to check."""
    assert workflow_files(), f"no workflow in {WORKFLOWS.relative_to(ROOT)}"


def test_workflows_pass_actionlint():
    """Assert actionlint finds no error in any workflow."""
    result = subprocess.run([str(BIN / "actionlint"), "-no-color", "-oneline", *map(str, workflow_files())],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_workflows_pass_zizmor():
    """Assert zizmor, offline and with .github/zizmor.yml (every action pinned by hash), finds nothing."""
    result = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", "--config", str(ROOT / ".github" / "zizmor.yml"),
                             str(WORKFLOWS)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"zizmor:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_actions_are_pinned_to_a_full_commit(path):
    """Assert every `uses:` names a 40-hex commit, with the tag it stands for in a comment."""
    text = path.read_text(encoding="utf-8")
    loose = [ref for ref in USES.findall(text) if not ref.startswith("./") and not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref)]
    assert not loose, f"{path.name}: actions not pinned to a commit: {loose}"
    for line in text.splitlines():
        if USES.match(line) and "@" in line:
            assert re.search(r"#\s*v\d", line), f"{path.name}: say which release the commit is: {line.strip()}"
