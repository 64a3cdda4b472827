"""Find the Chromium (or Chrome) to drive, the way a user has one; say what to install when there is none.

Order: $EXECDOCS_CHROMIUM, then a Chromium or Chrome on PATH, then the usual install locations
(Linux packages, snap, macOS app bundles), then Playwright's own (`playwright install chromium`).
Kept free of Playwright and pytest so that its unit tests need no browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

VARIABLE = "EXECDOCS_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOCATIONS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/opt/google/chrome/chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "~/Applications/Chromium.app/Contents/MacOS/Chromium",
    "~/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
INSTALL = (
    "Install one of:\n"
    "  Debian/Ubuntu:  sudo apt-get install chromium   (Ubuntu without snap: chromium-browser)\n"
    "  macOS:          brew install --cask chromium     (or Google Chrome from google.com/chrome)\n"
    "  any system:     .venv/bin/python -m playwright install chromium   (needs to download)\n"
    f"or point {VARIABLE} at a Chromium or Chrome executable: {VARIABLE}=/path/to/chromium"
)


class ChromiumNotFound(RuntimeError):
    """No Chromium to drive; the message says where we looked and what to install."""


def _executable(path: str | Path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_chromium(
    environ: Mapping[str, str] = os.environ,
    locations: Sequence[str] = LOCATIONS,
    playwright_default: Callable[[], str | None] = lambda: None,
) -> str:
    """The executable to launch; raises ChromiumNotFound with what to install. PATH is read from `environ`."""
    if environ.get(VARIABLE):  # the user said which: never silently use another
        given = str(Path(environ[VARIABLE]).expanduser())
        if _executable(given):
            return given
        raise ChromiumNotFound(f"{VARIABLE}={environ[VARIABLE]} is not an executable file.\n{INSTALL}")
    for name in NAMES:
        found = shutil.which(name, path=environ.get("PATH", os.defpath))
        if found:
            return found
    for location in locations:
        path = os.path.expanduser(location)
        if _executable(path):
            return path
    bundled = playwright_default()  # Playwright names its path even when it never downloaded it
    if bundled and _executable(bundled):
        return bundled
    looked = [f"${VARIABLE} (unset)", "on PATH: " + ", ".join(NAMES), *locations]
    looked.append(f"Playwright's own: {bundled or '(none)'}")
    raise ChromiumNotFound("No Chromium or Chrome found for the browser tests. Looked at:\n  " + "\n  ".join(looked) + f"\n{INSTALL}")
