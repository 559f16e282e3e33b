"""Answers behind a choice, and pages that say what this build holds (issue 22).

* **One wording, switched by the build.** The pages that speak of answers (the introduction, the
  Exercises index, the sample exam) say it through MyST substitutions, ``{{ chapter_solutions }}``
  and the others in ``WORDING`` below. Each has two texts: the full site's, where the answers are
  in the pages, and the students' site's (``COURSE_HIDE_SOLUTIONS=1``, ``make book-students``),
  where grader.sphinx_ext leaves the solutions, the exercise pages' answers and the key out. The
  switch is grader.sphinx_ext's own ``solutions_hidden``, so the wording and what the build holds
  cannot disagree. (tests/built/test_answer_wording.py reads both built sites.)
* **Folded answers on the full site.** An exercise page's answer cell (tagged ``solution``, and
  ``hide-input`` in the master notebooks) folded only its code: its output, the answer's value
  ("3.35"), showed below "Show code cell source". On the full site each answer cell is folded
  whole, code and output, behind "Show the answer (code and output)". On the students' site the
  cell holds the stub and no output (grader.sphinx_ext) and is left as it is.
"""

from docutils import nodes

from grader.sphinx_ext import solutions_hidden

# name -> (the full site's text, the students' site's text); MyST Markdown, inline
WORDING = {
    "chapter_solutions": (
        "each ends with the exam points and exercises whose solutions are folded away: open one after "
        "you have tried the exercise",
        "each ends with the exam points and exercises; this build of the course leaves their solutions "
        "out (your teacher has them)",
    ),
    "exercise_pages_hold": (
        "The pages below are the *master* notebooks: each answer is in a collapsed cell (click it to show "
        "the answer's code and output), so try the question before you look.",
        "The pages below are the exercise sets without their answers (this build of the course leaves "
        "them out): each answer cell holds the line `raise NotImplementedError(...)` that you replace, "
        "as in the student version.",
    ),
    "exam_key_pointer": (
        "Its answers are on the page {ref}`exam-sample-key`; try the exam first,",
        "Its answer key is not published in this build of the course (your teacher has it); try the exam",
    ),
}

ANSWER_PROMPT_SHOW = "Show the answer (code and output)"
ANSWER_PROMPT_HIDE = "Hide the answer"


def wording(config):
    """The substitutions for this build: the students' texts when solutions are left out."""
    hidden = solutions_hidden(config)
    return {name: texts[1] if hidden else texts[0] for name, texts in WORDING.items()}


def _set_wording(app, config):
    substitutions = dict(getattr(config, "myst_substitutions", None) or {})
    substitutions.update(wording(config))
    config.myst_substitutions = substitutions


def fold_answer_cells(app, doctree):
    """On the full site, fold each answer cell of an exercise page whole (code and output)."""
    if solutions_hidden(app.config) or not app.env.docname.startswith("exercises/"):
        return
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") == "cell_code" and "tag_solution" in cell.get("classes", []):
            cell["hide_mode"] = "all"
            cell["prompt_show"] = ANSWER_PROMPT_SHOW
            cell["prompt_hide"] = ANSWER_PROMPT_HIDE


def setup(app):
    app.connect("config-inited", _set_wording, priority=950)  # after grader.sphinx_ext's configure (900)
    app.connect("doctree-read", fold_answer_cells, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
