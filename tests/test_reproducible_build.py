"""Reproducible builds (issue #5): the same commit gives a byte-identical site, and every snippet prints the same twice.

Nothing is allowed to vary between builds: the sitemap has no <lastmod>, its .gz header
takes SOURCE_DATE_EPOCH (0 unless set), every snippet run is seeded alike, and no page
shows a time, a path of the machine or a hash-seed-dependent order. The builds below
differ in folder, cache, hash seed and time zone, and must still agree byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tiny_site import TinySite

from execdocs.engine.determinism import rerun


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path inside the site."""
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    """Paths present in one build only, or with other bytes."""
    return sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))


def test_tiny_site_builds_byte_identical(tmp_path):
    """Assert two cold builds of the tiny site, in other folders, time zones and hash seeds, give identical files."""
    builds = []
    for attempt, zone, seed in (("first", "UTC", "1"), ("second", "Asia/Shanghai", "2")):
        site = TinySite.copy(tmp_path / attempt)
        result = site.build(TZ=zone, PYTHONHASHSEED=seed)
        assert result.returncode == 0, result.output
        builds.append(site_files(site.root / "site"))
    assert len(builds[0]) > 40  # both languages: pages, search index, sitemaps; the assets they share
    assert not differences(*builds), f"files that differ between two builds: {differences(*builds)}"
    for language in ("en", "zh"):  # builds on other days must agree too: the gzip header holds no build time
        header = builds[0][f"{language}/sitemap.xml.gz"][:10]
        assert int.from_bytes(header[4:8], "little") == 0, "sitemap.xml.gz records the build time; set SOURCE_DATE_EPOCH"


def test_real_site_builds_byte_identical(built_site, tmp_path, config):
    """Assert a second build of the real site, with a cold cache, time zone and hash seed of its own, matches the first byte for byte."""
    first, _ = built_site
    env = {**os.environ, "EXECDOCS_CACHE": str(tmp_path / "cache"), "TZ": "Asia/Shanghai", "PYTHONHASHSEED": "7"}
    result = subprocess.run([sys.executable, "-m", "execdocs", "build", "--site-dir", str(tmp_path / "site")],
                            cwd=config.root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    found = differences(site_files(first), site_files(tmp_path / "site"))
    assert not found, f"files that differ between two builds of the same sources: {found}"


def test_real_snippets_print_the_same_when_run_again(runs, config):
    """Assert every snippet, run again in another worker under another hash seed and random seed, prints and leaves the same."""
    problems = rerun(config, list(runs), runs)
    assert not problems, "\n".join(map(str, problems))
