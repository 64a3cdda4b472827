"""Chinese code comments (issue #11): one snippet file, its comments translated through a PO catalogue.

The real snippets: every comment has a translation, the Chinese code is the English code token
for token apart from comments, and it runs to the recorded output. The rules: a missing, stale
or malformed translation stops the build at the snippet's line; the update command keeps
translations and adds and removes entries; zh pages show the Chinese comments, en pages the English.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tokenize
from pathlib import Path

import polib
import pytest
from recorded_outputs import describe, expected_file
from tiny_site import TinySite, warm_cache

from execdocs.engine.client import Engine
from execdocs.engine.comments import catalogue_path, find_comments, translate, translated_source, update_catalogue
from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives, render
from execdocs.engine.errors import SnippetError
from execdocs.website.checks import comment_problems, included_snippets, snippet_files

CONFIG = Config()
SNIPPETS = snippet_files(CONFIG)
# Layout (NL) and comment tokens may differ between the languages; nothing else may.
LAYOUT = {tokenize.COMMENT, tokenize.NL}
SUMMARY = "ERROR: 1 problem(s) in pages or snippets; nothing was built."


def _chinese(snippet: Path) -> str:
    return translated_source(snippet, CONFIG.display_path(snippet), snippet.read_text(encoding="utf-8"), "zh")


def _code_tokens(source: str) -> list[tuple[int, str]]:
    return [(token.type, token.string) for token in tokenize.generate_tokens(io.StringIO(source).readline) if token.type not in LAYOUT]


# ---------------------------------------------------------------------------
# The real snippets
# ---------------------------------------------------------------------------


def test_every_comment_of_every_snippet_has_a_chinese_translation():
    """Assert the build's comment check finds nothing to translate and nothing stale in the repository."""
    assert comment_problems(CONFIG) == []


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda path: CONFIG.display_path(path))
def test_chinese_code_is_the_english_code_apart_from_comments(snippet):
    """Assert each snippet's Chinese version has its English tokens, and every comment of it is Chinese."""
    english, chinese = snippet.read_text(encoding="utf-8"), _chinese(snippet)
    assert _code_tokens(chinese) == _code_tokens(english)
    untranslated = [c for c in find_comments("zh", chinese) if c.text in {e.text for e in find_comments("en", english)}
                    and any(ch.isalpha() and ch.isascii() for ch in c.text) and not _notation(c.text)]
    assert not untranslated, f"comments still in English on the Chinese page: {[c.text for c in untranslated]}"


def _notation(text: str) -> bool:
    """A comment that is pure notation (a formula, a shape, a code name) reads the same in both languages."""
    words = [word for word in text.replace("_", " ").split() if word.isalpha() and len(word) > 3]
    return all(word.lower() in NOTATION_WORDS for word in words)


# Words that are code or notation, not English prose: a comment made only of them needs no Chinese.
NOTATION_WORDS = {"gamma", "torch", "pytorch", "softmax", "logits"}


def test_chinese_commented_snippets_run_to_the_recorded_output(tmp_path):
    """Assert each snippet, with its comments in Chinese (what a zh page's copy button copies), prints its recorded output."""
    root = tmp_path / "repo"
    shutil.copytree(CONFIG.snippets_dir, root / "snippets", ignore=shutil.ignore_patterns("__pycache__", "*.po"))
    (root / "README.md").write_text("readme\n", encoding="utf-8")
    config = Config.from_env({**os.environ, "EXECDOCS_ROOT": str(root), "EXECDOCS_CACHE": str(tmp_path / "cache")})
    paths = []
    for snippet in included_snippets(CONFIG):
        copy = root / snippet.relative_to(CONFIG.root)
        copy.write_text(_chinese(snippet), encoding="utf-8")
        paths.append(copy)
    engine = Engine(config)
    try:
        runs = engine.run_each(paths)
    finally:
        engine.close()
    differ = []
    for path in paths:
        recorded = json.loads(expected_file(CONFIG, CONFIG.root / path.relative_to(root)).read_text(encoding="utf-8"))
        if isinstance(runs[path], SnippetError):
            differ.append(str(runs[path]))
        elif json.loads(describe(runs[path])) != recorded:
            differ.append(config.display_path(path))
    assert not differ, f"with Chinese comments these snippets print something else: {differ}"


# ---------------------------------------------------------------------------
# Translating comments
# ---------------------------------------------------------------------------

BLOCK = '''\
import math

# --8<-- [start:loss]
# the loss of one prediction,
# in nats
p = 0.9  # a probability
print(-math.log(p))
# --8<-- [end:loss]
'''


def test_a_comment_block_is_one_entry_and_its_translation_may_change_its_line_count():
    """Assert consecutive comment lines form one msgid, and a translation of another length keeps the code and sections."""
    comments = find_comments("snippets/x.py", BLOCK)
    assert [(c.line, c.last, c.text, c.trailing) for c in comments] == [
        (4, 5, "the loss of one prediction,\nin nats", False), (6, 6, "a probability", True)]
    chinese = translate("snippets/x.py", BLOCK, {"the loss of one prediction,\nin nats": "一次预测的损失，单位为奈特",
                                                 "a probability": "一个概率"}, "snippets/x.zh.po")
    assert "# 一次预测的损失，单位为奈特\np = 0.9  # 一个概率\n" in chinese
    assert _code_tokens(chinese) == _code_tokens(BLOCK)
    assert "# --8<-- [start:loss]" in chinese  # markers are never translated


def test_a_missing_translation_names_the_snippet_line_and_catalogue():
    """Assert rendering a comment that has no translation raises at the snippet's line, naming the catalogue."""
    with pytest.raises(SnippetError) as raised:
        translate("snippets/x.py", BLOCK, {"a probability": "一个概率"}, "snippets/x.zh.po")
    assert str(raised.value).startswith("snippets/x.py:4: comment 'the loss of one prediction,' has no translation in snippets/x.zh.po")


def test_a_trailing_comment_cannot_become_several_lines():
    """Assert a multi-line translation of a comment after code is refused (it would need code on a comment line)."""
    with pytest.raises(SnippetError, match="after code must stay on one line"):
        translate("snippets/x.py", BLOCK, {"the loss of one prediction,\nin nats": "损失", "a probability": "一个\n概率"},
                  "snippets/x.zh.po")


def test_the_update_command_keeps_translations_adds_new_comments_and_drops_stale_ones(tmp_path):
    """Assert `python -m execdocs comments`' update keeps a translated entry, adds an empty one and removes an unused one."""
    snippet = tmp_path / "x.py"
    snippet.write_text(BLOCK, encoding="utf-8")
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="a probability", msgstr="一个概率"))
    catalogue.append(polib.POEntry(msgid="a comment deleted since", msgstr="已删除的注释"))
    catalogue.save(str(catalogue_path(snippet, "zh")))
    assert update_catalogue(snippet, "snippets/x.py", BLOCK, "zh") == (1, 1, 1)
    entries = {entry.msgid: entry.msgstr for entry in polib.pofile(str(catalogue_path(snippet, "zh")))}
    assert entries == {"the loss of one prediction,\nin nats": "", "a probability": "一个概率"}


# ---------------------------------------------------------------------------
# What the build says (tiny site)
# ---------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    return TinySite.copy(tmp_path, warm_cache())


def test_a_new_english_comment_without_translation_stops_the_build(site):
    """Assert a comment added to a snippet stops the build at its line until the catalogue translates it."""
    site.edit("snippets/tiny.py", 'print(f"loss', '# in nats\nprint(f"loss')
    result = site.check()
    assert result.error_lines == [
        "ERROR: snippets/tiny.py:8: comment 'in nats' has no translation in snippets/tiny.zh.po; "
        "run `python -m execdocs comments` and fill in its msgstr", SUMMARY]


def test_a_snippet_with_comments_and_no_catalogue_stops_the_build(site):
    """Assert a commented snippet without a zh catalogue stops the build, naming the missing file."""
    (site.root / "snippets" / "tiny.zh.po").unlink()
    assert site.check().error_lines == [
        "ERROR: snippets/tiny.py:6: its comments have no zh translation: snippets/tiny.zh.po is missing; "
        "run `python -m execdocs comments` and translate the entries it adds", SUMMARY]


def test_a_stale_catalogue_entry_stops_the_build(site):
    """Assert an entry whose comment is gone from the snippet stops the build (it would be translated for nobody)."""
    site.edit("snippets/tiny.zh.po", 'msgid "the probability', 'msgid "gone"\nmsgstr "没了"\n\nmsgid "the probability')
    assert site.check().error_lines == [
        "ERROR: snippets/tiny.zh.po: 1 entry no comment of snippets/tiny.py has any more, first 'gone'; "
        "run `python -m execdocs comments` to remove them", SUMMARY]


def test_a_catalogue_of_no_snippet_stops_the_build(site):
    """Assert a catalogue left behind by a renamed or deleted snippet stops the build."""
    site.write("snippets/gone.zh.po", 'msgid "x"\nmsgstr "叉"\n')
    assert site.check().error_lines == [
        "ERROR: snippets/gone.zh.po: a comment catalogue of no snippet (snippets/gone.py does not exist); "
        "delete it or rename it with its snippet", SUMMARY]


def test_pages_show_comments_in_their_own_language(site):
    """Assert the zh page's code carries the catalogue's comment, the en page's the snippet's own, with the same output."""
    config = site.config()
    runs = site.runs()
    rendered = {}
    for language in config.languages:
        page = config.docs_dir / language / "index.md"
        text = page.read_text(encoding="utf-8")
        rendered[language] = render(text, find_directives(config, text, page), runs, language)
    assert "p = 0.9  # 模型给真实类别的概率" in rendered["zh"] and "the probability the model" not in rendered["zh"]
    assert "p = 0.9  # the probability the model gives the true class" in rendered["en"]
    assert rendered["zh"].count("loss = 0.1054") == rendered["en"].count("loss = 0.1054") == 1
