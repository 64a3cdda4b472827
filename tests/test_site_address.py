"""site_url is set once, in mkdocs.yml; each language's address and every link root derive from it (hooks/site_address.py)."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

from mkdocs.utils.yaml import yaml_load

from execdocs.engine.config import Config

ROOT = Config().root


def load_hook():
    spec = importlib.util.spec_from_file_location("site_address", ROOT / "hooks" / "site_address.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_config(site_url: str, language: str) -> SimpleNamespace:
    return SimpleNamespace(site_url=site_url, theme={"language": language}, extra={"repository": "https://git.example.net/fork/site/"},
                           plugins={}, docs_dir=str(ROOT / "docs" / language), config_file_path=str(ROOT / "mkdocs.yml"), edit_uri=None)


def test_only_mkdocs_yml_sets_site_url():
    """Assert the Chinese config inherits site_url instead of repeating it."""
    keys = [line.split(":", 1)[0] for line in (ROOT / "mkdocs.zh.yml").read_text(encoding="utf-8").splitlines() if not line.startswith((" ", "#"))]
    assert "INHERIT" in keys and "site_url" not in keys


def test_site_url_comes_from_the_environment(monkeypatch):
    """Assert SITE_URL, when set, is the site_url mkdocs.yml gives."""
    monkeypatch.setenv("SITE_URL", "https://user.example.io/fork/")
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        assert yaml_load(file)["site_url"] == "https://user.example.io/fork/"


def test_each_language_lives_under_the_root():
    """Assert the hook gives each language <root><lang>/, keeps the root for templates and links from its path."""
    hook = load_hook()
    for language in ("en", "zh"):
        config = hook.on_config(fake_config("https://user.example.io/fork", language))
        assert config.site_url == f"https://user.example.io/fork/{language}/"
        assert config.extra["site_root"] == "https://user.example.io/fork/"
        assert config.extra["link_root"] == "/fork/"
        assert config.edit_uri == f"https://git.example.net/fork/site/edit/main/docs/{language}/"


def test_a_relative_config_path_gives_the_same_edit_link(monkeypatch):
    """Assert `mkdocs build -f mkdocs.yml` (MkDocs keeps that path relative) gives the edit link an absolute one gives;
    it once ended in a ValueError from Path.relative_to."""
    monkeypatch.chdir(ROOT)
    hook = load_hook()
    config = fake_config("https://user.example.io/", "zh")
    config.config_file_path = "mkdocs.zh.yml"
    assert hook.on_config(config).edit_uri == "https://git.example.net/fork/site/edit/main/docs/zh/"
