"""Sphinx directive ``quiz``: a self-check quiz that works on the static site, no kernel.

A chapter gets one markdown cell (``scripts/add_quizzes.py`` appends it)::

    ## Self-check quiz

    ```{quiz} 02_regression_losses
    ```

The argument names ``quizzes/<name>.yml`` (relative to the book root). The directive renders
the questions, options, per-option feedback and explanations as ordinary HTML (MyST markdown
and math allowed in every text), and ``_static/quiz.js`` turns the options into buttons that
give immediate feedback. Without JavaScript (or on paper) everything stays readable.

The YAML format, checked by ``load_quiz`` (and by ``tests/test_exam_quizzes.py``)::

    questions:
      - question: "text (MyST markdown)"
        options:
          - {text: "...", correct: true, feedback: "why it is right"}
          - {text: "...", feedback: "why it is wrong"}
        explanation: "shown once the right option is chosen (optional)"
        verify: {expr: "python expression using nnlib", value: 2.5}   # optional, for the tests
"""

from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

QUIZ_DIR = "quizzes"
LETTERS = "ABCDEFGH"


def load_quiz(path):
    """Read and validate one quiz file; raise ``ValueError`` naming the file and the problem."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        raise ValueError(f"{path}: expected a mapping with a non-empty list 'questions'")
    for number, question in enumerate(data["questions"], start=1):
        where = f"{path}, question {number}"
        if not isinstance(question, dict) or not str(question.get("question", "")).strip():
            raise ValueError(f"{where}: expected a mapping with a non-empty 'question'")
        options = question.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= len(LETTERS):
            raise ValueError(f"{where}: expected 2 to {len(LETTERS)} 'options'")
        if any(not isinstance(option, dict) or "text" not in option for option in options):
            raise ValueError(f"{where}: every option needs a 'text'")
        n_correct = sum(option.get("correct") is True for option in options)
        if n_correct != 1:
            raise ValueError(f"{where}: expected exactly one option with 'correct: true', found {n_correct}")
        unknown = set(question) - {"question", "options", "explanation", "verify"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    return data


class QuizDirective(SphinxDirective):
    """Render ``quizzes/<argument>.yml`` as an interactive self-check quiz."""

    required_arguments = 1
    has_content = False

    def run(self):
        name = self.arguments[0].removesuffix(".yml")
        path = Path(self.env.srcdir) / QUIZ_DIR / f"{name}.yml"
        self.env.note_dependency(str(path))
        try:
            quiz = load_quiz(path)
        except (OSError, ValueError, yaml.YAMLError) as error:
            raise self.error(f"quiz {name!r}: {error}") from error

        container = nodes.container(classes=["quiz"], ids=[f"quiz-{name.replace('_', '-')}"])
        hint = "Choose an answer: the page tells you at once whether it is right. Nothing is recorded."
        container += nodes.paragraph(text=hint, classes=["quiz-hint"])
        for number, question in enumerate(quiz["questions"], start=1):
            container += self._question(number, question)
        return [container]

    def _markdown(self, text, classes):
        """Parse ``text`` as MyST markdown into a container with ``classes``."""
        box = nodes.container(classes=classes)
        lines = StringList(str(text).strip().splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, box)
        return box

    def _question(self, number, question):
        box = nodes.container(classes=["quiz-question"])
        prompt = self._markdown(f"**Question {number}.** {question['question']}", ["quiz-prompt"])
        box += prompt
        options = nodes.container(classes=["quiz-options"])
        for letter, option in zip(LETTERS, question["options"], strict=False):
            classes = ["quiz-option"] + (["quiz-correct"] if option.get("correct") else [])
            item = self._markdown(f"**{letter}.** {option['text']}", classes)
            if option.get("feedback"):
                item += self._markdown(option["feedback"], ["quiz-feedback"])
            options += item
        box += options
        if question.get("explanation"):
            box += self._markdown(question["explanation"], ["quiz-explanation"])
        return box


def setup(app):
    app.add_directive("quiz", QuizDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
