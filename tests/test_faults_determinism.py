"""A snippet whose output differs between two runs is caught by the nondeterminism check (issue #5).

The build seeds every run alike, so unseeded randomness prints the same within a build;
`python -m execdocs check-determinism` (and tests/test_reproducible_build.py for the real
snippets) runs each snippet again in another worker, under another hash seed and random
seed, and names every snippet whose output changed.
"""

from __future__ import annotations

import re

import pytest
from tiny_site import TinySite, warm_cache

from execdocs.engine.client import Engine
from execdocs.engine.config import Config

ADVICE = ("seed every random generator (torch.manual_seed(0), np.random.default_rng(0), random.seed(0)), "
          "sort sets before printing them, and print no times or memory addresses")

FAULTY = {
    "unseeded_torch.py": '''
        import torch

        # --8<-- [start:draw]
        weights = torch.rand(3)
        print(weights)
        # --8<-- [end:draw]
    ''',
    "unseeded_random.py": '''
        import random

        # --8<-- [start:draw]
        print(f"{random.random():.4f}")
        # --8<-- [end:draw]
    ''',
    "set_order.py": '''
        # --8<-- [start:labels]
        labels = {"cat", "dog", "bird", "fish", "horse"}
        print(", ".join(labels))
        # --8<-- [end:labels]
    ''',
    "unseeded_value.py": '''
        import numpy as np

        # --8<-- [start:draw]
        draw = float(np.random.rand())
        # --8<-- [end:draw]
    ''',
    "clock.py": '''
        import time

        # --8<-- [start:timed]
        started = time.perf_counter()
        total = sum(range(1000))
        print(f"total = {total} in {time.perf_counter() - started:.9f} s")
        # --8<-- [end:timed]
    ''',
}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """The tiny site with the faulty snippets included by both pages, and the check's result."""
    site = TinySite.copy(tmp_path_factory.mktemp("determinism"), warm_cache())
    for name, code in FAULTY.items():
        site.write(f"snippets/{name}", code)
    includes = "".join(f'\n\n{{{{ run("{name}") }}}}' for name in FAULTY)
    for language in ("en", "zh"):
        site.edit(f"docs/{language}/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:loss") }}' + includes)
    return site.run("-m", "execdocs", "check-determinism")


def test_check_fails_and_spares_the_deterministic_snippet(checked):
    """Assert the check fails, reports exactly the faulty snippets, and not the deterministic tiny.py."""
    assert checked.returncode == 1
    reported = [re.match(r"ERROR: snippets/(\w+\.py)", line)[1] for line in checked.error_lines]
    assert reported == list(FAULTY)


@pytest.mark.parametrize(("snippet", "message"), [
    ("unseeded_torch.py", "ERROR: snippets/unseeded_torch.py:4: prints something else when run again: section 'draw' printed "
                          "'tensor([0.4963, 0.7682, 0.0885])', then 'tensor([0.7576, 0.2793, 0.4031])'; " + ADVICE),
    ("unseeded_random.py", "ERROR: snippets/unseeded_random.py:4: prints something else when run again: section 'draw' printed "
                           "'0.8444', then '0.1344'; " + ADVICE),
    ("set_order.py", "ERROR: snippets/set_order.py:2: prints something else when run again: section 'labels' printed "
                     "'bird, cat, fish, dog, horse', then 'dog, cat, fish, bird, horse'; " + ADVICE),
])
def test_nondeterministic_snippet_is_named(checked, snippet, message):
    """Assert an unseeded torch.rand, an unseeded random.random() and a printed set are each named with what changed."""
    assert message in checked.error_lines


def test_unseeded_value_is_named(checked):
    """Assert a snippet that prints nothing but leaves a different value (quoted in prose) is named with both values."""
    assert ("ERROR: snippets/unseeded_value.py: leaves another value when run again: draw was 0.5488135039273248, "
            "then 0.417022004702574; " + ADVICE) in checked.error_lines


def test_timing_in_output_is_named(checked):
    """Assert a snippet printing a duration is caught (the figures themselves vary, so they are matched loosely)."""
    pattern = (r"ERROR: snippets/clock\.py:4: prints something else when run again: section 'timed' printed "
               r"'total = 499500 in \d\.\d{9} s', then 'total = 499500 in \d\.\d{9} s'; " + re.escape(ADVICE))
    assert any(re.fullmatch(pattern, line) for line in checked.error_lines), checked.stderr


def test_each_build_seeds_alike(tmp_path):
    """Assert two independent workers print the same for an unseeded snippet: builds repeat, pages never flicker."""
    path = tmp_path / "snippets" / "unseeded.py"
    path.parent.mkdir()
    path.write_text("import random\nimport torch\nprint(f'{random.random():.4f} {torch.rand(1).item():.4f}')\n", encoding="utf-8")
    outputs = []
    for attempt in ("first", "second"):
        outputs.append(Engine(Config(root=tmp_path, cache_dir=tmp_path / attempt)).run([path])[path].output())
    assert outputs == ["0.8444 0.4963\n"] * 2
