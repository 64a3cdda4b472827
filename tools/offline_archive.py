"""Build the offline copy of both languages (Material's offline plugin) and pack it as one zip.

`python tools/offline_archive.py --out site/cross-entropy-executed-offline.zip` (`make offline`).
The copy is built into a temporary folder, so the hosted build in site/ is untouched. The
zip is reproducible: entries sorted, one fixed time (the built commit's, see
hooks/source_commit.py), fixed permissions. Unpacked, `index.html` picks a language.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hooks.source_commit import head_commit  # noqa: E402

ARCHIVE_NAME = "cross-entropy-executed-offline.zip"
FOLDER = "cross-entropy-executed"  # the one folder the zip unpacks into
HOSTED_ONLY = ("robots.txt", "sitemap.xml")  # root files that mean nothing on disk
# The picker links to "en/" and "zh/": on disk a folder is not a page, so name the file.
_LANGUAGE_FOLDER = re.compile(r"""(["'])(en|zh)/(["'])""")
ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can hold


def build_offline(site_dir: Path) -> None:
    """`python -m execdocs build` with the offline plugin on, into `site_dir`."""
    env = {**os.environ, "OFFLINE": "true", "OFFLINE_ARCHIVE": ""}
    result = subprocess.run([sys.executable, "-m", "execdocs", "build", "--site-dir", str(site_dir)], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit(result.returncode)
    picker = site_dir / "index.html"
    picker.write_text(_LANGUAGE_FOLDER.sub(r"\1\2/index.html\3", picker.read_text(encoding="utf-8")), encoding="utf-8")
    for name in HOSTED_ONLY:
        (site_dir / name).unlink(missing_ok=True)


def pack(site_dir: Path, archive: Path, epoch: int) -> int:
    """Zip every file of `site_dir` under FOLDER/, in a fixed order with a fixed time; return the file count."""
    stamp = time.gmtime(max(epoch, ZIP_EPOCH))[:6]
    files = sorted(path for path in site_dir.rglob("*") if path.is_file())
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for path in files:
            entry = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(site_dir).as_posix()}", date_time=stamp)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(entry, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site" / ARCHIVE_NAME, help=f"the zip to write (default: site/{ARCHIVE_NAME})")
    args = parser.parse_args(argv)
    commit = head_commit(ROOT)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or (commit["epoch"] if commit else 0))
    with tempfile.TemporaryDirectory(prefix="offline-site-") as folder:
        build_offline(Path(folder))
        count = pack(Path(folder), args.out.resolve(), epoch)
    print(f"Wrote {args.out} ({count} files, {args.out.stat().st_size / 1e6:.1f} MB): unzip it and open {FOLDER}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
