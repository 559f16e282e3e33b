// The Leitner schedule: intervals 1, 2, 4, 8, 16 days for boxes 1..5 (documented in leitner.js), by hand.
const test = require("node:test");
const assert = require("node:assert");
const { schedule, dueItems } = require("../../_static/practice/leitner.js");
const DAY = 86400000;

test("a missed item enters box 1, due at once; right answers climb the boxes; past box 5 it leaves", () => {
  const t0 = 1000;
  assert.strictEqual(schedule(undefined, true, t0), null);
  let state = schedule(undefined, false, t0);
  assert.deepStrictEqual(state, { box: 1, due: t0 });
  // [box, days until due] after each right answer
  [[2, 2], [3, 4], [4, 8], [5, 16]].forEach(([box, days], i) => {
    state = schedule(state, true, t0);
    assert.deepStrictEqual(state, { box, due: t0 + days * DAY }, `right answer ${i + 1}`);
  });
  assert.strictEqual(schedule(state, true, t0), null);
  assert.deepStrictEqual(schedule({ box: 4, due: 0 }, false, t0), { box: 1, due: t0 });
});

test("due items are those due by now, most overdue first", () => {
  const items = { a: { box: 2, due: 50 }, b: { box: 1, due: 10 }, c: { box: 3, due: 500 } };
  assert.deepStrictEqual(dueItems(items, 100), ["b", "a"]);
  assert.deepStrictEqual(dueItems(items, 5), []);
});
