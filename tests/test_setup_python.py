"""The set-up finds Python 3.11 or stops with one line, and installs torch's CPU build anywhere.

Runs scripts/find-python.sh, scripts/install-python-deps.sh and `make -n install` in temporary
copies, with real interpreters of other versions and a stand-in for pip: no network, no install.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from execdocs.engine.config import DEFAULT_ROOT as ROOT

SCRIPTS = ROOT / "scripts"
SET_UP_FILES = ["Makefile", "scripts", "pyproject.toml", "requirements.lock", "package.json", "package-lock.json"]
REQUIRED = "Python 3.11 is required"
HOW_TO_GET_IT = ('"pyenv install 3.11"', '"uv python install 3.11"', "python3.11 package")
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"


@functools.cache
def interpreter(version: str) -> str:
    """The binary of a runnable python<version> (from PATH, pyenv or /usr), or skip the test."""
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for path in filter(None, candidates):
        probe = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.split()[0] == version:
            # The binary itself: a pyenv shim stops working on a PATH without pyenv.
            return os.path.realpath(probe.stdout.split(maxsplit=1)[1].strip())
    pytest.skip(f"no runnable python{version} on this machine")


def path_with(tmp_path: Path, **commands: str) -> str:
    """A PATH holding only `sh`, `make` and the given commands (name -> target)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, target in {"sh": shutil.which("sh"), "make": shutil.which("make"), **commands}.items():
        (bin_dir / name).symlink_to(target)
    return str(bin_dir)


def find_python(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run scripts/find-python.sh with exactly this environment."""
    return subprocess.run(["/bin/sh", str(SCRIPTS / "find-python.sh")], env=env, capture_output=True, text=True)


def set_up_copy(tmp_path: Path) -> Path:
    """A temporary copy of the files `make install` reads (no .venv, no node_modules)."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in SET_UP_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / name)
    return copy


def make_n_install(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """`make -n install` in a copy: prints the commands it would run, runs none."""
    env = {**os.environ, "PYTHON": ""}
    return subprocess.run(["make", "-n", "install", *args], cwd=repo, env=env, capture_output=True, text=True)


def assert_one_line_reason(stderr: str, found: str) -> None:
    """The stop message is a single line naming the version needed, what was found, and how to get 3.11."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert REQUIRED in lines[0] and found in lines[0], lines[0]
    for way in HOW_TO_GET_IT:
        assert way in lines[0], f"{way} missing from: {lines[0]}"


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_find_python_rejects_another_version_given_as_PYTHON(version):
    """Assert PYTHON=<python3.12 or 3.13> exits non-zero with one line saying 3.11 is required and how to get it."""
    result = find_python({"PATH": os.environ["PATH"], "PYTHON": interpreter(version)})
    assert result.returncode != 0
    assert result.stdout == ""
    assert_one_line_reason(result.stderr, f"is Python {version}")


def test_find_python_accepts_3_11_given_as_PYTHON():
    """Assert PYTHON=<python3.11> passes and prints an interpreter that runs 3.11."""
    result = find_python({"PATH": os.environ["PATH"], "PYTHON": interpreter("3.11")})
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip()
    version = subprocess.run([printed, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == "(3, 11)"


def test_find_python_rejects_python3_of_another_version(tmp_path):
    """Assert a PATH whose only python3 is 3.12 gives the one-line reason, naming what python3 is."""
    path = path_with(tmp_path, python3=interpreter("3.12"))
    result = find_python({"PATH": path})
    assert result.returncode != 0
    assert_one_line_reason(result.stderr, "python3 is Python 3.12")


def test_find_python_prefers_python3_11_to_python3(tmp_path):
    """Assert python3.11 on PATH is chosen even when python3 is 3.12."""
    path = path_with(tmp_path, python3=interpreter("3.12"), **{"python3.11": interpreter("3.11")})
    result = find_python({"PATH": path})
    assert result.returncode == 0, result.stderr
    assert "3.11" in Path(result.stdout.strip()).name


def test_make_install_stops_at_once_with_a_wrong_python(tmp_path):
    """Assert `make install PYTHON=<3.12>` stops before making anything, with the one-line reason."""
    result = make_n_install(set_up_copy(tmp_path), f"PYTHON={interpreter('3.12')}")
    assert result.returncode != 0
    assert "venv" not in result.stdout and "pip" not in result.stdout
    assert_one_line_reason(result.stderr, "is Python 3.12")


def test_make_install_stops_when_python3_is_3_12(tmp_path):
    """Assert `make install` with python3 -> 3.12 and no python3.11 on PATH stops with the one-line reason."""
    repo = set_up_copy(tmp_path)
    env = {"PATH": path_with(tmp_path, python3=interpreter("3.12")), "HOME": str(tmp_path)}
    result = subprocess.run(["make", "-n", "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert_one_line_reason(result.stderr, "python3 is Python 3.12")


def test_make_install_makes_the_venv_with_3_11(tmp_path):
    """Assert `make install PYTHON=<3.11>` makes .venv with that interpreter."""
    python311 = interpreter("3.11")
    result = make_n_install(set_up_copy(tmp_path), f"PYTHON={python311}")
    assert result.returncode == 0, result.stderr
    assert "-m venv --clear .venv" in result.stdout
    assert "sh scripts/install-python-deps.sh .venv/bin/python requirements.lock" in result.stdout


def test_make_install_remakes_a_venv_of_another_python(tmp_path):
    """Assert an up-to-date .venv made by Python 3.12 is made again with 3.11, saying why."""
    repo = set_up_copy(tmp_path)
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to(interpreter("3.12"))
    (repo / ".venv" / ".installed").touch()
    result = make_n_install(repo, f"PYTHON={interpreter('3.11')}")
    assert result.returncode == 0, result.stderr
    assert ".venv runs Python 3.12 instead of 3.11" in result.stdout
    assert "-m venv --clear .venv" in result.stdout


def test_make_install_keeps_an_up_to_date_venv_of_3_11(tmp_path):
    """Assert an up-to-date .venv of 3.11 is left alone, even when the PYTHON given is wrong."""
    repo = set_up_copy(tmp_path)
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to(interpreter("3.11"))
    (repo / ".venv" / ".installed").touch()
    result = make_n_install(repo, f"PYTHON={interpreter('3.12')}")
    assert result.returncode == 0, result.stderr
    assert "venv" not in result.stdout and "pip" not in result.stdout


# ---------------------------------------------------------------------------
# torch's CPU build: the configured indexes first, PyTorch's CPU index only when they lack it
# ---------------------------------------------------------------------------

# Stands in for .venv/bin/python: logs each pip call, and fails the way pip does when asked for
# torch on an index that lacks it ($HAS_TORCH=no) or when the network is down ($OFFLINE=yes).
FAKE_PIP = """#!/bin/sh
echo "$*" >> "$LOG"
case "$*" in *--index-url*) exit 0 ;; esac
if [ "$OFFLINE" = yes ]; then echo "ERROR: Could not install packages due to an OSError: connection refused" >&2; exit 1; fi
requirements="${*##* }"  # the last argument: the file after -r
# Only a file of torch lines is looked up: with the whole lock, torch is already installed.
if [ "$HAS_TORCH" = no ] && ! grep -qv '^torch' "$requirements"; then
    echo "ERROR: No matching distribution found for torch==2.13.0+cpu" >&2; exit 1
fi
exit 0
"""


def install_deps(tmp_path: Path, has_torch: str = "yes", offline: str = "no") -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run install-python-deps.sh with the fake pip; return the result and the pip calls it made."""
    fake = tmp_path / "python"
    fake.write_text(FAKE_PIP)
    fake.chmod(0o755)
    log = tmp_path / "pip.log"
    env = {"PATH": os.environ["PATH"], "LOG": str(log), "HAS_TORCH": has_torch, "OFFLINE": offline}
    result = subprocess.run(["/bin/sh", str(SCRIPTS / "install-python-deps.sh"), str(fake), str(ROOT / "requirements.lock")],
                            env=env, capture_output=True, text=True)
    return result, log.read_text().splitlines() if log.exists() else []


def test_install_deps_never_asks_pytorch_index_when_torch_is_found(tmp_path):
    """Assert that where the configured indexes have torch's CPU build, PyTorch's index is never contacted."""
    result, calls = install_deps(tmp_path, has_torch="yes")
    assert result.returncode == 0, result.stderr
    assert len(calls) == 2 and not any("--index-url" in call for call in calls)
    assert calls[-1].endswith("requirements.lock")


def test_install_deps_falls_back_to_pytorch_cpu_index_for_torch_only(tmp_path):
    """Assert that where torch's CPU build is not found, torch alone comes from PyTorch's CPU index."""
    result, calls = install_deps(tmp_path, has_torch="no")
    assert result.returncode == 0, result.stderr
    fallback = [call for call in calls if "--index-url" in call]
    assert len(fallback) == 1 and f"--index-url {TORCH_INDEX}" in fallback[0] and "--no-deps" in fallback[0]
    assert calls[-1].endswith("requirements.lock") and "--index-url" not in calls[-1]
    assert TORCH_INDEX in result.stdout


def test_install_deps_does_not_fall_back_on_other_errors(tmp_path):
    """Assert a pip error other than torch not found is shown and stops, without trying PyTorch's index."""
    result, calls = install_deps(tmp_path, offline="yes")
    assert result.returncode != 0
    assert "connection refused" in result.stderr
    assert not any("--index-url" in call for call in calls)


def test_lock_pins_torch_cpu_build_on_linux_and_macos():
    """Assert requirements.lock pins pyproject's torch as the +cpu build on Linux and PyPI's CPU-only wheel on macOS."""
    pinned = next(dep for dep in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
                  if dep.startswith("torch=="))
    torch_lines = [line for line in (ROOT / "requirements.lock").read_text().splitlines() if line.startswith("torch")]
    assert torch_lines == [f'{pinned}+cpu ; sys_platform == "linux"', f'{pinned} ; sys_platform == "darwin"']
