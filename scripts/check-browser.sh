#!/bin/sh
# Make sure the browser tests have a Chromium; install Debian's only where apt-get can run.
# A Chromium is found, in this order: $EXECDOCS_CHROMIUM, a Chromium or Chrome on PATH, the
# macOS apps, Playwright's own download. Missing ones are installed with apt-get as root on a
# Debian-like system; anywhere else this prints what to install and fails, before any test runs.
set -u

found_chromium() {
    for name in chromium chromium-browser google-chrome google-chrome-stable chrome; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    for app in "/Applications/Chromium.app/Contents/MacOS/Chromium" \
               "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"; do
        [ -x "$app" ] && return 0
    done
    for cache in "${PLAYWRIGHT_BROWSERS_PATH:-}" "$HOME/.cache/ms-playwright" "$HOME/Library/Caches/ms-playwright"; do
        for download in "${cache:-/nonexistent}"/chromium*; do
            [ -e "$download" ] && return 0
        done
    done
    return 1
}

# Screenshots of the Chinese pages need a CJK font; the tests themselves do not.
found_cjk_font() {
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 && return 0
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]
}

if [ -n "${EXECDOCS_CHROMIUM:-}" ]; then
    [ -x "$EXECDOCS_CHROMIUM" ] && exit 0
    echo "EXECDOCS_CHROMIUM=$EXECDOCS_CHROMIUM is not an executable file: point it at a Chromium or Chrome, or unset it." >&2
    exit 1
fi

missing=""
found_chromium || missing="chromium"
found_cjk_font || missing="$missing fonts-noto-cjk"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
    echo "Installing $missing with apt-get for the browser tests"
    apt-get update -qq && apt-get install -y -qq $missing
    exit $?
fi

case "$missing" in
    chromium*)
        echo "The browser tests need Chromium: install it (Debian: sudo apt-get install chromium fonts-noto-cjk; or Google Chrome), or run .venv/bin/python -m playwright install chromium, or set EXECDOCS_CHROMIUM=/path/to/chromium; then run make test again." >&2
        exit 1 ;;
    *)
        echo "Note: no CJK font found, so screenshots of the Chinese pages will show boxes (Debian: sudo apt-get install fonts-noto-cjk)." >&2 ;;
esac
