"""MkDocs hook: derive every public address of a language's site from the one root `site_url`.

mkdocs.yml sets `site_url` once, to the root that holds every language (from SITE_URL, with
a documented default); each language's site lives under `<root><lang>/`, so this hook
appends the language. Templates read the root from `config.extra.site_root` (hreflang
alternates, x-default, sitemaps) and the path part from `config.extra.link_root` (language
links); in the offline copy, which is opened from disk, `link_root` is None and links stay
relative. The "edit this page" address points into docs/<lang>/ of the repository.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

OFFLINE_PLUGIN_NAMES = ("material/offline", "offline")


def offline_build(config) -> bool:
    """Whether Material's offline plugin is on for this build (`OFFLINE=true`)."""
    plugin = next((config.plugins[name] for name in OFFLINE_PLUGIN_NAMES if name in config.plugins), None)
    return bool(plugin and plugin.config.enabled)


def on_config(config):
    language = config.theme["language"]
    root = config.site_url.rstrip("/") + "/"
    config.extra["site_root"] = root
    config.extra["link_root"] = None if offline_build(config) else urlsplit(root).path
    config.site_url = f"{root}{language}/"
    repository = config.extra.get("repository")
    if repository:
        docs = Path(config.docs_dir).relative_to(Path(config.config_file_path).resolve().parent).as_posix()
        config.edit_uri = f"{repository.rstrip('/')}/edit/{config.extra.get('branch', 'main')}/{docs}/"
    return config
