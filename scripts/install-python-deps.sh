#!/bin/sh
# Install requirements.lock into a virtual environment: sh install-python-deps.sh VENV_PYTHON LOCK
# torch's CPU build (torch==X+cpu) is not on PyPI, only on PyTorch's own index. Asking that
# index for every package would make pip retry an unreachable host ~90 times behind a mirror,
# so torch is installed alone first, from the configured indexes (PyPI, a mirror, a wheel
# folder), and from PyTorch's CPU index only when none of them has it.
set -eu
venv_python=$1
lock=$2
TORCH_INDEX=${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The torch lines, with their platform markers (Linux: +cpu; macOS: PyPI's wheel is CPU-only).
grep -E '^torch[ =;]' "$lock" > "$tmp/torch.txt" || true

if [ -s "$tmp/torch.txt" ] && ! "$venv_python" -m pip install --quiet --no-deps -r "$tmp/torch.txt" 2> "$tmp/stderr"; then
    if ! grep -q "No matching distribution found for torch" "$tmp/stderr"; then
        cat "$tmp/stderr" >&2
        exit 1
    fi
    echo "torch's CPU build is not on your package index: installing it from $TORCH_INDEX"
    "$venv_python" -m pip install --quiet --no-deps --index-url "$TORCH_INDEX" -r "$tmp/torch.txt"
fi
# torch is now installed, so pip does not look it up again.
"$venv_python" -m pip install --quiet -r "$lock"
