/* Where the build's data files land: practice/data/<type>.js, practice/data/<type>/<n>.js (a variant's text),
   practice/papers/<N>.js, practice/papers/index.js
   and practice/data/concepts.js each make one call below (format: exam/site_data.py). They are loaded with a
   <script> tag when needed (not fetch(): the site must work opened from disk). */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  CP.types = {};
  CP.papers = {};
  CP.paperList = null;
  CP.concepts = null;

  CP.register = function (data, functions, mistakeFunctions) {
    data.functions = functions;
    data.mistakeFunctions = mistakeFunctions || {};
    CP.types[data.type] = data;
  };
  CP.registerPaper = function (paper, functions, mistakeFunctions) {
    paper.problems.forEach(function (problem, index) {
      problem.functions = (functions || {})[String(index)] || {};
      problem.mistakeFunctions = (mistakeFunctions || {})[String(index)] || {};
    });
    CP.papers[paper.number] = paper;
  };
  CP.registerPaperList = function (numbers) { CP.paperList = numbers; };
  CP.variantTexts = {};
  CP.registerVariantText = function (type, n, text) { CP.variantTexts[type + "/" + n] = text; };
  CP.registerConcepts = function (concepts) { CP.concepts = concepts; };

  /** Load a data script once; resolves when it has run. */
  var loading = {};
  CP.loadScript = function (src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = function () { delete loading[src]; reject(new Error("could not load " + src)); };
        document.head.appendChild(script);
      });
    }
    return loading[src];
  };

  /** The statement and solution of variant n ({statement_html, solution_html}): data/<type>/<n>.js, beside the
      type's data file typeSrc (data/<type>.js), loaded when the variant is shown. */
  CP.loadVariantText = function (typeSrc, type, n) {
    var src = typeSrc.replace(/[^\/]*$/, "") + type + "/" + n + ".js";
    return CP.loadScript(src).then(function () { return CP.variantTexts[type + "/" + n]; });
  };

  /** A display formula (MathML, in div.practice-math) that scrolls sideways gets a tab stop, so a keyboard can
      scroll it (axe: scrollable-region-focusable). */
  CP.focusableScrollers = function (element) {
    element.querySelectorAll(".practice-math").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "formula, scrolls sideways");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  };

  if (typeof document !== "undefined") {
    root.addEventListener("resize", function () { CP.focusableScrollers(document); });
  }

  /** Stack wide tables on a phone, give a sideways-scrolling formula a tab stop, and typeset TeX math with MathJax
      where a page has it (the practice pages' math is MathML written at build time: they load no MathJax). */
  CP.typeset = function (element) {
    if (CP.stackTables) { CP.stackTables(element); }
    CP.focusableScrollers(element);
    var mathJax = root.MathJax;
    if (!mathJax || !mathJax.startup || !mathJax.startup.promise) {
      return Promise.resolve();
    }
    // MathJax may still be starting when the data arrive: typeset after its start-up.
    return mathJax.startup.promise.then(function () {
      return root.MathJax.typesetPromise([element]);
    }).catch(function () {});
  };

  /** A paragraph saying progress is not kept, when storage is unavailable. */
  CP.storageNotice = function () {
    if (CP.store && CP.store.persistent()) { return null; }
    var notice = document.createElement("p");
    notice.className = "practice-notice";
    notice.setAttribute("role", "note");
    notice.textContent = "Your browser does not let this page store data (a private window?): everything works " +
      "while the page is open, but your progress is not kept.";
    return notice;
  };
})(typeof window !== "undefined" ? window : globalThis);
