/* A problem type's page (practice/<type>.html): builds the interactive form over the static one (which stays
   for readers without JavaScript and for print). The variant is in the address, #<type>-17; "New numbers"
   draws another and changes the address. Check (or Enter in any input) marks every filled step. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};

  function variantFromHash(data) {
    var match = new RegExp("^#" + data.type + "-(\\d+)$").exec(root.location.hash);
    if (!match) { return { variant: data.variants[0], missing: null }; }
    var n = Number(match[1]);
    var found = data.variants.filter(function (v) { return v.n === n; })[0];
    return found ? { variant: found, missing: null } : { variant: data.variants[0], missing: n };
  }

  function button(text, type) {
    var b = document.createElement("button");
    b.type = type || "button";
    b.className = "practice-button";
    b.textContent = text;
    return b;
  }

  /** Show the variant the address names, once its text (data/<type>/<n>.js) has loaded. */
  function render(container, live, data) {
    var chosen = variantFromHash(data);
    return CP.loadVariantText(container.getAttribute("data-practice-src"), data.type, chosen.variant.n)
      .then(function (text) { return build(live, data, chosen, text); });
  }

  function build(live, data, chosen, text) {
    var variant = chosen.variant;
    var problem = { steps: data.steps, mistakes: data.mistakes, givens: variant.givens, answers: variant.answers,
      functions: data.functions, mistakeFunctions: data.mistakeFunctions };
    live.innerHTML = "";
    if (chosen.missing !== null) {
      var missing = document.createElement("p");
      missing.className = "practice-notice";
      missing.textContent = "There is no variant " + chosen.missing + " of this problem; here is variant " +
        variant.n + ".";
      live.appendChild(missing);
    }
    var heading = document.createElement("p");
    heading.className = "practice-variant";
    heading.tabIndex = -1;
    heading.textContent = "Variant " + variant.n + " of " + data.variants.length + " (" + data.points +
      " points, about " + data.minutes + " minutes). Its address: #" + data.type + "-" + variant.n;
    live.appendChild(heading);
    var statement = document.createElement("div");
    statement.className = "practice-statement";
    statement.innerHTML = text.statement_html;
    live.appendChild(statement);
    var tolerance = document.createElement("p");
    tolerance.className = "practice-tolerance";
    tolerance.textContent = CP.TOLERANCE_TEXT + " Type numbers as 0.5, .5, -0.25, 1e-3, 0,5 or 1/3. " +
      "Check marks every filled answer; a later answer computed correctly from your own earlier numbers " +
      "counts as \u201cfollowing through\u201d.";
    live.appendChild(tolerance);
    var form = document.createElement("form");
    form.className = "practice-form";
    form.noValidate = true;
    var steps = CP.buildStepsForm(problem);
    form.appendChild(steps.element);
    var actions = document.createElement("div");
    actions.className = "practice-actions";
    var check = button("Check", "submit"), reveal = button("Show solution"), next = button("New numbers");
    actions.appendChild(check);
    actions.appendChild(reveal);
    actions.appendChild(next);
    form.appendChild(actions);
    var status = document.createElement("p");
    status.className = "practice-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);
    live.appendChild(form);
    var solution = document.createElement("div");
    solution.className = "practice-worked";
    solution.hidden = true;
    solution.innerHTML = "<h3>Worked solution (variant " + variant.n + ")</h3>" + text.solution_html;
    live.appendChild(solution);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var typed = steps.typed();
      var results = CP.checkSteps(problem, typed);
      steps.show(results);
      status.textContent = CP.summarise(results);
      var filled = Object.keys(typed).some(function (name) { return typed[name].trim() !== ""; });
      if (filled && CP.store) {
        var asked = Object.keys(results).length;
        CP.store.record({ kind: "problem", id: data.type, n: variant.n, title: data.title,
          chapter: data.chapter.title, href: CP.toRoot(data.chapter.href),
          page: CP.toRoot(data.type + ".html"), score: Math.round(CP.scoreFraction(results) * asked), max: asked },
        "problem:" + data.type);
      }
    });
    reveal.addEventListener("click", function () {
      solution.hidden = !solution.hidden;
      reveal.textContent = solution.hidden ? "Show solution" : "Hide solution";
      reveal.setAttribute("aria-expanded", String(!solution.hidden));
      if (!solution.hidden) { CP.typeset(solution); }
    });
    reveal.setAttribute("aria-expanded", "false");
    next.addEventListener("click", function () {
      var others = data.variants.filter(function (v) { return v.n !== variant.n; });
      var pick = others[Math.floor(Math.random() * others.length)];
      root.location.hash = data.type + "-" + pick.n;  // the hashchange listener renders it
    });
    return CP.typeset(live).then(function () { return heading; });
  }

  function setUp(container) {
    var type = container.getAttribute("data-practice-type");
    var staticForm = document.createElement("div");
    staticForm.className = "practice-static";
    while (container.firstChild) { staticForm.appendChild(container.firstChild); }
    container.appendChild(staticForm);
    var live = document.createElement("div");
    live.className = "practice-live";
    container.insertBefore(live, staticForm);
    var notice = CP.storageNotice();
    if (notice) { container.insertBefore(notice, live); }
    CP.loadScript(container.getAttribute("data-practice-src")).then(function () {
      var data = CP.types[type];
      return render(container, live, data).then(function () {
        staticForm.hidden = true;  // print.css-like rule in practice.css shows it again on paper
        container.classList.add("practice-ready");
        root.addEventListener("hashchange", function () {
          render(container, live, data).then(function (heading) { heading.focus(); }, function () {
            live.textContent = "The numbers of this variant could not be loaded.";
          });
        });
      });
    }).catch(function () {
      live.textContent = "The numbers of this problem could not be loaded; the problem and its worked " +
        "solution below are still readable.";
    });
  }

  function setUpAll() {
    document.querySelectorAll("div.practice-problem[data-practice-type]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})(typeof window !== "undefined" ? window : globalThis);
