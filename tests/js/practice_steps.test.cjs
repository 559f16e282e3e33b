// The practice site's generated step functions (exam/site_data.py, written by the book build into
// _build/html/practice): for every variant of every type and every mock paper, each step function,
// given the variant's givens and the key's earlier values, returns the key's number (nnlib's) to 1e-12,
// relative where the number is larger than 1. Also: what a practice page adds to the common load stays small.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");

const SITE = path.join(__dirname, "..", "..", "_build", "html");
const PRACTICE = path.join(SITE, "practice");

function files(folder) {
  const dir = path.join(PRACTICE, folder);
  if (!fs.existsSync(dir)) {
    throw new Error(`${dir} is missing: build the book first (make book EXECUTE=off)`);
  }
  return fs.readdirSync(dir).filter((name) => name.endsWith(".js")).map((name) => path.join(dir, name));
}

function load(file) {
  const calls = [];
  const CoursePractice = {
    register: (data, steps, mistakes) => calls.push({ kind: "type", data, steps, mistakes }),
    registerPaper: (data, steps, mistakes) => calls.push({ kind: "paper", data, steps, mistakes }),
    registerConcepts: (records) => calls.push({ kind: "concepts", records }),
    registerVariantText: (type, n, text) => calls.push({ kind: "text", type, n, text }),
  };
  new Function("CoursePractice", fs.readFileSync(file, "utf8"))(CoursePractice);
  assert.strictEqual(calls.length, 1, `${file} makes exactly one call`);
  return calls[0];
}

function close(value, expected) {
  return Math.abs(value - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
}

// Each asked step's function on the givens and the key's earlier values; returns how many were checked.
function checkVariant(where, stepNames, steps, mistakes, mistakeIds, givens, answers) {
  let checked = 0;
  for (const name of stepNames) {
    if (!(name in answers)) continue; // not asked in this variant
    assert.strictEqual(typeof steps[name], "function", `${where}: no function for ${name}`);
    const value = steps[name](givens, answers);
    assert.ok(close(value, answers[name]), `${where} ${name}: ${value} != ${answers[name]}`);
    checked += 1;
  }
  for (const id of mistakeIds) assert.strictEqual(typeof mistakes[id], "function", `${where}: mistake ${id}`);
  return checked;
}

test("every type's step functions reproduce the key of every variant", () => {
  const types = files("data").filter((file) => !file.endsWith("concepts.js"));
  assert.strictEqual(types.length, 19);
  let checked = 0;
  let variants = 0;
  for (const file of types) {
    const { kind, data, steps, mistakes } = load(file);
    assert.strictEqual(kind, "type");
    assert.ok(data.variants.length >= 40, `${data.type}: ${data.variants.length} variants`);
    const names = data.steps.map((step) => step.name);
    const ids = data.mistakes.map((mistake) => mistake.id);
    for (const variant of data.variants) {
      // its statement and solution: data/<type>/<n>.js, the math as MathML (no MathJax on practice pages)
      const text = load(path.join(path.dirname(file), data.type, `${variant.n}.js`));
      assert.deepStrictEqual([text.kind, text.type, text.n], ["text", data.type, variant.n]);
      for (const html of [text.text.statement_html, text.text.solution_html]) {
        assert.ok(html.includes("<math") && !/\\\(|\\\[|\$/.test(html), `${data.type}-${variant.n}: ${html.slice(0, 80)}`);
      }
      checked += checkVariant(`${data.type}-${variant.n}`, names, steps, mistakes, ids, variant.givens, variant.answers);
      variants += 1;
    }
  }
  assert.ok(variants >= 760, `${variants} checkable problems`);
  console.log(`# ${variants} variants, ${checked} step values reproduced`);
});

test("every mock paper's step functions reproduce its key, and 2026 is no mock paper", () => {
  const papers = files("papers").filter((file) => path.basename(file) !== "index.js");
  assert.strictEqual(papers.length, 100);
  let listed = null;
  new Function("CoursePractice", fs.readFileSync(path.join(PRACTICE, "papers", "index.js"), "utf8"))({
    registerPaperList: (numbers) => { listed = numbers; },
  });
  assert.deepStrictEqual([...listed].sort((a, b) => a - b), papers.map((f) => Number(path.basename(f, ".js")))
    .sort((a, b) => a - b));
  assert.ok(!papers.some((file) => path.basename(file) === "2026.js"));
  for (const file of papers) {
    const { kind, data, steps, mistakes } = load(file);
    assert.strictEqual(kind, "paper");
    assert.strictEqual(String(data.number), path.basename(file, ".js"));
    assert.strictEqual(data.problems.length, 4);
    assert.strictEqual(data.concepts.length, 5);
    data.problems.forEach((problem, index) => {
      const names = problem.steps.map((step) => step.name);
      const ids = problem.mistakes.map((mistake) => mistake.id);
      const checked = checkVariant(`paper ${data.number} problem ${index + 1}`, names, steps[index], mistakes[index],
        ids, problem.givens, problem.answers);
      assert.ok(checked >= 1);
    });
  }
});

// What a practice page adds to the site's common load (the theme: about 0.8 MB; no MathJax, the math is MathML;
// the whole first load is measured by tests/browser/test_practice_weight.py): its own HTML, its type's data
// file and the text of its largest variant, kept under 200 kB.
test("a practice page's own HTML, data file and a variant's text stay under 200 kB", () => {
  const budget = 200_000;
  let heaviest = ["", 0];
  for (const page of fs.readdirSync(PRACTICE).filter((name) => name.endsWith(".html"))) {
    const html = fs.readFileSync(path.join(PRACTICE, page), "utf8");
    let bytes = Buffer.byteLength(html);
    const type = html.match(/data-practice-src="([^"]+)"/);
    if (type) {
      bytes += fs.statSync(path.join(PRACTICE, type[1])).size;
      const texts = path.join(PRACTICE, type[1].replace(/\.js$/, ""));
      bytes += Math.max(...fs.readdirSync(texts).map((name) => fs.statSync(path.join(texts, name)).size));
    }
    if (bytes > heaviest[1]) heaviest = [page, bytes];
  }
  console.log(`# heaviest practice page: ${heaviest[0]}, ${heaviest[1]} bytes of HTML and data`);
  assert.ok(heaviest[1] <= budget, `${heaviest[0]}: ${heaviest[1]} bytes`);
});
