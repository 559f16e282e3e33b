/* Tolerance of the paper's instruction: "four decimals or four significant figures, whichever is looser".
   An answer is right when |typed - key| <= max(0.5e-4, 0.5 * 10^(e - 3)), e = floor(log10 |key|):
   half a unit of the 4th decimal, or half a unit of the 4th significant figure of the key. */
(function (root) {
  "use strict";
  var FOURTH_DECIMAL_HALF_UNIT = 0.5e-4;

  /** The largest accepted distance from the key. */
  function tolerance(key) {
    var magnitude = Math.abs(key);
    if (magnitude === 0 || !isFinite(magnitude)) {
      return FOURTH_DECIMAL_HALF_UNIT;
    }
    var exponent = Math.floor(Math.log10(magnitude));
    return Math.max(FOURTH_DECIMAL_HALF_UNIT, 0.5 * Math.pow(10, exponent - 3));
  }

  /** True when typed is within tolerance of key (a 1e-12 relative slack for binary rounding of the edge). */
  function withinTolerance(typed, key) {
    if (typeof typed !== "number" || typeof key !== "number" || !isFinite(typed) || !isFinite(key)) {
      return false;
    }
    return Math.abs(typed - key) <= tolerance(key) * (1 + 1e-9);
  }

  var CP = root.CoursePractice = root.CoursePractice || {};
  CP.tolerance = tolerance;
  CP.withinTolerance = withinTolerance;
  CP.TOLERANCE_TEXT = "An answer counts as right when it agrees with the key to four decimal places or to four " +
    "significant figures, whichever is looser (within half a unit of the 4th decimal or of the 4th significant figure).";
  if (typeof module !== "undefined") { module.exports = { tolerance: tolerance, withinTolerance: withinTolerance }; }
})(typeof window !== "undefined" ? window : globalThis);
