"""find_chromium's lookup order, on fake executables in a temporary folder (no browser, no site)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from chromium import NAMES, VARIABLE, ChromiumNotFound, find_chromium


def _fake(folder: Path, name: str, *, executable: bool = True) -> str:
    """A file named like a browser; executable unless told otherwise."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(stat.S_IRWXU if executable else stat.S_IRUSR | stat.S_IWUSR)
    return str(path)


@pytest.fixture
def folders(tmp_path):
    """Empty folders for PATH, the usual locations and Playwright's download."""
    names = ("bin", "usual", "playwright", "variable")
    for name in names:
        (tmp_path / name).mkdir()
    return {name: tmp_path / name for name in names}


def _find(folders, environ=None, locations=(), bundled=None):
    environ = {"PATH": str(folders["bin"]), **(environ or {})}
    return find_chromium(environ, locations, lambda: bundled)


def test_variable_wins_over_everything(folders):
    """Assert $EXECDOCS_CHROMIUM is used even when PATH, a usual location and Playwright have one."""
    given = _fake(folders["variable"], "my-chrome")
    _fake(folders["bin"], "chromium")
    usual = _fake(folders["usual"], "chromium")
    bundled = _fake(folders["playwright"], "chrome")
    assert _find(folders, {VARIABLE: given}, [usual], bundled) == given


def test_variable_naming_nothing_fails_without_falling_back(folders):
    """Assert a $EXECDOCS_CHROMIUM that is no executable is an error naming it, though PATH has a Chromium."""
    _fake(folders["bin"], "chromium")
    missing = str(folders["variable"] / "nowhere")
    with pytest.raises(ChromiumNotFound, match=f"{VARIABLE}={missing} is not an executable file"):
        _find(folders, {VARIABLE: missing})


@pytest.mark.parametrize("name", NAMES)
def test_each_name_is_found_on_path(folders, name):
    """Assert chromium, chromium-browser, google-chrome and google-chrome-stable are each found on PATH, before a usual location."""
    on_path = _fake(folders["bin"], name)
    assert _find(folders, locations=[_fake(folders["usual"], "chromium")]) == on_path


def test_path_prefers_chromium_over_chrome(folders):
    """Assert PATH is searched in NAMES order: chromium before google-chrome."""
    _fake(folders["bin"], "google-chrome")
    _fake(folders["bin"], "chromium")
    assert _find(folders) == str(folders["bin"] / "chromium")


def test_path_wins_over_usual_locations(folders):
    """Assert a Chromium on PATH is used before one at a usual absolute location."""
    on_path = _fake(folders["bin"], "chromium-browser")
    assert _find(folders, locations=[_fake(folders["usual"], "chromium")]) == on_path


def test_usual_location_when_path_has_none(folders):
    """Assert the first existing usual location (e.g. a macOS app bundle) is used when PATH has no browser."""
    absent = str(folders["usual"] / "Chromium.app/Contents/MacOS/Chromium")
    chrome = _fake(folders["usual"], "Google Chrome.app/Contents/MacOS/Google Chrome")
    assert _find(folders, locations=[absent, chrome], bundled=_fake(folders["playwright"], "chrome")) == chrome


def test_non_executable_files_are_passed_over(folders):
    """Assert a file that cannot be executed, on PATH or at a usual location, is not taken for a browser."""
    _fake(folders["bin"], "chromium", executable=False)
    usual = _fake(folders["usual"], "chromium", executable=False)
    bundled = _fake(folders["playwright"], "chrome")
    assert _find(folders, locations=[usual], bundled=bundled) == bundled


def test_playwright_download_last(folders):
    """Assert Playwright's own Chromium is used when nothing else is installed."""
    bundled = _fake(folders["playwright"], "chrome-linux64/chrome")
    assert _find(folders, locations=[str(folders["usual"] / "chromium")], bundled=bundled) == bundled


def test_nothing_found_says_what_to_install(folders):
    """Assert with no browser anywhere (Playwright's path not downloaded) the error names apt-get, brew, playwright and the variable."""
    not_downloaded = str(folders["playwright"] / "chrome-linux64/chrome")
    with pytest.raises(ChromiumNotFound) as raised:
        _find(folders, locations=[str(folders["usual"] / "chromium")], bundled=not_downloaded)
    message = str(raised.value)
    for advice in ("apt-get install chromium", "brew install --cask chromium", "playwright install chromium", f"{VARIABLE}=", not_downloaded):
        assert advice in message, f"the not-found message lacks {advice!r}:\n{message}"


def test_real_path_is_not_consulted(folders, monkeypatch):
    """Assert the lookup reads PATH from the mapping it is given, not from the process environment."""
    monkeypatch.setenv("PATH", os.pathsep.join([str(folders["usual"]), os.environ.get("PATH", "")]))
    _fake(folders["usual"], "chromium")
    with pytest.raises(ChromiumNotFound):
        _find(folders)
