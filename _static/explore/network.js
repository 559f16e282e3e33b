// Chapter 12: the exam notes' 2-2-1 network. Change one input, weight or bias, or the label, and see
// every forward value, delta (dL/dz) and gradient on the graph, and the updated parameters in the
// table. Every state comes from nnlib's forward and backward pass at build time.
(function (root) {
  "use strict";
  const node = typeof module !== "undefined" && module.exports;
  const Explore = node ? require("./explore.js") : root.Explore;
  const PARAMS = ["w_11", "w_21", "b_1", "w_12", "w_22", "b_2", "w_13", "w_23", "b_3"];
  const f4 = (v) => Explore.fmt(v, 4);
  const pretty = (q) => q.replace("_", "");

  function stateKey(quantity, value, label) { return `${quantity}|${value.toFixed(1)}|${label}`; }

  // A state as the grid stores it (a list: data.fields, nine gradients, nine updated parameters).
  function state(data, quantity, value, label) {
    const list = data.states[stateKey(quantity, value, label)], n = data.fields.length;
    const s = Object.fromEntries(data.fields.map((f, k) => [f, list[k]]));
    s.grad = Object.fromEntries(PARAMS.map((p, k) => [p, list[n + k]]));
    s.updated = Object.fromEntries(PARAMS.map((p, k) => [p, list[n + 9 + k]]));
    return s;
  }

  function summaryText(data, quantity, value, label) {
    const s = state(data, quantity, value, label);
    const g = Object.keys(s.grad).map((p) => `∂L/∂${pretty(p)} = ${f4(s.grad[p])}`).join(", ");
    return `${pretty(quantity)} = ${value.toFixed(1)}, y = ${label}: a1 = ${f4(s.a1)}, a2 = ${f4(s.a2)}, ` +
      `ŷ = ${f4(s.y_hat)}, L = ${f4(s.L)}; δ3 = ${f4(s.delta3)}, δ1 = ${f4(s.delta1)}, δ2 = ${f4(s.delta2)}; ${g}.`;
  }

  function build(section, data) {
    const controls = Explore.box(section, "explore-controls");
    const svg = Explore.canvas(section, 400, 250, "The 2-2-1 network with its forward values, deltas and gradients");
    const wrap = Explore.box(section, "explore-table-wrap");
    const summary = Explore.summary(section);
    const ex = data.example;
    const notesValue = (q) => (q === "x1" ? ex.x[0] : q === "x2" ? ex.x[1] : ex.params[q]);
    const indexOf = (v) => data.values.findIndex((w) => Math.abs(w - v) < 1e-9);
    const quantity = Explore.select(controls, {
      id: "explore-network-quantity", label: "quantity to change",
      choices: data.quantities.map((q) => [q, pretty(q)]), selected: "w_13", onchange: () => {
        value.setValues(data.values, indexOf(notesValue(quantity.value())));
        draw();
      },
    });
    const value = Explore.slider(controls, {
      id: "explore-network-value", label: "its value", values: data.values, index: indexOf(ex.params.w_13),
      format: (v) => v.toFixed(1), onchange: draw,
    });
    const label = Explore.select(controls, {
      id: "explore-network-label", label: "label y", choices: [[1, "1"], [0, "0"]], selected: ex.y, onchange: draw,
    });

    const at = { x1: [42, 64], x2: [42, 190], h1: [205, 64], h2: [205, 190], o: [355, 125] };
    const edges = [["x1", "h1", "w_11", 0.5, -8], ["x2", "h1", "w_21", 0.22, 0], ["x1", "h2", "w_12", 0.22, 0],
      ["x2", "h2", "w_22", 0.5, 18], ["h1", "o", "w_13", 0.6, -10], ["h2", "o", "w_23", 0.45, 22]];

    function draw() {
      const q = quantity.value(), v = value.value(), y = Number(label.value());
      const s = state(data, q, v, y);
      const xs = q === "x1" ? [v, ex.x[1]] : q === "x2" ? [ex.x[0], v] : ex.x;
      const params = Object.assign({}, ex.params, q.startsWith("x") ? {} : { [q]: v });
      Explore.clear(svg);
      for (const [a, b, p, t, dy] of edges) {
        const [ax, ay] = at[a], [bx, by] = at[b];
        svg.append(Explore.svgEl("line", { x1: ax, y1: ay, x2: bx, y2: by, class: "explore-frame",
          "stroke-width": p === q ? 3 : 1 }));
        const lx = ax + t * (bx - ax), ly = ay + t * (by - ay) + dy;
        svg.append(Explore.svgEl("text", { x: lx, y: ly, "text-anchor": "middle", class: "explore-edge" },
          `${pretty(p)}=${params[p].toFixed(2)} ∂=${Explore.fmt(s.grad[p], 3)}`));
      }
      const nodes = {
        x1: ["x1", xs[0].toFixed(1), null], x2: ["x2", xs[1].toFixed(1), null],
        h1: ["a1", f4(s.a1), `z1=${f4(s.z1)} δ1=${Explore.fmt(s.delta1, 3)}`],
        h2: ["a2", f4(s.a2), `z2=${f4(s.z2)} δ2=${Explore.fmt(s.delta2, 3)}`],
        o: ["ŷ", f4(s.y_hat), `δ3=${Explore.fmt(s.delta3, 3)}`],
      };
      for (const [n, [name, val, below]] of Object.entries(nodes)) {
        const [cx, cy] = at[n];
        svg.append(Explore.svgEl("circle", { cx, cy, r: 20, class: "explore-node" }));
        svg.append(Explore.svgEl("text", { x: cx, y: cy - 2, "text-anchor": "middle" }, name));
        svg.append(Explore.svgEl("text", { x: cx, y: cy + 11, "text-anchor": "middle" }, val));
        if (below) {  // the top hidden neuron's z and delta above it, the others' below
          svg.append(Explore.svgEl("text", { x: cx, y: n === "h1" ? cy - 27 : cy + 34, "text-anchor": "middle" }, below));
        }
      }
      svg.append(Explore.svgEl("text", { x: 355, y: 185, "text-anchor": "middle" }, `y=${y}  L=${f4(s.L)}`));
      svg.append(Explore.svgEl("text", { x: 4, y: 244, class: "explore-edge" },
        "edge: weight and ∂ = ∂L/∂weight; node: value, z and δ = ∂L/∂z"));
      // the table: every parameter, its gradient and its value after one step of gradient descent
      Explore.clear(wrap);
      const table = Explore.el("table", { class: "explore-table" });
      table.append(Explore.el("caption", {}, `Each parameter θ, its gradient and its value after one step of gradient descent, η = ${ex.lr}`));
      const head = Explore.el("tr");
      for (const h of ["θ", "value", "∂L/∂θ", "after"]) { head.append(Explore.el("th", { scope: "col" }, h)); }
      table.append(head);
      for (const p of PARAMS) {
        const row = Explore.el("tr");
        row.append(Explore.el("th", { scope: "row" }, pretty(p)), Explore.el("td", {}, params[p].toFixed(4)),
          Explore.el("td", {}, f4(s.grad[p])), Explore.el("td", {}, f4(s.updated[p])));
        table.append(row);
      }
      wrap.append(table);
      summary.textContent = summaryText(data, q, v, y);
    }
    draw();
  }

  const figure = { build, summaryText, stateKey, state };
  if (node) { module.exports = figure; } else { Explore.figures.network = figure; }
})(typeof window !== "undefined" ? window : globalThis);
