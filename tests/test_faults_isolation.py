"""Snippets cannot dirty the repository or each other, and a bad cache entry is never served (issue #5).

Each test checks a copy of tests/fixtures/tiny_site (the build's steps before MkDocs, in this
process); `TinySite.files()` is what `git status` would compare: every file of the copy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_site import TinySite, warm_cache

from execdocs.engine.cache import toolchain


@pytest.fixture
def site(tmp_path):
    return TinySite.copy(tmp_path, warm_cache())


def include(site: TinySite, *targets: str) -> None:
    """Include `targets` after tiny.py's section, in both languages."""
    lines = "".join(f'\n\n{{{{ run("{target}") }}}}' for target in targets)
    for language in ("en", "zh"):
        site.edit(f"docs/{language}/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:loss") }}' + lines)


# ---------------------------------------------------------------------------
# Files and working directories
# ---------------------------------------------------------------------------


def test_relative_writes_and_chdir_stay_in_a_temporary_folder(site):
    """Assert files a snippet writes and its os.chdir reach neither the repository nor the next snippet, and are deleted."""
    site.write("snippets/writer.py", '''
        import os

        # --8<-- [start:write]
        with open("scratch.txt", "w") as scratch:
            scratch.write("temporary")
        os.makedirs("out/deeper")
        os.chdir("out")
        print(sorted(os.listdir("..")))
        print("folder", os.path.dirname(os.getcwd()))
        folder = os.getcwd()
        # --8<-- [end:write]
    ''')
    site.write("snippets/reader.py", '''
        import os

        # --8<-- [start:look]
        print(sorted(os.listdir(".")), os.path.exists("scratch.txt"), os.path.basename(os.getcwd()) != "out")
        # --8<-- [end:look]
    ''')
    include(site, "writer.py:write", "reader.py:look")
    before = site.files()
    runs = site.runs()
    writer, reader = (runs[site.root / "snippets" / name] for name in ("writer.py", "reader.py"))
    assert writer.output("write") == "['out', 'scratch.txt']\nfolder .\n"  # the temporary folder, as a page shows it
    assert reader.output("look") == "[] False True\n"
    assert writer.values["folder"].startswith("/") and not Path(writer.values["folder"]).exists(), \
        "the snippet's temporary folder was left behind"
    assert site.files() == before


@pytest.mark.parametrize(("code", "line", "target"), [
    ('open(os.path.join(os.path.dirname(__file__), "result.txt"), "w").write("x")', 5, "snippets/result.txt"),
    ('os.chdir(os.path.dirname(os.path.dirname(__file__)))\nopen("notes.txt", "a").write("x")', 6, "notes.txt"),
    ('os.chdir(os.path.dirname(os.path.dirname(__file__)))\nos.remove("docs/en/index.md")', 6, "docs/en/index.md"),
    ('os.makedirs(os.path.join(os.path.dirname(__file__), "made"))', 5, "snippets/made"),
])
def test_writing_inside_the_repository_is_refused(site, code, line, target):
    """Assert a snippet creating, appending to, deleting or making folders in the repository fails there, and nothing changes."""
    site.write("snippets/tiny.py", "import math\nimport os\n\n# --8<-- [start:loss]\n" + code + "\nloss = -math.log(0.9)\n"
               'print(f"loss = {loss:.4f}")\n# --8<-- [end:loss]\n')
    before = site.files()
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines[0] == (
        f"ERROR: snippets/tiny.py:{line}: PermissionError: [Errno 13] a snippet must not change files in the repository; "
        f"write to a relative path instead (the working directory is a temporary folder): '{target}'"
    )
    assert site.files() == before


# ---------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------


def corrupt(entry: Path) -> None:
    entry.write_text('{"checksum": "', encoding="utf-8")


def misshape(entry: Path) -> None:
    record = json.loads(entry.read_text(encoding="utf-8"))
    del record["body"]["result"]["sections"]
    entry.write_text(json.dumps(record), encoding="utf-8")


def hand_edited(entry: Path) -> None:
    record = json.loads(entry.read_text(encoding="utf-8"))
    for section in record["body"]["result"]["sections"]:
        section["output"] = section["output"].replace("0.1054", "9.9999")
    entry.write_text(json.dumps(record), encoding="utf-8")


def from_another_toolchain(entry: Path) -> None:
    record = json.loads(entry.read_text(encoding="utf-8"))
    record["body"]["toolchain"]["torch"] = "0.0.1"
    entry.write_text(json.dumps(record), encoding="utf-8")


@pytest.mark.parametrize("damage", [corrupt, misshape, hand_edited, from_another_toolchain], ids=lambda damage: damage.__name__)
def test_bad_cache_entry_is_rerun_not_served(site, damage):
    """Assert a truncated, misshapen, hand-edited or stale (other torch version) cache entry is ignored: the snippet runs again."""
    entries = list(site.cache.glob("*.json"))
    assert len(entries) == 1, "the warm cache holds tiny.py's run only"
    damage(entries[0])
    run = site.runs()[site.root / "snippets" / "tiny.py"]
    assert not run.cached and run.output("loss") == "loss = 0.1054\n"
    record = json.loads(entries[0].read_text(encoding="utf-8"))
    assert record["body"]["toolchain"] == toolchain()
    assert [s["output"] for s in record["body"]["result"]["sections"] if s["name"] == "loss"] == ["loss = 0.1054\n"]
