// Chapter 8: heavy ball and Nesterov on the bowl diag(1, 50), the learning rate and the momentum
// chosen by the reader: the path, the rate, and the (eta, beta) map of rates with the reader's point
// and Polyak's optimum marked (as in Distill's "Why Momentum Really Works"). Grid from nnlib.
(function (root) {
  "use strict";
  const node = typeof module !== "undefined" && module.exports;
  const Explore = node ? require("./explore.js") : root.Explore;

  function cell(data, method, i, j) {
    const m = data.methods[method], k = i * data.betas.length + j;
    const flat = m.path[k], path = [];  // stored flat in thousandths: x0, y0, x1, y1, ...
    for (let t = 0; t < flat.length; t += 2) { path.push([flat[t] / 1000, flat[t + 1] / 1000]); }
    return { rate: m.rate[k], verdict: m.verdict[k], path, finalCost: m.final_cost[k],
      best: m.best_beta_index[i] };
  }

  function summaryText(data, method, i, j) {
    const c = cell(data, method, i, j);
    const lr = data.lrs[i].toFixed(3), beta = data.betas[j].toFixed(2);
    const rate = Explore.fmt(c.rate, 4);
    let verdict;
    if (c.verdict === "converges") {
      verdict = `converges: the error shrinks by a factor ${rate} per step (the slower of the two directions); ` +
        `after ${data.n_steps} steps J = ${Explore.fmt(c.finalCost, 4)}.`;
    } else if (c.verdict === "boundary") {
      verdict = `sits on the boundary: rate ${rate}, the error neither shrinks nor grows in its slowest direction.`;
    } else {
      verdict = `diverges: rate ${rate} > 1, the error grows every step.`;
    }
    const best = data.betas[c.best].toFixed(2);
    const bestRate = Explore.fmt(data.methods[method].rate[i * data.betas.length + c.best], 4);
    return `${method}, η = ${lr}, β = ${beta}: ${verdict} For this η the best β of the grid is ${best} (rate ${bestRate}). ` +
      `Polyak's optimum for heavy ball: η* = ${data.optimum.lr.toFixed(4)}, β* = ${data.optimum.beta.toFixed(4)}, ` +
      `rate ${data.optimum.rate.toFixed(4)} (marked + on the map).`;
  }

  function build(section, data) {
    const controls = Explore.box(section, "explore-controls");
    const panels = Explore.box(section, "explore-panels");
    const svgPath = Explore.canvas(panels, 360, 200, "The path on the contours of the bowl");
    const svgMap = Explore.canvas(panels, 360, 280, "Map of the rate over learning rate and momentum");
    const summary = Explore.summary(section);
    const method = Explore.select(controls, {
      id: "explore-momentum-method", label: "method",
      choices: Object.keys(data.methods).map((m) => [m, m]), onchange: draw,
    });
    const lr = Explore.slider(controls, {
      id: "explore-momentum-lr", label: "learning rate η", values: data.lrs, index: 4,
      format: (v) => v.toFixed(3), onchange: draw,
    });
    const beta = Explore.slider(controls, {
      id: "explore-momentum-beta", label: "momentum β", values: data.betas, index: 18,
      format: (v) => v.toFixed(2), onchange: draw,
    });

    function draw() {
      const name = method.value(), i = lr.index(), j = beta.index();
      const c = cell(data, name, i, j);
      // path on the contours
      Explore.clear(svgPath);
      const box = { x: 36, y: 16, w: 314, h: 150 };
      const sx = Explore.linear(-2.4, 2.4, box.x, box.x + box.w);
      const sy = Explore.linear(-1.1, 1.1, box.y + box.h, box.y);
      Explore.axes(svgPath, box, sx, sy, [[-2, "−2"], [0, "0"], [2, "2"]], [[-1, "−1"], [0, "0"], [1, "1"]], "θ₁", "θ₂");
      for (const [rx, ry] of data.contours) {
        svgPath.append(Explore.svgEl("ellipse", {
          cx: sx(0), cy: sy(0), rx: (sx(rx) - sx(0)).toFixed(1), ry: (sy(0) - sy(ry)).toFixed(1), class: "explore-frame",
        }));
      }
      const clip = ([a, b]) => [Explore.clamp(sx(a), box.x, box.x + box.w), Explore.clamp(sy(b), box.y, box.y + box.h)];
      svgPath.append(Explore.polyline(c.path.map(clip), { class: "explore-path" }));
      const [x0, y0] = clip(c.path[0]);
      svgPath.append(Explore.svgEl("circle", { cx: x0, cy: y0, r: 4, class: "explore-start" }));
      // the map: one cell per (eta, beta) of the grid, darker = faster; diverging cells hatched grey
      Explore.clear(svgMap);
      const mbox = { x: 44, y: 16, w: 300, h: 220 };
      const nx = data.lrs.length, ny = data.betas.length;
      const cw = mbox.w / nx, ch = mbox.h / ny;
      const mx = (ii) => mbox.x + ii * cw, my = (jj) => mbox.y + mbox.h - (jj + 1) * ch;
      for (let ii = 0; ii < nx; ii++) {
        for (let jj = 0; jj < ny; jj++) {
          const r = data.methods[name].rate[ii * ny + jj];
          const shade = r >= 1 ? "#d0d0d0" : `hsl(215, 70%, ${Math.round(25 + 70 * r)}%)`;
          svgMap.append(Explore.svgEl("rect", {
            x: mx(ii).toFixed(1), y: my(jj).toFixed(1), width: (cw + 0.3).toFixed(1), height: (ch + 0.3).toFixed(1),
            fill: shade,
          }));
        }
      }
      const ax = Explore.linear(data.lrs[0] - 0.002, data.lrs[nx - 1] + 0.002, mbox.x, mbox.x + mbox.w);
      const ay = Explore.linear(-0.025, data.betas[ny - 1] + 0.025, mbox.y + mbox.h, mbox.y);
      Explore.axes(svgMap, mbox, ax, ay, [[0.02, "0.02"], [0.04, "0.04"], [0.06, "0.06"], [0.08, "0.08"]],
        [[0, "0"], [0.5, "0.5"], [0.9, "0.9"]], "learning rate η (grey: diverges; darker: faster)", "momentum β");
      svgMap.append(Explore.svgEl("rect", {
        x: mx(i).toFixed(1), y: my(c.best).toFixed(1), width: cw.toFixed(1), height: ch.toFixed(1),
        class: "explore-mark", "stroke-dasharray": "3 2",
      }));
      svgMap.append(Explore.svgEl("rect", {
        x: (mx(i) - 1).toFixed(1), y: (my(j) - 1).toFixed(1), width: (cw + 2).toFixed(1), height: (ch + 2).toFixed(1),
        class: "explore-mark", "data-cell": `${i},${j}`,
      }));
      const ox = ax(data.optimum.lr), oy = ay(data.optimum.beta);
      svgMap.append(Explore.svgEl("path", { d: `M${ox - 6},${oy}h12M${ox},${oy - 6}v12`, class: "explore-optimum" }));
      svgMap.append(Explore.svgEl("text", { x: mbox.x + mbox.w, y: mbox.y + mbox.h + 40, "text-anchor": "end" },
        "solid box: your point; dashed: best β for your η; +: optimum"));
      summary.textContent = summaryText(data, name, i, j);
    }
    draw();
  }

  const figure = { build, summaryText, cell };
  if (node) { module.exports = figure; } else { Explore.figures.momentum = figure; }
})(typeof window !== "undefined" ? window : globalThis);
