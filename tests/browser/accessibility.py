"""axe-core, the accessibility engine behind Lighthouse, run on a loaded page: WCAG 2.2 A and AA rules.

axe-core is pinned in package.json (devDependencies) and injected by the tests into the page
they have loaded; the site never serves it. Kept free of pytest so that a script can use it.
"""

from __future__ import annotations

import json
from functools import cache

from execdocs.engine.config import Config

AXE_SOURCE = Config().root / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (WCAG 2.2 added no level-A rule that axe tests).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Also run, though axe files it under best practice: a dialog (Material's search) needs a name.
EXTRA_RULES = ["aria-dialog-name"]
SERIOUS = ("serious", "critical")
# The rules whose outcome depends on the colour scheme: run again in the dark scheme.
SCHEME_RULES = ["color-contrast", "link-in-text-block"]
NODES_SHOWN = 3

# Runs axe on the whole document, with the WCAG tags and extra rules, or only the rules named;
# returns its violations, trimmed to what messages need.
RUN_AXE_JS = """async ([tags, extra, only, exclude]) => {
  const options = only
    ? {runOnly: {type: "rule", values: only}}
    : {runOnly: {type: "tag", values: tags}, rules: Object.fromEntries(extra.map((id) => [id, {enabled: true}]))};
  const context = exclude.length ? {include: [["html"]], exclude: exclude.map((selector) => [selector])} : document;
  const results = await axe.run(context, {...options, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || "", impact: n.impact})),
  }));
}"""


@cache
def axe_source() -> str:
    """axe.min.js from node_modules (installed by `npm ci`); a clear error when it is missing."""
    if not AXE_SOURCE.is_file():
        raise FileNotFoundError(f"{AXE_SOURCE} is missing: run `npm ci` (axe-core is pinned in package-lock.json)")
    return AXE_SOURCE.read_text(encoding="utf-8")


# Code blocks: every token is an element for the contrast rule (most of an axe run's time), and
# their colours and markup are the same CSS and the same Pygments classes on every page. So they
# are checked in full on the pages the interaction and phone tests drive, and left out elsewhere.
CODE_BLOCKS = ".md-typeset pre"


def run_axe(page, rules: list[str] | None = None, without_code: bool = False) -> list[dict]:
    """axe's WCAG 2.2 A/AA violations on the page as it is now, or those of `rules` only (axe is injected once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    # From the top, as a reader arrives: scrolled, the sticky header covers whatever sits under
    # it, and axe's target-size rule then reports that control as obscured (a test scrolled it there).
    page.evaluate("() => window.scrollTo(0, 0)")
    return page.evaluate(RUN_AXE_JS, [WCAG_TAGS, EXTRA_RULES, rules, [CODE_BLOCKS] if without_code else []])


def audit_on_load_script() -> str:
    """An init script: axe itself, and an audit the page starts once it has loaded and its load handlers have run, as
    run_axe(page, without_code=True) would; its violations are the promise `window.__execdocsAudit`. A page audits
    itself while the tests look at the page before it: two pages' work on two cores instead of one after the other."""
    arguments = json.dumps([WCAG_TAGS, EXTRA_RULES, None, [CODE_BLOCKS]])
    return axe_source() + f"""
;window.__execdocsAudit = new Promise((resolve) => {{
  const run = {RUN_AXE_JS};
  addEventListener("load", () => setTimeout(async () => {{
    try {{
      await document.fonts.ready;
      await new Promise((next) => setTimeout(next, 0));  // what waited for the fonts (accessibility.js) has run
      window.scrollTo(0, 0);
      resolve(await run({arguments}));
    }} catch (error) {{
      resolve({{error: String(error)}});
    }}
  }}, 0), {{once: true}});
}});"""


def serious(violations: list[dict]) -> list[dict]:
    """The violations axe rates serious or critical."""
    return [v for v in violations if v["impact"] in SERIOUS]


def describe(violations: list[dict], where: str) -> list[str]:
    """One message per violation: rule, where, node count, a few targets with axe's summary."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes) {where}: {v['help']}")
        for node in v["nodes"][:NODES_SHOWN]:
            summary = " ".join(node["summary"].split())[:240]
            lines.append(f"    {node['target']}: {summary}")
    return lines
