"""`make install-browser` finds a Chromium, runs apt-get only as root, and otherwise says what to install.

Runs scripts/check-browser.sh from a temporary copy with a PATH of chosen commands; apt-get is
always a stand-in that logs its calls, so no test installs anything.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from execdocs.engine.config import DEFAULT_ROOT as ROOT

WHAT_TO_INSTALL = ("sudo apt-get install chromium fonts-noto-cjk", "playwright install chromium", "EXECDOCS_CHROMIUM=")
APT_ERRORS = ("Permission denied", "are you root", "Could not open lock file", "dpkg: error")
FAKE_APT = '#!/bin/sh\necho "apt-get $*" >> "$APT_LOG"\n'
FAKE_DPKG_MISSING = "#!/bin/sh\nexit 1\n"  # `dpkg -s <package>`: not installed


@pytest.fixture(scope="module")
def unprivileged_user():
    """An unprivileged user's name: one made for this test when running as root, else the current user."""
    if os.geteuid() != 0:
        yield pwd.getpwuid(os.geteuid()).pw_name
        return
    if not shutil.which("useradd") or not shutil.which("setpriv"):
        pytest.skip("running as root without useradd/setpriv: cannot run as an unprivileged user")
    name = f"execdocs{os.getpid()}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", name], check=True)
    yield name
    subprocess.run(["userdel", name], check=False)


@pytest.fixture
def tmp_path():
    """A temporary folder any user can enter (pytest's own sits under a folder only root can enter)."""
    folder = Path(tempfile.mkdtemp(prefix="execdocs-browser-check-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def world_readable_dir(tmp_path: Path, name: str) -> Path:
    """A folder under tmp_path that any user can read, write and enter."""
    folder = tmp_path / name
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    return folder


def command_dir(tmp_path: Path, links: dict[str, str], scripts: dict[str, str]) -> Path:
    """A folder for PATH holding `links` (name -> existing command) and `scripts` (name -> text)."""
    folder = world_readable_dir(tmp_path, "bin")
    for name, target in links.items():
        (folder / name).symlink_to(shutil.which(target) or target)
    for name, text in scripts.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return folder


def check_browser(tmp_path: Path, path: Path, user: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run a copy of scripts/check-browser.sh with PATH=path (as `user` if given); return its result."""
    copy = world_readable_dir(tmp_path, "scripts") / "check-browser.sh"
    shutil.copy2(ROOT / "scripts" / "check-browser.sh", copy)
    copy.chmod(0o755)
    home = world_readable_dir(tmp_path, "home")
    command = ["/bin/sh", str(copy)]
    if user is not None and os.geteuid() == 0:
        command = [shutil.which("setpriv"), f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--init-groups", *command]
    full_env = {"PATH": str(path), "HOME": str(home), "APT_LOG": str(home / "apt.log"), **env}
    return subprocess.run(command, env=full_env, capture_output=True, text=True)


def apt_calls(tmp_path: Path) -> list[str]:
    """What the stand-in apt-get was asked to do."""
    log = tmp_path / "home" / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


def test_unprivileged_user_without_chromium_is_told_what_to_install(tmp_path, unprivileged_user):
    """Assert a normal user with no Chromium gets one line naming what to install, and apt-get is never run."""
    path = command_dir(tmp_path, {"id": "id"}, {"apt-get": FAKE_APT, "dpkg": FAKE_DPKG_MISSING})
    result = check_browser(tmp_path, path, user=unprivileged_user)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for what in WHAT_TO_INSTALL:
        assert what in lines[0], f"{what} missing from: {lines[0]}"
    assert not any(error in result.stdout + result.stderr for error in APT_ERRORS)
    assert apt_calls(tmp_path) == []


def test_unprivileged_user_with_chromium_on_path_needs_nothing(tmp_path, unprivileged_user):
    """Assert a normal user with a Chromium on PATH and a CJK font passes silently, without apt-get."""
    fake_chromium = "#!/bin/sh\nexit 0\n"
    path = command_dir(tmp_path, {"id": "id"}, {"chromium": fake_chromium, "apt-get": FAKE_APT, "dpkg": "#!/bin/sh\nexit 0\n"})
    result = check_browser(tmp_path, path, user=unprivileged_user)
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""
    assert apt_calls(tmp_path) == []


def test_chromium_given_by_environment_needs_nothing(tmp_path, unprivileged_user):
    """Assert EXECDOCS_CHROMIUM naming an executable is enough, with nothing else on PATH."""
    browser = command_dir(tmp_path, {}, {"my-chrome": "#!/bin/sh\nexit 0\n"}) / "my-chrome"
    result = check_browser(tmp_path, tmp_path / "empty", user=unprivileged_user, EXECDOCS_CHROMIUM=str(browser))
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_chromium_given_by_environment_must_exist(tmp_path):
    """Assert EXECDOCS_CHROMIUM naming no executable stops with a line naming the variable."""
    result = check_browser(tmp_path, tmp_path / "empty", EXECDOCS_CHROMIUM=str(tmp_path / "no-such-chrome"))
    assert result.returncode != 0
    assert "EXECDOCS_CHROMIUM=" in result.stderr and "not an executable" in result.stderr


def test_playwright_download_counts_as_a_chromium(tmp_path, unprivileged_user):
    """Assert a Chromium downloaded by `playwright install chromium` is found without apt-get."""
    path = command_dir(tmp_path, {"id": "id"}, {"apt-get": FAKE_APT, "dpkg": "#!/bin/sh\nexit 0\n"})
    downloads = world_readable_dir(tmp_path, "ms-playwright")
    (downloads / "chromium-1234").mkdir()
    result = check_browser(tmp_path, path, user=unprivileged_user, PLAYWRIGHT_BROWSERS_PATH=str(downloads))
    assert result.returncode == 0, result.stderr
    assert apt_calls(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the apt-get path needs root")
def test_root_on_debian_installs_what_is_missing_with_apt(tmp_path):
    """Assert root with apt-get and dpkg but no Chromium installs chromium and fonts-noto-cjk with apt-get."""
    path = command_dir(tmp_path, {"id": "id"}, {"apt-get": FAKE_APT, "dpkg": FAKE_DPKG_MISSING})
    result = check_browser(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert apt_calls(tmp_path)[-1] == "apt-get install -y -qq chromium fonts-noto-cjk"
