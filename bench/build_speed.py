"""Benchmark the site build: cold, warm, one changed snippet, and snippets run the naive way.

Prints figures; asserts nothing. Run with `make bench` (or `python bench/build_speed.py`).
Targets (issue #2): cold <= 1.5 x (plain build + one torch import + the snippets' own
compute); warm <= 1.2 x plain build. The plain build renders the same pages with the same
code blocks (bench/no_execution_hook.py) but executes nothing and checks nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from execdocs.build import CONFIGS, included_snippets
from execdocs.cache import RunCache
from execdocs.runner import Engine
from execdocs.settings import ROOT


def timed(command: list[str], env: dict | None = None) -> float:
    """Seconds one command takes; stops the benchmark if it fails."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return time.perf_counter() - started


def plain_build(site: Path) -> float:
    """Both languages built in parallel by MkDocs, pages rendered with code but nothing executed."""
    configs = []
    for language, config in CONFIGS.items():
        plain = ROOT / f".bench-plain-{language}.yml"
        hooks = "\n".join(f"  - {hook}" for hook in ("bench/no_execution_hook.py", "hooks/cjk_line_breaks.py"))
        plain.write_text(f"INHERIT: {config.name}\nhooks:\n{hooks}\n", encoding="utf-8")
        configs.append((language, plain))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        started = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(c), "-d", str(site / lang)],
                                      cwd=ROOT, env=env) for lang, c in configs]
        if any(p.wait() for p in processes):
            sys.exit("the plain build failed")
        return time.perf_counter() - started
    finally:
        for _, config in configs:
            config.unlink()


def main() -> None:
    snippets = included_snippets()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = {**os.environ, "EXECDOCS_CACHE": str(scratch / "cache")}
        build = [sys.executable, "-m", "execdocs", "build", "--site-dir", str(scratch / "site")]

        plain = min(plain_build(scratch / f"plain{i}") for i in range(2))
        torch_import = min(timed([sys.executable, "-c", "import torch"]) for _ in range(2))
        cold = timed(build, env)
        warm = min(timed(build, env) for _ in range(2))

        changed = snippets[0]
        original = changed.read_bytes()
        try:
            changed.write_bytes(original + b"\n# benchmark: one changed byte sequence\n")
            one_changed = timed(build, env)
        finally:
            changed.write_bytes(original)

        engine = Engine(cache=RunCache(scratch / "engine-cache"))
        started = time.perf_counter()
        runs = engine.run(snippets)
        engine_seconds = time.perf_counter() - started
        compute = sum(run.seconds for run in runs.values())
        try:  # what `mkdocs serve` does on an edit: the worker is already warm
            changed.write_bytes(original + b"\n# benchmark: one changed byte sequence\n")
            started = time.perf_counter()
            engine.run(snippets)
            warm_rerun = time.perf_counter() - started
        finally:
            changed.write_bytes(original)

        engine.close()
        started = time.perf_counter()
        for snippet in snippets:
            subprocess.run([sys.executable, str(snippet)], cwd=scratch, capture_output=True, check=True)
        naive = time.perf_counter() - started

    floor = plain + torch_import + compute
    print(f"snippets included by pages          {len(snippets)}")
    print(f"plain build (nothing executed)       {plain:6.2f} s")
    print(f"one `import torch`                  {torch_import:6.2f} s")
    print(f"snippets' own compute (sum)         {compute:6.2f} s")
    print(f"cold build, empty cache             {cold:6.2f} s   = {cold / floor:.2f} x (plain + import + compute = {floor:.2f} s; target <= 1.5)")
    print(f"warm build, nothing changed         {warm:6.2f} s   = {warm / plain:.2f} x plain (target <= 1.2)")
    print(f"build after changing one snippet    {one_changed:6.2f} s   ({changed.relative_to(ROOT)})")
    print(f"re-run it in a warm worker (serve)  {warm_rerun:6.2f} s")
    print(f"all snippets via the warm worker    {engine_seconds:6.2f} s")
    print(f"all snippets as fresh processes     {naive:6.2f} s   = {naive / engine_seconds:.1f} x slower")


if __name__ == "__main__":
    main()
