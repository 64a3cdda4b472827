"""The logit playground agrees with PyTorch, in both languages, operated as a reader would.

Every reference state comes from the engine's run of snippets/pytorch/playground_cases.py (the
`runs` fixture): its inputs (z, y, T) and what PyTorch computed (p, L, p - y), printed at the
precision the playground displays. Each state is typed into the widget's number fields and
radio buttons, and the widget's displayed numbers must equal PyTorch's digit for digit. The
terminal summary prints the agreement table (state, quantity, PyTorch, widget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from browsing import MATH_TIMEOUT_MS, WAIT_FOR_MATH, SitePage, close_context

from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError

DOCS_DIR, LANGUAGES, SNIPPETS_DIR = Config().docs_dir, Config().languages, Config().snippets_dir

SNIPPET = SNIPPETS_DIR / "pytorch" / "playground_cases.py"
CONTAINER = 'class="logit-playground"'
# The pages issue 9 puts the playground on; any other page that has one is tested as well.
REQUIRED = ("pytorch/cross_entropy_loss.md", "pytorch/gradient.md")
PAGES = sorted(
    {SitePage(language, source) for language in LANGUAGES for source in REQUIRED}
    | {SitePage(language, path.relative_to(DOCS_DIR / language).as_posix())
       for language in LANGUAGES for path in (DOCS_DIR / language).rglob("*.md") if CONTAINER in path.read_text(encoding="utf-8")}
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# One state as the snippet prints it (show() in the snippet).
STATE = re.compile(
    r"z = \((?P<z>[^)]*)\), y = (?P<y>\d+), T = (?P<T>\S+)\n"
    r"p     = \((?P<p>[^)]*)\)\n"
    r"L     = (?P<L>\S+)\n"
    r"p - y = \((?P<g>[^)]*)\)"
)


@dataclass(frozen=True)
class State:
    """One playground state and PyTorch's numbers for it, as printed (strings at the displayed precision)."""

    z: tuple[str, ...]
    y: int
    T: str
    p: tuple[str, ...]
    loss: str
    grad: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"z = ({', '.join(self.z)}), y = {self.y}, T = {self.T}"


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


def _states(output: str) -> list[State]:
    return [State(_split(m["z"]), int(m["y"]), m["T"], _split(m["p"]), m["L"], _split(m["g"])) for m in STATE.finditer(output)]


@pytest.fixture(scope="session")
def reference(runs):
    """The engine's run of the snippet: (first state, every state, module-level values)."""
    run = runs[SNIPPET.resolve()]
    if isinstance(run, SnippetError):
        pytest.fail(f"{SNIPPET.name} does not run:\n{run}", pytrace=False)
    first = _states(run.output("playground"))
    cases = _states(run.output("cases"))
    assert len(first) == 1 and len(cases) >= 5, f"could not read the states printed by {SNIPPET.name}: {len(first)} + {len(cases)}"
    return first[0], first + cases, run.values


# ---------------------------------------------------------------------------
# The page, loaded once per page; what the widget shows
# ---------------------------------------------------------------------------


@dataclass
class Loaded:
    site_page: SitePage
    page: object
    context: object
    first_display: dict  # what the widget showed before any test touched it
    errors: list


# Everything the widget displays, and the values of its inputs.
DISPLAY_JS = """(root) => {
  const text = (selector) => { const el = root.querySelector(selector); return el ? el.textContent : null; };
  const numbers = [...root.querySelectorAll('input[type=number]')].map((el) => el.value);
  const checked = root.querySelector('input[type=radio]:checked');
  return {
    p: [0, 1, 2].map((i) => text(`[data-lp=p${i}]`)),
    grad: [0, 1, 2].map((i) => text(`[data-lp=g${i}]`)),
    loss: text('[data-lp=loss]'),
    z: numbers.slice(0, 3),
    T: numbers[3] ?? null,
    y: checked ? Number(checked.value) : null,
  };
}"""


def _display(loaded: Loaded) -> dict:
    return loaded.page.locator(".logit-playground").evaluate(DISPLAY_JS)


@pytest.fixture(scope="module", params=PAGES, ids=[page.id for page in PAGES])
def loaded(request, browser, site_url):
    """The page in a fresh context, its fonts ready, the widget's first display recorded."""
    site_page = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Generous: the machine may be busy (a page load took over 10 s on 2 shared cores)
    context.set_default_navigation_timeout(60_000)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"console error: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught exception: {error}"))
    response = page.goto(site_url + site_page.path)
    assert response is not None and response.status == 200, f"{site_page.path} answers {response.status if response else 'nothing'}"
    page.evaluate(WAIT_FOR_MATH, MATH_TIMEOUT_MS)
    widget = page.locator(".logit-playground .lp")
    try:
        widget.wait_for(state="visible", timeout=15_000)
    except Exception:  # noqa: BLE001
        pytest.fail(f"{site_page.name} ({site_page.path}): the playground did not start (no .logit-playground .lp); {errors}", pytrace=False)
    loaded = Loaded(site_page, page, context, {}, errors)
    loaded.first_display = _display(loaded)
    yield loaded
    close_context(context)


def _set_state(loaded: Loaded, z, y: int, T) -> None:
    """Type the logits and the temperature into the number fields and pick the class, as a reader would."""
    widget = loaded.page.locator(".logit-playground")
    numbers = widget.locator("input[type=number]")
    for i, value in enumerate(z):
        numbers.nth(i).fill(str(value))
        numbers.nth(i).press("Tab")  # leaving the field commits it (change event)
    numbers.nth(3).fill(str(T))
    numbers.nth(3).press("Tab")
    widget.locator(f"input[type=radio][value='{y}']").check()


def _mismatches(shown: dict, state: State) -> list[str]:
    expected = {"p": list(state.p), "L": state.loss, "p - y": list(state.grad)}
    got = {"p": shown["p"], "L": shown["loss"], "p - y": shown["grad"]}
    return [f"{name}: widget {got[name]}, PyTorch {expected[name]}" for name in expected if got[name] != expected[name]]


# ---------------------------------------------------------------------------
# The agreement table, in the terminal summary
# ---------------------------------------------------------------------------


class AgreementTable:
    """Collects (state, quantity, PyTorch, widget, page) and prints them at the end of the session."""

    def __init__(self):
        self.rows: dict[tuple[str, str], dict] = {}

    def add(self, state: State, shown: dict, page_id: str) -> None:
        for quantity, torch_value, widget_value in (
            ("p", f"({', '.join(state.p)})", f"({', '.join(str(x) for x in shown['p'])})"),
            ("L", state.loss, str(shown["loss"])),
            ("p - y", f"({', '.join(state.grad)})", f"({', '.join(str(x) for x in shown['grad'])})"),
        ):
            row = self.rows.setdefault((state.label, quantity), {"torch": torch_value, "widget": {}})
            row["widget"][page_id] = widget_value

    def pytest_terminal_summary(self, terminalreporter):
        if not self.rows:
            return
        write = terminalreporter.write_line
        terminalreporter.section("logit playground vs PyTorch")
        pages = sorted({page for row in self.rows.values() for page in row["widget"]})
        write(f"Widget: the numbers the playground displayed on {len(pages)} pages ({', '.join(pages)});")
        write("PyTorch: printed by snippets/pytorch/playground_cases.py in this session's engine run.")
        table = [("state", "quantity", "PyTorch", "widget", "pages agreeing")]
        for (label, quantity), row in self.rows.items():
            widget_values = sorted(set(row["widget"].values()))
            agreeing = sum(value == row["torch"] for value in row["widget"].values())
            table.append((label, quantity, row["torch"], " / ".join(widget_values), f"{agreeing}/{len(row['widget'])}"))
        widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
        for number, line in enumerate(table):
            write("| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths)) + " |")
            if number == 0:
                write("|" + "|".join("-" * (width + 2) for width in widths) + "|")


@pytest.fixture(scope="session")
def agreement(request):
    table = AgreementTable()
    request.config.pluginmanager.register(table, "logit-playground-agreement")
    return table


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_playground_is_on_the_required_pages(fetch, site_url):
    """Assert the cross-entropy and gradient pages of both languages hold the playground and load its script."""
    problems = []
    for language in LANGUAGES:
        for source in REQUIRED:
            site_page = SitePage(language, source)
            served = fetch(site_url + site_page.path)
            if served.status != 200 or CONTAINER not in served.text:
                problems.append(f"{site_page.name} ({site_page.path}): no {CONTAINER} element")
            elif "assets/javascripts/playground.js" not in served.text:
                problems.append(f"{site_page.name} ({site_page.path}): does not load assets/javascripts/playground.js")
    assert not problems, "\n".join(problems)


def test_first_state_is_pytorchs(loaded, reference, agreement):
    """Assert the widget starts at the snippet's first state and displays PyTorch's p, L and p - y for it."""
    first, _, _ = reference
    shown = loaded.first_display
    agreement.add(first, shown, loaded.site_page.id)
    problems = _mismatches(shown, first)
    if shown["z"] != list(first.z) or shown["T"] != first.T or shown["y"] != first.y:
        problems.append(f"inputs: widget z = {shown['z']}, T = {shown['T']}, y = {shown['y']}; snippet {first.label}")
    assert not problems, f"{loaded.site_page.name}, first state {first.label}:\n  " + "\n  ".join(problems)


def test_typed_states_match_pytorch(loaded, reference, agreement):
    """Assert every state of the snippet, typed into the widget, displays PyTorch's p, L and p - y digit for digit."""
    _, states, _ = reference
    problems = []
    for state in states:
        _set_state(loaded, state.z, state.y, state.T)
        shown = _display(loaded)
        agreement.add(state, shown, loaded.site_page.id)
        problems += [f"{state.label}: {problem}" for problem in _mismatches(shown, state)]
        if shown["z"] != list(state.z) or shown["T"] != state.T:
            problems.append(f"{state.label}: the fields show z = {shown['z']}, T = {shown['T']} after typing it")
    assert not problems, f"{loaded.site_page.name}:\n  " + "\n  ".join(problems)


def test_out_of_range_input_is_clamped(loaded, reference):
    """Assert a temperature below the minimum and logits beyond the limit are clamped, and the numbers follow."""
    _, states, values = reference
    t_min, z_max = values["T_MIN"], values["Z_MAX"]
    state = next(s for s in states if float(s.T) == t_min and max(abs(float(z)) for z in s.z) == z_max)
    typed_z = [float(z) * 1000 if abs(float(z)) == z_max else z for z in state.z]  # far beyond the limit
    _set_state(loaded, typed_z, state.y, t_min / 100)
    shown = _display(loaded)
    problems = _mismatches(shown, state)
    if shown["z"] != list(state.z) or shown["T"] != state.T:
        problems.append(f"after typing z = {typed_z}, T = {t_min / 100} the fields show z = {shown['z']}, T = {shown['T']}, not the clamped {state.label}")
    assert not problems, f"{loaded.site_page.name}:\n  " + "\n  ".join(problems)


FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || !el.closest('.logit-playground')) return null;
  const style = getComputedStyle(el);
  return {type: el.type, id: el.id, value: el.value, focusVisible: el.matches(':focus-visible'),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


def test_keyboard_moves_a_slider(loaded, reference):
    """Assert Tab reaches the first logit's slider with a visible focus, and ArrowRight raises it and updates the numbers."""
    first, _, _ = reference
    page = loaded.page
    _set_state(loaded, first.z, first.y, first.T)
    before = _display(loaded)
    # Click the sentence before the widget (nothing focusable there), then Tab into the widget.
    page.locator(".logit-playground").evaluate("(el) => el.previousElementSibling.scrollIntoView({block: 'center'})")
    page.locator(".logit-playground").locator("xpath=preceding-sibling::p[1]").click(position={"x": 2, "y": 2})
    focus = None
    for _ in range(5):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if focus:
            break
    assert focus and focus["type"] == "range", f"{loaded.site_page.name}: Tab from the sentence before the playground reaches {focus}, not its first slider"
    assert focus["focusVisible"] and focus["outline"], f"{loaded.site_page.name}: the focused slider shows no focus outline: {focus}"
    page.keyboard.press("ArrowRight")
    after = _display(loaded)
    moved = page.evaluate(FOCUS_JS)
    problems = []
    if not float(moved["value"]) > float(before["z"][0]):
        problems.append(f"ArrowRight left the slider at {moved['value']} (was {before['z'][0]})")
    if after["z"][0] != moved["value"]:
        problems.append(f"the number field shows {after['z'][0]}, the slider {moved['value']}")
    if not float(after["p"][0]) > float(before["p"][0]):
        problems.append(f"raising z0 did not raise p0: {before['p'][0]} -> {after['p'][0]}")
    if after["loss"] == before["loss"] or after["grad"] == before["grad"]:
        problems.append(f"the loss or the gradient did not change: L {before['loss']} -> {after['loss']}, p - y {before['grad']} -> {after['grad']}")
    assert not problems, f"{loaded.site_page.name}:\n  " + "\n  ".join(problems)


NAMES_JS = """(root) => [...root.querySelectorAll('input')].map((el) => ({
  role: el.type === 'range' ? 'slider' : el.type === 'number' ? 'spinbutton' : 'radio',
  name: (el.getAttribute('aria-label') || [...el.labels].map((label) => label.textContent).join(' ')).trim(),
}))"""


def test_controls_are_labelled_in_the_page_language(loaded):
    """Assert every control has an accessible name in the page's language, and the widget's text is in it too."""
    widget = loaded.page.locator(".logit-playground")
    controls = widget.evaluate(NAMES_JS)
    language = loaded.site_page.language
    in_language = (lambda text: bool(CJK.search(text))) if language == "zh" else (lambda text: not CJK.search(text) and re.search(r"[A-Za-z]{3}", text))
    problems = [f"{c['role']} named {c['name']!r}" for c in controls if not c["name"] or not in_language(c["name"])]
    for control in controls:  # the name Chromium's accessibility tree computes is the same
        if control["name"] and widget.get_by_role(control["role"], name=control["name"], exact=True).count() < 1:
            problems.append(f"no {control['role']} with the accessible name {control['name']!r}")
    text = widget.inner_text()
    if language == "en" and CJK.search(text):
        problems.append(f"Chinese text in the English widget: {text[:200]!r}")
    if language == "zh" and not CJK.search(text):
        problems.append(f"no Chinese in the Chinese widget: {text[:200]!r}")
    assert len(controls) == 3 * 2 + 2 + 3, f"{loaded.site_page.name}: expected 11 controls (3 logits and T as slider + field, 3 classes), found {len(controls)}"
    assert not problems, f"{loaded.site_page.name}: controls not labelled in {language}:\n  " + "\n  ".join(problems)


def test_status_announces_the_numbers(loaded, reference):
    """Assert the aria-live status (role=status) reads out the displayed p, L and p - y once the reader pauses."""
    _, states, _ = reference
    state = states[-1]
    _set_state(loaded, state.z, state.y, state.T)
    status = loaded.page.locator(".logit-playground [role=status]")
    assert status.count() == 1, f"{loaded.site_page.name}: expected one role=status element in the playground, found {status.count()}"
    expected = [f"L = {state.loss}", ", ".join(state.p), ", ".join(state.grad)]
    try:
        loaded.page.wait_for_function("([el, parts]) => parts.every((part) => el.textContent.includes(part))",
                                      arg=[status.element_handle(), expected], timeout=10_000)
    except Exception:  # noqa: BLE001
        pytest.fail(f"{loaded.site_page.name}: the status reads {status.text_content()!r}, not the numbers of {state.label}: {expected}", pytrace=False)


def test_no_console_error_while_playing(loaded):
    """Assert nothing was logged as an error and nothing thrown while the page loaded and the tests played."""
    assert not loaded.errors, f"{loaded.site_page.name}:\n  " + "\n  ".join(loaded.errors)


@pytest.mark.parametrize("site_page", [SitePage(language, REQUIRED[0]) for language in LANGUAGES], ids=lambda p: p.id)
def test_without_javascript_the_fallback_shows_the_first_state(browser, site_url, reference, site_page):
    """Assert with JavaScript off the container shows its fallback, followed by PyTorch's output of the first state."""
    first, _, _ = reference
    context = browser.new_context(java_script_enabled=False)
    context.set_default_navigation_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(site_url + site_page.path)
        fallback = page.locator(".logit-playground .logit-playground__fallback")
        assert fallback.is_visible(), f"{site_page.name}: no visible fallback in the playground's container without JavaScript"
        output = page.locator(".logit-playground ~ div.execdocs-output").first.inner_text()
        assert first.label in output and f"L     = {first.loss}" in output, (
            f"{site_page.name}: the first output after the playground does not show its first state {first.label}:\n{output[:300]}"
        )
    finally:
        close_context(context)
