// The progress store: one versioned document; import refuses what is not a version-1 progress file;
// no storage -> in memory, not persistent.
const test = require("node:test");
const assert = require("node:assert");
const { createStore, invalidReason, mockAnswerId, KEY } = require("../../_static/practice/store.js");

function fakeStorage() {
  const data = {};
  return { getItem: (k) => (k in data ? data[k] : null), setItem: (k, v) => { data[k] = String(v); },
    removeItem: (k) => { delete data[k]; }, data };
}

test("attempts are kept under one key as a version-1 document, a miss enters the review", () => {
  const storage = fakeStorage();
  const store = createStore(storage);
  assert.strictEqual(store.persistent(), true);
  store.record({ kind: "problem", id: "network", chapter: "c", score: 1, max: 3 }, "problem:network", 5000);
  const doc = JSON.parse(storage.data[KEY]);
  assert.strictEqual(KEY, "lob-course-progress-v1");
  assert.strictEqual(doc.version, 1);
  assert.strictEqual(doc.attempts.length, 1);
  assert.deepStrictEqual(doc.review["problem:network"], { box: 1, due: 5000 });
  assert.strictEqual(createStore(storage).load().attempts.length, 1);
});

test("import accepts an exported file and refuses malformed ones", () => {
  const store = createStore(fakeStorage());
  store.record({ kind: "quiz", id: "q1", chapter: "c", score: 0, max: 1 }, "quiz:q1", 1);
  const exported = store.exportText();
  const other = createStore(fakeStorage());
  assert.strictEqual(other.importText(exported), null);
  assert.strictEqual(other.load().attempts.length, 1);
  const bad = ["not json", "[]", '{"version":2,"attempts":[],"review":{},"answers":{}}',
    '{"version":1,"attempts":{},"review":{},"answers":{}}',
    '{"version":1,"attempts":[{"kind":"quiz"}],"review":{},"answers":{}}',
    '{"version":1,"attempts":[],"review":{"x":{"box":1}},"answers":{}}'];
  for (const text of bad) { assert.notStrictEqual(other.importText(text), null, text); }
  assert.strictEqual(other.load().attempts.length, 1);  // a refused import changes nothing
  assert.strictEqual(invalidReason({ version: 1, attempts: [], review: {}, answers: {} }), null);
});

test("without storage the store works in memory and says it is not persistent", () => {
  const broken = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("denied"); },
    removeItem() {} };
  const store = createStore(broken);
  assert.strictEqual(store.persistent(), false);
  store.record({ kind: "quiz", id: "q", chapter: "c", score: 1, max: 1 });
  assert.strictEqual(store.load().attempts.length, 1);
  store.reset();
  assert.strictEqual(store.load().attempts.length, 0);
});

test("a mock exam's concept answers are kept per paper, apart from the review's, and survive a reload", () => {
  const storage = fakeStorage();
  const store = createStore(storage);
  assert.strictEqual(mockAnswerId(7, "concept-3"), "mock-7:concept-3");
  store.keepAnswer("concept-3", "on the review page");
  store.keepAnswer(mockAnswerId(7, "concept-3"), "in paper 7");
  store.keepAnswer(mockAnswerId(8, "concept-3"), "in paper 8");
  store.keepAnswer(mockAnswerId(7, "concept-3"), "in paper 7, edited");
  const reloaded = createStore(storage);  // a new page over the same localStorage
  assert.strictEqual(reloaded.answer("mock-7:concept-3"), "in paper 7, edited");
  assert.strictEqual(reloaded.answer("mock-8:concept-3"), "in paper 8");
  assert.strictEqual(reloaded.answer("concept-3"), "on the review page");
  assert.strictEqual(reloaded.answer("mock-9:concept-3"), "");
  assert.deepStrictEqual(Object.keys(JSON.parse(storage.data[KEY]).answers).sort(),
    ["concept-3", "mock-7:concept-3", "mock-8:concept-3"]);
  const copy = createStore(fakeStorage());  // they travel with an exported file
  assert.strictEqual(copy.importText(reloaded.exportText()), null);
  assert.strictEqual(copy.answer("mock-8:concept-3"), "in paper 8");
});
