"""Serve the assets both languages share once: a reader who switches language downloads none of them again.

Each language is its own MkDocs build, so each writes its own `assets/` (Material's scripts and
styles, the site's, the figures). After both builds, every file that is byte-identical in every
language moves to the site root's `assets/`, and each page's references to it are rewritten:
relative ones (`../../assets/x` from two folders down) gain one `../`, absolute ones (the 404
pages': `/en/assets/x`) lose the language. Files that differ stay where they are.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

TEXT_SUFFIXES = (".html",)  # where references to assets are written (the search worker finds lunr next to itself)


def shared_files(site_dir: Path, languages: tuple[str, ...]) -> list[str]:
    """Paths below assets/ whose bytes are the same in every language."""
    first = site_dir / languages[0] / "assets"
    same = []
    for path in sorted(first.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(first).as_posix()
        data = path.read_bytes()
        others = [site_dir / language / "assets" / relative for language in languages[1:]]
        if all(other.is_file() and other.read_bytes() == data for other in others):
            same.append(relative)
    return same


def share_assets(site_dir: Path, languages: tuple[str, ...]) -> tuple[int, int]:
    """Move the shared assets to `site_dir/assets/` and point every page at them; (files moved, bytes no longer duplicated)."""
    shared = shared_files(site_dir, languages)
    saved = 0
    for relative in shared:
        target = site_dir / "assets" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(site_dir / languages[0] / "assets" / relative, target)
        for language in languages[1:]:
            copy = site_dir / language / "assets" / relative
            saved += copy.stat().st_size
            copy.unlink()
    for language in languages:
        _remove_empty_folders(site_dir / language / "assets")
        for page in sorted((site_dir / language).rglob("*")):
            if page.suffix in TEXT_SUFFIXES and page.is_file():
                text = page.read_text(encoding="utf-8")
                pointed = point_at_shared(text, language, len(page.relative_to(site_dir / language).parts) - 1, set(shared))
                if pointed != text:
                    page.write_text(pointed, encoding="utf-8")
    return len(shared), saved


def point_at_shared(text: str, language: str, depth: int, shared: set[str]) -> str:
    """A page's text with its references to shared assets moved up to the site root."""
    relative = re.escape("../" * depth + "assets/")
    absolute = re.escape(f"/{language}/assets/")

    def moved(match: re.Match) -> str:
        if match["path"] not in shared:
            return match[0]
        if match["absolute"]:
            return match["absolute"][: -len(f"{language}/assets/")] + "assets/" + match["path"]
        return "../" * depth + "../assets/" + match["path"]

    pattern = re.compile(rf"""(?<=["'(=])(?:(?P<absolute>[^"'()\s]*{absolute})|{relative})(?P<path>[^"'()?#\s]+)""")
    # A reference holds no whitespace: line by line, and only the lines that name assets/ (most of a page is
    # formulas' SVG; scanning it all took most of the build's last half second).
    return "\n".join(pattern.sub(moved, line) if "assets/" in line else line for line in text.split("\n"))


def _remove_empty_folders(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder)
