// Chapter 9: gradient descent, momentum, RMSprop and Adam in Rosenbrock's valley with one learning
// rate: the four paths side by side and the length of every step. Grid from nnlib (300 steps each).
(function (root) {
  "use strict";
  const node = typeof module !== "undefined" && module.exports;
  const Explore = node ? require("./explore.js") : root.Explore;
  const lrText = (v) => String(v);

  function runText(name, run) {
    if (run.diverged) {
      return `${name}: diverged after ${run.n_steps} steps (longest step ${Explore.fmt(run.longest_step, 3)}).`;
    }
    return `${name}: ends at (${run.final[0].toFixed(3)}, ${run.final[1].toFixed(3)}), J = ${Explore.fmt(run.final_cost, 4)}, ` +
      `longest step ${Explore.fmt(run.longest_step, 3)}.`;
  }

  function summaryText(data, i) {
    const parts = Object.entries(data.runs).map(([name, runs]) => runText(name, runs[i]));
    return `η = ${lrText(data.lrs[i])}, ${data.n_steps} steps from (${data.start.join(", ")}), ` +
      `minimum at (${data.minimum.join(", ")}). ` + parts.join(" ");
  }

  function build(section, data) {
    const controls = Explore.box(section, "explore-controls");
    const panels = Explore.box(section, "explore-panels");
    const names = Object.keys(data.runs);
    const svgs = names.map((name) => Explore.canvas(panels, 250, 200, `The path of ${name} in Rosenbrock's valley`));
    const svgSteps = Explore.canvas(panels, 360, 240, "Step length per step, logarithmic scale, for the four methods");
    const summary = Explore.summary(section);
    const slider = Explore.slider(controls, {
      id: "explore-adaptive-lr", label: "learning rate η (all four methods)", values: data.lrs, index: 3,
      format: lrText, onchange: draw,
    });
    const [[x0, x1], [y0, y1]] = data.window;
    const styles = ["#1f5fa8", "#b3261e", "#2e7d32", "#6a1b9a"];
    const dashes = ["", "6 3", "2 2", "8 3 2 3"];

    function draw() {
      const i = slider.index();
      names.forEach((name, k) => {
        const svg = svgs[k], run = data.runs[name][i], path = [];
        for (let t = 0; t < run.path.length; t += 2) { path.push([run.path[t] / 1000, run.path[t + 1] / 1000]); }
        Explore.clear(svg);
        const box = { x: 30, y: 18, w: 210, h: 150 };
        const sx = Explore.linear(x0, x1, box.x, box.x + box.w), sy = Explore.linear(y0, y1, box.y + box.h, box.y);
        const ny = data.heat.length, nx = data.heat[0].length;
        const cw = box.w / nx, ch = box.h / ny;
        data.heat.forEach((row, jj) => row.forEach((v, ii) => svg.append(Explore.svgEl("rect", {
          x: (box.x + ii * cw).toFixed(1), y: (box.y + box.h - (jj + 1) * ch).toFixed(1),
          width: (cw + 0.3).toFixed(1), height: (ch + 0.3).toFixed(1),
          fill: `hsl(45, 35%, ${Math.round(98 - 4 * Math.max(0, Math.min(v + 3, 6)))}%)`,
        }))));
        Explore.axes(svg, box, sx, sy, [[-1, "−1"], [0, "0"], [1, "1"]], [[0, "0"], [1, "1"]], "", name);
        const clip = ([a, b]) => [Explore.clamp(sx(a), box.x, box.x + box.w), Explore.clamp(sy(b), box.y, box.y + box.h)];
        // a diverged run up to the first point outside the window; a finished one whole, clipped to the frame
        const out = path.findIndex(([a, b]) => a < x0 || a > x1 || b < y0 || b > y1);
        const clipId = `explore-adaptive-clip-${k}`;
        const defs = Explore.svgEl("defs"), clipPath = Explore.svgEl("clipPath", { id: clipId });
        clipPath.append(Explore.svgEl("rect", { x: box.x, y: box.y, width: box.w, height: box.h }));
        defs.append(clipPath);
        svg.append(defs);
        const drawn = run.diverged ? (out < 0 ? path : path.slice(0, out + 1)).map(clip) : path.map(([a, b]) => [sx(a), sy(b)]);
        svg.append(Explore.polyline(drawn, { stroke: styles[k], "stroke-width": 1.6, class: "explore-run",
          "clip-path": `url(#${clipId})` }));
        const [mx, my] = clip(data.minimum), [s0, s1] = clip(data.start);
        svg.append(Explore.svgEl("circle", { cx: s0, cy: s1, r: 3.5, class: "explore-start" }));
        svg.append(Explore.svgEl("path", { d: `M${mx - 5},${my}h10M${mx},${my - 5}v10`, class: "explore-optimum" }));
        svg.append(Explore.svgEl("text", { x: box.x + box.w, y: box.y - 6, "text-anchor": "end" },
          run.diverged ? `diverged, step ${run.n_steps}` : `J = ${Explore.fmt(run.final_cost, 3)}`));
      });
      Explore.clear(svgSteps);
      const box = { x: 44, y: 18, w: 300, h: 160 };
      const sx = Explore.linear(1, data.n_steps, box.x, box.x + box.w), sy = Explore.log(1e-6, 1e2, box.y + box.h, box.y);
      Explore.axes(svgSteps, box, sx, sy, [[1, "1"], [100, "100"], [200, "200"], [300, "300"]],
        [[1e-6, "1e−6"], [1e-4, "1e−4"], [1e-2, "0.01"], [1, "1"], [1e2, "100"]], "step", "step length ‖θₜ − θₜ₋₁‖");
      names.forEach((name, k) => {
        const steps = data.runs[name][i].steps;
        svgSteps.append(Explore.polyline(steps.map((s, t) => [sx(t + 1), Explore.clamp(sy(s), box.y, box.y + box.h)]),
          { stroke: styles[k], "stroke-width": 1.4, "stroke-dasharray": dashes[k], class: "explore-run" }));
        svgSteps.append(Explore.svgEl("line", { x1: 8 + 88 * k, x2: 26 + 88 * k, y1: 226, y2: 226, stroke: styles[k],
          "stroke-width": 2, "stroke-dasharray": dashes[k] }));
        svgSteps.append(Explore.svgEl("text", { x: 29 + 88 * k, y: 230 }, name.replace("gradient descent", "GD").replace(" 0.9", "")));
      });
      summary.textContent = summaryText(data, i);
    }
    draw();
  }

  const figure = { build, summaryText };
  if (node) { module.exports = figure; } else { Explore.figures.adaptive = figure; }
})(typeof window !== "undefined" ? window : globalThis);
