/* The review page (practice/review.html): what the Leitner boxes (leitner.js) say is due today.
   A problem type comes back as a link to new numbers of that type; a concept question as the question, your
   kept answer, its model answer and "got it / partly / not yet" (only "got it" moves it up a box); a chapter
   quiz question as a link to its chapter's quiz. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function lastAttempt(doc, id, kind) {
    for (var i = doc.attempts.length - 1; i >= 0; i -= 1) {
      if (doc.attempts[i].id === id && doc.attempts[i].kind === kind) { return doc.attempts[i]; }
    }
    return null;
  }

  /** A concept question to answer, reveal the model answer of, and self-mark. */
  function conceptItem(concept, doc, onMarked) {
    var item = el("li", "practice-review-item");
    item.appendChild(el("h3", null, "Concept question (" + concept.chapter.title + ")"));
    var question = el("div", "practice-statement");
    question.innerHTML = concept.question_html;
    item.appendChild(question);
    var box = document.createElement("textarea");
    box.id = "practice-review-" + concept.id;
    var label = el("label", null, "Your answer");
    label.setAttribute("for", box.id);
    box.value = doc.answers[concept.id] || "";
    box.addEventListener("change", function () { CP.store.keepAnswer(concept.id, box.value); });
    item.appendChild(label);
    item.appendChild(box);
    var reveal = el("button", "practice-button", "Show the model answer");
    reveal.type = "button";
    item.appendChild(reveal);
    var status = el("p", "practice-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    reveal.addEventListener("click", function () {
      CP.store.keepAnswer(concept.id, box.value);
      reveal.hidden = true;
      var model = el("div", "practice-worked");
      model.innerHTML = "<h4>Model answer</h4>" + concept.answer_html;
      item.insertBefore(model, status);
      var marks = el("div", "practice-actions");
      [["Got it", 1], ["Partly", 0.5], ["Not yet", 0]].forEach(function (mark) {
        var button = el("button", "practice-button", mark[0]);
        button.type = "button";
        button.addEventListener("click", function () {
          CP.store.record({ kind: "concept", id: concept.id, title: "Concept question",
            chapter: concept.chapter.title, href: CP.toRoot(concept.chapter.href), score: mark[1], max: 1 },
          "concept:" + concept.id);
          marks.remove();
          status.textContent = "Marked \u201c" + mark[0].toLowerCase() + "\u201d. " + onMarked(mark[1]);
        });
        marks.appendChild(button);
      });
      item.insertBefore(marks, status);
      CP.typeset(model);
      model.tabIndex = -1;
      model.focus();
    });
    item.appendChild(status);
    return item;
  }

  CP.apps = CP.apps || {};
  CP.apps.review = function (app) {
    var folder = app.getAttribute("data-practice-data") || "data/";
    function show() {
      var doc = CP.store.load();
      var now = Date.now();
      var due = CP.leitner.dueItems(doc.review, now);
      app.innerHTML = "";
      var notice = CP.storageNotice();
      if (notice) { app.appendChild(notice); }
      app.appendChild(el("p", null, "What you missed comes back here on a Leitner schedule: a missed item goes " +
        "to box 1 and is due at once; each right answer moves it up a box and it comes back after 1, 2, 4, 8 " +
        "or 16 days (boxes 1 to 5); after box 5 it leaves the review; a miss sends it back to box 1. " +
        "Everything is kept in this browser only."));
      var count = el("p", "practice-status", due.length ? due.length + (due.length === 1 ? " item is" : " items are") +
        " due today." : "Nothing is due today. Practise a problem type or a chapter quiz; what you miss comes back here.");
      count.setAttribute("role", "status");
      app.appendChild(count);
      var list = el("ul", "practice-review-list");
      due.forEach(function (id) {
        var kind = id.split(":")[0], rest = id.slice(kind.length + 1);
        var attempt = lastAttempt(doc, rest, kind);
        var state = doc.review[id];
        if (kind === "concept") {
          var concept = (CP.concepts || []).filter(function (c) { return c.id === rest; })[0];
          if (concept) {
            list.appendChild(conceptItem(concept, doc, function (score) {
              return score === 1 ? "It moves up a box." : "It stays in box 1.";
            }));
          }
          return;
        }
        var item = el("li", "practice-review-item");
        var link = el("a", null, (kind === "problem" ? "New numbers: " : "Chapter quiz: ") +
          (attempt ? attempt.title : rest));
        link.href = attempt && attempt.page ? CP.fromRoot(attempt.page) : (kind === "problem" ? rest + ".html" : "#");
        item.appendChild(link);
        item.appendChild(document.createTextNode(" (box " + state.box + (attempt ? "; last time " +
          Math.round(attempt.score * 100) / 100 + " of " + attempt.max : "") + ")"));
        list.appendChild(item);
      });
      app.appendChild(list);
      var extra = (CP.concepts || []).filter(function (c) { return due.indexOf("concept:" + c.id) < 0; });
      if (extra.length) {
        app.appendChild(el("h2", null, "A concept question to practise"));
        app.appendChild(el("p", null, "Write your answer (it is kept in this browser), then compare it with the " +
          "model answer and mark it; what you mark \u201cpartly\u201d or \u201cnot yet\u201d comes back here."));
        var practise = el("ul", "practice-review-list");
        practise.appendChild(conceptItem(extra[Math.floor(Math.random() * extra.length)], doc, function (score) {
          return score === 1 ? "Well done." : "It will come back here.";
        }));
        app.appendChild(practise);
      }
      CP.typeset(app);
    }
    CP.loadScript(folder + "concepts.js").catch(function () {}).then(show);
  };
})(typeof window !== "undefined" ? window : globalThis);
