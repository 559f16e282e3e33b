/* The progress page (practice/progress.html): per chapter, what was practised and how it went, with a small
   SVG chart (one bar per recent attempt, its height the share of points); export, import and reset of the
   progress file. Also fills the index's progress slot of each problem type. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  var SVG = "http://www.w3.org/2000/svg";
  var RECENT = 12;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function percent(score, max) { return max ? Math.round(100 * score / max) : 0; }

  /** A bar chart of the recent attempts' shares, with a text alternative. */
  function chart(attempts) {
    var recent = attempts.slice(-RECENT), width = 24 * RECENT, height = 60;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("class", "practice-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Your last " + recent.length + " attempts, oldest first: " +
      recent.map(function (a) { return percent(a.score, a.max) + "%"; }).join(", "));
    recent.forEach(function (attempt, index) {
      var share = attempt.max ? attempt.score / attempt.max : 0;
      var bg = document.createElementNS(SVG, "rect");
      bg.setAttribute("class", "bar-bg");
      bg.setAttribute("x", String(index * 24 + 2));
      bg.setAttribute("y", "0");
      bg.setAttribute("width", "20");
      bg.setAttribute("height", String(height));
      svg.appendChild(bg);
      var bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("class", "bar");
      bar.setAttribute("x", String(index * 24 + 2));
      bar.setAttribute("y", String(height - share * height));
      bar.setAttribute("width", "20");
      bar.setAttribute("height", String(share * height));
      svg.appendChild(bar);
    });
    return svg;
  }

  function byChapter(attempts) {
    var chapters = {};
    attempts.forEach(function (attempt) {
      var key = attempt.chapter || "Other";
      chapters[key] = chapters[key] || [];
      chapters[key].push(attempt);
    });
    return chapters;
  }

  function show(app) {
    var doc = CP.store.load();
    app.innerHTML = "";
    var notice = CP.storageNotice();
    if (notice) { app.appendChild(notice); }
    app.appendChild(el("p", null, "Stored under the key " + CP.PROGRESS_KEY + " of this browser's localStorage."));
    var status = el("p", "practice-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var chapters = byChapter(doc.attempts);
    var titles = Object.keys(chapters);
    if (!titles.length) {
      app.appendChild(el("p", null, "Nothing practised yet."));
    }
    titles.forEach(function (title) {
      var attempts = chapters[title];
      var section = el("section", "practice-progress-chapter");
      var heading = el("h2");
      var last = attempts[attempts.length - 1];
      if (last.href) {
        var link = el("a", null, title);
        link.href = CP.fromRoot(last.href);
        heading.appendChild(link);
      } else {
        heading.textContent = title;
      }
      section.appendChild(heading);
      var kinds = {};
      attempts.forEach(function (a) { kinds[a.kind] = (kinds[a.kind] || 0) + 1; });
      var score = attempts.reduce(function (s, a) { return s + a.score; }, 0);
      var max = attempts.reduce(function (s, a) { return s + a.max; }, 0);
      section.appendChild(el("p", null, attempts.length + (attempts.length === 1 ? " attempt (" : " attempts (") + Object.keys(kinds).map(function (k) {
        return kinds[k] + " " + k;
      }).join(", ") + "), " + percent(score, max) + "% of the points."));
      section.appendChild(el("p", "practice-chart-caption", "Your last " + Math.min(RECENT, attempts.length) +
        " attempts, oldest first; each bar's height is the share of the points:"));
      section.appendChild(chart(attempts));
      app.appendChild(section);
    });
    var due = CP.leitner.dueItems(doc.review, Date.now()).length;
    var dueLine = el("p", null, due + (due === 1 ? " item is" : " items are") + " due on the ");
    var reviewLink = el("a", null, "review page");
    reviewLink.href = "review.html";
    dueLine.appendChild(reviewLink);
    dueLine.appendChild(document.createTextNode("."));
    app.appendChild(dueLine);

    var actions = el("div", "practice-actions");
    var exportButton = el("button", "practice-button", "Export progress (JSON file)");
    exportButton.type = "button";
    exportButton.addEventListener("click", function () {
      var link = el("a");
      link.href = URL.createObjectURL(new Blob([CP.store.exportText()], { type: "application/json" }));
      link.download = "course-progress.json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      status.textContent = "Exported as course-progress.json.";
    });
    var importLabel = el("label", "practice-import-label", "Import progress (a JSON file you exported):");
    var importInput = document.createElement("input");
    importInput.type = "file";
    importInput.accept = "application/json,.json";
    importInput.id = "practice-import";
    importLabel.setAttribute("for", importInput.id);
    importInput.addEventListener("change", function () {
      var file = importInput.files[0];
      if (!file) { return; }
      file.text().then(function (text) {
        if (!root.confirm("Replace the progress in this browser with the file's?")) { return; }
        var reason = CP.store.importText(text);
        show(app);
        app.querySelector(".practice-status").textContent = reason ? "Not imported: " + reason + "." :
          "Imported.";
      });
    });
    var reset = el("button", "practice-button", "Reset progress");
    reset.type = "button";
    reset.addEventListener("click", function () {
      if (root.confirm("Delete all your progress in this browser? This cannot be undone.")) {
        CP.store.reset();
        show(app);
        app.querySelector(".practice-status").textContent = "Progress reset.";
      }
    });
    actions.appendChild(exportButton);
    actions.appendChild(reset);
    app.appendChild(actions);
    var importRow = el("p", "practice-import");
    importRow.appendChild(importLabel);
    importRow.appendChild(document.createTextNode(" "));
    importRow.appendChild(importInput);
    app.appendChild(importRow);
    app.appendChild(status);
  }

  /** The index's slot after each type's link: how often it was practised and the last result. */
  function fillSlots() {
    var doc = CP.store.load();
    document.querySelectorAll(".practice-progress[data-practice-type]").forEach(function (slot) {
      var type = slot.getAttribute("data-practice-type");
      var attempts = doc.attempts.filter(function (a) { return a.kind === "problem" && a.id === type; });
      if (!attempts.length) { slot.textContent = "(not practised yet)"; return; }
      var last = attempts[attempts.length - 1];
      slot.textContent = "(practised " + attempts.length + (attempts.length === 1 ? " time" : " times") +
        "; last: " + percent(last.score, last.max) + "% right)";
    });
  }

  CP.apps = CP.apps || {};
  CP.apps.progress = show;
  CP.fillProgressSlots = fillSlots;
})(typeof window !== "undefined" ? window : globalThis);
