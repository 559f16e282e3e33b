/* The student's progress: one versioned JSON document in localStorage under "lob-course-progress-v1".
   {version: 1, attempts: [{time, kind: "problem"|"concept"|"quiz"|"mock", id, chapter, score, max}],
    review: {item id: {box, due}}, answers: {answer id: text}}. Nothing leaves the browser. An answer id is the
   concept's id ("concept-3") on the review page, and mockAnswerId(paper, concept id) ("mock-7:concept-3") in a
   mock exam, so a reload during a mock keeps what was typed there, apart from the review's answers.
   Where storage is unavailable (a private window) the document lives in memory while the page is open,
   and `persistent` is false so the pages can say progress is not kept. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  // Looked up when used: Jupyter Book adds the _static files in no fixed order, leitner.js may come later.
  function leitner() {
    return typeof window === "undefined" ? require("./leitner.js") : CP.leitner;
  }
  var KEY = "lob-course-progress-v1";
  var VERSION = 1;

  function emptyDocument() {
    return { version: VERSION, attempts: [], review: {}, answers: {} };
  }

  /** The reason a parsed document is not a progress file, or null when it is one. */
  function invalidReason(doc) {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) { return "not a progress file"; }
    if (doc.version !== VERSION) { return "unknown version " + JSON.stringify(doc.version) + " (expected 1)"; }
    if (!Array.isArray(doc.attempts)) { return "attempts is not a list"; }
    var badAttempt = doc.attempts.some(function (a) {
      return !a || typeof a.kind !== "string" || typeof a.id !== "string" ||
        typeof a.score !== "number" || typeof a.max !== "number" || typeof a.time !== "number";
    });
    if (badAttempt) { return "an attempt lacks kind, id, score, max or time"; }
    if (!doc.review || typeof doc.review !== "object" || Array.isArray(doc.review)) { return "review is not an object"; }
    var badItem = Object.keys(doc.review).some(function (id) {
      var item = doc.review[id];
      return !item || typeof item.box !== "number" || typeof item.due !== "number";
    });
    if (badItem) { return "a review item lacks box or due"; }
    if (!doc.answers || typeof doc.answers !== "object") { return "answers is not an object"; }
    return null;
  }

  /** A store over a Storage-like object (localStorage), or in memory when that fails. */
  function createStore(storage) {
    var persistent = false, memory = emptyDocument();
    try {
      storage.setItem(KEY + "-probe", "1");
      storage.removeItem(KEY + "-probe");
      persistent = true;
    } catch (error) {
      persistent = false;
    }
    function load() {
      if (!persistent) { return memory; }
      try {
        var doc = JSON.parse(storage.getItem(KEY) || "null");
        return invalidReason(doc) ? emptyDocument() : doc;
      } catch (error) {
        return emptyDocument();
      }
    }
    function save(doc) {
      memory = doc;
      if (persistent) {
        try { storage.setItem(KEY, JSON.stringify(doc)); } catch (error) { persistent = false; }
      }
    }
    return {
      persistent: function () { return persistent; },
      load: load,
      /** Record one attempt; reviewId (optional) moves that item in the Leitner boxes. */
      record: function (attempt, reviewId, now) {
        var doc = load();
        now = now || Date.now();
        attempt.time = now;
        doc.attempts.push(attempt);
        if (reviewId) {
          var next = leitner().schedule(doc.review[reviewId], attempt.score >= attempt.max, now);
          if (next) { doc.review[reviewId] = next; } else { delete doc.review[reviewId]; }
        }
        save(doc);
        return doc;
      },
      keepAnswer: function (id, text) {
        var doc = load();
        doc.answers[id] = text;
        save(doc);
      },
      /** The kept text of an answer, or "". */
      answer: function (id) {
        var text = load().answers[id];
        return typeof text === "string" ? text : "";
      },
      exportText: function () { return JSON.stringify(load(), null, 1); },
      /** Replace the progress with an exported file's text; returns null or the reason it was refused. */
      importText: function (text) {
        var doc;
        try { doc = JSON.parse(text); } catch (error) { return "not JSON"; }
        var reason = invalidReason(doc);
        if (!reason) { save(doc); }
        return reason;
      },
      reset: function () { save(emptyDocument()); }
    };
  }

  var storage = null;
  try { storage = root.localStorage; } catch (error) { storage = null; }
  /** The id under which a mock paper's answer to a concept question is kept. */
  function mockAnswerId(paperNumber, conceptId) {
    return "mock-" + paperNumber + ":" + conceptId;
  }

  CP.createStore = createStore;
  CP.mockAnswerId = mockAnswerId;
  CP.invalidProgressReason = invalidReason;
  CP.PROGRESS_KEY = KEY;
  CP.store = createStore(storage || {});
  if (typeof module !== "undefined") {
    module.exports = { createStore: createStore, invalidReason: invalidReason, mockAnswerId: mockAnswerId, KEY: KEY };
  }
})(typeof window !== "undefined" ? window : globalThis);
