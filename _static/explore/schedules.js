// Chapter 10: every schedule of nnlib.schedules with its parameters; the learning rate per epoch
// (0..99, base rate 0.1), read with get_last_lr() as the chapter does. Grid from nnlib.
(function (root) {
  "use strict";
  const node = typeof module !== "undefined" && module.exports;
  const Explore = node ? require("./explore.js") : root.Explore;

  // The key of a curve in the grid (_ext/explorables.py, schedules_grid): the name and the index of
  // each parameter's value, e.g. "StepLR|3|0" for StepLR(step_size=30, gamma=0.1).
  function key(name, indices) { return [name].concat(indices).join("|"); }

  function summaryText(data, name, indices, epoch) {
    const params = data.parameters[name];
    const rates = data.curves[key(name, indices)];
    const args = Object.keys(params).map((p, k) => `${p}=${params[p][indices[k]]}`).join(", ");
    return `${name}(${args}), base rate 0.1: at epoch ${epoch} the learning rate is ${Explore.fmt(rates[epoch], 4)}; ` +
      `at epoch 0 ${Explore.fmt(rates[0], 4)}, at epoch 99 ${Explore.fmt(rates[99], 4)}.`;
  }

  function build(section, data) {
    const controls = Explore.box(section, "explore-controls");
    const paramBox = Explore.box(section, "explore-controls");
    const svg = Explore.canvas(section, 400, 240, "The learning rate per epoch");
    const summary = Explore.summary(section);
    const names = Object.keys(data.parameters);
    const select = Explore.select(controls, {
      id: "explore-schedules-name", label: "schedule", choices: names.map((n) => [n, n]), onchange: rebuild,
    });
    const epoch = Explore.slider(controls, {
      id: "explore-schedules-epoch", label: "epoch t", values: Array.from({ length: data.epochs }, (_, t) => t),
      index: 30, format: String, onchange: draw,
    });
    let sliders = {};

    function rebuild() {
      Explore.clear(paramBox);
      sliders = {};
      const params = data.parameters[select.value()];
      for (const [p, values] of Object.entries(params)) {
        sliders[p] = Explore.slider(paramBox, {
          id: `explore-schedules-${p}`, label: p, values, index: Math.floor((values.length - 1) / 2),
          format: String, onchange: draw,
        });
      }
      draw();
    }

    function draw() {
      const name = select.value(), params = data.parameters[name];
      const indices = Object.keys(params).map((p) => sliders[p].index());
      const rates = data.curves[key(name, indices)];
      Explore.clear(svg);
      const box = { x: 48, y: 18, w: 337, h: 180 };
      const sx = Explore.linear(0, data.epochs - 1, box.x, box.x + box.w), sy = Explore.linear(0, 0.1, box.y + box.h, box.y);
      Explore.axes(svg, box, sx, sy, [[0, "0"], [25, "25"], [50, "50"], [75, "75"], [99, "99"]],
        [[0, "0"], [0.05, "0.05"], [0.1, "0.1"]], "epoch t", "learning rate η_t");
      svg.append(Explore.polyline(rates.map((r, t) => [sx(t), sy(r)]), { class: "explore-path" }));
      const t = epoch.value();
      svg.append(Explore.svgEl("circle", { cx: sx(t).toFixed(1), cy: sy(rates[t]).toFixed(1), r: 4.5, class: "explore-mark" }));
      summary.textContent = summaryText(data, name, indices, t);
    }
    rebuild();
  }

  const figure = { build, summaryText, key };
  if (node) { module.exports = figure; } else { Explore.figures.schedules = figure; }
})(typeof window !== "undefined" ? window : globalThis);
