"""Every chapter page as a Jupyter notebook: its prose, and its snippets' code followed by the outputs the engine recorded.

A page shows sections of a snippet in the order its prose needs, sometimes sections of several
snippets; a notebook runs its cells top to bottom in one namespace. So, where needed, a shown
section is preceded by a setup cell (input collapsed in Jupyter) holding code the page does not
show: the snippet's code before the section that has not run yet, or, when the section comes
out of file order or after another snippet's code, the snippet again from its start up to the
section, its output captured. After a snippet's last shown section a setup cell runs the rest
of the file, its checks included. Every code cell's metadata says where its code comes from.
Nothing here runs code: outputs are the engine's, so a notebook shows what the page shows.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from execdocs.engine.client import Run
from execdocs.engine.config import Config
from execdocs.engine.directives import FigureDirective, RunDirective, code_in_language, figure_uri, find_directives
from execdocs.engine.markdown import outside_fences

FOLDER = "notebooks"  # notebooks are served under <language>/notebooks/<page>
NBFORMAT = (4, 5)
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"

# Words of the notebook and of the links to it, in each page's language.
TEXT = {
    "en": {
        "intro": "This notebook is the page [{title}]({url}) of *{site}*, generated when the site was built: the "
                 "outputs under the code are the ones the page shows. Run it top to bottom (Run All).",
        "kernel": "# Setup: as on the page, a cell shows only what its code prints (not the value of its last line).",
        "before": "# Setup, not shown on the page: the code of snippets/{snippet} that runs before this section.",
        "replay": "# Setup, not shown on the page: snippets/{snippet} again from its start up to section '{section}'\n"
                  "# (the page shows its sections in another order than the file runs them, or another\n"
                  "# snippet ran in between).",
        "rest": "# Setup, not shown on the page: the rest of snippets/{snippet}, with the checks (assert) behind the page.",
        "interactive": "*This part of the page is interactive: see it on the [web page]({url}).*",
        "download": "Download notebook",
        "view": "View as notebook",
        "download_title": "This chapter as a Jupyter notebook (.ipynb): its text, code and outputs",
    },
    "zh": {
        "intro": "本笔记本就是《{site}》的页面[{title}]({url})，在构建网站时生成：代码下方的输出与页面上显示的相同。"
                 "请从上到下依次运行（Run All）。",
        "kernel": "# 准备：与页面一致，单元格只显示代码打印的内容（不显示最后一行的值）。",
        "before": "# 准备代码（页面上不显示）：snippets/{snippet} 中在这一节之前运行的代码。",
        "replay": "# 准备代码（页面上不显示）：从头重新运行 snippets/{snippet}，直到 {section} 一节之前\n"
                  "# （页面展示各节的顺序与文件中的运行顺序不同，或者中间运行过另一个代码片段）。",
        "rest": "# 准备代码（页面上不显示）：snippets/{snippet} 的其余部分，包括支撑本页结论的检查（assert）。",
        "interactive": "*页面上这一部分是交互式的，请在[网页]({url})上查看。*",
        "download": "下载笔记本",
        "view": "以笔记本形式查看",
        "download_title": "本章的 Jupyter 笔记本（.ipynb）：正文、代码和输出",
    },
}


def words(language: str) -> dict:
    """The notebook's words in `language` (English for a language without its own)."""
    return TEXT.get(language, TEXT["en"])


def notebook_uri(page_uri: str) -> str:
    """Where the notebook of page `page_uri` (relative to the docs folder) lives in the site's files."""
    stem = posixpath.splitext(page_uri)[0]
    return f"{FOLDER}/{'introduction' if stem == 'index' else stem}.ipynb"  # "index.ipynb" says nothing once downloaded


def has_notebook(directives) -> bool:
    """Whether a page gets a notebook: it shows at least one snippet section."""
    return any(type(d) is RunDirective for d in directives)


@dataclass
class _Snippet:
    """How far the notebook's kernel has run one snippet."""

    run: Run
    done: int = -1  # index of the last chunk run, in file order
    last_shown: int = 0  # position, in the page, of its last shown section


@dataclass
class _Builder:
    """Collects cells in page order."""

    language: str
    cells: list = field(default_factory=list)
    prose: list = field(default_factory=list)
    attachments: dict = field(default_factory=dict)

    def markdown(self, text: str) -> None:
        self.prose.append(text)

    def flush(self) -> None:
        text = "".join(self.prose).strip("\n")
        self.prose = []
        if text.strip():
            used = {name: data for name, data in self.attachments.items() if f"attachment:{name}" in text}
            cell = {"cell_type": "markdown", "metadata": {}, "source": text}
            if used:
                cell["attachments"] = used
            self.cells.append(cell)

    def code(self, source: str, output: str, meta: dict, hidden: bool = False) -> None:
        self.flush()
        metadata = {"execdocs": meta}
        if hidden:
            metadata["jupyter"] = {"source_hidden": True}
        outputs = [{"output_type": "stream", "name": "stdout", "text": output}] if output else []
        self.cells.append({"cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": outputs,
                           "source": source})


def build_notebook(site: Config, text: str, page: Path, runs: dict[Path, Run], language: str, links) -> dict:
    """The notebook of one page: `text` is its Markdown (front matter removed); `links` turns a link of the page into a URL."""
    text = for_jupyter(text, language, links)
    directives = find_directives(site, text, page)
    says = words(language)
    builder = _Builder(language)
    builder.markdown(says["intro"].format(title=_title(text), url=links(""), site=links.site_name) + "\n\n")
    builder.code(says["kernel"] + '\nget_ipython().ast_node_interactivity = "none"', "", {"kind": "setup"}, hidden=True)
    snippets: dict[Path, _Snippet] = {}
    for position, made in enumerate(directives):
        if type(made) is RunDirective:
            snippets.setdefault(made.path, _Snippet(runs[made.path])).last_shown = position
    current = None  # the snippet whose code ran last
    cursor = 0
    for position, made in enumerate(directives):
        builder.markdown(text[cursor:made.start])
        cursor = made.end
        run = runs[made.path]
        if isinstance(made, FigureDirective):
            builder.markdown(_figure_markdown(builder, made, run))
        elif isinstance(made, RunDirective):
            state = snippets[made.path]
            _section_cells(builder, made, state, fresh=current in (None, made.path))
            current = made.path
            if position == state.last_shown:
                _rest_cell(builder, made, state)
        else:
            builder.markdown(made.render(run, language, text))
    builder.markdown(text[cursor:])
    builder.flush()
    for number, cell in enumerate(builder.cells):
        cell["id"] = f"cell-{number}"
    return {"cells": builder.cells, "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"},
                                                  "execdocs": {"language": language}},
            "nbformat": NBFORMAT[0], "nbformat_minor": NBFORMAT[1]}


def notebook_json(notebook: dict) -> str:
    """The notebook file's text, the same bytes for the same notebook."""
    return json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _section_cells(builder: _Builder, made: RunDirective, state: _Snippet, fresh: bool) -> None:
    """The setup a shown section needs, then the section itself."""
    run, says = state.run, words(builder.language)
    chunks = run.chunks()
    where = {"snippet": made.snippet}
    if made.name is None:  # the whole file: it needs nothing before it
        index = len(chunks) - 1
        code = code_in_language(run, run.code(None), builder.language)
    else:
        index = next(i for i, chunk in enumerate(chunks) if chunk.name == made.name)
        code = code_in_language(run, run.code(made.name), builder.language)
        if state.done >= index or (state.done >= 0 and not fresh):
            header = says["replay"].format(snippet=made.snippet, section=made.name)
            builder.code(_joined(header, run, chunks[:index], builder.language), "",
                         {**where, "kind": "setup", "replay": True, "chunks": _names(chunks[:index])}, hidden=True)
        elif index > state.done + 1:
            before = chunks[state.done + 1:index]
            builder.code(_joined(says["before"].format(snippet=made.snippet), run, before, builder.language),
                         "", {**where, "kind": "setup", "chunks": _names(before)}, hidden=True)
    builder.code(code, run.output(made.name), {**where, "kind": "section", "section": made.name})
    state.done = index


def _rest_cell(builder: _Builder, made: RunDirective, state: _Snippet) -> None:
    """The snippet's code after its last shown section: its checks must hold in the notebook too."""
    run = state.run
    chunks = run.chunks()
    rest = chunks[state.done + 1:]
    if rest:
        header = words(builder.language)["rest"].format(snippet=made.snippet)
        builder.code(_joined(header, run, rest, builder.language), "",
                     {"snippet": made.snippet, "kind": "setup", "chunks": _names(rest)}, hidden=True)
        state.done = len(chunks) - 1


def _joined(header: str, run: Run, chunks: list, language: str) -> str:
    """A setup cell: its output captured, since the page shows none of what this code prints (or shows it elsewhere)."""
    return "\n\n".join(["%%capture\n" + header, *(code_in_language(run, chunk.code, language) for chunk in chunks if chunk.code.strip())])


def _names(chunks: list) -> list[str]:
    """How metadata names chunks: a section by its name, other code by its lines."""
    return [chunk.name or f"lines {chunk.first}-{chunk.last}" for chunk in chunks]


def _figure_markdown(builder: _Builder, made: FigureDirective, run: Run) -> str:
    """The figure as an image attached to the notebook (a downloaded notebook has no site beside it), with its caption."""
    figure = run.figures(made.name)[0]
    name = posixpath.basename(figure_uri(figure))  # the site serves the same file there (notebook pages link it)
    builder.attachments[name] = {"image/svg+xml": base64.b64encode(figure["svg"].encode()).decode()}
    alt = re.sub(r"([\\\[\]])", r"\\\1", " ".join(made.args[1].split()))
    return f"![{alt}](attachment:{name})\n\n*{made.args[2]}*"


def _title(text: str) -> str:
    match = re.search(r"^# (.+)$", text, re.M)
    return match[1].strip() if match else ""


# --- MkDocs Markdown to Markdown that Jupyter renders ---------------------------------------

TAB = re.compile(r'^(?P<indent>[ \t]*)===\+? "(?P<label>[^"]*)"[ \t]*$')
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
HEADING_ATTRIBUTES = re.compile(r"^(#{1,6} .*?)[ \t]*\{[^{}\n]*\}[ \t]*$", re.M)
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]*)\)")
HTML_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
HTML_BLOCK = re.compile(r"^<(div|details|form)\b")


def for_jupyter(text: str, language: str, links) -> str:
    """The page's Markdown as Jupyter renders it: tabs and admonitions become plain blocks, links absolute, widgets a note."""
    text = HTML_COMMENT.sub("", text)
    lines = text.split("\n")
    changed = True
    while changed:  # nested blocks come out one level per pass
        lines, changed = _unnest(lines)
    lines = _without_html_blocks(lines, words(language)["interactive"].format(url=links("")))
    text = HEADING_ATTRIBUTES.sub(r"\1", "\n".join(lines))
    prose = outside_fences(text)
    text = "\n".join(_links(line, links) if line == shown else shown for line, shown in zip(prose, text.split("\n")))
    return re.sub(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])", "", text) if language == "zh" else text


def _unnest(lines: list[str]) -> tuple[list[str], bool]:
    """One pass: each outermost tab or admonition becomes a bold title and its content, dedented."""
    out, changed, number = [], False, 0
    while number < len(lines):
        line = lines[number]
        tab, note = TAB.match(line), ADMONITION.match(line)
        if not (tab or note):
            out.append(line)
            number += 1
            continue
        changed = True
        indent = (tab or note)["indent"]
        body, number = _indented_body(lines, number + 1, indent)
        if tab:
            out += [f"{indent}**{tab['label']}**", ""] + body
        else:
            title = note["title"] if note["title"] is not None else note["kind"].capitalize()
            quote = not any("{{" in part for part in body)  # a directive must stand alone on its line
            block = [f"**{title}**", "", *body] if title else body
            out += [f"{indent}> {part}".rstrip() if quote else f"{indent}{part}".rstrip() for part in block]
        out.append("")
    return out, changed


def _indented_body(lines: list[str], start: int, indent: str) -> tuple[list[str], int]:
    """The block's lines (indented four more than `indent`), dedented; and the index after them."""
    inner = indent + "    "
    body, number = [], start
    while number < len(lines) and (not lines[number].strip() or lines[number].startswith(inner)):
        body.append(lines[number][len(inner):] if lines[number].strip() else "")
        number += 1
    while body and not body[-1]:
        body.pop()
        number -= 1
    while body and not body[0]:
        body.pop(0)
    return body, number


def _without_html_blocks(lines: list[str], note: str) -> list[str]:
    """Raw HTML blocks (the site's interactive widgets) replaced by a note: Jupyter runs none of their JavaScript."""
    out, depth, tag = [], 0, None
    for line in lines:
        if depth == 0:
            match = HTML_BLOCK.match(line)
            if not match:
                out.append(line)
                continue
            tag = match[1]
            out.append(note)
        depth += len(re.findall(rf"<{tag}\b", line)) - len(re.findall(rf"</{tag}>", line))
        depth = max(depth, 0)
    return out


def _links(line: str, links) -> str:
    return LINK.sub(lambda m: f"[{m['text']}]({links(m['target'])})", line)


def page_notebooks(site: Config, runs: dict[Path, Run], language: str, site_url: str = "https://example.org/") -> dict[str, dict]:
    """Every chapter's notebook of one language, as the build makes it (directory URLs): page src_uri -> notebook."""
    from mkdocs.utils.meta import get_data

    from execdocs.website.notebook_links import Links

    docs = site.docs_dir / language
    pages = sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*.md"))
    urls = {page: "" if page == "index.md" else posixpath.splitext(page)[0].removesuffix("/index") + "/" for page in pages}
    made = {}
    for page in pages:
        path = docs / page
        text, _ = get_data(path.read_text(encoding="utf-8"))
        if has_notebook(find_directives(site, text, path)):
            made[page] = build_notebook(site, text, path, runs, language, Links(site_url, page, urls))
    return made
