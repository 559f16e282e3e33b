/* Spaced review with Leitner boxes (chosen over ts-fsrs: five boxes are enough for one exam and need no npm).
   An item (a problem type, a concept question, a chapter quiz question) enters box 1 the first time it is missed.
   Right in review: it moves up one box and comes back after that box's interval (1, 2, 4, 8, 16 days for boxes
   1..5; after box 5 it leaves the review). Missed again: back to box 1, due at once. */
(function (root) {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  var INTERVAL_DAYS = [0, 1, 2, 4, 8, 16];  // index = box
  var LAST_BOX = 5;

  /** New state of an item (or null: not in review) after an answer at time now (ms). */
  function schedule(state, right, now) {
    if (!right) {
      return { box: 1, due: now };
    }
    if (!state) {
      return null;  // never missed: not reviewed
    }
    var box = state.box + 1;
    if (box > LAST_BOX) {
      return null;  // learnt: out of the review
    }
    return { box: box, due: now + INTERVAL_DAYS[box] * DAY };
  }

  /** Ids of items due at time now, the most overdue first. */
  function dueItems(items, now) {
    return Object.keys(items).filter(function (id) {
      return items[id] && items[id].due <= now;
    }).sort(function (a, b) { return items[a].due - items[b].due; });
  }

  var CP = root.CoursePractice = root.CoursePractice || {};
  CP.leitner = { schedule: schedule, dueItems: dueItems, INTERVAL_DAYS: INTERVAL_DAYS, DAY: DAY };
  if (typeof module !== "undefined") { module.exports = CP.leitner; }
})(typeof window !== "undefined" ? window : globalThis);
