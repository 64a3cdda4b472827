"""The engine runs each snippet isolated, as `python snippets/x.py` would, and caches by what ran.

Every test works in a fresh temporary repository (its own root, snippets/ and cache) and
runs in this process, with the session's shared warm worker.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from temp_repo import config, repo, run_one, write  # noqa: F401 (fixtures)

from execdocs.engine import cache as cache_module
from execdocs.engine.client import Engine
from execdocs.engine.config import Config, Limits
from execdocs.engine.errors import SnippetError


def test_output_is_split_by_section(repo, config):
    """Assert each named section gets exactly what it printed, in file order."""
    path = write(repo, "two.py", """
        x = 1
        # --8<-- [start:first]
        print("a", x)
        # --8<-- [end:first]
        print("hidden")
        # --8<-- [start:second]
        print("b")
        # --8<-- [end:second]
    """)
    run = run_one(config, path)
    assert run.output("first") == "a 1\n"
    assert run.output("second") == "b\n"
    assert run.output() == "a 1\nhidden\nb\n"
    assert run.code("first") == 'print("a", x)'


def test_state_does_not_leak_between_snippets(repo, config):
    """Assert settings changed by one snippet are back to defaults in the next, even in one batch."""
    polluter = write(repo, "polluter.py", """
        import builtins
        import numpy as np
        import torch
        np.set_printoptions(precision=1)
        torch.set_default_dtype(torch.float64)
        builtins.leaked = True
    """)
    observer = write(repo, "observer.py", """
        import builtins
        import numpy as np
        import torch
        print(np.get_printoptions()["precision"], torch.get_default_dtype(), hasattr(builtins, "leaked"))
    """)
    runs = Engine(config).run([polluter, observer])
    assert runs[observer].output() == "8 torch.float32 False\n"


def test_exception_names_the_snippet_line_and_hides_engine_frames(repo, config):
    """Assert a raising snippet is reported at its own deepest line, with its own traceback only."""
    path = write(repo, "raises.py", """
        def ratio(a, b):
            return a / b

        print(ratio(1, 0))
    """)
    with pytest.raises(SnippetError) as caught:
        run_one(config, path)
    error = caught.value
    assert (error.path, error.line, error.message) == ("snippets/raises.py", 2, "ZeroDivisionError: division by zero")
    assert 'File "snippets/raises.py", line 4, in <module>' in error.detail and "execdocs" not in error.detail


def test_syntax_error_names_the_line(repo, config):
    """Assert a snippet that does not parse is reported at the offending line."""
    path = write(repo, "broken.py", "x = 1\nprint(x\ny = 2\n")
    with pytest.raises(SnippetError) as caught:
        run_one(config, path)
    assert caught.value.line in (2, 3) and "SyntaxError" in caught.value.message


def test_endless_snippet_times_out(repo, config):
    """Assert a snippet that never ends is killed at the timeout and reported by name."""
    path = write(repo, "endless.py", "while True:\n    pass\n")
    with pytest.raises(SnippetError, match=r"^snippets/endless\.py: did not finish within 1 s \(timeout\)"):
        run_one(replace(config, limits=Limits(timeout=1)), path)


def test_memory_hog_is_stopped(repo, config):
    """Assert a snippet allocating past the memory limit fails with MemoryError instead of exhausting the machine."""
    path = write(repo, "hog.py", "blob = bytearray(64 * 1024**3)\n")
    with pytest.raises(SnippetError, match="MemoryError"):
        run_one(config, path)


def test_missing_snippet_is_reported(repo, config):
    """Assert a snippet path that does not exist fails with its name."""
    with pytest.raises(SnippetError, match=r"^snippets/nowhere\.py: snippet file not found"):
        run_one(config, repo / "snippets" / "nowhere.py")


def test_unchanged_snippet_is_served_from_cache(repo, config):
    """Assert a second run of an unchanged snippet executes nothing."""
    path = write(repo, "stable.py", "print(6 * 7)\n")
    run_one(config, path)
    engine = Engine(config)
    run = engine.run([path])[path]
    assert run.cached and engine.executed == [] and run.output() == "42\n"


def test_change_to_an_imported_file_reruns_the_snippet(repo, config):
    """Assert editing a module the snippet imports invalidates its cached run."""
    write(repo, "_helper.py", "ANSWER = 1\n")
    path = write(repo, "user.py", "from _helper import ANSWER\nprint(ANSWER)\n")
    assert run_one(config, path).output() == "1\n"
    write(repo, "_helper.py", "ANSWER = 2\n")
    run = run_one(config, path)
    assert not run.cached and run.output() == "2\n"


def test_corrupt_cache_entry_is_rerun(repo, config):
    """Assert an unreadable cache file is ignored and the snippet runs again."""
    path = write(repo, "fragile.py", "print('fresh')\n")
    run_one(config, path)
    for entry in config.cache_dir.glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    run = run_one(config, path)
    assert not run.cached and run.output() == "fresh\n"


def test_entry_from_another_toolchain_is_not_served(repo, config, monkeypatch):
    """Assert a cache entry recorded under other package versions is treated as stale."""
    path = write(repo, "versioned.py", "print('now')\n")
    run_one(config, path)
    other = {**cache_module.toolchain(), "packages": "another set of versions"}
    monkeypatch.setattr(cache_module, "toolchain", lambda: other)
    assert not run_one(config, path).cached


@pytest.mark.parametrize("layout", ["dist-info", "egg-info"])
def test_a_package_upgrade_changes_the_toolchain(tmp_path, monkeypatch, layout):
    """Assert installing another version of a package (a wheel's dist-info, or an egg-info without the version in
    its name) gives another toolchain, hence another key for every run."""
    def installed(version: str) -> str:
        folder = tmp_path / version
        meta = folder / ("demo_pkg-%s.dist-info/METADATA" % version if layout == "dist-info" else "demo_pkg.egg-info/PKG-INFO")
        meta.parent.mkdir(parents=True)
        meta.write_text(f"Metadata-Version: 2.1\nName: demo-pkg\nVersion: {version}\n", encoding="utf-8")
        with monkeypatch.context() as patched:
            patched.syspath_prepend(str(folder))
            return cache_module.toolchain.__wrapped__()["packages"]

    assert installed("1.0") != installed("2.0")


def test_scalars_are_collected_as_values(repo, config):
    """Assert module-level numbers, numpy scalars and 0-d tensors become quotable values; arrays do not."""
    path = write(repo, "values.py", """
        import numpy as np
        import torch
        a = 0.5
        b = np.float64(1.25)
        c = torch.tensor(2.0)
        d = np.array([1.0, 2.0])
        _private = 3.0
    """)
    assert run_one(config, path).values == {"a": 0.5, "b": 1.25, "c": 2.0}


def test_cache_entry_records_what_ran(repo, config):
    """Assert a cache entry holds a checksum over its result and the digests of the inputs read."""
    write(repo, "_data.txt", "3\n")
    path = write(repo, "reads.py", "from pathlib import Path\nprint(Path(__file__).with_name('_data.txt').read_text().strip())\n")
    run_one(config, path)
    (entry,) = config.cache_dir.glob("*.json")
    record = json.loads(entry.read_text(encoding="utf-8"))
    assert set(record) == {"checksum", "body"} and list(record["body"]["result"]["reads"]) == ["snippets/_data.txt"]


def test_build_and_mkdocs_processes_share_cache_keys(repo, config):
    """Assert the settings a build passes to its MkDocs processes (as environment variables) give the same cache keys."""
    path = write(repo, "shared.py", "print('once')\n")
    run_one(config, path)
    child_settings = Config.from_env({"EXECDOCS_ROOT": str(config.root), "EXECDOCS_CACHE": str(config.cache_dir),
                                      "EXECDOCS_TIMEOUT": repr(config.limits.timeout), "EXECDOCS_MEMORY_MB": repr(config.limits.memory_mb)})
    assert child_settings == config and run_one(child_settings, path).cached


def test_fresh_process_per_run_gives_the_same_result(repo, config):
    """Assert the fallback where forking is unsafe (macOS; forced here) prints the same, keeps values, limits and the write guard."""
    path = write(repo, "same.py", """
        import torch
        # --8<-- [start:draw]
        torch.manual_seed(0)
        print(torch.rand(2))
        total = 3
        # --8<-- [end:draw]
    """)
    forked = run_one(config, path)
    notes = []
    fresh_config = replace(config, fork=False, cache_dir=config.cache_dir.with_name("fresh"))
    fresh = Engine(fresh_config, log=notes.append).run([path])[path]
    assert (fresh.output(), fresh.values) == (forked.output(), forked.values)
    assert any("fresh process" in note for note in notes)
    endless = write(repo, "endless.py", "while True:\n    pass\n")
    with pytest.raises(SnippetError, match="did not finish within 2 s"):
        Engine(replace(fresh_config, limits=Limits(timeout=2))).run([endless])
    writer = write(repo, "writer.py", "import os\nos.system('touch ' + os.path.join(os.path.dirname(__file__), 'x'))\n")
    with pytest.raises(SnippetError, match="wrote into the repository: snippets/x"):
        Engine(fresh_config).run([writer])
    assert not (repo / "snippets" / "x").exists()
