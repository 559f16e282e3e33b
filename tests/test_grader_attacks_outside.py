"""Attacks outside the catalogue of the other attack tests, each as a student could write it.

Three kinds:

* **the grader's own process** (not the sandbox): text of a submission that the grader scans on the host
  with a regular expression that backtracks (a cell of blank lines, an unterminated string of escaped
  quotes), or a forged report whose numbers no float holds. Each must be read, refused or judged in
  bounded time, as the student's error, never as the grader's;
* **the kernel's side**: lies about types and equality, a patched numpy and ``builtins.type``, values
  fished from ``gc``, forged protocol lines on stdout and extra fields in the report: none may earn a
  point, since the judges decide on the host from plain data;
* **a class run** holding such notebooks next to an honest one: it ends, in time, with a row for each.

The time-bounded checks run in a child process that is killed at the bound, so a test that fails
(as they did on the grader before its fixes) fails quickly and leaves nothing running.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from grader_support import ROOT, student_version, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.grade import Limits, grade
from grader.judge.compare import decode
from grader.judge.judges import Task, Verdict, judge
from grader.master.notebook import INVALID_JSON, parse_master
from grader.run.sandbox import SandboxLimits
from grader.vocabulary import Message

WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
STATUSES = ("passed", "failed", "error", "timeout", "crashed", "not attempted")


def within(seconds, code):
    """Run ``code`` in a fresh Python; its stdout, or a failure when it takes longer than ``seconds``."""
    try:
        completed = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=seconds,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"took longer than {seconds} s (killed)") from None
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def code_cell(text, metadata=None):
    return {
        "cell_type": "code",
        "metadata": metadata or {},
        "source": text,
        "outputs": [],
        "execution_count": None,
    }


# -- 1. a cell of blank lines: the search for the answer cell backtracked quadratically -----------------

ANSWER_CELL_SEARCH = """
from grader.grade import _answer_cell
from grader.master.notebook import Question
question = Question("q1", 1.0, "value", "loss_one")
cells = [(0, {{}}, {blank}), (1, {{}}, "x = 1"), (2, {{}}, "  \\n\\tloss_one  = 2\\n")]
print(_answer_cell(cells, question))
"""


def test_a_cell_of_blank_lines_does_not_stall_the_search_for_the_answer_cell():
    """Before the fix: ``^\\s*`` let every line start run over every later blank line, O(n^2): 100,000
    newlines took minutes per question (about 2.5 s for 8,000), in the grader's own process, with no limit
    of time around it. The cell that answers is still found (indented, with spaces before ``=``)."""
    assert within(20, ANSWER_CELL_SEARCH.format(blank="'\\n' * 100_000")).strip() == "2"
    assert (
        within(20, ANSWER_CELL_SEARCH.format(blank="' \\n\\t' * 50_000 + 'def\\n\\n loss_one'")).strip()
        == "2"
    )


# -- 2. an unterminated string of escaped quotes: the JSON depth prescan was quadratic ------------------

READ = """
from grader.master.notebook import NotebookError, read_notebook
try:
    read_notebook({path!r})
except NotebookError as error:
    print(error)
"""


def test_an_unterminated_string_of_escaped_quotes_is_refused_in_time(tmp_path):
    """Before the fix: the string pattern failed from every quote inside the broken string and started
    again at the next one, O(n^2): 8,000 escaped quotes took 4 s, 200 KB of them half an hour, and the
    class run read each file three times (the worker, the id check, --id-from notebook)."""
    for name, tail in (("quotes", b""), ("backslash", b"\\")):
        path = tmp_path / f"{name}.ipynb"
        path.write_bytes(b'{"nbformat": 4, "cells": [], "x": "' + b'\\"' * 100_000 + tail)
        assert within(20, READ.format(path=str(path))).startswith(INVALID_JSON), name


def test_the_prescan_still_counts_brackets_outside_strings_only():
    from grader.master.notebook import json_depth

    assert json_depth(b'[["[[[", "\\"[[", {"a": "\\\\"}]]') == 3
    assert json_depth(b'[[["unterminated [[[[[[') == 3  # json.loads stops at the string: no deeper


# -- 3. a forged report whose numbers do not fit a float: "an error of the grader" ---------------------

VALUE_TASK = Task(kind="value", answer="x", spec={}, settings={}, reference={"ok": {"t": "float", "v": 0.5}})


def test_a_forged_number_too_large_for_a_float_is_a_malformed_report():
    """Before the fix: OverflowError left the judge, and grade() said "the grader could not judge this
    answer (an error of the grader): tell your teacher" for a report the student's code forged."""
    for forged in (
        {"t": "float", "v": 10**400},
        {"t": "array", "dtype": "float", "shape": [1], "v": [10**400]},
        {"t": "array", "dtype": "int", "shape": [1], "v": [2**70]},
    ):
        verdict = judge(VALUE_TASK, {"ok": forged})
        assert verdict.status == "error" and "malformed" in str(verdict.message), forged


# Hypothesis: any JSON a kernel can send, in the shapes of the protocol, is judged; nothing escapes.
KEYS = (
    "t",
    "v",
    "ok",
    "dtype",
    "shape",
    "exc",
    "nie",
    "forbidden",
    "stage",
    "y",
    "gx",
    "pgrads",
    "fd_x",
    "fd_p",
    "values",
    "state",
    "undefined",
    "type",
)
TAGS = ("none", "bool", "int", "float", "str", "sympy", "other", "list", "tuple", "array")
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**420), max_value=10**420)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(TAGS + ("float", "int", "bool"))
    | st.text(max_size=8)
)
reports = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=25,
)
numbers = st.integers(min_value=-(10**420), max_value=10**420) | st.floats(
    allow_nan=True, allow_infinity=True
)
huge_ints = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from([0, 2**31, 2**63, 10**30])
encoded = st.one_of(
    st.builds(
        lambda shape, values, dtype: {"t": "array", "dtype": dtype, "shape": shape, "v": values},
        st.lists(huge_ints, max_size=5),
        st.lists(numbers | st.booleans(), max_size=4),
        st.sampled_from(("float", "int", "bool", "complex")),
    ),
    st.builds(lambda v: {"t": "float", "v": v}, numbers),
    st.builds(lambda v: {"t": "int", "v": v}, numbers),
    st.builds(
        lambda d, v: {"t": "array", "dtype": d, "shape": [len(v)], "v": v},
        st.sampled_from(("float", "int", "bool")),
        st.lists(numbers | st.booleans(), max_size=3),
    ),
    reports,
)

LAYER_REFERENCE = {
    "y": {"t": "array", "dtype": "float", "shape": [2], "v": [0.25, -0.5]},
    "gx": {"t": "array", "dtype": "float", "shape": [2], "v": [1.5, 2.5]},
    "pgrads": [["W", {"t": "array", "dtype": "float", "shape": [2], "v": [0.1, 0.2]}]],
}
TASKS = {
    "value": VALUE_TASK,
    "function": Task(
        kind="function",
        answer="f",
        spec={"inputs": {"t": "list", "v": [{"t": "float", "v": 1.0}]}},
        settings={},
        reference=[{"ok": {"t": "float", "v": 0.5}}],
    ),
    "layer_backward": Task(
        kind="layer_backward",
        answer="L",
        spec={
            "inputs": {"t": "list", "v": [{"t": "array", "dtype": "float", "shape": [2], "v": [1.0, 2.0]}]},
            "param_grads": {"t": "list", "v": [{"t": "str", "v": "W"}]},
        },
        settings={},
        reference=[{"ok": LAYER_REFERENCE}],
    ),
    "optimizer": Task(
        kind="optimizer",
        answer="O",
        spec={
            "grads": {"t": "list", "v": [{"t": "list", "v": [{"t": "float", "v": 1.0}]}]},
            "initial_values": {"t": "list", "v": [{"t": "float", "v": 0.0}]},
            "state": {"t": "list", "v": []},
        },
        settings={},
        reference={"ok": [{"values": [{"t": "float", "v": -0.5}], "state": []}]},
    ),
}


def _shaped(kind, value):
    """A report in the shape the judge of ``kind`` reads, with ``value`` where the numbers go."""
    if kind == "value":
        return {"ok": value}
    if kind == "function":
        return [{"ok": value}]
    if kind == "layer_backward":
        pair = [value, value]
        return [
            {
                "ok": {
                    "y": value,
                    "gx": value,
                    "pgrads": [["W", value]],
                    "fd_x": [pair, pair],
                    "fd_p": [["W", [pair, pair]]],
                }
            }
        ]
    return {"ok": [{"values": [value], "state": []}]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(TASKS)), encoded, st.booleans())
def test_any_report_is_judged_and_passes_only_with_the_reference_value(kind, value, shaped):
    """Every report (any JSON, or the judge's own shape with any numbers in it) gets a verdict: the judge
    never raises, which grade() would show as an error of the grader. A passed value question holds 0.5."""
    report = _shaped(kind, value) if shaped else value
    verdict = judge(TASKS[kind], report)
    assert isinstance(verdict, Verdict) and isinstance(verdict.message, Message)
    assert verdict.status in STATUSES
    if verdict.status == "passed":
        assert kind == "value" and np.isclose(float(np.asarray(decode(value), dtype=float)), 0.5)


# -- 4. lies on the kernel's side: types, equality, numpy, builtins, gc, stdout, extra report fields ----

LIARS = r'''
import builtins, gc, json, sys
import numpy as np
import sympy

np.isclose = np.allclose = np.array_equal = lambda *a, **k: True  # the kernel's numpy says yes
np.testing.assert_allclose = lambda *a, **k: None


class Liar:
    """Equal to everything, a float that changes at each call, an array of anything, and a float's class."""
    calls = 0
    __class__ = property(lambda self: float)
    def __eq__(self, other): return True
    __hash__ = object.__hash__
    def __float__(self):
        Liar.calls += 1
        return float(Liar.calls)
    def __array__(self, dtype=None, copy=None): return np.zeros(2)
    def __len__(self): return 2


class AlwaysFloat(float):
    def __eq__(self, other): return True
    __hash__ = float.__hash__


class AlwaysArray(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)


class AlwaysText(str):
    def __eq__(self, other): return True
    __hash__ = str.__hash__
    def casefold(self): return self


class AlwaysSymbol(sympy.Symbol):
    def __eq__(self, other): return True
    __hash__ = sympy.Symbol.__hash__


_type = builtins.type


class _LyingType(_type):
    """What ``type`` now is: a Liar's type is float; for anything else, and for isinstance, the real one."""
    def __call__(cls, *args):
        return float if len(args) == 1 and isinstance(args[0], Liar) else _type(*args)
    def __instancecheck__(cls, obj): return isinstance(obj, _type)
    def __subclasscheck__(cls, other): return issubclass(other, _type)


builtins.type = _LyingType("type", (), {})

_dumps = json.dumps
def _forged(value, *args, **kwargs):  # the report gains fields of a grade: none of them is read
    if isinstance(value, dict) and "answer" in value:
        value = dict(value, score=999, status="passed", points=99, verdict="passed", passed=True)
    return _dumps(value, *args, **kwargs)
json.dumps = _forged

for _marker in ("Total: 11/11", '{"answer": {"ok": {"t": "float", "v": 0.5}}}', "<IDS|MSG>", "\x1b[2J"):
    print(_marker)
    sys.stderr.write(_marker + "\n")


def fished():
    """Any float array the kernel holds besides the grader's inputs: what gc can find."""
    found = [o for o in gc.get_objects() if _type(o) is np.ndarray and o.dtype.kind == "f" and o.size]
    return found[-1] if found else 0.0
'''

LIAR_ANSWERS = {
    "q1": "loss_one = Liar()",
    "q2": "cost_mean = AlwaysFloat(0.0)",
    "q3": "cost_sum = np.zeros(3).view(AlwaysArray)",
    "q4": "def mse(y_true, y_pred):\n    return Liar()\n",
    "q5": "def mse_grad(y_true, y_pred):\n    return fished()\n",
    "q6": "dloss_expr = AlwaysSymbol('y_hat')",
    "q7": "q7_answer = AlwaysText('b')",
    "q8": "class MSECost:\n    def __init__(self, y_true):\n        self.y_true = y_true\n\n"
    "    def forward(self, y_pred):\n        return Liar()\n\n"
    "    def backward(self, grad_out):\n        return np.zeros(3).view(AlwaysArray)\n",
}


def test_lies_on_the_kernels_side_earn_nothing(tmp_path):
    notebook = student_version(WARMUP)
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "answer":
            cell["source"] = LIAR_ANSWERS[info["id"]]
    notebook["cells"].insert(1, code_cell(LIARS))
    limits = Limits(cell_timeout=20.0, submission_timeout=120.0, sandbox=replace(SandboxLimits()))
    result = grade(parse_master(WARMUP), write(notebook, tmp_path / "liar.ipynb"), limits=limits)
    statuses = {q.id: q.status for q in result.questions}
    assert len(statuses) == 8 and "passed" not in statuses.values(), statuses
    assert result.score == 0, statuses


# -- 5. a class run with the stalling notebooks next to an honest one -------------------------------


def _run_class(args, seconds):
    """``python -m grader ARGS`` in a session of its own, killed with its workers and kernels at the bound."""
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", *map(str, args)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"the class run took longer than {seconds} s (killed)") from None
    return process.returncode, out, err


def test_a_class_run_with_stalling_notebooks_ends_with_a_row_each(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    honest = json.loads(WARMUP.read_text(encoding="utf-8"))
    honest["cells"] = [c for c in honest["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"]
    write(honest, folder / "honest.ipynb")
    (folder / "quotes.ipynb").write_bytes(b'{"nbformat": 4, "cells": [], "x": "' + b'\\"' * 100_000)
    blank = student_version(WARMUP)
    for cell in blank["cells"]:  # no answer cell by its metadata: the grader searches the sources
        cell["metadata"].pop("grader", None)
    blank["cells"].append(code_cell("\n" * 100_000))
    write(blank, folder / "blank.ipynb")
    start = time.monotonic()
    code, out, err = _run_class(
        ["grade", WARMUP, folder, "--csv", tmp_path / "class.csv", "--id-from", "notebook", "--quiet"], 120
    )
    assert code == 0, err[-2000:]
    rows = {
        line.split(",")[0]: line.split(",") for line in (tmp_path / "class.csv").read_text().splitlines()[1:]
    }
    assert rows["honest.ipynb"][2:4] == ["11", "11"], rows
    assert rows["quotes.ipynb"][2] == "0" and rows["blank.ipynb"][2] == "0", rows
    print(f"[attack] class run with stalling notebooks: {time.monotonic() - start:.0f} s")


# -- 6. a STUDENT_ID that names a classmate: the gradebook import would overwrite the classmate's grade ---


def _declaring(notebook, student_id):
    for cell in notebook["cells"]:
        if cell["metadata"].get("grader", {}).get("role") == "parameters":
            source = "".join(cell["source"])
            cell["source"] = source.replace('STUDENT_ID = "demo"', f'STUDENT_ID = "{student_id}"')
            assert student_id in cell["source"]
    return notebook


def test_a_student_id_claimed_twice_gets_no_row_of_the_gradebook_import(tmp_path):
    """Before the fix: with ``--id-from notebook``, mallory's notebook declaring bob's id gave the import two
    rows keyed ``bob``, hers last (the files in name order): Canvas and Moodle apply the rows in order, so
    hers (0 points) replaced bob's 11. Now neither row is imported, and the console names the id."""
    folder = tmp_path / "class"
    folder.mkdir()
    honest = json.loads(WARMUP.read_text(encoding="utf-8"))
    honest["cells"] = [c for c in honest["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"]
    write(_declaring(honest, "bob"), folder / "bob.ipynb")
    write(_declaring(student_version(WARMUP), "bob"), folder / "mallory.ipynb")
    write(_declaring(student_version(WARMUP), "carol"), folder / "carol.ipynb")
    book = tmp_path / "book.csv"
    code, out, err = _run_class(
        ["grade", WARMUP, folder, "--id-from", "notebook", "--csv", book, "--id-column", "ID", "--quiet"], 300
    )
    assert code == 0, err[-2000:]
    for path in (book, tmp_path / "book-totals.csv"):
        ids = [line.split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
        assert ids == ["carol"], (path.name, ids)
    assert "bob" in out and "2 submissions" in out, out


# -- 7. 19 MB that the grader made into gigabytes: tiny cells, empty strings, one string of escapes -------

BOUNDED_READ = """
import resource, time
from grader.master.notebook import MAX_NOTEBOOK_BYTES, NotebookError, read_notebook
head = b'{{"nbformat": 4, "nbformat_minor": 5, "metadata": {{}}, '
room = MAX_NOTEBOOK_BYTES - 200
bodies = {{
    "cells": b'"cells": [' + b'{{"cell_type": "code"}},' * (room // 23) + b'{{"cell_type": "code"}}]}}',
    "strings": b'"cells": [], "x": [' + b'"",' * (room // 3) + b'""]}}',
    "escapes": b'"cells": [], "x": "' + b'ab\\\\"' * (room // 4) + b'"}}',
}}
with open({path!r}, "wb") as stream:
    stream.write(head + bodies[{case!r}])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
try:
    read_notebook({path!r})
    print("read")
except NotebookError as error:
    print(error)
print(time.monotonic() - start, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(
    ("case", "outcome"), [("cells", "TOO_MANY_PARTS"), ("strings", "read"), ("escapes", "read")]
)
def test_a_notebook_under_the_size_cap_is_read_in_bounded_time_and_memory(case, outcome, tmp_path):
    """Before the fixes, each under the 20 MB cap: 900,000 cells ``{"cell_type": "code"}`` were read in 19 s
    into 780 MB (830 MB at the peak of a grade; read again by a class run's id check, and each cell sent to
    the kernel until the time limit); 6.6 million empty strings took the depth prescan 13 s and 1.1 GB
    (``re.sub`` keeps a piece per string); one string of 4 million escaped quotes took it 450 MB (a
    backtracking state per escape). Now the prescan removes strings in batches with possessive loops, and
    refuses more than MAX_PARTS arrays and objects (the course's largest notebook holds about 400)."""
    from grader.master import notebook

    said, numbers = within(60, BOUNDED_READ.format(path=str(tmp_path / "big.ipynb"), case=case)).splitlines()
    seconds, megabytes = float(numbers.split()[0]), int(numbers.split()[1])
    expected = "read" if outcome == "read" else getattr(notebook, outcome)
    assert said.startswith(expected), said
    assert seconds < 15 and megabytes < 300, (seconds, megabytes)


# -- 8. a large grader process: the SymPy judge's child had 1 GB of address space in all ----------------

LARGE_GRADER = """
import mmap, sympy
from grader.judge.sympy_safe import compare_bounded
x = sympy.Symbol("x")
reserved = mmap.mmap(-1, 1200 << 20)  # untouched, as thread stacks and BLAS buffers of many cores are
print(compare_bounded(sympy.srepr((x + 1) ** 2), sympy.srepr(x**2 + 2 * x + 1), [], {}, 10.0)["verdict"])
"""


def test_an_equivalent_expression_passes_however_large_the_graders_process_is():
    """Before the fix: the forked child set RLIMIT_AS to 1 GB in all, while it inherits the grader's whole
    address space; past 1 GB of it (a worker bloated by an earlier submission, or the threads and BLAS
    buffers of a many-core machine), SymPy failed to import a module and a right answer was "failed"."""
    assert within(60, LARGE_GRADER).strip() == "passed"


# -- 9. odd entries of a class folder: a FIFO, links to a classmate and to /etc/shadow, a long odd name ---


def test_a_class_folder_of_odd_entries_grades_the_files_and_refuses_the_rest(tmp_path):
    """Held before any fix: a FIFO (which would block whoever opens it), links (to a classmate's file, to
    /etc/shadow) are refused and listed; a 240-character name of escapes, quotes and right-to-left marks
    is graded, its id given to the master as a literal, and shown escaped; nothing blocks the run."""
    folder = tmp_path / "class"
    folder.mkdir()
    honest = json.loads(WARMUP.read_text(encoding="utf-8"))
    honest["cells"] = [c for c in honest["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"]
    write(honest, folder / "alice.ipynb")
    odd = ('x"; import os; os._exit(3) #\x1b[31m\u202e\\' * 6)[:240] + ".ipynb"
    write(honest, folder / odd)
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "copy.ipynb").symlink_to(folder / "alice.ipynb")
    (folder / "shadow.ipynb").symlink_to("/etc/shadow")
    code, out, err = _run_class(["grade", WARMUP, folder, "--csv", tmp_path / "class.csv", "--quiet"], 300)
    assert code == 0, err[-2000:]
    for name in ("fifo.ipynb", "copy.ipynb", "shadow.ipynb"):
        assert f"refused: '{name}'" in out, out
    rows = (tmp_path / "class.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == 2 and all(",11,11," in row for row in rows), rows
    shown = out + err + "".join(rows)
    assert "\x1b" not in shown and "\u202e" not in shown and "\\x1b" in shown


# -- 10. a student id with a character beyond the BMP (an emoji): the master failed, the class run stopped


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_student_id_reaches_the_master_as_itself(student_id):
    """Before the fix: json.dumps wrote an emoji as two surrogate escapes, which Python reads as two lone
    surrogates: the master's ``STUDENT_ID.encode("utf-8")`` raised, for that id and every rerun."""
    from grader.master.notebook import with_student_id

    namespace = {}
    exec(with_student_id('STUDENT_ID = "demo"  # your id\nX = 1\n', student_id), namespace)  # noqa: S102
    assert namespace["STUDENT_ID"] == student_id and namespace["X"] == 1


def test_an_emoji_file_name_costs_nobody_their_grade(tmp_path):
    """Before the fix: ``\U0001f600.ipynb`` in a class folder (the id is the file name's stem) made the master
    fail twice, which stopped the whole class run with exit 2 and no CSV. Now it is graded like any file."""
    folder = tmp_path / "class"
    folder.mkdir()
    honest = json.loads(WARMUP.read_text(encoding="utf-8"))
    honest["cells"] = [c for c in honest["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"]
    write(honest, folder / "alice.ipynb")
    write(honest, folder / "\U0001f600.ipynb")
    code, out, err = _run_class(["grade", WARMUP, folder, "--csv", tmp_path / "class.csv", "--quiet"], 300)
    assert code == 0, err[-2000:]
    rows = (tmp_path / "class.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == 2 and all(",11,11," in row for row in rows), rows


# -- 11. grader metadata a submission writes: roles and ids it has no say in ---------------------------

METADATA_GAMES = {
    "q1": ({"role": "hidden", "id": "q1"}, "loss_one = 0.25  # a hidden cell of the submission's own"),
    "q2": ({"role": "parameters"}, "STUDENT_ID = 'other'\ncost_mean = 0.5"),
    "q3": (
        {"role": "answer", "id": "q1", "points": 99, "kind": "choice", "answer": "cost_sum"},
        "cost_sum = 'b'",
    ),
    "q4": (
        {"role": "selfcheck", "id": "q4", "uses": ["q1"], "follow_through": 1},
        "def mse(a, b):\n    return 0.0\n",
    ),
}


def test_grader_metadata_in_a_submission_decides_nothing(tmp_path):
    """Held before any fix: a cell of the submission that claims to be hidden is not run; a second cell that
    claims to be the parameters runs as the student's own code (the first is the master's); a cell that
    claims another question's id, points, kind or answer name changes none of them (the master's are
    used); a selfcheck that declares a chain follows nothing through; a markdown cell that claims to be an
    answer is not code. The points stay the master's 11 and nothing is "an error of the grader"."""
    notebook = student_version(WARMUP)
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "answer" and info["id"] in METADATA_GAMES:
            cell["metadata"]["grader"], cell["source"] = METADATA_GAMES[info["id"]]
    notebook["cells"].append(
        {
            "cell_type": "markdown",
            "metadata": {"grader": {"role": "answer", "id": "q8"}},
            "source": "class MSECost: pass",
        }
    )
    limits = Limits(cell_timeout=20.0, submission_timeout=120.0)
    result = grade(parse_master(WARMUP), write(notebook, tmp_path / "meta.ipynb"), limits=limits)
    got = {q.id: (q.status, q.points, q.max_points) for q in result.questions}
    assert result.max_score == 11 and result.score == 0, got
    assert all("could not judge" not in q.message for q in result.questions), got


# -- 12. a file swapped for a link after the class folder was listed (a folder the students can write to) -


def test_a_submission_swapped_for_a_link_to_the_master_after_the_listing_scores_nothing(tmp_path):
    """Before the fix: the class run refused links when it listed the folder, but the worker opened the
    path later and followed whatever was there then; in a folder students can write to (a shared drive),
    swapping one's file for a link to a master copy while alice was graded gave 11/11. Now a submission
    is opened without following a link (and without blocking on a FIFO), and checked on what was opened."""
    folder = tmp_path / "class"
    folder.mkdir()
    private = Path(tempfile.mkdtemp(prefix="ga-", dir="/tmp"))  # short: the run's folder goes there
    honest = json.loads(WARMUP.read_text(encoding="utf-8"))
    honest["cells"] = [c for c in honest["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"]
    write(honest, folder / "alice.ipynb")
    write(student_version(WARMUP), folder / "zed.ipynb")  # graded after alice, with one worker
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            str(WARMUP),
            str(folder),
            "--jobs",
            "1",
            "--quiet",
            "--csv",
            str(tmp_path / "class.csv"),
        ],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, TMPDIR=str(private)),
    )
    try:
        deadline = time.monotonic() + 60
        while not list(private.glob("gr-*")) and time.monotonic() < deadline:  # the folder was listed
            time.sleep(0.05)
        listed = bool(list(private.glob("gr-*")))
        (folder / "zed.ipynb").unlink()
        (folder / "zed.ipynb").symlink_to(WARMUP)
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        shutil.rmtree(private, ignore_errors=True)
    assert listed, "the run's folder never appeared: the swap was not made between listing and grading"
    assert process.returncode == 0, err[-2000:]
    rows = {
        row.split(",")[0]: row.split(",") for row in (tmp_path / "class.csv").read_text().splitlines()[1:]
    }
    assert rows["alice.ipynb"][2] == "11" and rows["zed.ipynb"][2] == "0", rows
