"""MkDocs hook: the offline copy serves its own iframe-worker, never a CDN's.

Material's offline plugin (on when OFFLINE=true) makes search work from file:// with the
iframe-worker shim, which it loads from unpkg.com unless a polyfill named iframe-worker is
already listed. This hook lists the copy from node_modules/ (pinned in package-lock.json)
and adds it to the site. The hosted build is left alone.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

SHIM = Path("node_modules/iframe-worker/shim/index.js")
SITE_PATH = "assets/javascripts/iframe-worker.js"
OFFLINE_PLUGIN_NAMES = ("material/offline", "offline")


def _offline(config) -> bool:
    plugin = next((config.plugins[name] for name in OFFLINE_PLUGIN_NAMES if name in config.plugins), None)
    return bool(plugin and plugin.config.enabled)


def on_config(config):
    if _offline(config):
        others = [url for url in config.extra.get("polyfills", []) if "iframe-worker" not in str(url)]
        config.extra["polyfills"] = [*others, SITE_PATH]
    return config


def on_files(files, config):
    if _offline(config):
        shim = Path(config.config_file_path).resolve().parent / SHIM
        if not shim.is_file():
            raise PluginError(f"{shim} is missing: run `npm ci` (package.json pins iframe-worker)")
        files.append(File.generated(config, SITE_PATH, abs_src_path=str(shim)))
    return files
