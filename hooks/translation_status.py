"""MkDocs hook: a page whose other-language version changed after it, in git history, says so.

What counts as a change to a page is a commit that adds or removes, in that page's file,
a line of prose: not a blank or whitespace-only change, not a line that only includes a
snippet (`{{ run(...) }}`), not a fence marker. A commit with the trailer
`Translation-not-needed: true` (say, a typo fix in one language) counts for neither, and so
does a commit listed in `.translation-ignore-revs` at the top of the repository (one full hash
a line, `#` comments), the way `.git-blame-ignore-revs` works: for commits already made.

Walking the history from old to new, a change to one language only makes the other
language's page lag; a change to the lagging page (or one commit changing both) brings the
pair level again. The lagging page gets a notice in its own language under its title,
linking to the same page in the other language. Only committed history counts; without git
history (not a repository, or a shallow clone) no page gets a notice and the log says why.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.translation_status")

TRAILER = "Translation-not-needed"
IGNORE_FILE = ".translation-ignore-revs"
_NOT_PROSE = re.compile(r"^\s*(\{\{\s*run\(.*\)\s*\}\}|```.*|~~~.*)?\s*$")

NOTICE = {
    "en": ('This page may be out of date',
           'The {other} version of this page has changed since this English text was last updated. '
           '<a href="{href}" hreflang="{lang}">Read the {other} version</a>.'),
    "zh": ("本页可能已过时",
           "本页的{other}版在这篇中文上次更新之后有过改动。<a href=\"{href}\" hreflang=\"{lang}\">阅读{other}版</a>。"),
}
LANGUAGE_NAMES = {"en": {"en": "English", "zh": "Chinese"}, "zh": {"en": "英文", "zh": "中文"}}

_lagging: dict[str, str] = {}  # page path under docs/<lang>/ -> the language it lags behind


def _git(top: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True, check=True).stdout


def commit_changes(top: Path, folders: list[str]) -> list[set[str]]:
    """For each commit that touches `folders`, oldest first, the files it changed in prose (trailer-marked commits: none)."""
    output = _git(top, "log", "--reverse", "--topo-order", "--no-renames", "-w", "--ignore-blank-lines", "-U0",
                  "--no-color", "--no-ext-diff", f"--format=%x1e%H%x1f%(trailers:key={TRAILER},valueonly,separator=%x2C)",
                  "-p", "--", *folders)
    ignored = ignored_commits(top)
    commits = []
    for record in output.split("\x1e")[1:]:
        header, _, diff = record.partition("\n")
        commit, _, marker = header.partition("\x1f")
        changed: set[str] = set()
        if marker.strip().lower() != "true" and commit.strip() not in ignored:
            current = None
            for line in diff.splitlines():
                if line.startswith("diff --git "):
                    current = line.split(" b/", 1)[1]
                elif line.startswith(("+++", "---", "@@")) or current is None:
                    continue
                elif line[:1] in "+-" and not _NOT_PROSE.match(line[1:]):
                    changed.add(current)
        commits.append(changed)
    return commits


def ignored_commits(top: Path) -> set[str]:
    """Full hashes listed in .translation-ignore-revs (blank lines and # comments skipped)."""
    try:
        lines = (top / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def lagging_pages(top: Path, docs: dict[str, str]) -> dict[tuple[str, str], str]:
    """(language, page path) -> the language it lags behind, from git history; `docs` maps language -> folder in the repository."""
    state: dict[str, str] = {}  # page path -> the language that lags
    for changed in commit_changes(top, list(docs.values())):
        touched: dict[str, set[str]] = {}
        for language, folder in docs.items():
            for path in changed:
                if path.startswith(folder + "/"):
                    touched.setdefault(path[len(folder) + 1:], set()).add(language)
        for page, languages in touched.items():
            others = set(docs) - languages
            if not others:
                state.pop(page, None)  # both changed together
            elif state.get(page) in languages:
                state.pop(page)  # the lagging side caught up
            else:
                state[page] = next(iter(sorted(others)))
    return {(lagging, page): next(iter(sorted(set(docs) - {lagging}))) for page, lagging in state.items()}


def on_config(config):
    _lagging.clear()
    docs_dir = Path(config.docs_dir).resolve()
    language = config.theme["language"]
    try:
        top = Path(_git(docs_dir, "rev-parse", "--show-toplevel").strip())
        if _git(top, "rev-parse", "--is-shallow-repository").strip() == "true":
            log.info("translation status: this is a shallow clone; fetch the full history (git fetch --unshallow) to flag lagging translations")
            return config
    except (OSError, subprocess.CalledProcessError):
        log.info("translation status: not in a git repository; no page is flagged as lagging")
        return config
    siblings = sorted(path for path in docs_dir.parent.iterdir() if path.is_dir())
    docs = {path.name: path.relative_to(top).as_posix() for path in siblings}
    for (lagging, page), ahead in lagging_pages(top, docs).items():
        if lagging == language:
            _lagging[page] = ahead
    return config


def notice(language: str, other: str, href: str) -> str:
    """The warning shown under the title of a page that lags behind its `other`-language version."""
    title, body = NOTICE.get(language, NOTICE["en"])
    name = LANGUAGE_NAMES.get(language, LANGUAGE_NAMES["en"]).get(other, other)
    return (f'<div class="admonition warning translation-outdated" data-translation-outdated="{other}">'
            f'<p class="admonition-title">{title}</p><p>{body.format(other=name, href=href, lang=other)}</p></div>')


def on_page_content(content, page, config, files):
    other = _lagging.get(page.file.src_uri)
    if not other:
        return content
    href = "../" * (page.url.count("/") + 1) + f"{other}/{page.url}"  # relative: works hosted and from disk
    box = notice(config.theme["language"], other, href)
    head, found, rest = content.partition("</h1>")
    return head + found + box + rest if found else box + content
