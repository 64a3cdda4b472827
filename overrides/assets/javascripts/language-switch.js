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

// For the same guess, Material fetches sitemap.xml next to every <link rel="alternate">. Those
// links name the public host (hreflang needs absolute addresses), so a local preview or the
// offline copy would ask that host. The guess is unused (see above): answer such requests
// with an empty sitemap instead of leaving the page's own host. Runs before Material's
// fetch, which waits for the document to load.
(() => {
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    const target = new URL(url, location.href);
    const elsewhere = target.origin !== location.origin || location.protocol === "file:";
    if (elsewhere && target.pathname.endsWith("/sitemap.xml")) {
      url = "data:application/xml,%3Curlset%2F%3E";
    }
    return open.call(this, method, url, ...rest);
  };
})();
