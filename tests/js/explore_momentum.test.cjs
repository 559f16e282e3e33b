// Chapter 8's explorable: every (method, eta, beta) cell of the grid against the test's own
// momentum recurrences (the path and the final cost) and the rate against the closed form of the
// roots of the characteristic polynomial.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { grid, close } = require("./explore_grid.cjs");
const momentum = require("../../_static/explore/momentum.js");

const data = grid("momentum");
const LAMBDAS = [1, 50];

// theta_t for one coordinate (curvature lambda): heavy ball v = beta v + eta g, theta -= v;
// Nesterov as PyTorch: b = beta b + g (b_1 = g_1), theta -= eta (g + beta b).
function run(method, lr, beta, lambda, theta0, steps) {
  const out = [theta0];
  let theta = theta0, v = 0, b = null;
  for (let t = 0; t < steps; t++) {
    const g = lambda * theta;
    if (method === "heavy ball") {
      v = beta * v + lr * g;
      theta -= v;
    } else if (beta === 0) {
      theta -= lr * g;
    } else {
      b = b === null ? g : beta * b + g;
      theta -= lr * (g + beta * b);
    }
    out.push(theta);
  }
  return out;
}

// The rate: the largest |root| of z^2 - T z + D over both curvatures; complex roots have |z| = sqrt(D).
function rate(method, lr, beta) {
  return Math.max(...LAMBDAS.map((lambda) => {
    const h = lr * lambda;
    const [T, D] = method === "heavy ball" ? [1 + beta - h, beta] : [(1 + beta) * (1 - h), beta * (1 - h)];
    const disc = T * T - 4 * D;
    return disc < 0 ? Math.sqrt(D) : (Math.abs(T) + Math.sqrt(disc)) / 2;
  }));
}

test("the grid: 20 learning rates 0.004..0.08 and 20 momenta 0..0.95", () => {
  assert.deepStrictEqual(data.lrs, Array.from({ length: 20 }, (_, k) => Number((0.004 * (k + 1)).toFixed(3))));
  assert.deepStrictEqual(data.betas, Array.from({ length: 20 }, (_, j) => Number((0.05 * j).toFixed(2))));
});

test("every cell's path (3 decimals) and final cost (1e-12) equal the recurrence", () => {
  for (const method of Object.keys(data.methods)) {
    data.lrs.forEach((lr, i) => data.betas.forEach((beta, j) => {
      const c = momentum.cell(data, method, i, j);
      let t1 = run(method, lr, beta, 1, data.start[0], 40), t2 = run(method, lr, beta, 50, data.start[1], 40);
      const stop = t1.findIndex((a, t) => Math.hypot(a, t2[t]) > 1e12);  // descend stops a diverging run there
      if (stop >= 0) { t1 = t1.slice(0, stop + 1); t2 = t2.slice(0, stop + 1); }
      const last = t1.length - 1;
      c.path.forEach(([a, b], t) => {
        assert.ok(Math.abs(a - t1[t]) <= 5e-4 * Math.max(1, Math.abs(t1[t])) + 1e-12, `${method} ${lr} ${beta} t ${t}`);
        assert.ok(Math.abs(b - t2[t]) <= 5e-4 * Math.max(1, Math.abs(t2[t])) + 1e-12, `${method} ${lr} ${beta} t ${t}`);
      });
      const outside = t1.findIndex((a, t) => Math.abs(a) > 2.4 || Math.abs(t2[t]) > 1.1);
      assert.strictEqual(c.path.length, outside < 0 ? 41 : outside + 1, `${method} ${lr} ${beta}: points drawn`);
      {
        const cost = 0.5 * t1[last] * t1[last] + 25 * t2[last] * t2[last];
        assert.ok(Math.abs(c.finalCost - cost) <= 1e-12 * Math.max(1, cost), `${method} ${lr} ${beta}: ${c.finalCost} vs ${cost}`);
      }
    }));
  }
});

test("every cell's rate equals the closed form to 1e-12 (1e-7 at a double root, where eigenvalues lose half their digits)", () => {
  let doubleRoots = 0;
  for (const method of Object.keys(data.methods)) {
    data.lrs.forEach((lr, i) => data.betas.forEach((beta, j) => {
      const got = momentum.cell(data, method, i, j).rate, want = rate(method, lr, beta);
      if (Math.abs(got - want) > 1e-12) { doubleRoots += 1; }
      assert.ok(Math.abs(got - want) <= 1e-7, `${method} ${lr} ${beta}: ${got} vs ${want}`);
    }));
  }
  assert.ok(doubleRoots <= 4, `${doubleRoots} cells differ by more than 1e-12`);
});

test("the verdict and the text: converges below rate 1, diverges above; the best beta is the row's least rate", () => {
  for (const method of Object.keys(data.methods)) {
    data.lrs.forEach((lr, i) => {
      const row = data.betas.map((beta) => rate(method, lr, beta));
      const c0 = momentum.cell(data, method, i, 0);
      assert.ok(Math.abs(row[c0.best] - Math.min(...row)) <= 1e-12, `${method} ${lr}: best beta`);
      data.betas.forEach((beta, j) => {
        const r = row[j], text = momentum.summaryText(data, method, i, j);
        if (r < 1 - 1e-9) { assert.match(text, /converges/, `${method} ${lr} ${beta}`); }
        if (r > 1 + 1e-9) { assert.match(text, /diverges/, `${method} ${lr} ${beta}`); }
      });
    });
  }
});

test("Polyak's optimum: eta* = 4/(1 + sqrt 50)^2, beta* = ((sqrt 50 - 1)/(sqrt 50 + 1))^2, rate sqrt(beta*)", () => {
  const s = Math.sqrt(50);
  assert.ok(close(data.optimum.lr, 4 / (1 + s) ** 2, 1e-12));
  assert.ok(close(data.optimum.beta, ((s - 1) / (s + 1)) ** 2, 1e-12));
  assert.ok(Math.abs(data.optimum.rate - (s - 1) / (s + 1)) < 1e-7);
});
