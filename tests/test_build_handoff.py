"""`execdocs build` checks every page once, while its MkDocs processes start (execdocs/website/handoff.py).

A process skips the page checks the build made on the same text, checks any page whose text
differs, and is stopped when the build's checks fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_site import TinySite, warm_cache

from execdocs.website import handoff

TYPED = ("See [the details](#details).", "See [the details](#details): the loss is 0.1054.")  # a typed result: a page problem
PROBLEM = "docs/en/index.md:9: the number 0.1054 is typed in prose or math"


def build_english(site: TinySite, tmp_path: Path, checked: dict[str, str]):
    """`mkdocs build --strict` of the English site, as `execdocs build` starts it, handed `checked` as the verdict."""
    verdict = tmp_path / "checked.json"
    handoff.publish(verdict, checked)
    return site.run("-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(tmp_path / "out"),
                    **{handoff.VARIABLE: str(verdict)})


def test_a_page_changed_after_the_build_checked_it_is_checked_again(tmp_path):
    """Assert a page whose text is not the one the build checked is checked by the MkDocs process itself."""
    site = TinySite.copy(tmp_path, warm_cache())
    site.edit("docs/en/index.md", *TYPED)
    result = build_english(site, tmp_path, {"docs/en/index.md": handoff.digest("the text the build checked, before an edit")})
    assert result.returncode != 0 and PROBLEM in result.output, result.output


def test_a_page_the_build_checked_is_not_checked_again(tmp_path):
    """Assert the process trusts the build's verdict on the very text it checked (the check is not made twice)."""
    site = TinySite.copy(tmp_path, warm_cache())
    site.edit("docs/en/index.md", *TYPED)
    text = (site.root / "docs/en/index.md").read_text(encoding="utf-8")
    result = build_english(site, tmp_path, {"docs/en/index.md": handoff.digest(text)})
    assert result.returncode == 0 and PROBLEM not in result.output, result.output


def _processes_naming(needle: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in command:
            found.append(command)
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="lists processes through /proc")
def test_failed_checks_stop_the_mkdocs_processes(tmp_path):
    """Assert the build reports its checks' errors alone and leaves no MkDocs process behind."""
    site = TinySite.copy(tmp_path, warm_cache())
    site.edit("docs/en/index.md", *TYPED)
    result = site.build(tmp_path / "out")
    assert result.returncode == 1 and PROBLEM in result.stderr, result.output
    assert "--- mkdocs build" not in result.output  # nothing of the stopped processes is shown
    assert not _processes_naming(str(site.root / "mkdocs")), "MkDocs processes outlived the failed build"
