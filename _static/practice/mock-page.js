/* The timed mock exam (practice/mock.html#paper=7): the paper drawn as `make practice SEED=7` draws it.
   The countdown starts when the paper is shown; at zero, or on "Hand in", every numeric part is scored with
   follow-through: a problem earns its points times the share of its asked steps that are right or follow
   through. The concept parts are then self-marked (got it: full points, partly: half, not yet: none), and
   the page shows the total, the time used, the score per chapter and the key. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  var SELF_MARKS = [["got it", 1], ["partly", 0.5], ["not yet", 0]];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function clock(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    return minutes + ":" + String(seconds % 60).padStart(2, "0");
  }

  function points(value) {
    return String(Math.round(value * 100) / 100);
  }

  function paperFromHash(list) {
    var match = /^#paper=(\d+)$/.exec(root.location.hash);
    var n = match ? Number(match[1]) : list[0];
    return list.indexOf(n) >= 0 ? { n: n, missing: null } : { n: list[0], missing: n };
  }

  function render(app, paper, missing) {
    app.innerHTML = "";
    var notice = CP.storageNotice();
    if (notice) { app.appendChild(notice); }
    if (missing !== null) {
      app.appendChild(el("p", "practice-notice", "There is no mock paper " + missing + "; here is paper " +
        paper.number + "."));
    }
    var heading = el("h2", null, "Mock paper " + paper.number + ": " + paper.points + " points, " +
      paper.minutes + " minutes");
    heading.tabIndex = -1;
    app.appendChild(heading);
    app.appendChild(el("p", null, "The clock has started. Hand in when you are done; at zero the paper is handed " +
      "in for you. " + CP.TOLERANCE_TEXT + " A problem earns its points times the share of its answers that are " +
      "right or follow through from your own earlier numbers. Nothing you type leaves this browser."));
    var timer = el("p", "practice-timer");
    timer.setAttribute("role", "timer");
    app.appendChild(timer);
    var announce = el("p", "practice-status");
    announce.setAttribute("role", "status");
    announce.setAttribute("aria-live", "polite");
    app.appendChild(announce);

    var forms = paper.problems.map(function (problem, index) {
      var section = el("section", "practice-mock-problem");
      section.appendChild(el("h3", null, "Problem " + (index + 1) + ": " + problem.title + " (" + problem.points +
        " points)"));
      var statement = el("div", "practice-statement");
      statement.innerHTML = problem.statement_html;
      section.appendChild(statement);
      var steps = CP.buildStepsForm(problem);
      section.appendChild(steps.element);
      app.appendChild(section);
      return steps;
    });
    var answers = paper.concepts.map(function (concept, index) {
      var section = el("section", "practice-mock-concept");
      section.appendChild(el("h3", null, "Concept question " + (index + 1) + " (" + concept.points + " points)"));
      var question = el("div", "practice-statement");
      question.innerHTML = concept.question_html;
      section.appendChild(question);
      var label = el("label", null, "Your answer to concept question " + (index + 1));
      var box = document.createElement("textarea");
      box.id = "practice-concept-" + index;
      label.setAttribute("for", box.id);
      if (CP.store) {  // kept as it is typed: a reload during the mock finds it again
        var answerId = CP.mockAnswerId(paper.number, concept.id);
        box.value = CP.store.answer(answerId);
        box.addEventListener("input", function () { CP.store.keepAnswer(answerId, box.value); });
      }
      section.appendChild(label);
      section.appendChild(box);
      app.appendChild(section);
      return { section: section, box: box };
    });
    var actions = el("div", "practice-actions");
    var handIn = el("button", "practice-button", "Hand in");
    handIn.type = "button";
    var another = el("button", "practice-button", "New paper");
    another.type = "button";
    actions.appendChild(handIn);
    actions.appendChild(another);
    app.appendChild(actions);
    var results = el("section", "practice-results");
    app.appendChild(results);

    var started = Date.now(), deadline = started + paper.minutes * 60 * 1000, handedIn = false, warned = {};
    function tick() {
      var left = deadline - Date.now();
      timer.textContent = "Time left: " + clock(left);
      [10, 1].forEach(function (minutes) {
        if (left <= minutes * 60000 && left > 0 && !warned[minutes]) {
          warned[minutes] = true;
          announce.textContent = minutes + (minutes === 1 ? " minute" : " minutes") + " left.";
        }
      });
      if (left <= 0) { hand(); }
    }
    var interval = root.setInterval(tick, 1000);
    tick();

    function hand() {
      if (handedIn) { return; }
      handedIn = true;
      root.clearInterval(interval);
      var used = Math.min(Date.now(), deadline) - started;
      timer.textContent = "Handed in after " + clock(used) + " of " + paper.minutes + ":00.";
      handIn.disabled = true;
      var perChapter = {}, numeric = 0, numericMax = 0;
      function add(chapter, score, max) {
        var key = chapter.title;
        perChapter[key] = perChapter[key] || { href: chapter.href, score: 0, max: 0, concepts: 0 };
        perChapter[key].score += score;
        perChapter[key].max += max;
      }
      paper.problems.forEach(function (problem, index) {
        var checked = CP.checkSteps(problem, forms[index].typed());
        forms[index].show(checked);
        forms[index].lock();
        var score = problem.points * CP.scoreFraction(checked);
        numeric += score;
        numericMax += problem.points;
        add(problem.chapter, score, problem.points);
        if (CP.store) {
          CP.store.record({ kind: "problem", id: problem.type, title: problem.title, chapter: problem.chapter.title,
            href: CP.toRoot(problem.chapter.href), page: CP.toRoot(problem.type + ".html"), score: score,
            max: problem.points }, "problem:" + problem.type);
        }
      });
      var marks = paper.concepts.map(function () { return null; });
      answers.forEach(function (answer, index) {
        var concept = paper.concepts[index];
        answer.box.readOnly = true;
        var model = el("div", "practice-worked");
        model.innerHTML = "<h4>Model answer</h4>" + concept.answer_html;
        answer.section.appendChild(model);
        var fieldset = el("fieldset", "practice-selfmark");
        fieldset.appendChild(el("legend", null, "Mark your answer to concept question " + (index + 1)));
        SELF_MARKS.forEach(function (mark) {
          var label = el("label");
          var radio = document.createElement("input");
          radio.type = "radio";
          radio.name = "practice-selfmark-" + index;
          radio.value = String(mark[1]);
          radio.addEventListener("change", function () {
            var first = marks[index] === null;
            marks[index] = mark[1];
            if (first && CP.store) {
              CP.store.record({ kind: "concept", id: concept.id, title: "Concept question",
                chapter: concept.chapter.title, href: CP.toRoot(concept.chapter.href), score: mark[1], max: 1 },
              "concept:" + concept.id);
            }
            showTotal();
          });
          label.appendChild(radio);
          label.appendChild(document.createTextNode(" " + mark[0]));
          fieldset.appendChild(label);
        });
        answer.section.appendChild(fieldset);
      });

      function showTotal() {
        var conceptScore = 0, conceptMax = 0, marked = 0;
        var chapters = JSON.parse(JSON.stringify(perChapter));
        paper.concepts.forEach(function (concept, index) {
          conceptMax += concept.points;
          var key = concept.chapter.title;
          chapters[key] = chapters[key] || { href: concept.chapter.href, score: 0, max: 0 };
          chapters[key].max += concept.points;
          if (marks[index] !== null) {
            marked += 1;
            conceptScore += concept.points * marks[index];
            chapters[key].score += concept.points * marks[index];
          }
        });
        results.innerHTML = "";
        results.appendChild(el("h2", null, "Your result"));
        var total = el("p", "practice-total", "Total: " + points(numeric + conceptScore) + " of " + paper.points +
          " points. Numeric parts: " + points(numeric) + " of " + numericMax + "; concept parts: " +
          points(conceptScore) + " of " + conceptMax + " (" + marked + " of " + paper.concepts.length +
          " self-marked" + (marked < paper.concepts.length ? ": mark the rest above" : "") + ").");
        total.setAttribute("role", "status");
        results.appendChild(total);
        results.appendChild(el("p", "practice-time-used", "Time used: " + clock(used) + "."));
        var wrap = el("div", "practice-table-wrap");
        var table = el("table", "table");
        table.innerHTML = "<caption>Score per chapter</caption><thead><tr><th scope=\"col\">Chapter</th>" +
          "<th scope=\"col\">Points</th></tr></thead>";
        var body = el("tbody");
        Object.keys(chapters).forEach(function (title) {
          var row = el("tr"), cell = el("td"), link = el("a", null, title);
          link.href = chapters[title].href;
          cell.appendChild(link);
          row.appendChild(cell);
          row.appendChild(el("td", null, points(chapters[title].score) + " of " + points(chapters[title].max)));
          body.appendChild(row);
        });
        table.appendChild(body);
        wrap.appendChild(table);
        results.appendChild(wrap);
        var key = el("details", "practice-key");
        key.appendChild(el("summary", null, "The key of paper " + paper.number));
        paper.problems.forEach(function (problem, index) {
          var part = el("div", "practice-worked");
          part.innerHTML = "<h3>Problem " + (index + 1) + ": " + problem.title + "</h3>" + problem.solution_html;
          key.appendChild(part);
        });
        results.appendChild(key);
        CP.typeset(key);
        if (CP.store && marked === paper.concepts.length && !results.dataset.recorded) {
          results.dataset.recorded = "true";
          CP.store.record({ kind: "mock", id: "paper-" + paper.number, title: "Mock paper " + paper.number,
            chapter: "Mock exams", href: CP.toRoot("mock.html#paper=" + paper.number),
            score: numeric + conceptScore, max: paper.points, seconds: Math.round(used / 1000) });
        }
      }
      showTotal();
      CP.typeset(app);
      heading.focus();
    }
    handIn.addEventListener("click", hand);
    another.addEventListener("click", function () {
      if (!handedIn && !root.confirm("Leave this paper without handing it in?")) { return; }
      var others = CP.paperList.filter(function (n) { return n !== paper.number; });
      root.location.hash = "paper=" + others[Math.floor(Math.random() * others.length)];
    });
    CP.typeset(app);
    return { stop: function () { handedIn = true; root.clearInterval(interval); }, heading: heading };
  }

  CP.apps = CP.apps || {};
  CP.apps.mock = function (app) {
    var folder = app.getAttribute("data-practice-papers") || "papers/";
    var current = null;
    function show() {
      var chosen = paperFromHash(CP.paperList);
      return CP.loadScript(folder + chosen.n + ".js").then(function () {
        if (current) { current.stop(); }
        current = render(app, CP.papers[chosen.n], chosen.missing);
        return current;
      });
    }
    CP.loadScript(folder + "index.js").then(show).then(function () {
      root.addEventListener("hashchange", function () {
        show().then(function (shown) { shown.heading.focus(); });
      });
    }).catch(function () {
      app.textContent = "The mock papers could not be loaded.";
    });
  };
})(typeof window !== "undefined" ? window : globalThis);
