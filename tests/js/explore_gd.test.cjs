// Chapter 6's explorable: the grid against the closed form of gradient descent on a parabola, and
// the regime text against the theory (monotone below 1/L, oscillating up to 2/L, diverging beyond).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { grid, close } = require("./explore_grid.cjs");
const gd = require("../../_static/explore/gd.js");

const data = grid("gd");
const L = 4;

test("the slider's 61 learning rates are 0, 0.01, ..., 0.60 and the bound is 2/L = 0.5", () => {
  assert.strictEqual(data.points.length, 61);
  data.points.forEach((p, k) => assert.ok(close(p.lr, k / 100, 1e-15), `lr ${p.lr}`));
  assert.strictEqual(data.bound, 2 / L);
});

test("every path equals the closed form theta_t = (1 - eta L)^t theta_0 to 1e-12, its cost L theta^2 / 2", () => {
  for (const p of data.points) {
    assert.strictEqual(p.path.length, 21);
    p.path.forEach((theta, t) => {
      const exact = Math.pow(1 - p.lr * L, t);
      assert.ok(close(theta, exact, 1e-12), `eta ${p.lr}, t ${t}: ${theta} vs ${exact}`);
      assert.ok(close(p.cost[t], L / 2 * exact * exact, 1e-12), `cost at eta ${p.lr}, t ${t}`);
    });
  }
});

// The theory, from eta L alone (k/100 * 4 is exact in floating point at 0.25 and 0.5).
function theory(lr) {
  const h = lr * L;
  if (lr === 0) { return "still"; }
  if (h < 1) { return "monotone"; }
  if (h === 1) { return "one-step"; }
  if (h < 2) { return "oscillating"; }
  if (h === 2) { return "boundary"; }
  return "diverging";
}

const WORDS = {
  still: /does not move/, monotone: /monotone/, "one-step": /1\/L exactly/, oscillating: /oscillating but converging/,
  boundary: /2\/L exactly.*neither converges nor diverges/, diverging: /beyond 2\/L = 0\.50: diverging/,
};

test("the regime text at every grid point says what the theory says", () => {
  for (const p of data.points) {
    const expected = theory(p.lr);
    assert.strictEqual(p.regime, expected, `eta ${p.lr}`);
    const text = gd.regimeText(data, p);
    assert.match(text, WORDS[expected], `eta ${p.lr}: ${text}`);
    for (const [other, words] of Object.entries(WORDS)) {
      if (other !== expected) { assert.doesNotMatch(text, words, `eta ${p.lr} also says ${other}`); }
    }
  }
});

test("around 2/L: 0.49 converges, exactly 0.50 neither (|theta_t| = 1), 0.51 diverges", () => {
  const at = (lr) => data.points.find((p) => close(p.lr, lr, 1e-15));
  const size = (p) => Math.abs(p.path[20]);
  assert.ok(size(at(0.49)) < 1 && at(0.49).regime === "oscillating");
  assert.ok(at(0.5).path.every((theta) => Math.abs(theta) === 1) && at(0.5).regime === "boundary");
  assert.ok(size(at(0.51)) > 1 && at(0.51).regime === "diverging");
  assert.match(gd.regimeText(data, at(0.5)), /1 − ηL = -1, so θ jumps between 1 and -1 forever and the cost stays at 2:/);
  for (const lr of [0.51, 0.55, 0.6]) {
    const p = at(lr);
    for (let t = 1; t <= 20; t++) { assert.ok(Math.abs(p.path[t]) > Math.abs(p.path[t - 1])); }
  }
});
