"""Build exactly what is published, and preview it: `python tools/publish.py build|preview`.

`build` (the deploy workflow runs it) writes to site/: both languages and the root
(`python -m execdocs build`, pages linking to the offline copy), then the offline copy as
one zip next to them (tools/offline_archive.py). `preview` (`make preview`) builds the same
and serves it on http://127.0.0.1:8000 under the path of site_url, as GitHub Pages would.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from execdocs.engine.config import Config
from execdocs.website.site_root import site_root_url  # noqa: E402
from tools.offline_archive import ARCHIVE_NAME  # noqa: E402


def build(site_dir: Path) -> int:
    """The hosted site with a link to the offline copy, then the copy itself, into `site_dir`."""
    env = {**os.environ, "OFFLINE_ARCHIVE": ARCHIVE_NAME}
    for command in (["-m", "execdocs", "build", "--site-dir", str(site_dir)],
                    [str(ROOT / "tools" / "offline_archive.py"), "--out", str(site_dir / ARCHIVE_NAME)]):
        result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env)
        if result.returncode != 0:
            return result.returncode
    return 0


class _UnderPath(SimpleHTTPRequestHandler):
    """Serves the site folder at `prefix` (the path of site_url), as the host does."""

    prefix = "/"

    def translate_path(self, path):
        inside = path[len(self.prefix) - 1:] if path.startswith(self.prefix) else "/\0not-here"
        return super().translate_path(inside)


def preview(site_dir: Path, port: int) -> int:
    """Build, then serve until interrupted."""
    status = build(site_dir)
    if status:
        return status
    prefix = urlsplit(site_root_url(Config())).path
    handler = type("Handler", (_UnderPath,), {"prefix": prefix})
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(site_dir)))
    print(f"Serving what would be published at http://127.0.0.1:{port}{prefix} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("build", "preview"))
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site", help="where to write the site (default: site/)")
    parser.add_argument("--port", type=int, default=8000, help="preview: the port to serve on (default: 8000)")
    args = parser.parse_args(argv)
    site_dir = args.site_dir.resolve()
    return build(site_dir) if args.command == "build" else preview(site_dir, args.port)


if __name__ == "__main__":
    sys.exit(main())
