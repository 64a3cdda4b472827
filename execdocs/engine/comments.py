"""Code comments in the reader's language: a snippet's comments translated through a gettext catalogue.

A snippet is one file and runs once; its comments are written in the source language (English).
Each other language has one catalogue per snippet next to it, `snippets/<chapter>/<topic>.<lang>.po`,
in the gettext PO format translators' tools read. An entry's msgid is one comment as written:
a trailing comment, or a block of consecutive full-line comments joined by newlines (so a
translator sees whole sentences); its msgstr is the translation, whose line breaks become the
block's comment lines. Only comments change: the translated code has the same tokens.
"""

from __future__ import annotations

import dataclasses
import io
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polib

from execdocs.engine.errors import SnippetError
from execdocs.engine.sections import SECTION_MARKER
from execdocs.engine.source import SNIPPET_OPTIONS

# Comments that are instructions to a tool, not prose: never translated.
CODING = ("# -*- coding", "# coding", "# vim:", "#!")
HEADER = """Comments of {snippet} in {language}.
msgid: one comment as written in the snippet (a block of comment lines is one entry);
msgstr: its translation; each line of it becomes one comment line.
Update with `python -m execdocs comments`; an empty msgstr is untranslated."""


@dataclass(frozen=True)
class Comment:
    """One translatable comment: a trailing comment, or a block of full-line comments."""

    line: int  # first line, 1-based
    last: int  # last line, inclusive
    column: int  # where '#' stands
    text: str  # the comment without '# ', lines joined by newlines: the msgid
    trailing: bool  # after code on its line (its translation must stay one line)


def catalogue_path(snippet: Path, language: str) -> Path:
    """snippets/<chapter>/<topic>.<language>.po for snippets/<chapter>/<topic>.py."""
    return snippet.with_name(f"{snippet.stem}.{language}.po")


def find_comments(display: str, source: str) -> list[Comment]:
    """Every translatable comment of a snippet, in file order (section markers and options excluded)."""
    lines = source.splitlines()
    found: list[Comment] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as error:
        line = error.args[1][0] if isinstance(error, tokenize.TokenError) else error.lineno
        raise SnippetError(display, line, f"cannot read the comments: {error.args[0]}") from None
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        row, column = token.start
        line = lines[row - 1]
        if SECTION_MARKER.match(line) or SNIPPET_OPTIONS.match(line) or (row <= 2 and token.string.startswith(CODING)):
            continue
        text = token.string[1:].removeprefix(" ").rstrip()
        trailing = bool(line[:column].strip())
        previous = found[-1] if found else None
        if not trailing and previous and not previous.trailing and previous.last == row - 1 and previous.column == column:
            found[-1] = dataclasses.replace(previous, last=row, text=previous.text + "\n" + text)
        else:
            found.append(Comment(row, row, column, text, trailing))
    return found


@lru_cache(maxsize=128)
def _parse(display: str, data: bytes) -> dict[str, str]:
    try:
        catalogue = polib.pofile(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SnippetError(display, None, f"not a readable PO catalogue: {error}") from None
    return {entry.msgid: entry.msgstr for entry in catalogue
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags}


def load_catalogue(path: Path, display: str) -> dict[str, str]:
    """A catalogue's translated entries: msgid -> msgstr (empty, fuzzy and obsolete entries left out)."""
    return _parse(display, path.read_bytes())


def translate(display: str, source: str, catalogue: dict[str, str], catalogue_display: str) -> str:
    """The source with every comment replaced by its translation; a comment without one raises at its line."""
    lines = source.splitlines()
    ending = "\n" if source.endswith("\n") else ""
    for comment in reversed(find_comments(display, source)):  # from the end: earlier line numbers stay valid
        translation = catalogue.get(comment.text)
        if translation is None:
            raise SnippetError(display, comment.line, f"comment {comment.text.splitlines()[0]!r} has no translation in "
                                                      f"{catalogue_display}; run `python -m execdocs comments` and fill in its msgstr")
        if comment.trailing and "\n" in translation:
            raise SnippetError(catalogue_display, None, f"the translation of the comment at {display}:{comment.line} "
                                                        "is several lines; a comment after code must stay on one line")
        if comment.trailing:
            line = lines[comment.line - 1]
            lines[comment.line - 1] = line[: comment.column] + _as_comment(translation)
        else:
            indent = lines[comment.line - 1][: comment.column]
            lines[comment.line - 1 : comment.last] = [indent + _as_comment(part) for part in translation.split("\n")]
    return "\n".join(lines) + ending


def _as_comment(text: str) -> str:
    return f"# {text}" if text else "#"


def translated_source(path: Path, display: str, source: str, language: str) -> str:
    """The source as a reader of `language` sees it: translated if the language has a catalogue for it."""
    catalogue = catalogue_path(path, language)
    if not catalogue.is_file():
        return source
    return _translated(display, source, catalogue.read_bytes(), _display_of(display, catalogue))


@lru_cache(maxsize=256)
def _translated(display: str, source: str, catalogue: bytes, catalogue_display: str) -> str:
    """translate(), once per snippet source and catalogue bytes: a page shows a snippet in many blocks (errors are not cached)."""
    return translate(display, source, _parse(catalogue_display, catalogue), catalogue_display)


def _display_of(display: str, catalogue: Path) -> str:
    """The catalogue's path as messages show it: next to the snippet's displayed path."""
    folder = display.rpartition("/")[0]
    return f"{folder}/{catalogue.name}" if folder else catalogue.name


def catalogue_problems(path: Path, display: str, source: str, language: str) -> list[str]:
    """What keeps a snippet's catalogue from serving `language`; empty when it is complete and has nothing stale."""
    try:
        compile(source, display, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return []  # its run reports it, at the line Python names
    comments = find_comments(display, source)
    if not comments:
        return []
    catalogue = catalogue_path(path, language)
    shown = _display_of(display, catalogue)
    if not catalogue.is_file():
        return [SnippetError(display, comments[0].line, f"its comments have no {language} translation: {shown} is missing; "
                                                          "run `python -m execdocs comments` and translate the entries it adds")]
    problems = []
    try:
        translated = load_catalogue(catalogue, shown)
        entries = {entry.msgid for entry in polib.pofile(catalogue.read_text(encoding="utf-8")) if not entry.obsolete}
    except SnippetError as error:
        return [error]
    for comment in comments:
        if comment.text not in translated:
            problems.append(SnippetError(display, comment.line, f"comment {comment.text.splitlines()[0]!r} has no translation "
                                                                f"in {shown}; run `python -m execdocs comments` and fill in its msgstr"))
        elif comment.trailing and "\n" in translated[comment.text]:
            problems.append(SnippetError(shown, None, f"the translation of the comment at {display}:{comment.line} is several "
                                                      "lines; a comment after code must stay on one line"))
    unused = sorted(entries - {comment.text for comment in comments} - {""})
    if unused:
        problems.append(SnippetError(shown, None, f"{len(unused)} entr{'y' if len(unused) == 1 else 'ies'} no comment of {display} "
                                                  f"has any more, first {unused[0].splitlines()[0]!r}; run `python -m execdocs comments` to remove them"))
    return problems


def update_catalogue(path: Path, display: str, source: str, language: str) -> tuple[int, int, int]:
    """Bring a snippet's catalogue in line with its comments: (added, removed, untranslated) entries."""
    comments = find_comments(display, source)
    catalogue_file = catalogue_path(path, language)
    old = {entry.msgid: entry for entry in polib.pofile(catalogue_file.read_text(encoding="utf-8"))} if catalogue_file.is_file() else {}
    if not comments and not old:
        return 0, 0, 0
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.header = HEADER.format(snippet=display, language=language)
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit", "Language": language}
    texts = list(dict.fromkeys(comment.text for comment in comments))
    for text in texts:
        kept = old.get(text)
        catalogue.append(polib.POEntry(msgid=text, msgstr=kept.msgstr if kept else "",
                                       flags=list(kept.flags) if kept else []))
    added = sum(text not in old for text in texts)
    removed = sum(msgid not in texts for msgid in old if msgid)
    catalogue_file.write_text(str(catalogue), encoding="utf-8")
    return added, removed, sum(not entry.msgstr for entry in catalogue)
