"""Both languages are first-class: the same pages, the same snippets, the same anchors."""

from __future__ import annotations

import pytest
import yaml
from page_structure import anchors, included, pages, quoted

from execdocs.engine.config import Config

ROOT = Config().root

SHARED_PAGES = sorted(pages("en") & pages("zh"))


def test_every_page_exists_in_both_languages():
    """Assert docs/en and docs/zh hold the same page paths."""
    only_en, only_zh = pages("en") - pages("zh"), pages("zh") - pages("en")
    assert not only_en and not only_zh, f"pages without a translation: en only {sorted(only_en)}, zh only {sorted(only_zh)}"


@pytest.mark.parametrize("page", SHARED_PAGES)
def test_pair_includes_the_same_snippets_in_order(page):
    """Assert the zh and en page include the same run(...) targets in the same order."""
    assert included("zh", page) == included("en", page), f"docs/zh/{page} and docs/en/{page} include different snippets"


@pytest.mark.parametrize("page", SHARED_PAGES)
def test_pair_quotes_the_same_values(page):
    """Assert the zh and en page quote the same value(...) targets."""
    assert quoted("zh", page) == quoted("en", page), f"docs/zh/{page} and docs/en/{page} quote different values"


@pytest.mark.parametrize("page", SHARED_PAGES)
def test_pair_has_the_same_anchors(page):
    """Assert every heading anchor exists in both languages, at the same level and position."""
    assert anchors("zh", page) == anchors("en", page), (
        f"docs/zh/{page} and docs/en/{page} differ in headings or anchors; give each zh heading the en anchor: ## 标题 {{ #anchor }}"
    )


def _nav_files(items) -> list[str]:
    files = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        files += _nav_files(value) if isinstance(value, list) else [value]
    return files


def test_nav_lists_every_page_once():
    """Assert mkdocs.yml's nav (shared by both languages) lists each page exactly once."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    listed = _nav_files(config["nav"])
    assert sorted(listed) == sorted(set(listed)), "a page is listed twice in nav"
    assert set(listed) == pages("en"), f"nav and docs/en differ: missing {sorted(pages('en') - set(listed))}, extra {sorted(set(listed) - pages('en'))}"


def test_zh_config_inherits_the_nav():
    """Assert mkdocs.zh.yml does not define its own nav (one nav for both languages)."""
    config = yaml.load((ROOT / "mkdocs.zh.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert config.get("INHERIT") == "mkdocs.yml" and "nav" not in config


@pytest.mark.parametrize("language", ["en", "zh"])
def test_headings_hold_no_math(language):
    """Assert no heading contains $...$: the table of contents shows headings as plain text, so TeX would stay raw."""
    offenders = []
    for page in sorted(pages(language)):
        for number, line in enumerate((ROOT / "docs" / language / page).read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("#") and "$" in line:
                offenders.append(f"docs/{language}/{page}:{number}: {line}")
    assert not offenders, "write symbols in headings as Unicode (γ, α) instead of math:\n" + "\n".join(offenders)
