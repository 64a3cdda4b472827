// The search index holds every page of the language (hundreds of kB, growing with the site),
// and the search worker's script is 40 kB more. Material fetches both as each page loads; this
// defers them until a reader first reaches for search (focus, a click or a key in the search
// box, or Material's "/" and "s" shortcuts, which focus it). Loaded before Material's bundle
// (overrides/main.html).
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
  // Material starts its search worker (workers/search.*.js) at once: it gets a stand-in that
  // keeps what Material posts, and the real worker, started when search is wanted, answers
  // through it. Material only posts to it and listens to its "message" events.
  const SEARCH_WORKER = /\/workers\/search\.[^/]*\.js$/;
  const RealWorker = window.Worker;
  if (RealWorker) {
    window.Worker = class extends EventTarget {
      constructor(url, options) {
        super();
        if (!SEARCH_WORKER.test(String(url).split(/[?#]/)[0])) return new RealWorker(url, options);
        this.posted = [];
        wanted.then(() => {
          this.worker = new RealWorker(url, options);
          for (const type of ["message", "messageerror", "error"]) {
            this.worker.addEventListener(type, (event) => {
              const copy = type === "error" ? new ErrorEvent(type, event) : new MessageEvent(type, { data: event.data });
              this.dispatchEvent(copy);
            });
          }
          for (const message of this.posted.splice(0)) this.worker.postMessage(message);
        });
      }
      postMessage(message) {
        if (this.worker) this.worker.postMessage(message);
        else this.posted.push(message);
      }
      terminate() {
        if (this.worker) this.worker.terminate();
      }
    };
  }
  const start = (event) => {
    const target = event.target;
    if (target && target.closest && target.closest("[data-md-component=search], .md-search, label[for=__search]")) want();
  };
  for (const type of ["focusin", "pointerdown", "keydown"]) document.addEventListener(type, start, true);
  document.addEventListener("keydown", (event) => { if (event.key === "/" || event.key === "s") want(); }, true);
  // A page opened from a search result link (?q=...) or with the search toggle already on searches at once.
  if (/[?&]q=/.test(location.search)) want();
})();
