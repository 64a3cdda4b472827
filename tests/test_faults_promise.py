"""A page never shows what its code no longer prints, whatever the snippet does (issue 8).

Each test is one way a hostile author could break the promise; each runs in a fresh
temporary repository, in this process, with the session's shared warm worker.
"""

from __future__ import annotations

import json
import os
import py_compile
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from temp_repo import config, repo, run_one, write  # noqa: F401 (fixtures)

from execdocs.engine import cache as cache_module
from execdocs.engine.client import Engine
from execdocs.engine.config import Limits
from execdocs.engine.errors import SnippetError


def tree(repo: Path) -> dict[str, bytes]:
    """Every file of the repository with its bytes: what `git status` would compare."""
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------
# 1-4: the cache key is what ran; every input is tracked or the run is never reused
# ---------------------------------------------------------------------------


def test_edit_saved_while_the_snippet_runs_never_pairs_new_code_with_old_output(repo, config):
    """Assert a run shows the code that ran, and the edited snippet runs again next time."""
    path = write(repo, "slow.py", "import time\ntime.sleep(1.5)\nprint('old')\n")
    finished = {}
    worker = threading.Thread(target=lambda: finished.update(run=run_one(config, path)))
    worker.start()
    time.sleep(0.7)
    path.write_text("import time\ntime.sleep(1.5)\nprint('new')\n", encoding="utf-8")
    worker.join()
    during = finished["run"]
    assert "print('old')" in during.code() and during.output() == "old\n"
    after = run_one(config, path)
    assert not after.cached and "print('new')" in after.code() and after.output() == "new\n"


def test_helper_imported_from_a_valid_pyc_is_tracked(repo, config):
    """Assert editing a helper whose __pycache__ entry is valid (after `python snippets/x.py`) reruns its users."""
    helper = write(repo, "_common.py", "ANSWER = 1\n")
    py_compile.compile(str(helper), cfile=str(repo / "snippets" / "__pycache__" / f"_common.{sys.implementation.cache_tag}.pyc"))
    path = write(repo, "user.py", "from _common import ANSWER\nprint(ANSWER)\n")
    assert run_one(config, path).output() == "1\n"
    helper.write_text("ANSWER = 2\n", encoding="utf-8")
    run = run_one(config, path)
    assert not run.cached and run.output() == "2\n"


def test_engine_change_invalidates_the_cache(repo, config, monkeypatch):
    """Assert a change to the engine's source reruns every snippet (no version bumped by hand)."""
    path = write(repo, "plain.py", "print(1)\n")
    run_one(config, path)
    assert run_one(config, path).cached
    monkeypatch.setattr(cache_module, "engine_digest", lambda: "another engine")
    assert not run_one(config, path).cached


def test_changed_output_limit_invalidates_the_cache(repo, config):
    """Assert the effective limits are part of the key: a shorter output limit reruns and cuts."""
    path = write(repo, "long.py", "print('x' * 300)\n")
    assert run_one(config, path).output() == "x" * 300 + "\n"
    run = run_one(replace(config, limits=Limits(max_line_chars=100)), path)
    assert not run.cached and run.output().startswith("x" * 100 + " [... line cut: 200 more characters]")


def test_folder_listing_is_an_input(repo, config):
    """Assert a snippet that lists a folder runs again when a file is added to it."""
    (repo / "data").mkdir()
    (repo / "data" / "a.csv").write_text("1\n")
    path = write(repo, "listing.py", "import os\nprint(sorted(os.listdir(os.path.join(os.path.dirname(__file__), '..', 'data'))))\n")
    assert run_one(config, path).output() == "['a.csv']\n"
    (repo / "data" / "b.csv").write_text("2\n")
    run = run_one(config, path)
    assert not run.cached and run.output() == "['a.csv', 'b.csv']\n"


def test_file_outside_the_repository_is_an_input(repo, config, tmp_path):
    """Assert a file read from outside the repository is tracked like any other input."""
    outside = tmp_path / "outside.txt"
    outside.write_text("first\n")
    path = write(repo, "outside.py", f"print(open({str(outside)!r}).read().strip())\n")
    assert run_one(config, path).output() == "first\n"
    outside.write_text("second\n")
    run = run_one(config, path)
    assert not run.cached and run.output() == "second\n"


def test_run_that_starts_a_process_is_never_reused(repo, config):
    """Assert a snippet whose child process reads a file runs again every time, and the engine says why."""
    (repo / "data.txt").write_text("v1\n")
    path = write(repo, "child.py", "import subprocess, os\nsubprocess.run(['cat', os.path.join(os.path.dirname(__file__), '..', 'data.txt')])\n")
    assert run_one(config, path).output() == "v1\n"
    (repo / "data.txt").write_text("v2\n")
    engine = Engine(config)
    run = engine.run([path])[path]
    assert not run.cached and run.output() == "v2\n"
    assert engine.not_cached == ["snippets/child.py: not cached: line 2 starts another process (subprocess.Popen); it runs again at every build"]


def test_hand_edited_cache_entry_is_not_served(repo, config):
    """Assert a cache entry whose output was edited by hand fails its checksum: the snippet runs again."""
    path = write(repo, "honest.py", "print('0.1054')\n")
    run_one(config, path)
    (entry,) = config.cache_dir.glob("*.json")
    record = json.loads(entry.read_text(encoding="utf-8"))
    record["body"]["result"]["sections"][0]["output"] = "9.9999\n"
    entry.write_text(json.dumps(record), encoding="utf-8")
    run = run_one(config, path)
    assert not run.cached and run.output() == "0.1054\n"


# ---------------------------------------------------------------------------
# 5: the repository is provably untouched
# ---------------------------------------------------------------------------

WRITERS = {
    "torch_save": "import torch, os\ntorch.save({'w': 1}, os.path.join(os.path.dirname(__file__), 'w.pt'))\n",
    "subprocess": "import subprocess, os\nsubprocess.run(['sh', '-c', 'echo x > README.md'], cwd=os.path.dirname(os.path.dirname(__file__)))\n",
    "os_system": "import os\nos.system('echo x >> ' + os.path.join(os.path.dirname(__file__), '..', 'README.md'))\n",
    "dir_fd": "import os\nfd = os.open(os.path.dirname(__file__), os.O_RDONLY)\nos.close(os.open('made.txt', os.O_CREAT | os.O_WRONLY, dir_fd=fd))\n",
    "sqlite3": "import sqlite3, os\nsqlite3.connect(os.path.join(os.path.dirname(__file__), 'db.sqlite')).execute('create table t (x)')\n",
    "delete": "import subprocess, os\nsubprocess.run(['rm', os.path.join(os.path.dirname(__file__), '..', 'README.md')])\n",
}


@pytest.mark.parametrize("code", WRITERS.values(), ids=WRITERS.keys())
def test_any_write_into_the_repository_fails_and_changes_nothing(repo, config, code):
    """Assert a write into the repository by any means (native code, child process, dir_fd, sqlite) fails the run, tree intact."""
    path = write(repo, "writer.py", code)
    before = tree(repo)
    with pytest.raises(SnippetError) as caught:
        run_one(config, path)
    assert caught.value.path == "snippets/writer.py"
    assert "wrote into the repository" in caught.value.message and "The repository was left as it was" in caught.value.message
    assert tree(repo) == before


def test_python_write_is_refused_at_its_line(repo, config):
    """Assert a Python-level write into the repository fails at the snippet's own line."""
    path = write(repo, "opener.py", "import os\n\nopen(os.path.join(os.path.dirname(__file__), 'x.txt'), 'w')\n")
    with pytest.raises(SnippetError) as caught:
        run_one(config, path)
    assert (caught.value.line, caught.value.message) == (3, "PermissionError: [Errno 13] a snippet must not change files in the "
                                                            "repository; write to a relative path instead (the working directory "
                                                            "is a temporary folder): 'snippets/x.txt'")


# ---------------------------------------------------------------------------
# 6-7: the page shows what `python snippets/x.py` prints, and nothing outlives the run
# ---------------------------------------------------------------------------


def test_sys_exit_ends_the_snippet(repo, config):
    """Assert sys.exit(0) in a section ends the run: later sections do not run and print nothing."""
    path = write(repo, "exits.py", """
        import sys
        # --8<-- [start:first]
        print("before")
        sys.exit(0)
        # --8<-- [end:first]
        # --8<-- [start:second]
        print("after")
        # --8<-- [end:second]
    """)
    run = run_one(config, path)
    assert run.output() == "before\n" and run.ran("first") and not run.ran("second") and run.exit_line == 4


def test_everything_printed_reaches_the_page_in_order(repo, config):
    """Assert output of child processes, os.write, threads and a logger set up in an earlier section is captured, in order."""
    path = write(repo, "printers.py", """
        import logging, os, subprocess, sys, threading
        # --8<-- [start:setup]
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
        print("print")
        os.write(1, b"os.write\\n")
        subprocess.run([sys.executable, "-c", "print('child process')"])
        # --8<-- [end:setup]
        # --8<-- [start:later]
        logging.info("logged in a later section")
        worker = threading.Thread(target=lambda: print("thread"))
        worker.start()
        worker.join()
        print("to stderr", file=sys.stderr)
        # --8<-- [end:later]
    """)
    run = run_one(config, path)
    assert run.output("setup") == "print\nos.write\nchild process\n"
    assert run.output("later") == "INFO logged in a later section\nthread\nto stderr\n"


def test_classes_defined_in_a_snippet_pickle(repo, config):
    """Assert torch.save of a model class defined in the snippet works, as it does when the script runs alone."""
    path = write(repo, "model.py", """
        import torch

        class Tiny(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = torch.nn.Parameter(torch.ones(2))

        torch.save(Tiny(), "tiny.pt")
        print(type(torch.load("tiny.pt", weights_only=False)).__name__)
    """)
    assert run_one(config, path).output() == "Tiny\n"


def test_no_absolute_build_path_in_output(repo, config):
    """Assert warnings and printed paths show repository paths, the same in every checkout."""
    path = write(repo, "warns.py", """
        import os, warnings
        warnings.warn("careful")
        print(os.path.abspath(__file__))
        print(os.getcwd())
    """)
    output = run_one(config, path).output()
    assert str(repo) not in output and "/tmp" not in output
    assert output.splitlines() == ["snippets/warns.py:2: UserWarning: careful", '  warnings.warn("careful")', "snippets/warns.py", "."]


def test_processes_a_snippet_starts_end_with_it(repo, config):
    """Assert a background process and a detached grandchild are killed when the run ends, and do not make it time out."""
    path = write(repo, "spawner.py", """
        import os, subprocess, time
        background = subprocess.Popen(["sleep", "300"])
        print(background.pid)
        if os.fork() == 0:  # a detached grandchild that holds the output pipe open
            os.setsid()
            time.sleep(300)
            os._exit(0)
        time.sleep(0.2)
    """)
    started = time.monotonic()
    run = run_one(replace(config, limits=Limits(timeout=20)), path)
    assert time.monotonic() - started < 15
    pid = int(run.output().split()[0])
    assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    survivors = subprocess.run(["pgrep", "-f", "time.sleep\\(300\\)|^sleep 300$"], capture_output=True, text=True).stdout.split()
    mine = [p for p in survivors if Path(f"/proc/{p}/environ").exists() and b"EXECDOCS_RUN=" in Path(f"/proc/{p}/environ").read_bytes()]
    assert mine == []


# ---------------------------------------------------------------------------
# 10: bad options and odd files get a file:line message naming the right file
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "message"), [
    ("# execdocs: timeout=inf", "timeout=inf is not allowed: use a number of seconds above 0 and at most 3600"),
    ("# execdocs: timeout=-1", "timeout=-1 is not allowed: use a number of seconds above 0 and at most 3600"),
    ("# execdocs: memory_mb=1e15", "memory_mb=1e15 is not allowed: use a number of MB above 64 and at most 262144"),
    ("# execdocs: memory_mb=nan", "memory_mb=nan is not allowed: use a number of MB above 64 and at most 262144"),
    ("# execdocs: timeout=5 timeout=6", "timeout is set twice; set each limit once"),
    ("# execdocs:", "the execdocs: line sets nothing; write # execdocs: timeout=<number> memory_mb=<number>"),
])
def test_bad_option_names_its_own_snippet_and_line(repo, config, line, message):
    """Assert an unusable limit fails at its own line, and another snippet in the same batch still runs."""
    good = write(repo, "good.py", "print('fine')\n")
    bad = write(repo, "bad.py", f"print(1)\n{line}\n")
    outcomes = Engine(config).run_each([good, bad])
    assert outcomes[good].output() == "fine\n"
    assert str(outcomes[bad]) == f"snippets/bad.py:2: {message}"


def test_snippet_with_a_bom_or_a_coding_line_runs(repo, config):
    """Assert a snippet Python runs (UTF-8 with a BOM, Latin-1 with its coding line) runs here too."""
    bom = repo / "snippets" / "bom.py"
    bom.write_bytes("\ufeffprint('caf\u00e9')\n".encode("utf-8"))
    latin = repo / "snippets" / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\nprint('caf\u00e9')\n".encode("latin-1"))
    runs = Engine(config).run([bom, latin])
    assert runs[bom].output() == runs[latin].output() == "caf\u00e9\n"


def test_snippet_linking_out_of_the_repository_is_an_error(repo, config, tmp_path):
    """Assert a snippet that is a link to a file outside the repository is refused, by name."""
    outside = tmp_path / "elsewhere.py"
    outside.write_text("print('outside')\n")
    link = repo / "snippets" / "link.py"
    link.symlink_to(outside)
    with pytest.raises(SnippetError, match=r"^snippets/link\.py: this snippet is a link to .*elsewhere\.py, outside the repository"):
        run_one(config, link)


def test_nul_byte_is_an_error_at_its_line(repo, config):
    """Assert a NUL byte, which Python cannot run, is reported at its line instead of crashing."""
    path = repo / "snippets" / "nul.py"
    path.write_bytes(b"print(1)\nx = '\x00'\n")
    with pytest.raises(SnippetError, match=r"^snippets/nul\.py:2: the file holds a NUL byte"):
        run_one(config, path)
