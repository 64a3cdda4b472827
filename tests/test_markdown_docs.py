"""pytest-markdown-docs runs Python fences written in pages, and never imports snippets/ files."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from execdocs.engine.config import Config

ROOT = Config().root
SNIPPETS_DIR = Config().snippets_dir


def pytest_run(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_python_fences_in_pages_are_executed(tmp_path):
    """Assert a passing and a failing ```python fence in a page are both run, with this project's settings."""
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n```python\nassert 1 + 1 == 2\n```\n\n```python\nassert 1 + 1 == 3\n```\n", encoding="utf-8")
    result = pytest_run("-q", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(page))
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr


def test_collection_imports_no_snippet(tmp_path):
    """Assert collecting the whole suite (tests/ and docs/) imports no module from snippets/."""
    probe = tmp_path / "snippet_probe.py"
    probe.write_text(textwrap.dedent(f"""
        import sys

        def pytest_collection_finish(session):
            imported = [m for m in list(sys.modules.values()) if str(getattr(m, "__file__", "") or "").startswith({str(SNIPPETS_DIR)!r})]
            print("SNIPPET MODULES:", [m.__name__ for m in imported])
    """), encoding="utf-8")
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    result = pytest_run("--collect-only", "-q", "-p", "snippet_probe", env=env)
    assert "SNIPPET MODULES: []" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
