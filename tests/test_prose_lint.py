"""The prose is linted like code: Chinese copywriting (AutoCorrect) and English spelling (codespell)."""

from __future__ import annotations

import pytest
from prose_lint import copywriting_problems, spelling_problems

from execdocs.engine.config import Config

ROOT = Config().root

ZH_PAGES = sorted((ROOT / "docs" / "zh").rglob("*.md"))
ENGLISH_SOURCES = [ROOT / "docs" / "en", ROOT / "snippets", ROOT / "README.md"]


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_chinese_page_passes_copywriting_lint(page):
    """Assert AutoCorrect finds nothing to fix in a Chinese page (spacing, punctuation, spelling)."""
    problems = copywriting_problems(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT)))
    assert not problems, "AutoCorrect (rules in lint/autocorrectrc.yml):\n" + "\n".join(problems)


def test_copywriting_lint_flags_a_bad_sentence():
    """Assert the Chinese lint reports missing spaces, half-width punctuation and a misspelt name."""
    problems = copywriting_problems("用Pytorch计算交叉熵,结果是0.5。\n")
    assert len(problems) == 1 and "'用 PyTorch 计算交叉熵，结果是 0.5。'" in problems[0]


def test_english_pages_and_snippets_are_spelled_right():
    """Assert codespell finds no misspelling in the English pages, the snippets and the README."""
    problems = spelling_problems(*ENGLISH_SOURCES)
    assert not problems, "codespell (word lists in lint/):\n" + "\n".join(problems)


def test_spelling_lint_flags_a_typo_and_an_ise_spelling(tmp_path):
    """Assert codespell reports a common typo and, through the project's list, an -ise spelling."""
    sample = tmp_path / "sample.md"
    sample.write_text("The loss is minimised when the the gradient vanishes; teh end.\n", encoding="utf-8")
    problems = "\n".join(spelling_problems(sample))
    assert "minimised ==> minimize" in problems and "teh ==> the" in problems
