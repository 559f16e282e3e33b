// Chapter 9's explorable: every run of the grid (four methods, nine learning rates, 300 steps in
// Rosenbrock's valley) against the test's own implementation of the four update rules (PyTorch's
// formulas, written again here): the final cost, end point and longest step (printed) to 1e-12
// relative, every drawn step length to its 4 stored digits, every drawn point to its 3 decimals.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { grid } = require("./explore_grid.cjs");
const adaptive = require("../../_static/explore/adaptive.js");

const data = grid("adaptive");

// f = (1 - x)^2 + 100 (y - x^2)^2
const grad = ([x, y]) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const cost = ([x, y]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

function makeStep(method, lr) {
  const m = [0, 0], v = [0, 0];
  let buffer = null, t = 0;
  return (p, g) => {
    t += 1;
    for (let k = 0; k < 2; k++) {
      if (method === "gradient descent") {
        p[k] -= lr * g[k];
      } else if (method === "momentum 0.9") {
        if (buffer === null) { buffer = [0, 0]; buffer[0] = g[0]; buffer[1] = g[1]; } else if (k === 0) { buffer[0] = 0.9 * buffer[0] + g[0]; buffer[1] = 0.9 * buffer[1] + g[1]; }
        p[k] -= lr * buffer[k];
      } else if (method === "RMSprop") {  // alpha 0.99, eps 1e-8
        v[k] = v[k] * 0.99 + (1 - 0.99) * g[k] * g[k];
        p[k] -= lr * g[k] / (Math.sqrt(v[k]) + 1e-8);
      } else {  // Adam: betas (0.9, 0.999), eps 1e-8
        m[k] = m[k] * 0.9 + (1 - 0.9) * g[k];
        v[k] = v[k] * 0.999 + (1 - 0.999) * g[k] * g[k];
        const denominator = Math.sqrt(v[k]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
        p[k] -= lr / (1 - 0.9 ** t) * m[k] / denominator;
      }
    }
  };
}

function run(method, lr) {
  const p = [-1.2, 1.0], points = [[...p]], step = makeStep(method, lr);
  for (let t = 0; t < 300; t++) {
    step(p, grad(p));
    points.push([...p]);
    if (!p.every(Number.isFinite) || Math.hypot(...p) > 1e12) { break; }
  }
  return points;
}

test("every run: what it prints to 1e-12, what it draws to the stored digits, as the rules written here", () => {
  let worst = 0;
  for (const [method, runs] of Object.entries(data.runs)) {
    data.lrs.forEach((lr, i) => {
      const points = run(method, lr), r = runs[i];
      assert.strictEqual(r.n_steps, points.length - 1, `${method} ${lr}: number of steps`);
      assert.strictEqual(r.diverged, points.length < 301, `${method} ${lr}: diverged`);
      const lengths = points.slice(1).map((p, t) => Math.hypot(p[0] - points[t][0], p[1] - points[t][1]));
      const finite = lengths.filter(Number.isFinite);
      assert.strictEqual(r.steps.length, finite.length);
      r.steps.forEach((s, t) => assert.ok(Math.abs(s - finite[t]) <= 5e-4 * finite[t], `${method} ${lr} step ${t}`));
      const drawn = r.diverged ? points.slice(0, -1) : points;
      assert.strictEqual(r.path.length, 2 * drawn.length);
      drawn.forEach(([a, b], t) => assert.ok(Math.abs(r.path[2 * t] - a * 1000) <= 0.5 + 1e-9 * Math.abs(a * 1000) &&
        Math.abs(r.path[2 * t + 1] - b * 1000) <= 0.5 + 1e-9 * Math.abs(b * 1000), `${method} ${lr} point ${t}`));
      const longest = Math.max(...finite);
      worst = Math.max(worst, Math.abs(r.longest_step - longest) / longest);
      if (!r.diverged) {
        const want = cost(points[300]);
        worst = Math.max(worst, Math.abs(r.final_cost - want) / Math.max(want, 1e-300));
        worst = Math.max(worst, ...r.final.map((v, k) => Math.abs(v - points[300][k]) / Math.max(1, Math.abs(v))));
      }
    });
  }
  assert.ok(worst <= 1e-12, `largest relative difference ${worst}`);
});

test("the summary names each method's fate: diverged, or where it ends and its cost", () => {
  data.lrs.forEach((lr, i) => {
    const text = adaptive.summaryText(data, i);
    for (const [method, runs] of Object.entries(data.runs)) {
      assert.match(text, new RegExp(method + (runs[i].diverged ? ": diverged" : ": ends at")), `${method} ${lr}`);
    }
  });
});
