"""Sphinx directive ``quiz``: a self-check quiz that works on the static site, no kernel.

A chapter gets one markdown cell (``scripts/add_quizzes.py`` appends it)::

    ## Self-check quiz

    ```{quiz} 02_regression_losses
    ```

The argument names ``quizzes/<name>.yml`` (relative to the book root). The directive renders
the questions, options, per-option feedback and explanations as ordinary HTML (MyST markdown
and math allowed in every text); each option starts with a real ``<button>`` (its letter, labelled
by the option's text), so Tab reaches every option and Enter or Space chooses it, and
``_static/quiz.js`` gives immediate feedback. Without JavaScript (or on paper) everything stays
readable.

The options are shown in a fixed shuffled order (:func:`option_order`): the position of the right
answer carries no information, and every build shows the same order. Write the right option
anywhere in the YAML file; its place on the page comes from a hash of the quiz name, the question
and the option texts.

The YAML format, checked by ``load_quiz`` (and by ``tests/test_exam_quizzes.py``)::

    questions:
      - question: "text (MyST markdown)"
        options:
          - {text: "...", correct: true, feedback: "why it is right"}
          - {text: "...", feedback: "why it is wrong"}
        explanation: "shown once the right option is chosen (optional)"
        verify: {expr: "python expression using nnlib", value: 2.5}   # optional, for the tests
"""

import hashlib
import html
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


def option_order(quiz_name, question):
    """The indices of ``question["options"]`` in the order the page shows them.

    Sorted by the SHA-256 of the quiz name, the question text and the option text: deterministic
    (the same on every build, machine and Python version) and unrelated to the order in the YAML
    file, so that the right answer is not always in the first places.
    """
    def key(index):
        text = f"{quiz_name}\n{question['question']}\n{question['options'][index]['text']}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest(), index

    return sorted(range(len(question["options"])), key=key)


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

        anchor = f"quiz-{name.replace('_', '-')}"
        container = nodes.container(classes=["quiz"], ids=[anchor])
        hint = ("Choose an answer (click it, or Tab to its letter and press Enter or Space): the page "
                "tells you at once whether it is right. Nothing is recorded.")
        container += nodes.paragraph(text=hint, classes=["quiz-hint"])
        for number, question in enumerate(quiz["questions"], start=1):
            container += self._question(name, f"{anchor}-q{number}", number, question)
        return [container]

    def _markdown(self, text, classes):
        """Parse ``text`` as MyST markdown into a container with ``classes``."""
        box = nodes.container(classes=classes)
        lines = StringList(str(text).strip().splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, box)
        return box

    def _question(self, name, anchor, number, question):
        box = nodes.container(classes=["quiz-question"], ids=[anchor])
        prompt = self._markdown(f"**Question {number}.** {question['question']}", ["quiz-prompt"])
        box += prompt
        options = nodes.container(classes=["quiz-options"])
        for letter, index in zip(LETTERS, option_order(name, question), strict=False):
            option = question["options"][index]
            classes = ["quiz-option"] + (["quiz-correct"] if option.get("correct") else [])
            item = nodes.container(classes=classes)
            text_id = f"{anchor}-{letter.lower()}"
            button = (f'<button type="button" class="quiz-choose" aria-describedby="{text_id}" '
                      f'aria-label="{html.escape(f"Option {letter}")}">{letter}</button>')
            item += nodes.raw("", button, format="html")
            body = nodes.container(classes=["quiz-option-body"])
            text = self._markdown(option["text"], ["quiz-option-text"])
            text["ids"].append(text_id)
            body += text
            if option.get("feedback"):
                body += self._markdown(option["feedback"], ["quiz-feedback"])
            item += body
            options += item
        box += options
        if question.get("explanation"):
            box += self._markdown(question["explanation"], ["quiz-explanation"])
        return box


def setup(app):
    app.add_directive("quiz", QuizDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
