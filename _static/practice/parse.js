/* Reading a typed number (issue 21, "answers people actually type").
   Accepted: 0.5  .5  -0.25  −0.25 (Unicode minus)  1e-3  2.5E+2  0,5 (decimal comma)  1/3 (simple fraction).
   Anything else returns null: the page says "cannot read this as a number", never "wrong". */
(function (root) {
  "use strict";
  var DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  var DECIMAL_COMMA = /^[+-]?\d*,\d+$/;
  var FRACTION = /^([+-]?\d+)\/(\d+)$/;

  /** Parse what a student typed; return a finite number or null when it cannot be read. */
  function parseNumber(text) {
    var s = String(text == null ? "" : text).trim().replace(/\u2212/g, "-");
    if (DECIMAL_COMMA.test(s)) {
      s = s.replace(",", ".");
    }
    var fraction = FRACTION.exec(s);
    if (fraction) {
      var denominator = Number(fraction[2]);
      return denominator === 0 ? null : Number(fraction[1]) / denominator;
    }
    if (!DECIMAL.test(s)) {
      return null;
    }
    var value = Number(s);
    return isFinite(value) ? value : null;
  }

  var CP = root.CoursePractice = root.CoursePractice || {};
  CP.parseNumber = parseNumber;
  CP.UNREADABLE = "cannot read this as a number";
  if (typeof module !== "undefined") { module.exports = { parseNumber: parseNumber }; }
})(typeof window !== "undefined" ? window : globalThis);
