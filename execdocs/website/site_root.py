"""The files at the root of the built site: the language picker, robots.txt, and a sitemap index of both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.utils.yaml import yaml_load

from execdocs.engine.config import Config


def site_root_url(config: Config) -> str:
    """The site's root address: `site_url` of mkdocs.yml (SITE_URL when set), ending in '/'."""
    with open(config.root / "mkdocs.yml", encoding="utf-8") as file:
        return str(yaml_load(file)["site_url"]).rstrip("/") + "/"


def write_root_files(config: Config, site_dir: Path) -> None:
    """Copy the language picker and write robots.txt and sitemap.xml (an index of each language's sitemap)."""
    shutil.copyfile(config.docs_dir / "index.html", site_dir / "index.html")
    root = site_root_url(config)
    entries = "".join(f"  <sitemap><loc>{root}{language}/sitemap.xml</loc></sitemap>\n" for language in config.languages)
    (site_dir / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n', encoding="utf-8")
    # Crawlers read robots.txt only at a host's root: it counts when site_url is a host of its own.
    (site_dir / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {root}sitemap.xml\n", encoding="utf-8")
