// Typesets TeX as SVG at build time, with MathJax from node_modules (the version package-lock.json pins).
//
// Started once per build by math_render.py: `node typeset_math.js <node_modules/mathjax/es5>`.
// Reads one JSON request per line on stdin and answers each with one JSON line on stdout:
//   {"tex": "x^2", "display": false}  ->  {"html": "<mjx-container ...>", "glyphs": {"MJX-TEX-I-1D465": "<path .../>"}}
//   {"stylesheet": true}              ->  {"css": "mjx-container[jax=\"SVG\"] {...}"}
// or {"error": "..."} for TeX MathJax cannot read. Glyphs are returned apart, by their fixed
// ids, so that a page carries each glyph once however many formulas use it (what MathJax's
// own global font cache does in a browser). The hidden MathML copy is kept for screen readers.
"use strict";

const path = require("path");
const readline = require("readline");

global.MathJax = {
  loader: {
    paths: { mathjax: path.resolve(process.argv[2]) },
    load: ["input/tex", "output/svg", "adaptors/liteDOM", "a11y/assistive-mml"],
    require: require,
  },
  tex: {
    processEscapes: true,
    processEnvironments: true,
    packages: { "[-]": ["noundefined"] },  // an unknown macro is an error, not red text
    formatError: (jax, error) => { throw error; },  // a build error, never a red formula on a page
  },
  svg: { fontCache: "global" },
  startup: { typeset: false },
};
require(path.join(path.resolve(process.argv[2]), "startup.js"));

function answer(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

MathJax.startup.promise.then(() => {
  const adaptor = MathJax.startup.adaptor;
  const fontCache = MathJax.startup.output.fontCache;
  let queue = Promise.resolve();  // one formula at a time: the font cache is shared state
  readline.createInterface({ input: process.stdin }).on("line", (line) => {
    queue = queue.then(async () => {
      const request = JSON.parse(line);
      if (request.stylesheet) {
        answer({ css: adaptor.textContent(MathJax.svgStylesheet()) });
        return;
      }
      try {
        fontCache.clearCache();
        const node = await MathJax.tex2svgPromise(request.tex, { display: request.display });
        const glyphs = {};
        for (const glyph of adaptor.childNodes(fontCache.getCache())) {
          if (adaptor.kind(glyph) === "path") glyphs[adaptor.getAttribute(glyph, "id")] = adaptor.outerHTML(glyph);
        }
        // data-mml-node and data-c serve MathJax's menu and explorer, which a page without MathJax never runs
        const html = adaptor.outerHTML(node).replace(/ data-(mml-node|c)="[^"]*"/g, "");
        answer({ html, glyphs });
      } catch (error) {
        answer({ error: String(error.message || error) });
      }
    });
  });
}).catch((error) => {
  process.stderr.write(`MathJax did not start: ${error.stack || error}\n`);
  process.exit(1);
});
