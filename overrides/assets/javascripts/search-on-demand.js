// The search index holds every page of the language (hundreds of kB, growing with the site).
// Material fetches it as each page loads; this defers that fetch until a reader first reaches
// for search (focus, a click or a key in the search box, or Material's "/" and "s" shortcuts,
// which focus it). Loaded before Material's bundle (overrides/main.html).
(() => {
  const INDEX = /\/search\/search_index\.json$/;
  let want;
  const wanted = new Promise((resolve) => { want = resolve; });
  // Material requests it with XMLHttpRequest: hold that request's send() until search is wanted.
  const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.searchIndex = INDEX.test(String(url).split(/[?#]/)[0]);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.searchIndex) return send.apply(this, args);
    wanted.then(() => send.apply(this, args));
  };
  const start = (event) => {
    const target = event.target;
    if (target && target.closest && target.closest("[data-md-component=search], .md-search, label[for=__search]")) want();
  };
  for (const type of ["focusin", "pointerdown", "keydown"]) document.addEventListener(type, start, true);
  document.addEventListener("keydown", (event) => { if (event.key === "/" || event.key === "s") want(); }, true);
  // A page opened from a search result link (?q=...) or with the search toggle already on searches at once.
  if (/[?&]q=/.test(location.search)) want();
})();
