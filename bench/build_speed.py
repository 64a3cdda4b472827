"""Benchmark the site build: cold, warm, one changed snippet, and snippets run the naive way.

Prints figures; asserts nothing. Run with `make bench` (or `python bench/build_speed.py`).
Everything runs in a temporary copy of the repository (what git tracks, plus node_modules
linked): the benchmark edits a snippet and writes configurations, never in the checkout.
Targets: cold <= 1.5 x (plain build + one torch import + the snippets' own compute) (issue #2);
warm <= 1.1 x plain build, like for like (issue #13: the plain build renders the same pages
with the same code blocks, bench/no_execution_hook.py, but executes nothing, checks nothing
and makes no notebook); the chapter notebooks add <= 20 % to a warm build (issue #10).
Warm and plain builds are timed in interleaved rounds (plain, warm without notebooks, warm),
and each ratio is the median of its rounds' ratios: on a busy machine a ratio of two separate
minima swung from 0.49 to 4.14.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 5  # interleaved plain/warm rounds
HERE = Path(__file__).resolve().parent.parent  # the checkout this script belongs to, copied below
sys.path.insert(0, str(HERE))

from execdocs.engine.cache import RunCache  # noqa: E402
from execdocs.engine.client import Engine  # noqa: E402
from execdocs.engine.config import Config  # noqa: E402
from execdocs.website.build import CONFIG_FILES  # noqa: E402
from execdocs.website.checks import included_snippets  # noqa: E402


def copy_checkout(target: Path) -> Path:
    """The files git tracks (and untracked ones it does not ignore), copied; node_modules linked."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=HERE,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = HERE / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "node_modules").symlink_to(HERE / "node_modules", target_is_directory=True)
    return target


def timed(command: list[str], root: Path, env: dict | None = None) -> float:
    """Seconds one command takes in the copy; stops the benchmark if it fails."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return time.perf_counter() - started


def plain_build(root: Path, site: Path) -> float:
    """Both languages built in parallel by MkDocs, pages rendered with code but nothing executed."""
    configs = []
    for language, name in CONFIG_FILES.items():
        plain = root / f".bench-plain-{language}.yml"
        hooks = "\n".join(f"  - {hook}" for hook in ("bench/no_execution_hook.py", "hooks/cjk_line_breaks.py"))
        plain.write_text(f"INHERIT: {name}\nhooks:\n{hooks}\n", encoding="utf-8")
        configs.append((language, plain))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXECDOCS_ROOT": str(root)}
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(c), "-d", str(site / lang)],
                                  cwd=root, env=env) for lang, c in configs]
    if any(p.wait() for p in processes):
        sys.exit("the plain build failed")
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        root = copy_checkout(scratch / "checkout")
        # The limits the build gets from the environment (EXECDOCS_TIMEOUT on a loaded machine), the paths of the copy
        config = Config(root=root, cache_dir=scratch / "cache", limits=Config.from_env().limits)
        snippets = included_snippets(config)
        env = {**os.environ, "EXECDOCS_ROOT": str(root), "EXECDOCS_CACHE": str(config.cache_dir)}
        build = [sys.executable, "-m", "execdocs", "build", "--site-dir", str(scratch / "site")]

        plain_build(root, scratch / "plain-first")  # the first build of all pays for cold disk caches
        torch_import = min(timed([sys.executable, "-c", "import torch"], root) for _ in range(2))
        cold = timed(build, root, env)
        without_notebooks = {**env, "EXECDOCS_NOTEBOOKS": "false"}
        timed(build, root, without_notebooks)  # fills the cache of that configuration
        rounds = []  # (plain, warm without notebooks, warm), side by side
        for number in range(ROUNDS):
            rounds.append((plain_build(root, scratch / f"plain{number}"), timed(build, root, without_notebooks), timed(build, root, env)))
        plain, warm_plain_pages, warm = (statistics.median(column) for column in zip(*rounds))
        like_for_like = statistics.median(w / p for p, w, _ in rounds)
        with_notebooks = statistics.median(n / w for _, w, n in rounds)
        overall = statistics.median(n / p for p, _, n in rounds)

        changed = snippets[0]
        changed.write_bytes(changed.read_bytes() + b"\n_benchmark_edit = 1\n")  # code: a new comment would need a Chinese translation
        one_changed = timed(build, root, env)

        engine = Engine(config, cache=RunCache(scratch / "engine-cache"))
        started = time.perf_counter()
        runs = engine.run(snippets)
        engine_seconds = time.perf_counter() - started
        compute = sum(run.seconds for run in runs.values())
        changed.write_bytes(changed.read_bytes() + b"_benchmark_edit = 2\n")  # what `mkdocs serve` does on an edit: the worker is warm
        started = time.perf_counter()
        engine.run([changed])
        warm_rerun = time.perf_counter() - started

        started = time.perf_counter()
        for snippet in snippets:
            subprocess.run([sys.executable, str(snippet)], cwd=scratch, capture_output=True, check=True)
        naive = time.perf_counter() - started

    floor = plain + torch_import + compute
    print(f"snippets included by pages          {len(snippets)}")
    print(f"plain build (nothing executed)       {plain:6.2f} s   (medians of {ROUNDS} interleaved rounds: "
          + ", ".join(f"{p:.2f}/{w:.2f}/{n:.2f}" for p, w, n in rounds) + " s plain/warm without notebooks/warm)")
    print(f"one `import torch`                  {torch_import:6.2f} s")
    print(f"snippets' own compute (sum)         {compute:6.2f} s")
    print(f"cold build, empty cache             {cold:6.2f} s   = {cold / floor:.2f} x (plain + import + compute = {floor:.2f} s; target <= 1.5)")
    print(f"warm build without notebooks        {warm_plain_pages:6.2f} s   = {like_for_like:.2f} x plain, like for like (target <= 1.1)")
    print(f"warm build, nothing changed         {warm:6.2f} s   -> notebooks add {with_notebooks - 1:+.0%} to a warm build "
          f"(target <= +20%); {overall:.2f} x plain")
    print(f"build after changing one snippet    {one_changed:6.2f} s   ({config.display_path(changed)})")
    print(f"re-run it in a warm worker (serve)  {warm_rerun:6.2f} s")
    print(f"all snippets via the warm worker    {engine_seconds:6.2f} s")
    print(f"all snippets as fresh processes     {naive:6.2f} s   = {naive / engine_seconds:.1f} x slower")


if __name__ == "__main__":
    main()
