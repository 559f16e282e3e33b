"""The self-check quizzes (quizzes/*.yml): every file parses, every question has exactly one right
option, and every number a quiz claims is recomputed here with nnlib (its ``verify`` entry)."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlib.activations import sigmoid_derivative, softmax
from nnlib.data import DataLoader
from nnlib.losses import MSE, BinaryCrossEntropy, Hinge, Huber, KLDivergence
from nnlib.nn import Linear, Sequential, Sigmoid
from nnlib.optim import SGD, Adagrad, Adam
from nnlib.parameter import Parameter
from nnlib.schedules import CosineAnnealingLR, ExponentialLR, StepLR

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from quiz import load_quiz  # noqa: E402

CHAPTERS = [
    "01_loss_vs_cost", "02_regression_losses", "03_classification_losses", "04_margins_divergences",
    "05_choosing_a_loss", "06_optimization_basics", "07_gradient_descent_variants", "08_momentum_nesterov",
    "09_adaptive_methods", "10_lr_schedules", "11_chain_rule_neuron", "12_worked_example",
    "13_backprop_matrix_form", "14_training_cycle",
]
QUIZ_FILES = sorted((ROOT / "quizzes").glob("*.yml"))
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _steps(optimizer_class, start, gradients, **options):
    parameter = Parameter(np.array(start, dtype=float), "theta")
    optimizer = optimizer_class([parameter], **options)
    for gradient in gradients:
        parameter.grad[...] = gradient
        optimizer.step()
    return parameter.value


def sgd_steps(start, gradients, **options):
    return _steps(SGD, start, gradients, **options)


def adam_steps(start, gradients, **options):
    return _steps(Adam, start, gradients, **options)


def adagrad_steps(start, gradients, **options):
    return _steps(Adagrad, start, gradients, **options)


def schedule_lr(schedule_class, lr0, epoch, **options):
    schedule = schedule_class(SGD([Parameter([0.0], "theta")], lr=lr0), **options)
    for _ in range(epoch):
        schedule.step()
    return schedule.get_last_lr()[0]


def notes_network():
    """The exam notes' 2-2-1 example (section 10) through nnlib: forward, BCE, backward."""
    hidden = Linear(2, 2, weight=[[0.2, 0.4], [0.3, 0.1]], bias=[0.1, 0.2])
    output = Linear(2, 1, weight=[[0.7, 0.5]], bias=[0.3])
    model = Sequential(hidden, Sigmoid(), output, Sigmoid())
    x, y = np.array([[1.0, 0.0]]), np.array([[1.0]])
    y_hat = model.forward(x)
    loss = BinaryCrossEntropy()
    model.backward(loss.grad(y, y_hat))
    z_hidden = hidden.forward(x)
    return {"z1": z_hidden[0, 0], "z3": output.forward(model[1].forward(z_hidden))[0, 0],
            "loss": loss(y, y_hat), "dw21": hidden.weight.grad[0, 1]}


NAMESPACE = {
    "np": np, "MSE": MSE, "Huber": Huber, "BinaryCrossEntropy": BinaryCrossEntropy, "Hinge": Hinge,
    "KLDivergence": KLDivergence, "softmax": softmax, "sigmoid_derivative": sigmoid_derivative,
    "DataLoader": DataLoader, "StepLR": StepLR, "ExponentialLR": ExponentialLR,
    "CosineAnnealingLR": CosineAnnealingLR, "sgd_steps": sgd_steps, "adam_steps": adam_steps,
    "adagrad_steps": adagrad_steps, "schedule_lr": schedule_lr, "notes_network": notes_network,
}


def _verified_questions():
    for path in QUIZ_FILES:
        for number, question in enumerate(load_quiz(path)["questions"], start=1):
            if "verify" in question:
                yield pytest.param(question, id=f"{path.stem}-q{number}")


def test_every_chapter_has_a_quiz_of_three_to_five_questions():
    assert [path.stem for path in QUIZ_FILES] == CHAPTERS
    for path in QUIZ_FILES:
        assert 3 <= len(load_quiz(path)["questions"]) <= 5, path.name


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_quiz_parses_with_exactly_one_right_option(path):
    for question in load_quiz(path)["questions"]:
        flags = [option.get("correct", False) for option in question["options"]]
        assert flags.count(True) == 1
        texts = [option["text"] for option in question["options"]]
        assert len(set(texts)) == len(texts), "two options read the same"
        assert all(option.get("feedback") for option in question["options"]), "every option explains itself"


def _decimals(text):
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("question", list(_verified_questions()))
def test_quiz_number_is_what_nnlib_computes(question):
    """The hand-worked value agrees with nnlib, and the right option shows it correctly rounded."""
    computed = float(np.squeeze(eval(question["verify"]["expr"], dict(NAMESPACE))))  # noqa: S307
    stated = question["verify"]["value"]
    assert abs(computed - stated) <= max(0.5 * 10.0 ** -_decimals(repr(float(stated))), 1e-9)
    right = next(option for option in question["options"] if option.get("correct"))
    shown = NUMBER.findall(right["text"])
    assert any(abs(float(n) - computed) <= 0.5 * 10.0 ** -_decimals(n) + 1e-12 for n in shown), (
        f"nnlib gives {computed}; the right option {right['text']!r} does not show it")


def test_load_quiz_rejects_two_right_options(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("questions:\n  - question: q\n    options:\n      - {text: a, correct: true}\n"
                   "      - {text: b, correct: true}\n")
    with pytest.raises(ValueError, match="exactly one option"):
        load_quiz(bad)


def test_load_quiz_rejects_a_question_without_options(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("questions:\n  - question: q\n")
    with pytest.raises(ValueError, match="options"):
        load_quiz(bad)


# ------------------------------------------------------------------------------------------------
# The option order on the page: shuffled by a hash, so the right answer's position tells nothing
# ------------------------------------------------------------------------------------------------

from quiz import LETTERS, option_order  # noqa: E402


def _shown_positions():
    """For every question of every quiz: the 0-based position of the right option on the page."""
    positions = []
    for path in QUIZ_FILES:
        for question in load_quiz(path)["questions"]:
            order = option_order(path.stem, question)
            assert sorted(order) == list(range(len(question["options"]))), "a permutation"
            positions.append(next(place for place, index in enumerate(order)
                                  if question["options"][index].get("correct")))
    return positions


def test_no_position_holds_more_than_40_percent_of_the_right_answers():
    positions = _shown_positions()
    assert len(positions) >= 50
    for place in set(positions):
        share = positions.count(place) / len(positions)
        assert share <= 0.40, f"option {LETTERS[place]} is right in {share:.0%} of the questions"


def test_the_order_does_not_follow_the_yaml_file():
    """At least a third of the questions show their options in another order than the file."""
    moved = sum(option_order(path.stem, q) != list(range(len(q["options"])))
                for path in QUIZ_FILES for q in load_quiz(path)["questions"])
    total = sum(len(load_quiz(path)["questions"]) for path in QUIZ_FILES)
    assert moved >= total / 3


def test_the_order_is_the_same_in_another_process():
    """Stable across runs: a fresh interpreter with a different string-hash seed agrees."""
    import json
    import os
    import subprocess

    here = {f"{path.stem}/{n}": option_order(path.stem, q)
            for path in QUIZ_FILES for n, q in enumerate(load_quiz(path)["questions"])}
    script = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, '_ext');"
        "from quiz import load_quiz, option_order;"
        "print(json.dumps({f'{p.stem}/{n}': option_order(p.stem, q) "
        "for p in sorted(Path('quizzes').glob('*.yml')) "
        "for n, q in enumerate(load_quiz(p)['questions'])}))"
    )
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
        assert json.loads(out) == here


def test_the_order_depends_only_on_the_texts():
    """Independent of the YAML order: reversing the options in the file gives the same page."""
    question = {"question": "Which?", "options": [{"text": t} for t in ("one", "two", "three", "four")]}
    reversed_question = {"question": "Which?", "options": question["options"][::-1]}
    shown = [question["options"][i]["text"] for i in option_order("q", question)]
    shown_reversed = [reversed_question["options"][i]["text"] for i in option_order("q", reversed_question)]
    assert shown == shown_reversed


def test_the_page_shows_real_buttons_in_the_shuffled_order(tmp_path):
    """A tiny Sphinx build with the directive: every option has a <button> with its letter, and
    the right option sits where ``option_order`` puts it."""
    import shutil

    from sphinx.application import Sphinx

    source = tmp_path / "src"
    (source / "quizzes").mkdir(parents=True)
    quiz_text = ("questions:\n  - question: \"Which is prime?\"\n    options:\n"
                 "      - {text: \"seven\", correct: true, feedback: \"yes\"}\n"
                 "      - {text: \"eight\", feedback: \"no\"}\n"
                 "      - {text: \"nine\", feedback: \"no\"}\n"
                 "      - {text: \"ten\", feedback: \"no\"}\n")
    (source / "quizzes" / "t.yml").write_text(quiz_text)
    (source / "conf.py").write_text(
        f"import sys; sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'quiz']\n")
    (source / "index.md").write_text("# Quiz\n\n```{quiz} t\n```\n")
    out = tmp_path / "out"
    Sphinx(str(source), str(source), str(out), str(tmp_path / "doctrees"), "html",
           status=None, warning=None, freshenv=True).build()
    page = (out / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(out)
    buttons = re.findall(r'<button type="button" class="quiz-choose"[^>]*>([A-H])</button>', page)
    assert buttons == ["A", "B", "C", "D"]
    question = load_quiz(source / "quizzes" / "t.yml")["questions"][0]
    order = [question["options"][i]["text"] for i in option_order("t", question)]
    shown = re.findall(r"<p>(seven|eight|nine|ten)</p>", page)
    assert shown == order
    after_right_class = page[page.index("quiz-option quiz-correct"):]
    assert re.search(r"<p>(seven|eight|nine|ten)</p>", after_right_class).group(1) == "seven"
    assert "aria-describedby" in page and "Tab to its letter" in page
