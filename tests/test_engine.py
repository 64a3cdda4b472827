"""The engine runs each snippet isolated, reports failures at the snippet's own line, and caches by content."""

from __future__ import annotations

import json
import shutil
import textwrap
import uuid

import pytest

from execdocs.cache import RunCache
from execdocs.errors import SnippetError
from execdocs.runner import Engine
from execdocs.settings import ROOT


@pytest.fixture(scope="module")
def scratch_engine(tmp_path_factory):
    """An engine with its own cache, so these tests never touch the real one."""
    engine = Engine(cache=RunCache(tmp_path_factory.mktemp("cache")))
    yield engine
    engine.close()


@pytest.fixture
def scratch():
    """A folder inside the repository (ignored by git), for snippets whose reads must be tracked."""
    folder = ROOT / ".cache" / "test-snippets" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder)


def write(folder, name, code):
    path = folder / name
    path.write_text(textwrap.dedent(code).lstrip(), encoding="utf-8")
    return path


def test_output_is_split_by_section(scratch, scratch_engine):
    """Assert each named section gets exactly what it printed, in file order."""
    path = write(scratch, "two.py", """
        x = 1
        # --8<-- [start:first]
        print("a", x)
        # --8<-- [end:first]
        print("hidden")
        # --8<-- [start:second]
        print("b")
        # --8<-- [end:second]
    """)
    run = scratch_engine.run([path])[path.resolve()]
    assert run.output("first") == "a 1\n"
    assert run.output("second") == "b\n"
    assert run.output() == "a 1\nhidden\nb\n"
    assert run.code("first") == 'print("a", x)'


def test_state_does_not_leak_between_snippets(scratch, scratch_engine):
    """Assert settings changed by one snippet are back to defaults in the next, even in one batch."""
    polluter = write(scratch, "polluter.py", """
        import builtins
        import numpy as np
        import torch
        np.set_printoptions(precision=1)
        torch.set_default_dtype(torch.float64)
        builtins.leaked = True
    """)
    observer = write(scratch, "observer.py", """
        import builtins
        import numpy as np
        import torch
        print(np.get_printoptions()["precision"], torch.get_default_dtype(), hasattr(builtins, "leaked"))
    """)
    runs = scratch_engine.run([polluter, observer])
    assert runs[observer.resolve()].output() == "8 torch.float32 False\n"


def test_exception_names_the_snippet_line_and_hides_engine_frames(scratch, scratch_engine):
    """Assert a raising snippet is reported at its own deepest line, with its own traceback only."""
    path = write(scratch, "raises.py", """
        def ratio(a, b):
            return a / b

        print(ratio(1, 0))
    """)
    with pytest.raises(SnippetError) as caught:
        scratch_engine.run([path])
    error = caught.value
    assert (error.line, error.message) == (2, "ZeroDivisionError: division by zero")
    assert str(error).startswith(f"{error.path}:2: ZeroDivisionError")
    assert "line 4, in <module>" in error.detail and "execdocs" not in error.detail.replace(error.path, "")


def test_syntax_error_names_the_line(scratch, scratch_engine):
    """Assert a snippet that does not parse is reported at the offending line."""
    path = write(scratch, "broken.py", "x = 1\nprint(x\ny = 2\n")
    with pytest.raises(SnippetError) as caught:
        scratch_engine.run([path])
    assert caught.value.line in (2, 3) and "SyntaxError" in caught.value.message


def test_endless_snippet_times_out(scratch, scratch_engine, monkeypatch):
    """Assert a snippet that never ends is killed at the timeout and reported by name."""
    monkeypatch.setattr(scratch_engine, "timeout", 1.0)
    path = write(scratch, "endless.py", "while True:\n    pass\n")
    with pytest.raises(SnippetError, match=r"endless\.py: did not finish within 1 s \(timeout\)"):
        scratch_engine.run([path])


def test_memory_hog_is_stopped(scratch, scratch_engine):
    """Assert a snippet allocating past the memory limit fails with MemoryError instead of exhausting the machine."""
    path = write(scratch, "hog.py", "blob = bytearray(64 * 1024**3)\n")
    with pytest.raises(SnippetError, match="MemoryError"):
        scratch_engine.run([path])


def test_missing_snippet_is_reported(scratch, scratch_engine):
    """Assert a snippet path that does not exist fails with its name."""
    with pytest.raises(SnippetError, match=r"nowhere\.py: snippet file not found"):
        scratch_engine.run([scratch / "nowhere.py"])


def test_unchanged_snippet_is_served_from_cache(scratch, scratch_engine):
    """Assert a second run of an unchanged snippet executes nothing."""
    path = write(scratch, "stable.py", "print(6 * 7)\n")
    scratch_engine.run([path])
    before = len(scratch_engine.executed)
    run = scratch_engine.run([path])[path.resolve()]
    assert run.cached and len(scratch_engine.executed) == before and run.output() == "42\n"


def test_change_to_an_imported_file_reruns_the_snippet(scratch, scratch_engine):
    """Assert editing a module the snippet imports invalidates its cached run."""
    write(scratch, "_helper.py", "ANSWER = 1\n")
    path = write(scratch, "user.py", "from _helper import ANSWER\nprint(ANSWER)\n")
    assert scratch_engine.run([path])[path.resolve()].output() == "1\n"
    write(scratch, "_helper.py", "ANSWER = 2\n")
    run = scratch_engine.run([path])[path.resolve()]
    assert not run.cached and run.output() == "2\n"


def test_corrupt_cache_entry_is_rerun(scratch, scratch_engine, monkeypatch, tmp_path):
    """Assert an unreadable cache file is ignored and the snippet runs again."""
    monkeypatch.setattr(scratch_engine, "cache", RunCache(tmp_path))
    path = write(scratch, "fragile.py", "print('fresh')\n")
    scratch_engine.run([path])
    for entry in scratch_engine.cache.folder.glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    run = scratch_engine.run([path])[path.resolve()]
    assert not run.cached and run.output() == "fresh\n"


def test_entry_from_another_torch_version_is_not_served(scratch, scratch_engine, monkeypatch, tmp_path):
    """Assert a cache entry recorded under another toolchain is treated as stale."""
    monkeypatch.setattr(scratch_engine, "cache", RunCache(tmp_path))
    path = write(scratch, "versioned.py", "print('now')\n")
    scratch_engine.run([path])
    for entry in scratch_engine.cache.folder.glob("*.json"):
        record = json.loads(entry.read_text(encoding="utf-8"))
        record["toolchain"]["torch"] = "0.0.1"
        entry.write_text(json.dumps(record), encoding="utf-8")
    assert not scratch_engine.run([path])[path.resolve()].cached


def test_files_a_snippet_writes_stay_out_of_the_repository(scratch, scratch_engine):
    """Assert relative writes land in a temporary folder, not next to the snippet or in the repo root."""
    path = write(scratch, "writer.py", "open('written.txt', 'w').write('x')\nimport os\nprint(os.path.isabs(os.getcwd()))\n")
    scratch_engine.run([path])
    assert not (scratch / "written.txt").exists() and not (ROOT / "written.txt").exists()


def test_scalars_are_collected_as_values(scratch, scratch_engine):
    """Assert module-level numbers, numpy scalars and 0-d tensors become quotable values; arrays do not."""
    path = write(scratch, "values.py", """
        import numpy as np
        import torch
        a = 0.5
        b = np.float64(1.25)
        c = torch.tensor(2.0)
        d = np.array([1.0, 2.0])
        _private = 3.0
    """)
    values = scratch_engine.run([path])[path.resolve()].values
    assert values == {"a": 0.5, "b": 1.25, "c": 2.0}
