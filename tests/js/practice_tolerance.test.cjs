// The paper's tolerance: half a unit of the 4th decimal or of the 4th significant figure, whichever is looser.
// Edges worked by hand: key 0.123456 -> 0.00005; 12.3456 -> 0.005; 1234.5678 -> 0.5; 0.000123 -> 0.00005.
const test = require("node:test");
const assert = require("node:assert");
const { tolerance, withinTolerance } = require("../../_static/practice/tolerance.js");

test("tolerance is the looser of the two rules", () => {
  assert.strictEqual(tolerance(0.123456), 0.00005);
  assert.strictEqual(tolerance(12.3456), 0.005);
  assert.strictEqual(tolerance(1234.5678), 0.5);
  assert.strictEqual(tolerance(-1234.5678), 0.5);
  assert.strictEqual(tolerance(0.000123), 0.00005);
  assert.strictEqual(tolerance(0), 0.00005);
});

test("just inside is right, just outside is not", () => {
  const cases = [
    [0.123456, 0.12350, true], [0.123456, 0.12341, true], [0.123456, 0.12340, false], [0.123456, 0.12351, false],
    [12.3456, 12.350, true], [12.3456, 12.351, false], [12.3456, 12.341, true], [12.3456, 12.340, false],
    [1234.5678, 1235.0, true], [1234.5678, 1235.1, false], [-1234.5678, -1234.1, true], [-1234.5678, -1234.0, false],
    [0.000123, 0.00017, true], [0.000123, 0.00018, false], [0, 0.00004, true], [0, -0.00006, false],
    [0.5, 0.50005, true], [0.5, 0.50006, false]
  ];
  for (const [key, typed, right] of cases) {
    assert.strictEqual(withinTolerance(typed, key), right, `${typed} for key ${key}`);
  }
});
