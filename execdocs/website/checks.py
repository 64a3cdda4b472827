"""What the build checks before running any snippet: each page, each zh/en pair, each snippet.

Pages: directives, balanced math, no typed numbers (`page_problems`, also run by the hook).
Pairs: both languages have the page, have the same directives (runs in the same order,
values with the same formats) and the same heading anchors. Snippets: every one is included
by a page of each language. Each problem is a SnippetError at `file:line`.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import slugify

from execdocs.engine.comments import catalogue_problems
from execdocs.engine.config import Config
from execdocs.engine.directives import REGISTRY, Directive, check_runs, find_directives
from execdocs.engine.errors import SnippetError
from execdocs.engine.markdown import outside_fences
from execdocs.engine.source import read_source
from execdocs.website.math_delimiters import check_math
from execdocs.website.prose_numbers import check_numbers

HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*(?:\{\s*#([\w\-]+)\s*\})?\s*$")
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}
# Files and folders under snippets/ whose name starts with this are helpers, not snippets:
# no page has to include them.
HELPER_PREFIX = "_"


def page_sources(config: Config, language: str) -> list[Path]:
    """Every Markdown page of one language, in a stable order."""
    return sorted((config.docs_dir / language).rglob("*.md"))


def read_page(config: Config, page: Path) -> str:
    """A page's text; a link out of the repository or bytes that are not UTF-8 are errors at their line."""
    real = page.resolve()
    if not real.is_relative_to(config.root):
        raise config.error(page, None, f"this page is a link to {real}, outside the repository; pages must be files inside it")
    data = real.read_bytes()
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise config.error(page, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the page as UTF-8") from None


def snippet_files(config: Config) -> list[Path]:
    """Every snippet under snippets/; files and folders named `_...` are helpers, not snippets."""
    return sorted(
        path.absolute() for path in config.snippets_dir.rglob("*.py")
        if not any(part.startswith(HELPER_PREFIX) for part in path.relative_to(config.snippets_dir).parts)
    )


def parsed_page(config: Config, page: Path, memo: dict | None = None) -> tuple[str, list[Directive]]:
    """A page's text and directives (raises SnippetError if it cannot be read); kept in `memo`, if given, for the
    later checks of the same build (the build's checks read each page three times otherwise)."""
    if memo is None:
        text = read_page(config, page)
        return text, find_directives(config, text, page)
    if page not in memo:
        try:
            memo[page] = parsed_page(config, page)
        except SnippetError as error:
            memo[page] = error
    if isinstance(memo[page], SnippetError):
        raise memo[page]
    return memo[page]


def included_snippets(config: Config, memo: dict | None = None) -> list[Path]:
    """Every snippet that some page of either language includes (pages that cannot be read are skipped here)."""
    paths = []
    for language in config.languages:
        for page in page_sources(config, language):
            try:
                paths += [d.path for d in parsed_page(config, page, memo)[1]]
            except SnippetError:
                continue
    return list(dict.fromkeys(paths))


def page_problems(config: Config, text: str, page: Path, directives: list[Directive]) -> list[SnippetError]:
    """What is wrong in one page's text: unbalanced math, numbers typed instead of quoted."""
    return check_math(config, text, page) + check_numbers(config, text, page, [directive.path for directive in directives])


def site_problems(config: Config, memo: dict | None = None) -> list[SnippetError]:
    """Every problem the build can find without running a snippet, in both languages (pages parsed into `memo`)."""
    problems: list[SnippetError] = []
    unread: list[SnippetError] = []  # pages whose directives are broken
    parsed: dict[str, dict[str, tuple[str, list[Directive]]]] = {language: {} for language in config.languages}
    for language in config.languages:
        for page in page_sources(config, language):
            try:
                text, directives = parsed_page(config, page, memo)
            except SnippetError as error:
                unread.append(error)
                continue
            parsed[language][page.relative_to(config.docs_dir / language).as_posix()] = (text, directives)
            problems += page_problems(config, text, page, directives)
    problems += snippet_file_problems(config) + comment_problems(config)
    if unread:  # with a page unread, pairs and orphans would be reported wrongly: fix these first
        return list({str(problem): problem for problem in unread + problems}.values())  # a bad snippet breaks each page that includes it
    return problems + pair_problems(config, parsed) + orphan_problems(config, parsed)


def run_problems(config: Config, runs: dict, memo: dict | None = None) -> list[SnippetError]:
    """What only the runs show: directives their run cannot satisfy, and figures drawn that no page of a language shows."""
    problems = []
    shown: dict[str, set[tuple]] = {language: set() for language in config.languages}
    for language in config.languages:
        for page in page_sources(config, language):
            directives = parsed_page(config, page, memo)[1]
            try:
                check_runs(config, directives, runs)
            except SnippetError as error:
                problems.append(error)
            shown[language] |= {(d.path, d.name) for d in directives if d.kind == "figure"}
    for path, run in sorted(runs.items()):
        for section in run.sections:
            for language in config.languages:
                if section.figures and (path, section.name) not in shown[language]:
                    where = f"section '{section.name}'" if section.name else "code outside sections"
                    problems.append(config.error(path, None, f"{where} draws a figure that no page in docs/{language}/ shows; add "
                                                 f'{{{{ figure("{config.display_path(path).removeprefix("snippets/")}:{section.name}", '
                                                 '"alt text", "caption") }} after its run(...), or stop drawing it'))
    return problems


def comment_problems(config: Config) -> list[SnippetError]:
    """Snippets whose comments some language cannot show in its own words, and catalogues of no snippet."""
    problems = []
    for snippet in snippet_files(config):
        if not snippet.is_file() or not snippet.resolve().is_relative_to(config.root):
            continue
        try:
            source = read_source(config, snippet).text
            for language in config.languages[1:]:  # comments are written in the first language
                problems += catalogue_problems(snippet, config.display_path(snippet), source, language)
        except SnippetError as error:
            problems.append(error)
    for catalogue in sorted(config.snippets_dir.rglob("*.po")):
        snippet = catalogue.with_name(catalogue.name.split(".")[0] + ".py")
        if not snippet.is_file():
            problems.append(config.error(catalogue, None, f"a comment catalogue of no snippet ({config.display_path(snippet)} "
                                                          "does not exist); delete it or rename it with its snippet"))
    return problems


def snippet_file_problems(config: Config) -> list[SnippetError]:
    """Entries under snippets/ that cannot be snippets: folders named *.py, links out of the repository."""
    problems = []
    for path in config.snippets_dir.rglob("*.py"):
        if path.is_dir():
            problems.append(config.error(path, None, "a folder named like a snippet; rename it (snippets are .py files)"))
        elif not path.resolve().is_relative_to(config.root):
            problems.append(config.error(path, None, f"this snippet is a link to {path.resolve()}, outside the repository; "
                                                     "snippets must be files inside it (copy the file in instead of linking it)"))
    return problems


def pair_problems(config: Config, parsed: dict) -> list[SnippetError]:
    """Pages without their twin, and twins that differ in directives or anchors."""
    problems = []
    first, second = config.languages
    for language, other in ((first, second), (second, first)):
        for name in sorted(set(parsed[language]) - set(parsed[other])):
            problems.append(config.error(config.docs_dir / language / name, None, f"this page has no {LANGUAGE_NAMES.get(other, other)} "
                                         f"counterpart; add docs/{other}/{name} (same path, same includes, same anchors) or remove this page"))
    for name in sorted(set(parsed[first]) & set(parsed[second])):
        pages = {language: config.docs_dir / language / name for language in config.languages}
        (first_text, first_directives), (second_text, second_directives) = parsed[first][name], parsed[second][name]
        for kind, cls in REGISTRY.items():
            mine = [(d.line, d.pair_key()) for d in first_directives if d.kind == kind]
            theirs = [(d.line, d.pair_key()) for d in second_directives if d.kind == kind]
            if cls.pairing == "set":
                mine, theirs = _as_set(mine), _as_set(theirs)
            problems += _sequence_problem(config, pages, mine, theirs, "has" if cls.pairing == "set" else "includes",
                                          f"both languages must have the same {kind}(...) directives"
                                          + (" in the same order" if cls.pairing == "sequence" else ", with the same arguments"))
        problems += _sequence_problem(
            config, pages, anchors(first_text), anchors(second_text),
            "has the heading", f"give each {second} heading the {first} anchor: ## title {{ #anchor }}",
        )
    return problems


def _as_set(items: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each key once (at its first line), sorted by key: the order of quoted values does not matter."""
    first = {}
    for line, key in items:
        first.setdefault(key, line)
    return sorted(((line, key) for key, line in first.items()), key=lambda item: item[1])


def _sequence_problem(config: Config, pages: dict, first: list[tuple[int, str]], second: list[tuple[int, str]], verb: str, rule: str) -> list[SnippetError]:
    """The first place where two per-language sequences differ, reported in the language that has the extra or other item."""
    first_page, second_page = (pages[language] for language in config.languages)
    for index in range(max(len(first), len(second))):
        mine = second[index] if index < len(second) else None
        theirs = first[index] if index < len(first) else None
        if mine and theirs and mine[1] == theirs[1]:
            continue
        if mine and theirs and verb == "has":  # sets: name the key that is missing on the other side
            extra_mine = [item for item in second if item[1] not in {key for _, key in first}]
            if extra_mine:
                return [config.error(second_page, extra_mine[0][0], f"has {extra_mine[0][1]}, which {config.display_path(first_page)} does not; {rule}")]
            extra = next(item for item in first if item[1] not in {key for _, key in second})
            return [config.error(first_page, extra[0], f"has {extra[1]}, which {config.display_path(second_page)} does not; {rule}")]
        if mine and theirs:
            return [config.error(second_page, mine[0], f"{verb} {mine[1]} where {config.display_path(first_page)}:{theirs[0]} {verb} {theirs[1]}; {rule}")]
        if mine:
            return [config.error(second_page, mine[0], f"{verb} {mine[1]}, which {config.display_path(first_page)} does not; {rule}")]
        return [config.error(first_page, theirs[0], f"{verb} {theirs[1]}, which {config.display_path(second_page)} does not; {rule}")]
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


def orphan_problems(config: Config, parsed: dict) -> list[SnippetError]:
    """Snippets that no page of some language includes: code nobody reads still has to run."""
    problems = []
    included = {language: {d.path for _, directives in parsed[language].values() for d in directives} for language in config.languages}
    for snippet in snippet_files(config):
        if not snippet.is_file():
            continue
        missing = [language for language in config.languages if snippet not in included[language]]
        if missing:
            where = " or ".join(f"docs/{language}/" for language in missing)
            name = snippet.relative_to(config.snippets_dir).as_posix()
            problems.append(config.error(snippet, None, f"no page in {where} includes this snippet; include it with "
                                         f"{{{{ run(\"{name}\") }}}} (in both languages), rename it to start with "
                                         f"'{HELPER_PREFIX}' if it is a helper, or delete it"))
    return problems
