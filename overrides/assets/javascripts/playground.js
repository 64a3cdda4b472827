// The logit playground (pytorch/cross_entropy_loss.md and pytorch/gradient.md): the reader sets
// three logits z, the true class y and a temperature T, and sees p = softmax(z / T), the loss
// L = -log p_y and the gradient p - y at once. The page gives the labels in its language
// (data-label-*) and, through the snippet engine, the first state and the bounds (data-config,
// from snippets/pytorch/playground_cases.py); the widget replaces the static fallback inside
// its container. The browser test compares what it displays with PyTorch's numbers.
(() => {
  "use strict";

  const CLASSES = 3;
  const DIGITS = 4; // the precision of the PyTorch reference printed on the page
  const Z_STEP = 0.1;
  const T_STEP = 0.05;
  const LABELS = ["title", "logit", "temperature", "target", "class", "probability", "loss", "gradient"];
  let widgets = 0; // ids stay unique across instant navigations

  /** softmax(z / T), -log p_y and p - y; stable for any finite z and T > 0 (log-sum-exp). */
  function compute(z, y, T) {
    const u = z.map((v) => v / T);
    const m = Math.max(...u);
    const e = u.map((v) => Math.exp(v - m)); // every exponent <= 0: no overflow, and the sum is >= 1
    const sum = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / sum);
    const loss = -(u[y] - m) + Math.log(sum); // never log(0), unlike -log(p_y) when p_y underflows
    const grad = p.map((v, i) => v - (i === y ? 1 : 0));
    return { p, loss, grad };
  }

  const fixed = (x) => x.toFixed(DIGITS);
  const vector = (xs) => `(${xs.map(fixed).join(", ")})`;
  // 2 -> "2.0", as Python prints the float the snippet used; anything else as typed.
  const inputText = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
  const clamp = (x, low, high) => Math.min(high, Math.max(low, x));

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  // Notation is the same in every language: z₀, p − y, L = −log p_y.
  const sub = (base, index) => [element("var", {}, base), element("sub", {}, String(index))];

  /** One number as a slider plus a number field, kept in step; onValue gets each valid value. */
  function pairedInput(id, name, range, field, value, onValue) {
    const slider = element("input", { type: "range", id: `${id}-range`, min: range[0], max: range[1], step: range[2], "aria-label": name });
    const number = element("input", { type: "number", id, min: field[0], max: field[1], step: "any", inputmode: "decimal", "aria-label": name });
    slider.value = String(value);
    number.value = inputText(value);
    let current = value;
    slider.addEventListener("input", () => {
      current = Number(slider.value);
      number.value = inputText(current);
      onValue(current);
    });
    // While typing, use the value clamped but leave the text alone ("0." is on its way to "0.5");
    // once the field is left (change), show the value actually used.
    number.addEventListener("input", () => {
      if (!Number.isFinite(number.valueAsNumber)) return;
      current = clamp(number.valueAsNumber, field[0], field[1]);
      slider.value = String(current);
      onValue(current);
    });
    number.addEventListener("change", () => {
      number.value = inputText(current);
    });
    return { slider, number };
  }

  function mount(container) {
    container.dataset.lpReady = "";
    let config;
    try {
      config = JSON.parse(container.dataset.config);
    } catch (error) {
      console.error(`logit playground: data-config is not JSON (${error.message}); showing the static fallback`);
      return;
    }
    const label = {};
    for (const key of LABELS) {
      const text = container.dataset[`label${key[0].toUpperCase()}${key.slice(1)}`];
      if (!text) {
        console.error(`logit playground: the page gives no data-label-${key}; showing the static fallback`);
        return;
      }
      label[key] = text;
    }
    const id = `lp${++widgets}`;
    const state = { z: config.z.slice(), y: config.y, T: config.T };
    const nth = (template, i) => template.replaceAll("{i}", String(i));

    // Inputs: the logits, the temperature, the true class
    const inputs = element("div", { class: "lp-inputs" });
    for (let i = 0; i < CLASSES; i++) {
      const pair = pairedInput(`${id}-z${i}`, nth(label.logit, i), [-config.z_slider, config.z_slider, Z_STEP], [-config.z_max, config.z_max],
        state.z[i], (v) => { state.z[i] = v; update(); });
      inputs.append(element("div", { class: "lp-control" }, element("label", { for: `${id}-z${i}` }, ...sub("z", i)), pair.slider, pair.number));
    }
    const temperature = pairedInput(`${id}-t`, `${label.temperature} T`, [config.T_min, config.T_max, T_STEP], [config.T_min, config.T_max],
      state.T, (v) => { state.T = v; update(); });
    inputs.append(element("div", { class: "lp-control lp-temperature" },
      element("label", { for: `${id}-t` }, `${label.temperature} `, element("var", {}, "T")), temperature.slider, temperature.number));
    const target = element("fieldset", { class: "lp-target" }, element("legend", {}, `${label.target} `, element("var", {}, "y")));
    for (let i = 0; i < CLASSES; i++) {
      const radio = element("input", { type: "radio", name: `${id}-y`, id: `${id}-y${i}`, value: String(i) });
      radio.checked = i === state.y;
      radio.addEventListener("change", () => { state.y = i; update(); });
      target.append(element("label", { for: `${id}-y${i}` }, radio, nth(label.class, i)));
    }
    inputs.append(target);

    // Outputs: a row per class (probability bar, signed gradient bar), then the loss
    const rows = [];
    const body = element("tbody");
    for (let i = 0; i < CLASSES; i++) {
      const pFill = element("span", { class: "lp-fill" });
      const gFill = element("span", { class: "lp-fill" });
      const pText = element("output", { "data-lp": `p${i}` });
      const gText = element("output", { "data-lp": `g${i}` });
      const row = element("tr", {},
        element("th", { scope: "row" }, nth(label.class, i)),
        element("td", {}, element("span", { class: "lp-bar", "aria-hidden": "true" }, pFill), pText),
        element("td", {}, element("span", { class: "lp-bar lp-signed", "aria-hidden": "true" }, gFill), gText));
      body.append(row);
      rows.push({ row, pFill, gFill, pText, gText });
    }
    const table = element("table", { class: "lp-table" },
      element("thead", {}, element("tr", {},
        element("th", { scope: "col" }, label.class.replaceAll("{i}", "").trim()),
        element("th", { scope: "col" }, `${label.probability} `, ...sub("p", "i")),
        element("th", { scope: "col" }, `${label.gradient} `, ...sub("p", "i"), " − ", ...sub("y", "i")))),
      body);
    const lossText = element("output", { "data-lp": "loss" });
    const loss = element("p", { class: "lp-loss" }, `${label.loss} `, element("var", {}, "L"), " = −log ", ...sub("p", "y"), " = ", lossText);
    const status = element("p", { class: "lp-status", role: "status" }); // read out by screen readers, not shown

    let announce = 0;
    function update() {
      const { p, loss: value, grad } = compute(state.z, state.y, state.T);
      rows.forEach((r, i) => {
        r.row.classList.toggle("lp-true", i === state.y);
        r.pFill.style.width = `${(100 * p[i]).toFixed(2)}%`;
        r.pText.textContent = fixed(p[i]);
        // p - y lies in [-1, 1]: half the track each way from the middle
        r.gFill.style.width = `${(50 * Math.abs(grad[i])).toFixed(2)}%`;
        r.gFill.classList.toggle("lp-negative", grad[i] < 0);
        r.gText.textContent = fixed(grad[i]);
      });
      lossText.textContent = fixed(value);
      // Announce once the reader pauses, not at every step of a slider.
      clearTimeout(announce);
      announce = setTimeout(() => {
        status.textContent = `p = ${vector(p)}; L = ${fixed(value)}; p − y = ${vector(grad)}`;
      }, 400);
    }

    update();
    const widget = element("div", { class: "lp", role: "group", "aria-label": label.title }, inputs, table, loss, status);
    container.replaceChildren(widget);
    container.dataset.lpLive = "";  // the static figure of the first state, next to it, can go
  }

  function mountAll() {
    document.querySelectorAll(".logit-playground:not([data-lp-ready])").forEach(mount);
  }

  // Material emits document$ for the first page and after every instant navigation.
  if (window.document$) window.document$.subscribe(mountAll);
  else mountAll();
})();
