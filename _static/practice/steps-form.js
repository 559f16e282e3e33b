/* One labelled input per asked step, grouped by the problem's parts, and the verdicts in text and icon.
   Inputs are type="text" with inputmode="text": inputmode="decimal" or "numeric" opens a phone keypad that has
   no minus sign on iOS, and type="number" refuses 1/3 and 0,5. The text keyboard types every accepted form. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  var counter = 0;

  function plainLabel(step) {
    var span = document.createElement("span");
    span.innerHTML = step.label_html;
    return span.textContent;
  }

  var VERDICT_TEXT = {
    right: "\u2713 right",
    following: "\u2713 right, following through from your ",
    wrong: "\u2717 wrong",
    unreadable: "? cannot read this as a number",
    blank: ""
  };

  /** Build the inputs of problem's asked steps; returns {element, typed(), show(results), lock(), focusFirst()}. */
  CP.buildStepsForm = function (problem) {
    counter += 1;
    var prefix = "practice-" + counter + "-";
    var element = document.createElement("div");
    element.className = "practice-steps";
    var inputs = {}, verdicts = {}, labels = {}, fieldsets = {};
    problem.steps.forEach(function (step, index) {
      if (!(step.name in problem.answers)) {
        return;  // not asked for this variant
      }
      labels[step.name] = plainLabel(step);
      var part = step.part || 1;
      if (!fieldsets[part]) {
        fieldsets[part] = document.createElement("fieldset");
        fieldsets[part].className = "practice-part";
        var legend = document.createElement("legend");
        legend.textContent = "Part " + part;
        fieldsets[part].appendChild(legend);
        element.appendChild(fieldsets[part]);
      }
      var row = document.createElement("div");
      row.className = "practice-step";
      var id = prefix + index;
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.innerHTML = step.label_html;
      var input = document.createElement("input");
      input.type = "text";
      input.id = id;
      input.setAttribute("inputmode", "text");
      input.setAttribute("autocomplete", "off");
      input.setAttribute("autocapitalize", "off");
      input.setAttribute("spellcheck", "false");
      input.setAttribute("aria-label", step.aria);
      input.setAttribute("aria-describedby", id + "-verdict");
      input.dataset.step = step.name;
      var verdict = document.createElement("span");
      verdict.className = "practice-verdict";
      verdict.id = id + "-verdict";
      row.appendChild(label);
      row.appendChild(input);
      row.appendChild(verdict);
      fieldsets[part].appendChild(row);
      inputs[step.name] = input;
      verdicts[step.name] = verdict;
    });
    return {
      element: element,
      typed: function () {
        var typed = {};
        Object.keys(inputs).forEach(function (name) { typed[name] = inputs[name].value; });
        return typed;
      },
      show: function (results) {
        Object.keys(results).forEach(function (name) {
          var result = results[name], verdict = verdicts[name];
          var text = VERDICT_TEXT[result.verdict];
          if (result.verdict === "following") {
            text += result.from.map(function (used) { return labels[used] || used; }).join(" and ");
          }
          if (result.hint) {
            text += ": " + result.hint;
          }
          verdict.textContent = text;
          verdict.className = "practice-verdict practice-verdict-" + result.verdict;
          inputs[name].setAttribute("aria-invalid", result.verdict === "wrong" ? "true" : "false");
        });
      },
      lock: function () {
        Object.keys(inputs).forEach(function (name) { inputs[name].readOnly = true; });
      },
      focusFirst: function () {
        var names = Object.keys(inputs);
        if (names.length) { inputs[names[0]].focus(); }
      }
    };
  };

  /** "5 of 7 right (2 following through), 1 cannot be read" for the live region. */
  CP.summarise = function (results) {
    var count = { right: 0, following: 0, wrong: 0, unreadable: 0, blank: 0 };
    Object.keys(results).forEach(function (name) { count[results[name].verdict] += 1; });
    var asked = Object.keys(results).length;
    var text = (count.right + count.following) + " of " + asked + " right";
    if (count.following) { text += " (" + count.following + " following through)"; }
    if (count.unreadable) { text += ", " + count.unreadable + " cannot be read as a number"; }
    if (count.blank) { text += ", " + count.blank + " left blank"; }
    return text + ".";
  };
})(typeof window !== "undefined" ? window : globalThis);
