"""The similarity report of a class run (``--similarity``): scores held to what is known by construction.

Identical code shares all of itself (score 1); copydetect replaces names by placeholders, so a copy
whose variables are renamed has the same token stream (score 1); two unrelated functions share
almost no 25-token run (score near 0). A copy of the master, renamed, is flagged "matches the
reference solution"; a student version with nothing answered has no code of its own.
"""

import copy
import csv
import json

import pytest
from grader_support import ROOT, run_cli, write

from grader.master.notebook import cell_info, parse_master, read_notebook
from grader.report.similarity import (
    REFERENCE,
    THRESHOLD,
    _given_sources,
    class_report,
    pair_scores,
    student_code,
)

LOSSES = ROOT / "exercises" / "losses.ipynb"
STUDENT_LOSSES = ROOT / "student" / "losses.ipynb"

HUBER = '''
def huber_sum(y_true, y_pred, delta):
    residual = np.abs(y_pred - y_true)
    inside = residual <= delta
    quadratic = 0.5 * residual ** 2
    linear = delta * (residual - 0.5 * delta)
    total = 0.0
    for index in range(len(residual)):
        total += quadratic[index] if inside[index] else linear[index]
    return float(total)
'''

HUBER_RENAMED = '''
def my_loss(a, b, threshold):
    err = np.abs(b - a)
    small = err <= threshold
    sq = 0.5 * err ** 2
    lin = threshold * (err - 0.5 * threshold)
    acc = 0.0
    for k in range(len(err)):
        acc += sq[k] if small[k] else lin[k]
    return float(acc)
'''

UNRELATED = '''
class Momentum:
    def __init__(self, params, lr=0.1, beta=0.9):
        self.params = list(params)
        self.lr, self.beta = lr, beta
        self.buffers = {}

    def step(self):
        for i, p in enumerate(self.params):
            b = self.buffers.get(i)
            b = p.grad.copy() if b is None else self.beta * b + p.grad
            self.buffers[i] = b
            p.value -= self.lr * b
'''


def scores(a, b):
    (_, _, share_a, share_b), = pair_scores({"a": a, "b": b})
    return share_a, share_b


def test_identical_code_scores_one():
    assert scores(HUBER, HUBER) == (1.0, 1.0)


def test_renamed_variables_score_as_a_copy():
    share_a, share_b = scores(HUBER, HUBER_RENAMED)
    assert min(share_a, share_b) >= 0.99


def test_unrelated_code_scores_low():
    share_a, share_b = scores(HUBER, UNRELATED)
    assert max(share_a, share_b) < 0.2


def test_given_code_counts_for_nothing():
    share_a, share_b = pair_scores({"a": HUBER, "b": HUBER}, given=[HUBER])[0][2:]
    assert (share_a, share_b) == (0.0, 0.0)


def master_json():
    return json.loads(LOSSES.read_text(encoding="utf-8"))


def renamed_master():
    """The master with its variables renamed in every cell, its hidden cells kept: a copy, disguised."""
    notebook = master_json()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            for old, new in (("huber_total", "h_tot"), ("_d1", "resid"), ("p_c", "probs"), ("d = ", "r = "),
                             ("np.abs(d)", "np.abs(r)"), ("d**2", "r**2")):
                source = source.replace(old, new)
            cell["source"] = source
    return notebook


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    master = parse_master(LOSSES)
    student = json.loads(STUDENT_LOSSES.read_text(encoding="utf-8"))
    answered = copy.deepcopy(student)
    for cell in answered["cells"]:
        if cell_info(cell).get("id") == "q5" and cell_info(cell).get("role") == "answer":
            cell["source"] = HUBER  # an own answer, nothing like the master's
    hiding = copy.deepcopy(answered)
    for cell in hiding["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"] = {"grader": {"role": "hidden", "id": "q1"}}  # lies about every cell
    stripped = renamed_master()
    for cell in stripped["cells"]:
        cell["metadata"] = {}
    paths = {
        "copy.ipynb": write(renamed_master(), folder / "copy.ipynb"),
        "stripped.ipynb": write(stripped, folder / "stripped.ipynb"),
        "stub.ipynb": write(student, folder / "stub.ipynb"),
        "own.ipynb": write(answered, folder / "own.ipynb"),
        "hiding\x1b[2J.ipynb": write(hiding, folder / "hiding.ipynb"),
    }
    return class_report(master, list(paths.items()))


def by_pair(rows):
    return {frozenset((row["a"], row["b"])): row for row in rows}


def test_a_renamed_copy_of_the_master_is_flagged(report):
    rows, _ = report
    pairs = by_pair(rows)
    for name in ("copy.ipynb", "stripped.ipynb"):
        row = pairs[frozenset((name, REFERENCE))]
        # its renamed self-checks are code of its own (not handed out unchanged): a little below 1
        assert row["score"] >= 0.9 and row["note"] == "matches the reference solution", row
    assert pairs[frozenset(("copy.ipynb", "stripped.ipynb"))]["note"] == "near-identical"


def test_an_own_answer_is_not_flagged_and_the_stub_is_left_out(report):
    rows, left_out = report
    assert left_out == 1  # the student version as handed out: no code of its own
    pairs = by_pair(rows)
    assert pairs[frozenset(("own.ipynb", REFERENCE))]["score"] < THRESHOLD
    assert all("stub.ipynb" not in (row["a"], row["b"]) for row in rows)


def test_cell_metadata_cannot_hide_code(report):
    rows, _ = report
    hiding = r"hiding\x1b[2J.ipynb"  # shown escaped, printable ASCII
    row = by_pair(rows)[frozenset(("own.ipynb", hiding))]
    assert row["score"] == 1.0  # the same code, though every cell claims to be a hidden cell
    assert all("\x1b" not in value for row in rows for value in (row["a"], row["b"]))


def test_student_code_leaves_out_the_cells_handed_out():
    given = _given_sources(parse_master(LOSSES))
    assert student_code(read_notebook(STUDENT_LOSSES), given) == ""


def test_the_class_run_writes_the_similarity_csv_and_summary(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(renamed_master(), folder / "renamed.ipynb")
    write(json.loads(STUDENT_LOSSES.read_text(encoding="utf-8")), folder / "stub.ipynb")
    out = tmp_path / "similarity.csv"
    completed = run_cli("grade", LOSSES, folder, "--similarity", out, "--quiet", "--jobs", "2")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    flagged = [line for line in lines if "renamed.ipynb ~ the reference solution" in line]
    assert len(flagged) == 1 and flagged[0].endswith("(matches the reference solution)"), completed.stdout
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert rows[0]["submission_a"] == "renamed.ipynb" and rows[0]["note"] == "matches the reference solution"


def test_similarity_needs_a_folder(tmp_path):
    completed = run_cli("grade", LOSSES, STUDENT_LOSSES, "--similarity", tmp_path / "s.csv")
    assert completed.returncode == 2 and "--similarity" in completed.stderr
