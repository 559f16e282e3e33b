"""Property (a) of issue 20: no text a submission chose reaches any output, whatever the submission.

Hypothesis builds submissions of the warmup set from a grammar of hostile cells: each answer is
replaced by a cell that raises (any built-in exception, or a class of its own deriving from
``Exception``, ``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit`` or ``BaseException``, named
after the marker), prints (to stdout, to stderr, through the display, to the file descriptors,
from a forked child), returns or assigns an odd value (NaN, inf, huge integers, strings, an object
of a class named after the marker, deep nesting, arrays of odd shapes), kills its kernel, or
loops. Every cell carries a random marker string, and hostile characters (ANSI escapes, bidi
overrides, formula starts) around it; the notebook's metadata and a markdown cell carry it too.

Each example is graded once, in the sandbox, and every output is produced from its result: the
text report, the JSON report (Gradescope's ``results.json`` is this file with each question's
visibility added), the class CSV, the gradebook CSV and the console lines of a class run; the
file descriptors 1 and 2 are captured while it is graded. The property: the marker appears in
none of them (nor any 8 characters of it), and none holds a control character.

``make test`` runs a bounded number of examples (derandomized: the same examples every run);
``make fuzz`` runs ``GRADER_FUZZ_EXAMPLES`` of them (default 200 there), random ones.
"""

import contextlib
import io
import os
import re
import string
import tempfile
import textwrap
from dataclasses import replace
from pathlib import Path

from grader_support import ROOT, student_version, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import cli
from grader.grade import Limits, MasterSession, grade
from grader.master.notebook import parse_master
from grader.report import outputs as report

WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
FUZZ = os.environ.get("GRADER_FUZZ_EXAMPLES")
EXAMPLES = int(FUZZ) if FUZZ else 6
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LIMITS = Limits(cell_timeout=2.0, question_timeout=2.0, submission_timeout=40.0, max_restarts=3)

#: the answers of the warmup set: (question id, name, kind)
ANSWERS = [
    ("q1", "loss_one", "value"),
    ("q2", "cost_mean", "value"),
    ("q3", "cost_sum", "value"),
    ("q4", "mse", "function"),
    ("q5", "mse_grad", "function"),
    ("q6", "dloss_expr", "sympy"),
    ("q7", "q7_answer", "choice"),
    ("q8", "MSECost", "layer_backward"),
]
BASES = [
    "Exception",
    "ValueError",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
    "BaseException",
    "ArithmeticError",
    "NotImplementedError",
    "RecursionError",
    "MemoryError",
    "OSError",
]
HOSTILE = [
    "\x1b[2J\x1b[1;1H",
    "\x1b]8;;http://x\x07",
    "\u202e",
    "\u2066",
    "\x00",
    "\x9b",
    "\r",
    "\t",
    '=HYPERLINK("http://evil.example")',
    "+1",
    "@SUM(A1)",
    "\n",
    "'",
    '"',
    "\\",
    ",",
    ";",
]


@st.composite
def texts(draw, marker):
    """Text around the marker: hostile characters and any Unicode."""
    before = draw(st.sampled_from(HOSTILE)) + draw(st.text(max_size=6))
    return before + marker + draw(st.sampled_from(HOSTILE))


@st.composite
def values(draw, marker, depth=0):
    """Python source of an odd value carrying the marker where it can."""
    text = draw(texts(marker))
    simple = [
        "float('nan')",
        "float('inf')",
        "-float('inf')",
        "10**400",
        "-(10**4000)",
        "2**63",
        "1e308*10",
        repr(text),
        f"[{text!r}] * 3",
        f"{{{text!r}: 1}}",
        f"({text!r},)",
        "b" + repr(marker),
        "3+4j",
        f"type({marker + 'Type'!r}, (), {{'__repr__': lambda s: {text!r}}})()",
        f"np.full((0, {len(marker) * 1000 + 7}), 1.0)",
        "np.array([np.nan, np.inf])",
        f"sp.Symbol({marker!r})",
        f"sp.Function({marker!r})(sp.Symbol('y'))",
        "np.zeros((2,) * 20)",
        "None",
        "...",
        "NotImplemented",
        f"functools.reduce(lambda inner, _: [inner], range(100_000), {text!r})",  # nested 100 000 deep
    ]
    if depth < 2 and draw(st.booleans()):
        inner = draw(values(marker, depth + 1))
        return draw(st.sampled_from([f"[{inner}]", f"({inner}, {inner})", f"{{'k': {inner}}}"]))
    if draw(st.booleans()) and depth == 0:
        return f"eval('[' * 600 + {text!r} + ']' * 600)"  # nested deeper than any parser's limit
    return draw(st.sampled_from(simple))


@st.composite
def actions(draw, marker):
    """Hostile code at indentation 0, and whether it ends in a value (an expression to return or assign)."""
    text = draw(texts(marker))
    kind = draw(st.sampled_from(["raise", "raise", "print", "value", "crash", "fork", "loop", "recurse"]))
    if kind == "raise":
        base = draw(st.sampled_from(BASES))
        exc = f"{marker}_{base}" if draw(st.booleans()) else base
        return f"raise {exc}({text!r})", False
    if kind == "print":
        return draw(
            st.sampled_from(
                [
                    f"print({text!r})",
                    f"sys.stderr.write({text!r})",
                    f"os.write(1, {text!r}.encode('utf-8', 'replace'))",
                    f"os.write(2, {text!r}.encode('utf-8', 'replace'))",
                    f"display({{'text/plain': {text!r}, 'text/html': {text!r}}}, raw=True)",
                    f"warnings.warn({text!r})",
                ]
            )
        ), False
    if kind == "value":
        return draw(values(marker)), True
    if kind == "crash":
        return draw(st.sampled_from(["os._exit(3)", "os.kill(os.getpid(), 9)", f"sys.exit({text!r})"])), False
    if kind == "fork":  # a child that writes to the kernel's descriptors and outlives the cell
        said = f"{text!r}.encode('utf-8', 'replace')"
        child = f"    os.write(1, {said})\n    os.write(2, {said})\n    time.sleep(1)\n    os._exit(0)"
        return f"if os.fork() == 0:\n{child}", False
    if kind == "loop":
        return "while True:\n    pass", False
    return "def _r(n):\n    return _r(n + 1)\n_r(0)", False


@st.composite
def cells(draw, marker, name):
    """The answer cell of ``name``: code at cell level, a function, a class, or an odd value."""
    form = draw(st.sampled_from(["cell", "function", "class", "value"]))
    code, is_value = draw(actions(marker))
    if form == "value":
        return f"{name} = {draw(values(marker))}"
    if form == "cell":
        return f"{name} = {code}" if is_value else code
    body = textwrap.indent(f"return {code}" if is_value else code, "    ")
    if form == "function":
        return f"def {name}(*args, **kwargs):\n{body}\n"
    return (
        f"def _act():\n{body}\n\n\nclass {name}:\n    def __init__(self, *args, **kwargs):\n"
        f"        pass\n\n    def forward(self, *args):\n        return _act()\n\n"
        f"    def backward(self, *args):\n        return _act()\n"
    )


@st.composite
def submissions(draw):
    marker = "Mk" + draw(st.text(alphabet=string.ascii_letters + string.digits, min_size=10, max_size=10))
    prelude = [
        "import functools, os, sys, time, warnings",
        "import numpy as np, sympy as sp",
        "from IPython.display import display",
    ]
    for base in BASES:
        prelude.append(f"class {marker}_{base}({base}):\n    def __str__(self):\n        return {marker!r}")
    answers = {qid: draw(cells(marker, name)) for qid, name, _ in ANSWERS}
    return marker, "\n".join(prelude), answers


def notebook(prelude, answers, marker):
    nb = student_version(WARMUP)
    nb["metadata"]["marker"] = marker  # nothing of the notebook but its code runs; none of it is shown
    nb["cells"].append({"cell_type": "markdown", "metadata": {"marker": marker}, "source": marker})
    for cell in nb["cells"]:
        info = cell.get("metadata", {}).get("grader", {})
        if info.get("role") == "answer" and info.get("id") in answers:
            cell["source"] = answers[info["id"]]
    first = next(
        i
        for i, c in enumerate(nb["cells"])
        if c.get("metadata", {}).get("grader", {}).get("role") == "parameters"
    )
    nb["cells"].insert(
        first + 1,
        {"cell_type": "code", "metadata": {}, "source": prelude, "outputs": [], "execution_count": None},
    )
    return nb


@contextlib.contextmanager
def captured_descriptors():
    """What is written to file descriptors 1 and 2 (by this process or any child) while inside."""
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        out = {}
        try:
            yield out
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            out["text"] = sink.read().decode("utf-8", "replace")


def outputs(result, folder):
    """Every output of one graded submission, as text."""
    master = parse_master(WARMUP)
    report.write_json(folder / "results.json", result)
    report.write_csv(folder / "class.csv", [result], master.questions)
    report.write_gradebook_csv(folder / "book.csv", [result], master.questions, "ID", "00_warmup")
    console = io.StringIO()
    with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
        cli.show_results([result], quiet=False)
    texts = {"text report": report.text_report(result), "console": console.getvalue()}
    for name in ("results.json", "class.csv", "book.csv"):
        texts[name] = (folder / name).read_text(encoding="utf-8")
    return texts


SESSION = {}


def session():
    if "master" not in SESSION:
        SESSION["master"] = parse_master(WARMUP)
        SESSION["session"] = MasterSession(SESSION["master"], LIMITS)
    return SESSION["master"], SESSION["session"]


def teardown_module():
    if "session" in SESSION:
        SESSION["session"].close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not FUZZ,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(submissions())
def test_no_text_a_submission_chose_reaches_any_output(case):
    marker, prelude, answers = case
    master, shared = session()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        path = write(notebook(prelude, answers, marker), folder / "student.ipynb")
        with captured_descriptors() as descriptors:
            result = grade(master, path, student_id="s1", limits=replace(LIMITS), session=shared)
        texts = outputs(result, folder)
    texts["file descriptors 1 and 2"] = descriptors["text"]
    pieces = {marker[i : i + 8] for i in range(len(marker) - 7)}
    for where, text in texts.items():
        found = [piece for piece in pieces if piece in text]
        assert not found, f"{where} shows the marker {marker!r}:\n{text}"
        assert not CONTROL.search(text.replace("\r\n", "\n")), f"{where} holds a control character:\n{text!r}"
