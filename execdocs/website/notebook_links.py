"""Links of a notebook: absolute URLs of the site, since a downloaded notebook has no site beside it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass


@dataclass
class Links:
    """Turns a link of a page into the absolute URL of its target on the site (a notebook travels alone)."""

    site_url: str  # this language's site, ending in /
    page_uri: str
    urls: dict  # src_uri of every page -> its URL
    site_name: str = ""

    def __call__(self, target: str) -> str:
        page_url = self.site_url + self.urls.get(self.page_uri, "")
        if not target:
            return page_url
        if target.startswith("#"):
            return page_url + target
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/", target, re.I):
            return target
        path, hash_, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(self.page_uri), path))
        return self.site_url + self.urls.get(resolved, resolved) + hash_ + fragment
