/* Checking a problem's steps the way an exam marker does, with follow-through.
   A step is "right" when within tolerance of the key. Else it is "following" (right, following through from
   the student's own earlier numbers) when within tolerance of its step function evaluated on the student's
   earlier values (the key's value for an earlier step left blank or unreadable). Else "wrong", with the hint of
   a known mistake when a mistake function (on the same values) matches. The expected value is never shown. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  // Looked up when called: Jupyter Book adds the _static files in no fixed order (parse.js may come after this file).
  var inNode = typeof module !== "undefined" && typeof window === "undefined";
  function parseNumber(text) {
    return (inNode ? require("./parse.js") : CP).parseNumber(text);
  }
  function withinTolerance(typed, key) {
    return (inNode ? require("./tolerance.js") : CP).withinTolerance(typed, key);
  }

  function evaluate(fn, givens, values) {
    try {
      var result = fn(givens, values);
      return typeof result === "number" && isFinite(result) ? result : null;
    } catch (error) {
      return null;
    }
  }

  /**
   * Check every asked step of one variant.
   * problem: {steps, mistakes, givens, answers, functions, mistakeFunctions}; typed: {step name: text}.
   * Returns {step name: {verdict: "right"|"following"|"wrong"|"unreadable"|"blank", from: [step names], hint}}.
   * Steps missing from answers are not asked and not returned.
   */
  function checkSteps(problem, typed) {
    var results = {};
    var studentValues = {};  // what later steps are evaluated on: the student's number, else the key's
    var functions = problem.functions || {}, mistakeFunctions = problem.mistakeFunctions || {};
    problem.steps.forEach(function (step) {
      var name = step.name;
      if (!(name in problem.answers)) {
        return;
      }
      var key = problem.answers[name];
      var text = typed[name] == null ? "" : String(typed[name]);
      var value = text.trim() === "" ? null : parseNumber(text);
      var result = { verdict: "wrong", from: [], hint: null };
      if (text.trim() === "") {
        result.verdict = "blank";
      } else if (value === null) {
        result.verdict = "unreadable";
      } else if (withinTolerance(value, key)) {
        result.verdict = "right";
      } else {
        var from = (step.uses || []).filter(function (used) {
          return results[used] && (results[used].verdict === "wrong" || results[used].verdict === "following");
        });
        var followed = functions[name] ? evaluate(functions[name], problem.givens, studentValues) : null;
        if (from.length && followed !== null && withinTolerance(value, followed)) {
          result.verdict = "following";
          result.from = from;
        } else {
          (problem.mistakes || []).forEach(function (mistake) {
            if (result.hint || mistake.step !== name || !mistakeFunctions[mistake.id]) {
              return;
            }
            var slip = evaluate(mistakeFunctions[mistake.id], problem.givens, studentValues);
            if (slip !== null && withinTolerance(value, slip)) {
              result.hint = mistake.hint;
            }
          });
        }
      }
      studentValues[name] = value === null ? key : value;
      results[name] = result;
    });
    return results;
  }

  /** Fraction of asked steps that score: right or following through. */
  function scoreFraction(results) {
    var names = Object.keys(results);
    if (!names.length) {
      return 0;
    }
    var scored = names.filter(function (n) {
      return results[n].verdict === "right" || results[n].verdict === "following";
    });
    return scored.length / names.length;
  }

  CP.checkSteps = checkSteps;
  CP.scoreFraction = scoreFraction;
  if (typeof module !== "undefined") { module.exports = { checkSteps: checkSteps, scoreFraction: scoreFraction }; }
})(typeof window !== "undefined" ? window : globalThis);
