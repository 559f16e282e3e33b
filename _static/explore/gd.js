// Chapter 6: gradient descent on the parabola J = L theta^2 / 2 (L = 4), the learning rate from 0 to
// 0.6 (beyond 2/L = 0.5). Path, cost per step and the regime, all from the grid nnlib computed.
(function (root) {
  "use strict";
  const node = typeof module !== "undefined" && module.exports;
  const Explore = node ? require("./explore.js") : root.Explore;
  const f2 = (v) => v.toFixed(2);

  // The regime in words, with the bound; the regime itself was decided at build time from the exact
  // comparison of eta L with 1 and 2 (_ext/explorables.py, gd_grid).
  function regimeText(data, point) {
    const lr = f2(point.lr), bound = f2(data.bound), half = f2(data.bound / 2);
    const factor = Explore.fmt(point.factor, 2);
    const last = point.path[point.path.length - 1];
    const after = `after ${point.path.length - 1} steps θ = ${Explore.fmt(last, 4)}, J = ${Explore.fmt(point.cost[point.cost.length - 1], 4)}`;
    switch (point.regime) {
      case "still":
        return `η = 0: gradient descent does not move; θ stays at ${point.path[0]} and the cost at ${point.cost[0]}.`;
      case "monotone":
        return `η = ${lr} is below 1/L = ${half}: monotone. Each step multiplies θ by 1 − ηL = ${factor}, ` +
          `so θ keeps its sign and the cost falls every step; ${after}.`;
      case "one-step":
        return `η = ${lr} = 1/L exactly: 1 − ηL = 0, so the first step lands on the minimum θ = 0 and stays there.`;
      case "oscillating":
        return `η = ${lr} is between 1/L = ${half} and 2/L = ${bound}: oscillating but converging. ` +
          `1 − ηL = ${factor}: θ changes sign every step and |θ| shrinks by ${Explore.fmt(Math.abs(point.factor), 2)}; ${after}.`;
      case "boundary":
        return `η = ${lr} = 2/L exactly, the bound: 1 − ηL = ${point.factor}, so θ jumps between ${point.path[0]} and ` +
          `${point.path[1]} forever and the cost stays at ${point.cost[0]}: it neither converges nor diverges. ` +
          "Any larger η diverges.";
      case "diverging":
        return `η = ${lr} is beyond 2/L = ${bound}: diverging. |1 − ηL| = ${Explore.fmt(Math.abs(point.factor), 2)} > 1, ` +
          `so |θ| grows every step, changing sign; ${after}.`;
      default:
        throw new Error("unknown regime " + point.regime);
    }
  }

  function build(section, data) {
    const controls = Explore.box(section, "explore-controls");
    const panels = Explore.box(section, "explore-panels");
    const svgPath = Explore.canvas(panels, 360, 250, "The parabola and the gradient descent path on it");
    const svgCost = Explore.canvas(panels, 360, 250, "Cost per step, logarithmic scale");
    const summary = Explore.summary(section);
    const slider = Explore.slider(controls, {
      id: "explore-gd-lr", label: "learning rate η", values: data.points, index: 45,
      format: (p) => f2(p.lr), onchange: draw,
    });

    function draw() {
      const point = slider.value();
      // the path on the parabola
      Explore.clear(svgPath);
      const box = { x: 40, y: 20, w: 305, h: 195 };
      const sx = Explore.linear(-2.2, 2.2, box.x, box.x + box.w);
      const sy = Explore.linear(0, 10, box.y + box.h, box.y);
      Explore.axes(svgPath, box, sx, sy, [[-2, "−2"], [-1, "−1"], [0, "0"], [1, "1"], [2, "2"]],
        [[0, "0"], [5, "5"], [10, "10"]], "θ", "J(θ)");
      const inside = (x, y) => [Explore.clamp(sx(x), box.x, box.x + box.w), Explore.clamp(sy(y), box.y, box.y + box.h)];
      svgPath.append(Explore.polyline(data.curve.map(([t, j]) => inside(t, j)), { class: "explore-curve" }));
      const steps = point.path.map((t, k) => inside(t, point.cost[k]));
      svgPath.append(Explore.polyline(steps, { class: "explore-path", "data-lr": f2(point.lr) }));
      steps.forEach(([x, y], k) => svgPath.append(Explore.svgEl("circle", {
        cx: x.toFixed(1), cy: y.toFixed(1), r: k === 0 ? 4 : 2.5, class: k === 0 ? "explore-start" : "explore-dot",
      })));
      // the cost per step
      Explore.clear(svgCost);
      const cbox = { x: 48, y: 20, w: 297, h: 195 };
      const cx = Explore.linear(0, 20, cbox.x, cbox.x + cbox.w);
      const cy = Explore.log(1e-16, 1e8, cbox.y + cbox.h, cbox.y);
      Explore.axes(svgCost, cbox, cx, cy, [[0, "0"], [5, "5"], [10, "10"], [15, "15"], [20, "20"]],
        [[1e-16, "1e−16"], [1e-8, "1e−8"], [1, "1"], [1e8, "1e8"]], "step t", "J(θₜ) (below 1e−16: drawn at 1e−16)");
      svgCost.append(Explore.polyline(point.cost.map((j, k) => [cx(k), Explore.clamp(cy(j), cbox.y, cbox.y + cbox.h)]),
        { class: "explore-path" }));
      summary.textContent = regimeText(data, point);
    }
    draw();
  }

  const figure = { build, regimeText };
  if (node) { module.exports = figure; } else { Explore.figures.gd = figure; }
})(typeof window !== "undefined" ? window : globalThis);
