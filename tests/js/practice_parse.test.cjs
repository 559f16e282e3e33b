// Reading typed numbers: every form issue 21 accepts, and malformed input that must be "cannot read", not wrong.
const test = require("node:test");
const assert = require("node:assert");
const { parseNumber } = require("../../_static/practice/parse.js");

test("every accepted form reads as the number a person means", () => {
  const cases = [
    ["0.5", 0.5], [".5", 0.5], ["-0.25", -0.25], ["\u22120.25", -0.25], ["1e-3", 0.001], ["2.5E+2", 250],
    ["0,5", 0.5], ["1/3", 1 / 3], ["-1/4", -0.25], ["  7 ", 7], ["+3", 3], ["12.", 12], [",5", 0.5]
  ];
  for (const [text, expected] of cases) {
    assert.strictEqual(parseNumber(text), expected, text);
  }
});

test("malformed input cannot be read (null), never a number", () => {
  const malformed = ["", "abc", "1..2", "1,2,3", "1/0", "1/", "e5", "--1", "0.5.1", "1 2", "3/4/5", "0x1A",
    "Infinity", "NaN", "1e", "1,5e3", "½"];
  for (const text of malformed) {
    assert.strictEqual(parseNumber(text), null, JSON.stringify(text));
  }
});
