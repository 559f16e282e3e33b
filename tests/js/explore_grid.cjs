// The explorable figures' grids as nnlib computes them (python _ext/explorables.py NAME), for the
// explore_*.test.cjs tests: the venv's python when there is one, else python3.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const VENV = path.join(ROOT, ".venv", "bin", "python");

function grid(name) {
  const python = fs.existsSync(VENV) ? VENV : "python3";
  const out = execFileSync(python, [path.join(ROOT, "_ext", "explorables.py"), name],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" });
  return JSON.parse(out);
}

// |a - b| <= tol * max(1, |b|): absolute near zero, relative for large values (diverging runs).
function close(a, b, tol) { return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)); }

module.exports = { grid, close, ROOT };
