// MathJax settings; loaded before MathJax itself (overrides/assets/mathjax is served by the site).
window.MathJax = {
  // Only the parts the site uses (about 0.75 MB instead of tex-chtml.js's 1.16 MB): TeX input
  // (with autoload for rarer macros), HTML output, and the hidden MathML copy for screen readers.
  loader: {
    load: ["input/tex", "output/chtml", "a11y/assistive-mml"],
  },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Typeset again after Material's instant navigation swaps the page content.
// document$ also emits once for the first page, which MathJax's startup typesets by itself:
// typesetting it a second time at once, with clearCache(), raced the startup typeset and
// dropped the CSS that draws each glyph, so every formula was blank. So: skip the first
// emission, wait for any typeset in progress, and keep the glyph CSS (the <style> MathJax
// adds to <head> survives an instant navigation).
let firstDocument = true;
document$.subscribe(() => {
  if (firstDocument) {
    firstDocument = false;
    return;
  }
  if (!window.MathJax.startup || !window.MathJax.typesetPromise) return;
  MathJax.startup.promise.then(() => {
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
