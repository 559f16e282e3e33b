/* Starts the practice apps of a page once every script has loaded (Jupyter Book adds them in no fixed order):
   <div class="practice-app" data-practice-app="mock|review|progress"> and the index's progress slots. */
(function (root) {
  "use strict";
  function start() {
    var CP = root.CoursePractice;
    document.querySelectorAll("div.practice-app[data-practice-app]").forEach(function (app) {
      var name = app.getAttribute("data-practice-app");
      if (CP.apps && CP.apps[name]) { CP.apps[name](app); }
    });
    if (CP.fillProgressSlots) { CP.fillProgressSlots(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(typeof window !== "undefined" ? window : globalThis);
