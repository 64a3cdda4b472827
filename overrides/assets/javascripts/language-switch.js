// Follow the language selector's own link (the same page in the other language, set at
// build time) instead of Material's sitemap guess, which falls back to the home page
// when the port differs from site_url. Capturing on window runs before Material's handler.
window.addEventListener(
  "click",
  (event) => {
    if (event.target instanceof Element && event.target.closest("a[data-execdocs-language]")) {
      event.stopImmediatePropagation();
    }
  },
  true,
);
