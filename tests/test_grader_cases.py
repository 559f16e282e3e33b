"""The catalogue of wrong and bad submissions: each gets the right score, status and hint.

Every case is made from a master notebook (the warm-up set, or the fixture
``grader_cases/kinds_master.ipynb`` for optimizers and layers with parameters) by editing
cells, or is a fixture file. All cases are graded once, two at a time, by a module fixture;
each test then checks one case. A case lists the questions that must *not* pass; every other
question must pass, which shows that one broken question never costs the others.
"""

import copy
import csv
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
KINDS = ROOT / "tests" / "grader_cases" / "kinds_master.ipynb"
CASES_DIR = ROOT / "tests" / "grader_cases"


def load(path):
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    return notebook


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def answer_index(notebook, qid):
    return next(
        i
        for i, c in enumerate(notebook["cells"])
        if c["metadata"].get("grader", {}).get("role") == "answer" and c["metadata"]["grader"]["id"] == qid
    )


def set_solution(notebook, qid, body):
    """Replace the solution region of question ``qid`` by ``body`` (indented like the markers)."""
    cell = notebook["cells"][answer_index(notebook, qid)]
    lines, out, inside = source(cell).splitlines(), [], False
    for line in lines:
        if line.strip() == "### BEGIN SOLUTION":
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + b for b in body.strip("\n").splitlines()]
            inside = True
        elif line.strip() == "### END SOLUTION":
            inside = False
        elif not inside:
            out.append(line)
    cell["source"] = "\n".join(out)


def set_cell(notebook, qid, text):
    notebook["cells"][answer_index(notebook, qid)]["source"] = text


def insert_code(notebook, index, text):
    notebook["cells"].insert(
        index, {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}
    )


@dataclass
class Case:
    name: str
    edit: object = None  # function(notebook) editing a copy of the master, or a fixture file name
    expected: dict = field(default_factory=dict)  # qid -> (status, substring of hint or message)
    master: Path = WARMUP
    student_id: str | None = None
    filename: str = "submission.ipynb"


def _solution(qid, body):
    return lambda nb: set_solution(nb, qid, body)


def _delete(qid):
    return lambda nb: nb["cells"].pop(answer_index(nb, qid))


def _swap_q4_q5(nb):
    i, j = answer_index(nb, "q4"), answer_index(nb, "q5")
    nb["cells"][i], nb["cells"][j] = nb["cells"][j], nb["cells"][i]
    nb["cells"].insert(answer_index(nb, "q3") + 1, nb["cells"].pop(answer_index(nb, "q8")))
    nb["cells"].sort(key=lambda cell: cell["cell_type"] == "markdown")  # every markdown cell moves to the end


def _q1_before_parameters(nb):
    nb["cells"].insert(1, nb["cells"].pop(answer_index(nb, "q1")))


def _duplicate_wrong_q1(nb):
    index = answer_index(nb, "q1")
    duplicate = copy.deepcopy(nb["cells"][index])
    nb["cells"].insert(index + 1, duplicate)
    duplicate["source"] = "loss_one = 0.5"


def _duplicate_all_answers(nb):
    for qid in ("q4", "q2"):
        index = answer_index(nb, qid)
        nb["cells"].insert(index, copy.deepcopy(nb["cells"][index]))


def _edited_parameters(nb):
    cell = next(c for c in nb["cells"] if c["metadata"].get("grader", {}).get("role") == "parameters")
    cell["source"] = 'STUDENT_ID = "demo"\nimport numpy as np\ny_true_p = np.zeros(4)\ny_pred_p = np.zeros(4)'
    set_solution(nb, "q1", "loss_one = 0.0")


def _strip_metadata(nb):
    for cell in nb["cells"]:
        cell["metadata"].pop("grader", None)


def _liar(nb):
    set_solution(
        nb,
        "q1",
        "class Liar(float):\n    def __eq__(self, other):\n        return True\n\n"
        "    __hash__ = float.__hash__\n\n\nloss_one = Liar(123.0)",
    )
    set_solution(nb, "q4", "return Liar(0.0)")


def _patched_numpy(nb):
    insert_code(
        nb,
        1,
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None",
    )
    set_solution(nb, "q1", "loss_one = 123.0")


def _redefined_helpers(nb):
    insert_code(
        nb,
        1,
        "def enc(x, depth=0):\n    return {'t': 'float', 'v': 0.64}\n\n\n"
        "def query(*args):\n    return '{}'\n\n\ncompare_values = lambda *a, **k: None\n"
        "__grader_run__ = lambda: '{}'\nimport builtins\nbuiltins.compare_values = compare_values",
    )
    set_solution(nb, "q1", "loss_one = 123.0")


def _forged_json(nb):
    # on the student version: a forged report must not turn stubs into points. (On the master the grader
    # restarts the broken kernel and the true answers score 11/11, so the master says nothing about forging.)
    _student_version(nb)
    insert_code(
        nb,
        len(nb["cells"]),
        'import json\njson.dumps = lambda *a, **k: \'{"answer": {"ok": {"t": "float", "v": 1.0}}}\'',
    )


def _student_version(nb):
    from grader.master.release import replace_solutions

    for cell in nb["cells"]:
        if cell["metadata"].get("grader", {}).get("role") == "answer":
            cell["source"] = replace_solutions(source(cell))


def _hard_coded_demo(nb):
    set_solution(nb, "q1", "loss_one = 0.64")
    set_solution(nb, "q2", "cost_mean = 0.475")
    set_solution(nb, "q3", "cost_sum = 1.9")


WARMUP_IDS = ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8")
CASES = [
    Case("full marks"),
    Case(
        "abs instead of square",
        _solution("q1", "loss_one = abs(y_true_p[0] - y_pred_p[0])"),
        {"q1": ("failed", "squares the error")},
    ),
    Case(
        "sum instead of mean",
        _solution("q2", "cost_mean = np.sum((y_true_p - y_pred_p) ** 2)"),
        {"q2": ("failed", "forgot the 1/N")},
    ),
    Case(
        "mean of errors squared",
        _solution("q2", "cost_mean = np.mean(y_true_p - y_pred_p) ** 2"),
        {"q2": ("failed", "Square each error")},
    ),
    Case(
        "mse without 1/N",
        _solution("q4", "return float(np.sum((y_true - y_pred) ** 2))"),
        {"q4": ("failed", "forgot the 1/N")},
    ),
    Case(
        "mse is mae",
        _solution("q4", "return float(np.mean(np.abs(y_true - y_pred)))"),
        {"q4": ("failed", "mean absolute error")},
    ),
    Case(
        "gradient sign flip",
        _solution("q5", "return 2.0 * (y_true - y_pred) / np.size(y_pred)"),
        {"q5": ("failed", "Sign flip")},
    ),
    Case(
        "gradient without 1/N",
        _solution("q5", "return 2.0 * (y_pred - y_true)"),
        {"q5": ("failed", "factor 1/N")},
    ),
    Case(
        "gradient without 2",
        _solution("q5", "return (y_pred - y_true) / np.size(y_pred)"),
        {"q5": ("failed", "factor 2")},
    ),
    Case(
        "gradient wrong shape",
        _solution("q5", "return (2.0 * (y_pred - y_true) / y_pred.size).reshape(-1, 1)"),
        {"q5": ("failed", "wrong shape")},
    ),
    Case("mse returns NaN", _solution("q4", "return float('nan')"), {"q4": ("failed", "NaN")}),
    Case("mse returns inf", _solution("q4", "return np.inf"), {"q4": ("failed", "inf")}),
    Case("mse returns a string", _solution("q4", "return '0.5'"), {"q4": ("failed", "wrong type")}),
    Case(
        "value is a list of one",
        _solution("q1", "loss_one = [(y_true_p[0] - y_pred_p[0]) ** 2]"),
        {"q1": ("failed", "wrong shape")},
    ),
    Case("sympy sign flip", _solution("q6", "dloss_expr = 2 * (y - yhat)"), {"q6": ("failed", "Chain rule")}),
    Case("sympy equivalent form", _solution("q6", "dloss_expr = -2 * (y - yhat)")),
    Case("sympy expanded by hand", _solution("q6", "dloss_expr = sp.expand(2 * yhat - y - y)")),
    Case(
        "sympy as a string", _solution("q6", "dloss_expr = '2*yhat - 2*y'"), {"q6": ("failed", "wrong type")}
    ),
    Case(
        "sympy unknown symbol",
        _solution("q6", "dloss_expr = 2 * sp.Symbol('z')"),
        {"q6": ("failed", "uses symbols the question does not have")},
    ),
    Case("choice wrong", _solution("q7", "q7_answer = 'a'"), {"q7": ("failed", "says nothing")}),
    Case("choice spacing and case", _solution("q7", "q7_answer = '  B '")),
    Case(
        "layer forgets grad_out",
        _solution("q8", "return 2.0 * (self.y_pred - self.y_true) / self.y_pred.size"),
        {"q8": ("failed", "multiply by grad_out")},
    ),
    Case(
        "layer returns zeros",
        _solution("q8", "return np.zeros_like(self.y_pred)"),
        {"q8": ("failed", "gradient check failed")},
    ),
    Case(
        "syntax error",
        _solution("q4", "return float(np.mean((y_true - y_pred) ** 2)"),
        {"q4": ("error", "the answer cell raised an exception, so `mse` is not defined")},
    ),
    Case(
        "exception in a cell",
        _solution("q1", "loss_one = 1 / 0"),
        {"q1": ("error", "the answer cell raised an exception")},
    ),
    Case(
        "exception in a function",
        _solution("q4", "raise ValueError('bad shapes')"),
        {"q4": ("error", "`mse` raised an exception (grader input 1 of")},
    ),
    Case(
        "sys.exit in a cell",
        _solution("q3", "import sys\nsys.exit(0)"),
        {"q3": ("error", "the answer cell raised an exception")},
    ),
    Case("infinite loop in a cell", _solution("q2", "while True:\n    pass"), {"q2": ("timeout", "")}),
    Case("infinite loop in a function", _solution("q5", "while True:\n    pass"), {"q5": ("timeout", "")}),
    Case(
        "loop that ignores interrupts",
        _solution("q7", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
        {"q7": ("timeout", "")},
    ),
    Case(
        "os._exit in a cell",
        _solution("q3", "import os\nos._exit(1)"),
        {"q3": ("crashed", "killed the kernel")},
    ),
    Case(
        "segfault in a function",
        _solution("q5", "import ctypes\nctypes.string_at(0)"),
        {"q5": ("crashed", "")},
    ),
    Case(
        "10 MB of output",
        _solution("q1", "print('x' * 10_000_000)\nloss_one = (y_true_p[0] - y_pred_p[0]) ** 2"),
    ),
    Case(
        "output in a loop",
        _solution(
            "q3",
            "for _ in range(50_000):\n    print('y' * 200)\ncost_sum = np.sum((y_true_p - y_pred_p) ** 2)",
        ),
    ),
    Case("answer cell deleted", _delete("q2"), {"q2": ("error", "missing")}),
    Case("cells reordered", _swap_q4_q5),
    Case(
        "answer before the parameters",
        _q1_before_parameters,
        {"q1": ("error", "the answer cell raised an exception")},
    ),
    Case("cell duplicated, wrong copy last", _duplicate_wrong_q1, {"q1": ("failed", "not close")}),
    Case("cells duplicated", _duplicate_all_answers),
    Case("parameters cell edited", _edited_parameters, {"q1": ("failed", "not close")}),
    Case("grader metadata stripped", _strip_metadata),
    Case("renamed notebook", None, filename="my final version (2).ipynb"),
    Case("not a notebook", "not_a_notebook.bad", {q: ("error", "not a notebook") for q in WARMUP_IDS}),
    Case("corrupt JSON", "corrupt.bad", {q: ("error", "invalid JSON") for q in WARMUP_IDS}),
    Case("empty file", "empty.bad", {q: ("error", "empty file") for q in WARMUP_IDS}),
    Case(
        "JSON that is not a notebook",
        "list_not_notebook.bad",
        {q: ("error", "no list of cells") for q in WARMUP_IDS},
    ),
    Case("numpy patched", _patched_numpy, {"q1": ("failed", "not close")}),
    Case(
        "answer whose __eq__ is always True",
        _liar,
        {"q1": ("failed", "wrong type"), "q4": ("failed", "wrong type")},
    ),
    Case("check helpers redefined", _redefined_helpers, {"q1": ("failed", "not close")}),
    Case("json.dumps forged", _forged_json, {q: ("", "") for q in WARMUP_IDS}),
    Case("student version", _student_version, {q: ("not attempted", "") for q in WARMUP_IDS}),
    Case("another student's id", None, student_id="alice"),
    Case(
        "demo numbers hard-coded, graded for alice",
        _hard_coded_demo,
        {"q1": ("failed", ""), "q2": ("failed", ""), "q3": ("failed", "")},
        student_id="alice",
    ),
    Case("demo numbers hard-coded, graded for demo", _hard_coded_demo, student_id="demo"),
    Case("optimizer and layers: full marks", None, master=KINDS),
    Case(
        "Adam without bias correction",
        _solution(
            "adam",
            """
self.t += 1
beta1, beta2 = self.betas
for i, p in enumerate(self.params):
    self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad
    self.v[i] = beta2 * self.v[i] + (1 - beta2) * p.grad**2
    p.value -= self.lr * self.m[i] / (np.sqrt(self.v[i]) + self.eps)
""",
        ),
        {"adam": ("failed", "no bias correction")},
        master=KINDS,
    ),
    Case(
        "Adam state not kept",
        _solution(
            "adam",
            """
self.t += 1
beta1, beta2 = self.betas
for i, p in enumerate(self.params):
    m = beta1 * self.m[i] + (1 - beta1) * p.grad
    v = beta2 * self.v[i] + (1 - beta2) * p.grad**2
    p.value -= self.lr * (m / (1 - beta1**self.t)) / (np.sqrt(v / (1 - beta2**self.t)) + self.eps)
""",
        ),
        {"adam": ("failed", "after step 1: item 0 of the state `m`")},
        master=KINDS,
    ),
    Case(
        "sigmoid derivative forgotten",
        _solution("sigmoid", "return grad_out"),
        {"sigmoid": ("failed", "sigmoid's derivative")},
        master=KINDS,
    ),
    Case(
        "dense weight gradient transposed",
        _solution(
            "dense",
            """
self.W.grad += (self.x.T @ grad_out) * 0.5
self.b.grad += grad_out.sum(axis=0)
return grad_out @ self.W.value.T
""",
        ),
        {"dense": ("failed", "gradient of W")},
        master=KINDS,
    ),
]


def _write_case(index, case, folder):
    """Write the case's submission into ``folder``; return its file stem (the key of its JSON report)."""
    name = f"{index:02d}_{case.name}".replace(" ", "_").replace("/", "_").replace("'", "").replace(",", "")
    path = folder / (case.filename if case.filename != "submission.ipynb" else name + ".ipynb")
    if isinstance(case.edit, str):
        path.write_bytes((CASES_DIR / case.edit).read_bytes())
    else:
        notebook = load(case.master)
        if case.edit is not None:
            case.edit(notebook)
        if case.student_id:
            for cell in notebook["cells"]:
                cell["source"] = source(cell).replace(
                    'STUDENT_ID = "demo"', f'STUDENT_ID = "{case.student_id}"'
                )
        path.write_text(json.dumps(notebook), encoding="utf-8")
    return path.stem


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every case with the command line, one class folder per master, two jobs at a time."""
    root = tmp_path_factory.mktemp("cases")
    stems, reports = {}, {}
    for master in (WARMUP, KINDS):
        folder, out = root / master.stem, root / f"{master.stem}_json"
        folder.mkdir()
        for index, case in enumerate(CASES):
            if case.master == master:
                stems[case.name] = _write_case(index, case, folder)
        command = [
            sys.executable,
            "-m",
            "grader",
            "grade",
            str(master),
            str(folder),
            "--jobs",
            "2",
            "--id-from",
            "notebook",
            "--json-dir",
            str(out),
            "--csv",
            str(root / f"{master.stem}.csv"),
            "--cell-timeout",
            "3",
            "--time-limit",
            "3",
            "--quiet",
        ]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        assert completed.returncode == 0, completed.stderr
        for path in out.glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            reports[Path(data["extra_data"]["submission"]).stem] = data
    return {name: reports[stem] for name, stem in stems.items()}, root


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_submission_gets_expected_grade(case, graded):
    report = graded[0][case.name]
    by_id = {test["name"]: test for test in report["tests"]}
    for qid, (status, text) in case.expected.items():
        test = by_id[qid]
        assert test["score"] == 0, f"{qid} earned points: {test}"
        assert test["status"] == "failed" and test["extra_data"]["status"] != "passed", test
        if status:
            assert test["extra_data"]["status"] == status, test
        if text:
            assert text in test["output"], test
        assert len(test["output"]) > len(test["extra_data"]["status"]) + 5, (
            "every non-passed question says why"
        )
    for qid, test in by_id.items():
        if qid not in case.expected:
            assert test["extra_data"]["status"] == "passed" and test["score"] == test["max_score"], test
    assert report["score"] == sum(test["score"] for test in report["tests"])
    assert report["max_score"] == sum(test["max_score"] for test in report["tests"])


def test_output_limit_is_reported(graded):
    assert "printed more than" in graded[0]["10 MB of output"]["output"]


def test_crashed_kernel_is_restarted_and_the_count_not_shown(graded):
    # the kernel is restarted (q6 and later are graded), but how often is not shown (issue 20)
    report = graded[0]["segfault in a function"]
    assert "restarted" not in report["output"] and "time(s)" not in report["output"]
    by_id = {test["number"]: test for test in report["tests"]}
    assert (
        by_id["q5"]["extra_data"]["status"] == "crashed" and by_id["q6"]["score"] == by_id["q6"]["max_score"]
    )


def test_class_csv_has_a_row_per_submission(graded):
    root = graded[1]
    with open(root / "00_warmup.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(1 for case in CASES if case.master == WARMUP)
    full = next(row for row in rows if row["submission"] == "00_full_marks.ipynb")
    assert (full["total"], full["max_score"], full["q4"], full["q4_status"]) == ("11", "11", "2", "passed")
    student = next(row for row in rows if row["submission"].endswith("student_version.ipynb"))
    assert student["total"] == "0" and {student[f"q{i}_status"] for i in range(1, 9)} == {"not attempted"}
