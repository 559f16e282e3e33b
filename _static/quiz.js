/* Self-check quizzes (_ext/quiz.py renders them): immediate feedback, no kernel, no network.
   Each option starts with a real <button> (its letter), so Tab reaches it and Enter or Space
   chooses it; a click anywhere on the option chooses it too. The option order on the page is
   fixed at build time by _ext/quiz.py (a hash shuffle); whether an option is right is read from
   its class, quiz-correct, never from its position. A wrong choice shows why it is wrong and lets
   you try again; the right one shows why it is right and the explanation. The first choice of each question
   is recorded in this browser's progress (_static/practice/store.js, when the page has it), so a question
   answered wrongly comes back on the practice review page; nothing is sent anywhere. */
(function () {
  "use strict";

  /** Keep the first choice of a question in the course progress (the store is loaded on quiz pages). */
  function recordFirstChoice(question, correct) {
    var practice = window.CoursePractice;
    if (question.dataset.quizRecorded || !practice || !practice.store || !practice.toRoot) {
      return;
    }
    question.dataset.quizRecorded = "true";
    var questions = Array.prototype.slice.call(document.querySelectorAll(".quiz-question"));
    var page = practice.toRoot(window.location.pathname.split("/").pop() || "index.html");
    var heading = document.querySelector("h1");
    var chapter = heading ? heading.textContent.replace(/#$/, "").trim() : page;
    practice.store.record({ kind: "quiz", id: page + "#q" + (questions.indexOf(question) + 1), title: chapter,
      chapter: chapter, href: page, page: page, score: correct ? 1 : 0, max: 1 },
    "quiz:" + page + "#q" + (questions.indexOf(question) + 1));
  }

  function choose(question, option) {
    var correct = option.classList.contains("quiz-correct");
    recordFirstChoice(question, correct);
    option.classList.add(correct ? "quiz-chosen-right" : "quiz-chosen-wrong");
    var button = option.querySelector("button.quiz-choose");
    if (button) {
      button.setAttribute("aria-pressed", "true");
    }
    var status = question.querySelector(".quiz-status");
    status.textContent = correct ? "Correct!" : "Not quite: try again.";
    status.className = "quiz-status " + (correct ? "quiz-status-right" : "quiz-status-wrong");
    if (correct) {
      question.classList.add("quiz-solved");
    }
  }

  function setUpQuestion(question) {
    var status = document.createElement("p");
    status.className = "quiz-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    question.querySelector(".quiz-options").after(status);
    question.querySelectorAll(".quiz-option").forEach(function (option) {
      var button = option.querySelector("button.quiz-choose");
      if (button) {
        button.setAttribute("aria-pressed", "false");
      }
      // One listener on the option: a click on its text, or on its button (which a keyboard's
      // Enter or Space also clicks), bubbles up to here.
      option.addEventListener("click", function (event) {
        if (event.target.closest("a")) {
          return; // a link inside an option (a glossary term) still works as a link
        }
        choose(question, option);
      });
    });
  }

  function setUp() {
    document.querySelectorAll("div.quiz").forEach(function (quiz) {
      quiz.querySelectorAll(".quiz-question").forEach(setUpQuestion);
      quiz.classList.add("quiz-ready");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
