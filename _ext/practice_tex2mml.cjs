// TeX to MathML with MathJax 4's TeX input (node_modules/mathjax), for _ext/practice_mathml.py.
// One request per line on stdin, a JSON array [tex, display]; one JSON string per line on stdout: the
// formula as a <math> element. The same TeX parser as the rest of the site, run once at build time, so the
// practice pages show MathML that the browser renders itself and need not load MathJax.
"use strict";
const path = require("node:path");
const readline = require("node:readline");

const root = process.argv[2] || path.join(__dirname, "..");
const mathjax = require(path.join(root, "node_modules", "mathjax", "node-main.cjs"));

mathjax.init({
  loader: { load: ["input/tex"] },
  // an undefined macro is an error (not red text on the page); errors come back as <merror>
  tex: { packages: { "[-]": ["noundefined"] }, formatError: (jax, error) => { throw error; } },
}).then((MathJax) => {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const [tex, display] = JSON.parse(line);
    let mml;
    try {
      mml = MathJax.tex2mml(tex, { display: display });
    } catch (error) {
      mml = "<merror>" + String(error.message || error) + "</merror>";
    }
    process.stdout.write(JSON.stringify(mml) + "\n");
  });
}).catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(1);
});
