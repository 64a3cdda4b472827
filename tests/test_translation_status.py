"""A translation that lags behind the other language says so on the page (issue 14, hooks/translation_status.py).

Each test makes a git repository of its own from a copy of the tiny site, with the hook
added, commits changes to one language or both, and builds or asks the hook.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

from tiny_site import TinySite, warm_cache

from execdocs.engine.config import Config

ROOT = Config().root

HOOK = ROOT / "hooks" / "translation_status.py"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
EN_SENTENCE = "See [the details](#details)."  # a prose line of tests/fixtures/tiny_site/docs/en/index.md
ZH_SENTENCE = "见[细节](#details)。"


def load_hook():
    spec = importlib.util.spec_from_file_location("translation_status", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git(site: TinySite, *args: str) -> str:
    return subprocess.run(["git", "-C", str(site.root), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV}).stdout


def commit(site: TinySite, message: str) -> None:
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", message)


def repository(tmp_path: Path) -> TinySite:
    """The tiny site with the hook, as a git repository whose first commit holds both languages."""
    site = TinySite.copy(tmp_path, cache=warm_cache())
    site.edit("mkdocs.yml", "  - execdocs/website/mkdocs_hook.py\n", f"  - execdocs/website/mkdocs_hook.py\n  - {HOOK}\n")
    site.write(".gitignore", "/site/\n/execdocs\n/node_modules\n")
    git(site, "init", "-q", "-b", "main")
    commit(site, "Both languages")
    return site


def lagging(site: TinySite) -> dict:
    return load_hook().lagging_pages(site.root, {"en": "docs/en", "zh": "docs/zh"})


def test_notice_appears_when_the_other_language_changes_and_goes_once_updated(tmp_path):
    """Assert the zh page warns, in Chinese with a link to the English page, after an English-only change, and stops once zh is updated."""
    site = repository(tmp_path)
    site.edit("docs/en/index.md", EN_SENTENCE, "See [the details](#details), which matter.")
    commit(site, "English: say why the details matter")
    result = site.build()
    assert result.returncode == 0, result.output
    zh, en = site.page("zh"), site.page("en")
    assert 'data-translation-outdated="en"' in zh and "本页可能已过时" in zh
    assert 'href="../en/" hreflang="en">阅读英文版</a>' in zh
    assert "translation-outdated" not in en
    site.edit("docs/zh/index.md", ZH_SENTENCE, "见[细节](#details)，它们很重要。")
    commit(site, "中文：跟上英文")
    result = site.build()
    assert result.returncode == 0, result.output
    assert "translation-outdated" not in site.page("zh") and "translation-outdated" not in site.page("en")


def test_english_page_warns_when_the_chinese_one_changed_after_it(tmp_path):
    """Assert the rule is symmetric: a Chinese-only change makes the English page lag."""
    site = repository(tmp_path)
    site.edit("docs/zh/index.md", ZH_SENTENCE, "见[细节](#details)，它们很重要。")
    commit(site, "中文：补一句")
    assert lagging(site) == {("en", "index.md"): "zh"}


def test_commit_marked_translation_not_needed_does_not_count(tmp_path):
    """Assert a one-language change whose commit has `Translation-not-needed: true` flags nothing."""
    site = repository(tmp_path)
    site.edit("docs/en/index.md", EN_SENTENCE, "See [the details](#details)!")
    commit(site, "English: punctuation\n\nTranslation-not-needed: true")
    assert lagging(site) == {}


def test_commit_listed_in_the_ignore_file_does_not_count(tmp_path):
    """Assert a one-language commit listed in .translation-ignore-revs (for commits already made) flags nothing, and counts again when removed."""
    site = repository(tmp_path)
    site.edit("docs/zh/index.md", ZH_SENTENCE, "见[细节](#details)，它们很重要。")
    commit(site, "中文：措辞")
    made = git(site, "rev-parse", "HEAD").strip()
    (site.root / ".translation-ignore-revs").write_text(f"# wording only\n{made}  # 措辞\n", encoding="utf-8")
    assert lagging(site) == {}
    (site.root / ".translation-ignore-revs").write_text("# nothing\n", encoding="utf-8")
    assert lagging(site) == {("en", "index.md"): "zh"}


def test_whitespace_and_snippet_lines_are_not_prose(tmp_path):
    """Assert re-wrapping a line or moving a run(...) line in one language flags nothing."""
    site = repository(tmp_path)
    site.edit("docs/en/index.md", EN_SENTENCE, "See  [the details](#details).  ")
    commit(site, "English: whitespace")
    assert lagging(site) == {}


def test_changing_both_languages_in_one_commit_keeps_them_level(tmp_path):
    """Assert one commit that changes both pages flags neither."""
    site = repository(tmp_path)
    site.edit("docs/en/index.md", EN_SENTENCE, "See [the details](#details), which matter.")
    site.edit("docs/zh/index.md", ZH_SENTENCE, "见[细节](#details)，它们很重要。")
    commit(site, "Both: say why the details matter")
    assert lagging(site) == {}


def test_no_history_means_no_notice(tmp_path):
    """Assert a site outside any git repository builds, with no page flagged."""
    site = TinySite.copy(tmp_path, cache=warm_cache())
    site.edit("mkdocs.yml", "  - execdocs/website/mkdocs_hook.py\n", f"  - execdocs/website/mkdocs_hook.py\n  - {HOOK}\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert "translation-outdated" not in site.page("zh") + site.page("en")
