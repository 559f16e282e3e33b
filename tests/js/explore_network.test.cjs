// Chapter 12's explorable: every state the page can show (one quantity at -2.0..2.0, y 0 or 1)
// against the 2-2-1 network's forward and backward pass written out here by hand, to 1e-12.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { grid, close } = require("./explore_grid.cjs");
const network = require("../../_static/explore/network.js");

const data = grid("network");
const sigma = (z) => 1 / (1 + Math.exp(-z));

function byHand([x1, x2], y, p, lr) {
  const z1 = p.w_11 * x1 + p.w_21 * x2 + p.b_1, a1 = sigma(z1);
  const z2 = p.w_12 * x1 + p.w_22 * x2 + p.b_2, a2 = sigma(z2);
  const z3 = p.w_13 * a1 + p.w_23 * a2 + p.b_3, yHat = sigma(z3);
  const L = -(y * Math.log(yHat) + (1 - y) * Math.log(1 - yHat));
  const delta3 = yHat - y;                               // sigmoid + cross-entropy
  const delta1 = delta3 * p.w_13 * a1 * (1 - a1), delta2 = delta3 * p.w_23 * a2 * (1 - a2);
  const grad = { w_11: delta1 * x1, w_21: delta1 * x2, b_1: delta1, w_12: delta2 * x1, w_22: delta2 * x2, b_2: delta2,
    w_13: delta3 * a1, w_23: delta3 * a2, b_3: delta3 };
  const updated = Object.fromEntries(Object.keys(grad).map((k) => [k, p[k] - lr * grad[k]]));
  return { z1, a1, z2, a2, z3, y_hat: yHat, L, delta1, delta2, delta3, grad, updated };
}

test("every state: forward values, deltas, gradients and the updated parameters to 1e-12", () => {
  const ex = data.example;
  let n = 0;
  for (const q of data.quantities) {
    for (const v of data.values) {
      for (const y of [0, 1]) {
        const x = q === "x1" ? [v, ex.x[1]] : q === "x2" ? [ex.x[0], v] : ex.x;
        const params = Object.assign({}, ex.params, q.startsWith("x") ? {} : { [q]: v });
        const want = byHand(x, y, params, ex.lr), got = network.state(data, q, v, y);
        for (const k of ["z1", "a1", "z2", "a2", "z3", "y_hat", "L", "delta1", "delta2", "delta3"]) {
          assert.ok(close(got[k], want[k], 1e-12), `${q}=${v} y=${y} ${k}: ${got[k]} vs ${want[k]}`);
        }
        for (const k of Object.keys(want.grad)) {
          assert.ok(close(got.grad[k], want.grad[k], 1e-12), `${q}=${v} y=${y} dL/d${k}`);
          assert.ok(close(got.updated[k], want.updated[k], 1e-12), `${q}=${v} y=${y} updated ${k}`);
        }
        n += 1;
      }
    }
  }
  assert.strictEqual(n, 11 * 41 * 2);
  assert.strictEqual(Object.keys(data.states).length, n);
});

test("the notes' example is the slider's starting state; the summary reads it", () => {
  const text = network.summaryText(data, "w_13", 0.7, 1);
  const want = byHand(data.example.x, 1, data.example.params, data.example.lr);
  assert.match(text, new RegExp(`L = ${want.L.toFixed(4)}`));
  assert.match(text, new RegExp(`ŷ = ${want.y_hat.toFixed(4)}`));
});
