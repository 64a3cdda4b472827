#!/bin/sh
# Print the path of the Python 3.11 that .venv is made with, or say in one line how to get one.
# Looks at $PYTHON (an explicit choice is checked, never replaced), then python3.11, then python3.
# Only 3.11 is supported: the recorded outputs and the pinned torch CPU wheel are 3.11's (README).
WANTED=3.11
HOW="install it with \"pyenv install $WANTED\", \"uv python install $WANTED\" or your distribution's python$WANTED package, then run make again (or make PYTHON=/path/to/python$WANTED)"

# "3.11 /abs/path/python3.11" for an interpreter that runs; nothing for one that does not
# (a missing command, or a pyenv shim for a version that is not installed).
probe() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.executable)' 2>/dev/null
}

if [ -n "${PYTHON:-}" ]; then
    found=$(probe "$PYTHON")
    case "$found" in
        "$WANTED "*) echo "${found#* }"; exit 0 ;;
        "") echo "Python $WANTED is required, but PYTHON=$PYTHON does not run (is it installed?): $HOW" >&2 ;;
        *) echo "Python $WANTED is required, but PYTHON=$PYTHON is Python ${found%% *}: $HOW" >&2 ;;
    esac
    exit 1
fi

for candidate in "python$WANTED" python3; do
    found=$(probe "$candidate")
    case "$found" in
        "$WANTED "*) echo "${found#* }"; exit 0 ;;
    esac
done
found=$(probe python3)
echo "Python $WANTED is required, but ${found:+python3 is Python ${found%% *} and }no python$WANTED was found: $HOW" >&2
exit 1
