"""Driving a page by keyboard, and reading how it shows the keyboard focus. Shared by the browser tests."""

from __future__ import annotations

# How the element marked data-execdocs-probe (marked first: the focused one) is drawn: the outline
# and box-shadow of the element that shows its focus, which is the element itself or, for a
# radio button drawn as something else (Material's palette option, a content tab), the label drawn
# for it. Also a description, for messages.
PROBE_STYLE_JS = """(mark) => {
  if (mark) {
    for (const old of document.querySelectorAll("[data-execdocs-probe]")) old.removeAttribute("data-execdocs-probe");
    document.activeElement.setAttribute("data-execdocs-probe", "");
  }
  const el = document.querySelector("[data-execdocs-probe]");
  let shown = el;
  if (el.matches(".md-option")) shown = el.nextElementSibling;
  else if (el.matches(".tabbed-set > input")) {
    const set = el.closest(".tabbed-set");
    const index = [...set.querySelectorAll(":scope > input")].indexOf(el);
    shown = set.querySelectorAll(":scope > .tabbed-labels > label")[index];
  }
  const style = getComputedStyle(shown);
  const outline = style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0
    ? "none" : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
  const name = (el.getAttribute("aria-label") || el.title || el.textContent || el.id).trim().replace(/\\s+/g, " ").slice(0, 40);
  return {outline, shadow: style.boxShadow, focused: document.activeElement === el,
          what: `${el.tagName.toLowerCase()}.${[...el.classList].filter((c) => c !== "focus-visible").join(".")} "${name}"`};
}"""
IS_ACTIVE_JS = "(selector) => document.activeElement.matches(selector)"


def tab_to(page, selector: str, limit: int = 400) -> bool:
    """Press Tab until the focused element matches `selector` (False after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(IS_ACTIVE_JS, selector):
            return True
    return False


def focus_problem(page) -> str:
    """Why the focus of the focused element cannot be seen, or "" if it can.

    It must gain an outline or a box-shadow: compared with the same element after Shift+Tab
    moved the focus away. Tab then brings the focus back to it.
    """
    focused = page.evaluate(PROBE_STYLE_JS, True)
    page.keyboard.press("Shift+Tab")
    unfocused = page.evaluate(PROBE_STYLE_JS, False)
    page.keyboard.press("Tab")
    what = focused["what"]
    if unfocused["focused"]:
        return f"{what}: Shift+Tab does not move the focus away from it"
    shows = [f"outline {focused['outline']}"] if focused["outline"] != "none" else []
    shows += [f"box-shadow {focused['shadow']}"] if focused["shadow"] != "none" else []
    if not shows:
        return f"{what}: no visible focus (no outline, no box-shadow when focused by keyboard)"
    if (focused["outline"], focused["shadow"]) == (unfocused["outline"], unfocused["shadow"]):
        return f"{what}: looks the same focused and not ({', '.join(shows)} either way)"
    return ""
