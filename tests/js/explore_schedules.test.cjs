// Chapter 10's explorable: every curve of the grid (every schedule at every combination of its
// parameters the page offers, epochs 0..99) against the closed forms written here, to 1e-12.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { grid, close } = require("./explore_grid.cjs");
const schedules = require("../../_static/explore/schedules.js");

const data = grid("schedules");
const ETA0 = 0.1;
const cosine = (etaMin, tCur, tI) => etaMin + (ETA0 - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;

// SGDR's cycles by listing them: cycle i lasts T_0 T_mult^i epochs.
function restartCycle(t, T0, Tmult) {
  let start = 0, length = T0;
  while (t >= start + length) { start += length; length *= Tmult; }
  return [t - start, length];
}

const CLOSED = {
  StepLR: ({ step_size: s, gamma }, t) => ETA0 * gamma ** Math.floor(t / s),
  ExponentialLR: ({ gamma }, t) => ETA0 * gamma ** t,
  CosineAnnealingLR: ({ T_max: T, eta_min: m }, t) => cosine(m, t, T),
  CosineAnnealingWarmRestarts: ({ T_0, T_mult, eta_min: m }, t) => cosine(m, ...restartCycle(t, T_0, T_mult)),
};

function* combinations(params) {
  const names = Object.keys(params);
  const walk = function* (k, indices) {
    if (k === names.length) { yield indices; return; }
    for (let i = 0; i < params[names[k]].length; i++) { yield* walk(k + 1, indices.concat(i)); }
  };
  yield* walk(0, []);
}

test("every schedule of nnlib.schedules is on the page, with every combination of its parameters", () => {
  assert.deepStrictEqual(Object.keys(data.parameters).sort(), Object.keys(CLOSED).sort());
  let n = 0;
  for (const [name, params] of Object.entries(data.parameters)) {
    for (const indices of combinations(params)) { assert.ok(data.curves[schedules.key(name, indices)]); n += 1; }
  }
  assert.strictEqual(Object.keys(data.curves).length, n);
});

test("every rate the page can show equals the closed form to 1e-12", () => {
  for (const [name, params] of Object.entries(data.parameters)) {
    for (const indices of combinations(params)) {
      const chosen = Object.fromEntries(Object.keys(params).map((p, k) => [p, params[p][indices[k]]]));
      const curve = data.curves[schedules.key(name, indices)];
      assert.strictEqual(curve.length, 100);
      curve.forEach((rate, t) => {
        const want = CLOSED[name](chosen, t);
        assert.ok(close(rate, want, 1e-12), `${name} ${JSON.stringify(chosen)} epoch ${t}: ${rate} vs ${want}`);
      });
    }
  }
});

test("the summary reads the rate at the chosen epoch", () => {
  const text = schedules.summaryText(data, "StepLR", [3, 0], 30);  // StepLR(step_size=30, gamma=0.1)
  assert.match(text, /StepLR\(step_size=30, gamma=0\.1\).*at epoch 30 the learning rate is 0\.0100/);
});
