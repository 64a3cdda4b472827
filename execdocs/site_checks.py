"""What the build checks before running any snippet: each page, each zh/en pair, each snippet.

Pages: directives, balanced math, no typed numbers (`page_problems`, also run by the hook).
Pairs: both languages have the page, include the same snippets in the same order, quote
the same values and have the same heading anchors. Snippets: every one is included by a
page of each language. Each problem is a SnippetError at `file:line`.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import slugify

from execdocs.directives import Directive, find_directives
from execdocs.errors import SnippetError, display_path
from execdocs.math_delimiters import check_math
from execdocs.prose import outside_fences
from execdocs.prose_numbers import check_numbers
from execdocs.settings import DOCS_DIR, HELPER_PREFIX, LANGUAGES, SNIPPETS_DIR

HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*(?:\{\s*#([\w\-]+)\s*\})?\s*$")
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


def page_sources(language: str) -> list[Path]:
    """Every Markdown page of one language, in a stable order."""
    return sorted((DOCS_DIR / language).rglob("*.md"))


def snippet_files() -> list[Path]:
    """Every snippet under snippets/; files and folders named `_...` are helpers, not snippets."""
    return sorted(
        path.resolve() for path in SNIPPETS_DIR.rglob("*.py")
        if not any(part.startswith(HELPER_PREFIX) for part in path.relative_to(SNIPPETS_DIR).parts)
    )


def page_problems(text: str, page: Path, directives: list[Directive]) -> list[SnippetError]:
    """What is wrong in one page's text: unbalanced math, numbers typed instead of quoted."""
    return check_math(text, page) + check_numbers(text, page, [directive.path for directive in directives])


def site_problems() -> list[SnippetError]:
    """Every problem the build can find without running a snippet, in both languages."""
    problems: list[SnippetError] = []
    unread: list[SnippetError] = []  # pages whose directives are broken
    parsed: dict[str, dict[str, tuple[str, list[Directive]]]] = {language: {} for language in LANGUAGES}
    for language in LANGUAGES:
        for page in page_sources(language):
            text = page.read_text(encoding="utf-8")
            try:
                directives = find_directives(text, page)
            except SnippetError as error:
                unread.append(error)
                continue
            parsed[language][page.relative_to(DOCS_DIR / language).as_posix()] = (text, directives)
            problems += page_problems(text, page, directives)
    if unread:  # with a page unread, pairs and orphans would be reported wrongly: fix these first
        return list({str(problem): problem for problem in unread + problems}.values())  # a bad snippet breaks each page that includes it
    return problems + pair_problems(parsed) + orphan_problems(parsed)


def pair_problems(parsed: dict) -> list[SnippetError]:
    """Pages without their twin, and twins that differ in includes, quoted values or anchors."""
    problems = []
    first, second = LANGUAGES
    for language, other in ((first, second), (second, first)):
        for name in sorted(set(parsed[language]) - set(parsed[other])):
            problems.append(SnippetError(DOCS_DIR / language / name, None, f"this page has no {LANGUAGE_NAMES[other]} counterpart; "
                                         f"add docs/{other}/{name} (same path, same includes, same anchors) or remove this page"))
    for name in sorted(set(parsed[first]) & set(parsed[second])):
        pages = {language: DOCS_DIR / language / name for language in LANGUAGES}
        (first_text, first_directives), (second_text, second_directives) = parsed[first][name], parsed[second][name]
        problems += _sequence_problem(
            pages, [(d.line, f"run(\"{d.target}\")") for d in first_directives if d.kind == "run"],
            [(d.line, f"run(\"{d.target}\")") for d in second_directives if d.kind == "run"],
            "includes", "both languages must include the same snippets in the same order",
        )
        problems += _sequence_problem(
            pages, anchors(first_text), anchors(second_text),
            "has the heading", f"give each {second} heading the {first} anchor: ## title {{ #anchor }}",
        )
        first_values = {d.target: d.line for d in first_directives if d.kind == "value"}
        second_values = {d.target: d.line for d in second_directives if d.kind == "value"}
        for language, mine, theirs in ((first, first_values, second_values), (second, second_values, first_values)):
            for target in sorted(set(mine) - set(theirs)):
                other = second if language == first else first
                problems.append(SnippetError(pages[language], mine[target], f"quotes value(\"{target}\"), which {display_path(pages[other])} "
                                             "does not; both languages must quote the same values"))
    return problems


def _sequence_problem(pages: dict, first: list[tuple[int, str]], second: list[tuple[int, str]], verb: str, rule: str) -> list[SnippetError]:
    """The first place where two per-language sequences differ, reported in the second language."""
    first_page, second_page = (pages[language] for language in LANGUAGES)
    for index in range(max(len(first), len(second))):
        mine = second[index] if index < len(second) else None
        theirs = first[index] if index < len(first) else None
        if mine and theirs and mine[1] == theirs[1]:
            continue
        if mine and theirs:
            return [SnippetError(second_page, mine[0], f"{verb} {mine[1]} where {display_path(first_page)}:{theirs[0]} {verb} {theirs[1]}; {rule}")]
        if mine:
            return [SnippetError(second_page, mine[0], f"{verb} {mine[1]}, which {display_path(first_page)} does not; {rule}")]
        return [SnippetError(first_page, theirs[0], f"{verb} {theirs[1]}, which {display_path(second_page)} does not; {rule}")]
    return []


def anchors(text: str) -> list[tuple[int, str]]:
    """(line, '## { #anchor }') of every heading below the title: explicit `{ #id }` or MkDocs' slug."""
    found = []
    for number, line in enumerate(outside_fences(text), start=1):
        match = HEADING.match(line)
        if match:
            anchor = match[3] or slugify(match[2], "-")
            found.append((number, f"{match[1]} {{ #{anchor} }}" if anchor else f"{match[1]} (no anchor)"))
    return found


def orphan_problems(parsed: dict) -> list[SnippetError]:
    """Snippets that no page of some language includes: code nobody reads still has to run."""
    problems = []
    included = {language: {d.path for _, directives in parsed[language].values() for d in directives} for language in LANGUAGES}
    for snippet in snippet_files():
        missing = [language for language in LANGUAGES if snippet not in included[language]]
        if missing:
            where = " or ".join(f"docs/{language}/" for language in missing)
            name = snippet.relative_to(SNIPPETS_DIR.resolve()).as_posix()
            problems.append(SnippetError(snippet, None, f"no page in {where} includes this snippet; include it with "
                                         f"{{{{ run(\"{name}\") }}}} (in both languages), rename it to start with "
                                         f"'{HELPER_PREFIX}' if it is a helper, or delete it"))
    return problems
