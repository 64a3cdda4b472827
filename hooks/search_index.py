"""MkDocs hook: a lighter search index. Chinese word cutting only on the Chinese site; plain UTF-8.

Material's search plugin cuts every run of Han characters into words with jieba, whose
dictionary takes a second or more to load; on the English site that is all cost (a few
glossary terms), so the English build turns it off. MkDocs then writes the index with every
non-ASCII character escaped as \\uXXXX: a third of the Chinese index, six bytes for each
character UTF-8 writes in three. The same JSON is written again unescaped.
"""

from __future__ import annotations

import json
from pathlib import Path

from material.plugins.search import plugin as material_search

JIEBA = material_search.jieba  # None if jieba is not installed; its dictionary loads on the first cut


def on_config(config):
    material_search.jieba = JIEBA if config.theme["language"] == "zh" else None
    return config


def on_post_build(config):
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        index.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
