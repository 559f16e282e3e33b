// Checking with follow-through and mistake hints, on the hand-made problem of fixtures/practice_chain.cjs
// (z1 = 7, a1 = 49, loss = 24.5 by hand).
const test = require("node:test");
const assert = require("node:assert");
const { checkSteps, scoreFraction } = require("../../_static/practice/check.js");
const problem = require("./fixtures/practice_chain.cjs");

test("the key's values are right, and the step not in answers is not asked", () => {
  const results = checkSteps(problem, { z1: "7", a1: "49", loss: "24,5" });
  assert.deepStrictEqual(Object.keys(results), ["z1", "a1", "loss"]);
  for (const name of ["z1", "a1", "loss"]) { assert.strictEqual(results[name].verdict, "right", name); }
  assert.strictEqual(scoreFraction(results), 1);
});

test("a wrong z1 with later steps computed from it follows through; a step wrong from both is wrong", () => {
  // z1 = 8 (wrong): a1 = 64 follows through from z1, loss = 32 follows through from a1.
  let results = checkSteps(problem, { z1: "8", a1: "64", loss: "32" });
  assert.strictEqual(results.z1.verdict, "wrong");
  assert.strictEqual(results.a1.verdict, "following");
  assert.deepStrictEqual(results.a1.from, ["z1"]);
  assert.strictEqual(results.loss.verdict, "following");
  assert.deepStrictEqual(results.loss.from, ["a1"]);
  assert.strictEqual(scoreFraction(results), 2 / 3);
  // a1 = 50 is neither 49 (key) nor 64 (from the student's z1): wrong; loss = 25 follows from a1 = 50.
  results = checkSteps(problem, { z1: "8", a1: "50", loss: "25" });
  assert.strictEqual(results.a1.verdict, "wrong");
  assert.strictEqual(results.loss.verdict, "following");
  // with a right z1, a1 = 64 is simply wrong (no follow-through from a right step)
  results = checkSteps(problem, { z1: "7", a1: "64" });
  assert.strictEqual(results.a1.verdict, "wrong");
});

test("blank and unreadable earlier steps use the key's value", () => {
  const results = checkSteps(problem, { z1: "", a1: "4 9", loss: "24.5" });
  assert.strictEqual(results.z1.verdict, "blank");
  assert.strictEqual(results.a1.verdict, "unreadable");
  assert.strictEqual(results.loss.verdict, "right");
});

test("a known mistake gets its hint, which does not contain the expected value", () => {
  const results = checkSteps(problem, { z1: "7", a1: "49", loss: "49" });
  assert.strictEqual(results.loss.verdict, "wrong");
  assert.strictEqual(results.loss.hint, "The loss has a factor one half.");
  assert.ok(!results.loss.hint.includes("24.5"));
  const other = checkSteps(problem, { z1: "7", a1: "49", loss: "3" });
  assert.strictEqual(other.loss.hint, null);
});
