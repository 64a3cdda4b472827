// What keyboard users and readers who ask for less motion need beyond Material and MathJax.
(() => {
  // A display formula or a code block wider than its column scrolls sideways (on a phone,
  // often). While it does, it takes the keyboard focus, so that arrow keys can scroll it
  // (WCAG 2.1.1; axe's scrollable-region-focusable); one that fits stays out of the tab order.
  // A tabindex this script did not set (Material's) is left alone.
  const SCROLLERS = ".md-typeset div.arithmatex, .md-typeset pre > code";
  const markScrollers = () => {
    for (const el of document.querySelectorAll(SCROLLERS)) {
      if (el.scrollWidth > el.clientWidth + 1) {
        if (!el.hasAttribute("tabindex")) el.setAttribute("data-execdocs-scroll", "");
        el.setAttribute("tabindex", "0");
      } else if (el.hasAttribute("data-execdocs-scroll")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-execdocs-scroll");
      }
    }
  };
  const afterMath = () => {
    const startup = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (startup || Promise.resolve()).then(() => document.fonts.ready).then(markScrollers);  // widths known
  };
  if (window.document$) document$.subscribe(afterMath);
  else document.addEventListener("DOMContentLoaded", afterMath);
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(markScrollers);
  });

  // The colour-scheme toggle is a row of radio buttons drawn as one button: Material moves to
  // the next scheme on Enter; Space, which activates a button, does the same here.
  document.addEventListener("keydown", (event) => {
    const option = event.target;
    if (event.key !== " " || !(option instanceof HTMLInputElement) || !option.matches(".md-option[data-md-color-scheme]")) return;
    const options = [...option.form.querySelectorAll("input.md-option")];
    const next = options[(options.indexOf(option) + 1) % options.length];
    event.preventDefault();
    next.click();
    next.focus();
  });

  // prefers-reduced-motion: the CSS stops transitions and animations; Material's scripts
  // also scroll smoothly (the table of contents, content tabs), which CSS cannot stop.
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
  const instant = (options) =>
    reduce.matches && options && typeof options === "object" && options.behavior === "smooth"
      ? {...options, behavior: "instant"} : options;
  for (const [owner, names] of [[Element.prototype, ["scrollTo", "scrollBy", "scrollIntoView"]], [window, ["scrollTo", "scrollBy"]]]) {
    for (const name of names) {
      const original = owner[name];
      owner[name] = function (first, ...rest) {
        return original.call(this, instant(first), ...rest);
      };
    }
  }
})();
