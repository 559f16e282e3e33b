"""Grade a submission against its master notebook.

1. The master runs in its own kernel with the student's id (the references for that id).
   Each question's hidden cell runs there, in a copy of the master's namespace, and gives
   the inputs, tolerances and known mistakes; the master's answer and every mistake are run
   on those inputs.
2. The submission runs once, cell by cell, in a fresh kernel of its own, with a time limit per
   cell and an output cap. A cell that kills the kernel is skipped after a restart.
3. Each answer is called in the student's kernel on the master's inputs, with the question's
   time limit; only plain data comes back.
4. The numbers are compared here, in the grader's process.
"""

import ast
import json
import re
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import student_seed, sympy_safe
from grader.compare import BadReport, SympyText, central_differences, compare_values, decode, describe
from grader.kernel import Kernel
from grader.master import (
    MasterError,
    NotebookError,
    cell_info,
    declared_student_id,
    parse_master,
    read_notebook,
    with_student_id,
)

STATUSES = ("passed", "failed", "error", "timeout", "crashed", "not attempted")
KERNEL_SIDE_SOURCE = (Path(__file__).parent / "_kernel_side.py").read_text(encoding="utf-8")
FD_STEP = 1e-6
DEFAULT_STUDENT_ID = "demo"


@dataclass
class Limits:
    """Time and size limits of a grading run."""

    cell_timeout: float = 30.0
    master_timeout: float = 120.0
    output_limit: int = 100_000
    max_restarts: int = 4
    question_timeout: float | None = None  # overrides every question's time_limit when set


@dataclass
class QuestionResult:
    """The grade of one question."""

    id: str
    max_points: float
    status: str
    message: str
    points: float = 0.0
    hint: str | None = None


@dataclass
class SubmissionResult:
    """The grade of one submission."""

    submission: str
    master: str
    student_id: str
    questions: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def score(self):
        return sum(q.points for q in self.questions)

    @property
    def max_score(self):
        return sum(q.max_points for q in self.questions)


class QueryFailed(Exception):
    """A kernel did not give a usable report (status says why; restart: the kernel is dead or stuck)."""

    def __init__(self, status, message, restart=False):
        super().__init__(message)
        self.status, self.message, self.restart = status, message, restart


def query_code(request):
    """The code that asks a kernel one question; its report comes back as a user expression."""
    variable = f"_grader_report_{secrets.token_hex(8)}"
    code = (
        "def __grader_run__():\n"
        "    namespace = {'__name__': 'grader_kernel_side'}\n"
        f"    exec({KERNEL_SIDE_SOURCE!r}, namespace)\n"
        f"    return namespace['query']({json.dumps(request)!r}, globals())\n"
        f"{variable} = __grader_run__()\n"
        "del __grader_run__\n"
    )
    return code, variable


def read_report(execution, variable):
    """Parse a query's report (a JSON string) from the execution's user expressions."""
    expression = execution.user_expressions.get("r", {})
    if expression.get("status") != "ok":
        raise QueryFailed(
            "error",
            "the grader could not read the result from your kernel "
            "(did your notebook change Python's builtins or the kernel's display?)",
        )
    try:
        text = ast.literal_eval(expression["data"]["text/plain"])
        report = json.loads(text)
    except (KeyError, ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise QueryFailed("error", "the result that came back from your kernel is malformed") from None
    if not isinstance(report, dict):
        raise QueryFailed("error", "the result that came back from your kernel is malformed")
    return report


def ask(kernel, request, timeout):
    """Send one request to a kernel; return its report or raise :class:`QueryFailed`."""
    code, variable = query_code(request)
    execution = kernel.execute(code, timeout, user_expressions={"r": variable})
    if execution.status == "timeout":
        raise QueryFailed(
            "timeout", f"took longer than the time limit of {timeout:g} s", restart=execution.stuck
        )
    if execution.status == "dead":
        raise QueryFailed("crashed", "the kernel died (os._exit, a segfault or out of memory)", restart=True)
    if execution.status == "error":
        raise QueryFailed(
            "error", f"the grader's call failed with {execution.ename}: {execution.evalue[:200]}"
        )
    return read_report(execution, variable)


class MasterSession:
    """The master notebook in its own kernel; rerun for each student id, reports cached."""

    def __init__(self, master, limits):
        self.master, self.limits = master, limits
        self.kernel, self.student_id, self.reports = None, None, {}

    def _cells(self, student_id):
        cells = []
        for cell in self.master.notebook.cells:
            role = cell_info(cell).get("role")
            if cell.cell_type != "code" or role == "hidden":
                continue
            cells.append(with_student_id(cell.source, student_id) if role == "parameters" else cell.source)
        return cells

    def prepare(self, student_id):
        """Run the master for ``student_id`` (if not done) and query every question."""
        if self.student_id == student_id:
            return
        self.student_id, self.reports = None, {}
        if self.kernel is None or not self.kernel.alive():
            self.close()
            self.kernel = Kernel(output_limit=self.limits.output_limit)
        for index, source in enumerate(self._cells(student_id)):
            execution = self.kernel.execute(source, self.limits.master_timeout)
            if execution.status != "ok":
                self.close()
                detail = (
                    f"{execution.ename}: {execution.evalue}"
                    if execution.status == "error"
                    else execution.status
                )
                raise MasterError(
                    f"the master notebook {self.master.path} failed at code cell {index} "
                    f"for student id {student_id!r}: {detail}"
                )
        for question in self.master.questions:
            request = {
                "mode": "master",
                "kind": question.kind,
                "name": question.answer,
                "hidden": question.hidden_source,
                "g_seed": g_seed(student_id, question.id),
                "fd": False,
                "h": FD_STEP,
            }
            try:
                report = ask(self.kernel, request, self.limits.master_timeout)
            except QueryFailed as failure:
                self.close()
                raise MasterError(
                    f"{self.master.path}: question {question.id}: the master's check "
                    f"{failure.status}: {failure.message}"
                ) from None
            _check_master_answer(self.master, question, report)
            self.reports[question.id] = report
        self.student_id = student_id

    def close(self):
        if self.kernel is not None:
            self.kernel.shutdown()
        self.kernel, self.student_id, self.reports = None, None, {}


def _check_master_answer(master, question, report):
    """The master's own answer must work on every input, and the kinds that need inputs must have some."""
    answer = report.get("answer")
    answers = answer if isinstance(answer, list) else [answer]
    where = f"{master.path}: question {question.id}"
    if question.kind in ("function", "layer_backward") and not answers:
        raise MasterError(f"{where}: its hidden cell must define a non-empty `inputs` list")
    if question.kind == "optimizer" and isinstance(answer, dict) and answer.get("ok") == []:
        raise MasterError(f"{where}: its hidden cell must define `initial_values` and non-empty `grads`")
    for item in answers:
        if not isinstance(item, dict) or "ok" not in item:
            raise MasterError(f"{where}: the master's own answer does not work: {item}")


def g_seed(student_id, question_id):
    """The seed of the random output gradients of a layer_backward question."""
    return student_seed(f"{student_id}:{question_id}") % (2**31)


class SubmissionRun:
    """A submission running in a fresh kernel, recovering from kernels that die or hang."""

    def __init__(self, cells, limits, kernel=None):
        self.cells, self.limits = cells, limits
        self.cell_status = {}
        self.bad_cells = set()
        self.restarts = 0
        self.output_truncated = False
        self.kernel = kernel or Kernel(output_limit=limits.output_limit)
        self._run_cells(record=True)

    def _run_cells(self, record):
        for index, source in enumerate(self.cells):
            if index in self.bad_cells:
                continue
            execution = self.kernel.execute(source, self.limits.cell_timeout)
            if record:
                self.cell_status[index] = execution
                self.output_truncated |= execution.truncated
            if execution.status == "dead" or execution.stuck:
                self.bad_cells.add(index)
                if not self._restart():
                    return
                self._run_cells_before(index)

    def _run_cells_before(self, stop):
        for index in range(stop):
            if index in self.bad_cells:
                continue
            execution = self.kernel.execute(self.cells[index], self.limits.cell_timeout)
            if execution.status == "dead" or execution.stuck:
                self.bad_cells.add(index)
                if not self._restart():
                    return

    def _restart(self):
        self.kernel.shutdown()
        if self.restarts >= self.limits.max_restarts:
            self.kernel = None
            return False
        self.restarts += 1
        self.kernel = Kernel(output_limit=self.limits.output_limit)
        return True

    def ask(self, request, timeout):
        if self.kernel is None:
            raise QueryFailed("crashed", "the kernel died too many times; this question was not graded")
        try:
            return ask(self.kernel, request, timeout)
        except QueryFailed as failure:
            if failure.restart and self._restart():
                self._run_cells_before(len(self.cells))
            raise

    def close(self):
        if self.kernel is not None:
            self.kernel.shutdown()
            self.kernel = None


def _answer_cell(cells_info, question):
    """Index of the submission cell that answers ``question`` (metadata id, else a cell defining the name)."""
    by_id = [i for i, info, _ in cells_info if info.get("role") == "answer" and info.get("id") == question.id]
    if by_id:
        return by_id[-1]
    pattern = re.compile(
        rf"^\s*(def\s+{question.answer}\b|class\s+{question.answer}\b|{question.answer}\s*=)", re.MULTILINE
    )
    by_name = [i for i, _, source in cells_info if pattern.search(source)]
    return by_name[-1] if by_name else None


def submission_cells(notebook, master, student_id):
    """The code to run: the submission's code cells in its order, with the master's parameters cell."""
    cells_info, replaced = [], False
    parameters = with_student_id(master.parameters_source, student_id) if master.parameters_source else None
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        info, source = cell_info(cell), cell.get("source", "")
        if info.get("role") == "hidden":
            continue
        is_parameters = info.get("role") == "parameters" or re.search(
            r"^STUDENT_ID\s*=", source, re.MULTILINE
        )
        if parameters is not None and is_parameters and not replaced:
            source, replaced = parameters, True
        cells_info.append((len(cells_info), info, source))
    if parameters is not None and not replaced:
        cells_info.insert(0, (0, {"role": "parameters"}, parameters))
        cells_info = [(i, info, source) for i, (_, info, source) in enumerate(cells_info)]
    return cells_info


def _not_defined(question, cell_index, run):
    """Status and message for an answer name that the submission does not define."""
    name = f"`{question.answer}`"
    if cell_index is None:
        return (
            "error",
            f"{name} is not defined: the answer cell of {question.id} is missing from the notebook",
        )
    execution = run.cell_status.get(cell_index)
    if execution is None or cell_index in run.bad_cells and execution.status != "timeout":
        return "crashed", f"the answer cell of {question.id} killed the kernel, so {name} is not defined"
    if execution.status == "error" and execution.ename == "NotImplementedError":
        return "not attempted", "not answered yet (the cell still raises NotImplementedError)"
    if execution.status == "timeout":
        return "timeout", f"the answer cell ran longer than {run.limits.cell_timeout:g} s and was stopped"
    if execution.status == "error":
        return "error", f"the answer cell raised {execution.ename}: {execution.evalue[:200]}"
    return "error", f"the answer cell ran but does not define {name}"


def _outcome(item, what):
    """(status, message) for a kernel report that is not a value: not attempted or an exception."""
    if "nie" in item:
        return "not attempted", "not answered yet (your code raises NotImplementedError)"
    if "exc" in item:
        stage = f" in {item['stage']}" if isinstance(item.get("stage"), str) else ""
        return "error", f"{what} raised {str(item['exc'])[:80]}{stage}: {str(item.get('msg', ''))[:200]}"
    return None


def _tolerances(settings):
    return float(settings["rtol"]), float(settings["atol"])


def judge_value(question, master_answer, student_answer, mistakes, settings):
    outcome = _outcome(student_answer, f"`{question.answer}`")
    if outcome:
        return (*outcome, None)
    if "ok" not in student_answer:
        raise BadReport("no value")
    got = decode(student_answer["ok"])
    rtol, atol = _tolerances(settings)
    message = compare_values(got, decode(master_answer["ok"]), rtol, atol, f"`{question.answer}`")
    if message is None:
        return "passed", "correct", None
    for hint, wrong in mistakes:
        if (
            isinstance(wrong, dict)
            and "ok" in wrong
            and compare_values(got, decode(wrong["ok"]), rtol, atol) is None
        ):
            return "failed", message, hint
    return "failed", message, None


def judge_function(question, master_answer, student_answer, mistakes, settings):
    if not isinstance(student_answer, list) or len(student_answer) != len(master_answer):
        raise BadReport("wrong number of results")
    rtol, atol = _tolerances(settings)
    count, results = len(master_answer), []
    for index, item in enumerate(student_answer):
        if not isinstance(item, dict):
            raise BadReport("malformed result")
        outcome = _outcome(item, f"`{question.answer}`")
        if outcome and outcome[0] == "not attempted":
            return (*outcome, None)
        if outcome:
            return outcome[0], f"{outcome[1]} (grader input {index + 1} of {count})", None
        results.append(decode(item["ok"]))
    failures = [
        (i, compare_values(got, decode(ref["ok"]), rtol, atol, f"the result for grader input {i + 1}"))
        for i, (got, ref) in enumerate(zip(results, master_answer, strict=True))
    ]
    failures = [(i, message) for i, message in failures if message]
    if not failures:
        return "passed", f"correct on all {count} grader inputs", None
    message = f"wrong on {len(failures)} of {count} grader inputs; first: {failures[0][1]}"
    for hint, wrong in mistakes:
        if (
            isinstance(wrong, list)
            and len(wrong) == count
            and all(isinstance(w, dict) and "ok" in w for w in wrong)
        ):
            if all(
                compare_values(got, decode(w["ok"]), rtol, atol) is None
                for got, w in zip(results, wrong, strict=True)
            ):
                return "failed", message, hint
    return "failed", message, None


def _layer_gradients(item, reference_y, seed, h, x_shape, param_shapes):
    """The student's gradients and their central-difference checks, computed here."""
    grad_out = np.random.default_rng(seed).standard_normal(size=np.shape(reference_y))
    checks = [
        (
            "the input gradient returned by backward",
            decode(item["gx"]),
            central_differences(grad_out, [(decode(p), decode(m)) for p, m in item["fd_x"]], h).reshape(
                x_shape
            ),
        )
    ]
    grads = dict((name, decode(g)) for name, g in item["pgrads"])
    for name, pairs in item["fd_p"]:
        numeric = central_differences(grad_out, [(decode(p), decode(m)) for p, m in pairs], h)
        checks.append((f"the gradient of {name}", grads.get(name), numeric.reshape(param_shapes[name])))
    return checks


def _layer_mismatch(item, reference, seed, spec_x, rtol, atol):
    """The first failed check of one layer input, or None (gradient check first, then the reference)."""
    message = compare_values(decode(item["y"]), decode(reference["y"]), rtol, atol, "the output of forward")
    if message:
        return message
    reference_grads = dict(reference["pgrads"])
    param_shapes = {name: np.shape(decode(grad)) for name, grad in reference_grads.items()}
    checks = _layer_gradients(item, decode(reference["y"]), seed, FD_STEP, np.shape(spec_x), param_shapes)
    expected = [decode(reference["gx"])] + [decode(reference_grads[name]) for name, _ in item["fd_p"]]
    for (label, got, numeric), wanted in zip(checks, expected, strict=True):
        message = compare_values(got, numeric, max(rtol, 1e-5), max(atol, 1e-7), label)
        if message:
            return f"gradient check failed: {message} vs the central differences of your forward"
        message = compare_values(got, wanted, rtol, atol, label)
        if message:
            return message
    return None


def judge_layer(question, master_answer, student_answer, mistakes, settings, spec, seed):
    rtol, atol = _tolerances(settings)
    inputs = decode(spec["inputs"])
    if not isinstance(student_answer, list) or len(student_answer) != len(master_answer):
        raise BadReport("wrong number of results")
    for index, item in enumerate(student_answer):
        outcome = _outcome(item, f"`{question.answer}`")
        if outcome and outcome[0] == "not attempted":
            return (*outcome, None)
        if outcome:
            return outcome[0], f"{outcome[1]} (grader input {index + 1} of {len(inputs)})", None
    failures = [
        (index, _layer_mismatch(item["ok"], reference["ok"], seed + index, inputs[index], rtol, atol))
        for index, (item, reference) in enumerate(zip(student_answer, master_answer, strict=True))
    ]
    failures = [(index, message) for index, message in failures if message]
    if not failures:
        return (
            "passed",
            f"forward correct, backward passes the gradient check on {len(inputs)} grader inputs",
            None,
        )
    index, first = failures[0]
    message = f"{first} (grader input {index + 1} of {len(inputs)})"
    for hint, wrong in mistakes:
        if not (isinstance(wrong, list) and len(wrong) == len(inputs) and all("ok" in w for w in wrong)):
            continue
        if all(
            compare_values(decode(item["ok"]["gx"]), decode(w["ok"]["gx"]), rtol, atol) is None
            for item, w in zip(student_answer, wrong, strict=True)
        ):
            return "failed", message, hint
    return "failed", message, None


def judge_optimizer(question, master_answer, student_answer, mistakes, settings):
    outcome = _outcome(student_answer, f"`{question.answer}`")
    if outcome:
        return (*outcome, None)
    rtol, atol = _tolerances(settings)
    expected_steps, steps = master_answer["ok"], student_answer["ok"]

    def first_difference(got_steps):
        for number, (got, expected) in enumerate(zip(got_steps, expected_steps, strict=True), start=1):
            for index, (g, e) in enumerate(zip(got["values"], expected["values"], strict=True)):
                message = compare_values(decode(g), decode(e), rtol, atol, f"parameter {index}")
                if message:
                    return f"after step {number}: {message}"
            expected_state = dict(expected["state"])
            for name, value in got["state"]:
                message = compare_values(
                    decode(value), decode(expected_state[name]), rtol, atol, f"the state `{name}`"
                )
                if message:
                    return f"after step {number}: {message}"
        return None

    if not isinstance(steps, list) or len(steps) != len(expected_steps):
        raise BadReport("wrong number of steps")
    message = first_difference(steps)
    if message is None:
        return "passed", f"parameters and state correct after each of {len(steps)} steps", None
    for hint, wrong in mistakes:
        if isinstance(wrong, dict) and "ok" in wrong:
            try:
                if first_difference_of(steps, wrong["ok"], rtol, atol) is None:
                    return "failed", message, hint
            except (BadReport, KeyError, ValueError):
                continue
    return "failed", message, None


def first_difference_of(got_steps, wrong_steps, rtol, atol):
    """None when every parameter value after every step matches a mistake's."""
    if len(got_steps) != len(wrong_steps):
        return "length"
    for got, wrong in zip(got_steps, wrong_steps, strict=True):
        for g, w in zip(got["values"], wrong["values"], strict=True):
            if compare_values(decode(g), decode(w), rtol, atol):
                return "differs"
    return None


def sympy_verdict(student_text, reference_text, mistakes, settings):
    """Compare SymPy answers in the grader's process (a whitelisting parser, no eval) with a time limit.

    The comparison runs after the student's kernel is gone and never in a kernel the student's
    code could reach. Outside the main thread (no SIGALRM there) it runs in a subprocess.
    """
    arguments = [student_text, reference_text, mistakes, settings["domain"], float(settings["time_limit"])]
    if threading.current_thread() is threading.main_thread():
        return sympy_safe.compare(*arguments)
    try:
        completed = subprocess.run([sys.executable, "-m", "grader.sympy_safe"], input=json.dumps(arguments),
                                   capture_output=True, text=True, timeout=arguments[-1] + 30, check=False)
        return json.loads(completed.stdout)
    except (subprocess.TimeoutExpired, json.JSONDecodeError):
        return {"verdict": "timeout", "message": "comparing your expression took too long"}


def judge_sympy(question, master_answer, student_answer, mistakes, settings):
    outcome = _outcome(student_answer, f"`{question.answer}`")
    if outcome:
        return (*outcome, None)
    got = decode(student_answer["ok"])
    if not isinstance(got, SympyText):
        return (
            "failed",
            f"wrong type: `{question.answer}` should be a SymPy expression, got {describe(got)}",
            None,
        )
    reference = decode(master_answer["ok"]).text
    wrong = [
        [hint, w["ok"]["v"]]
        for hint, w in mistakes
        if isinstance(w, dict) and w.get("ok", {}).get("t") == "sympy"
    ]
    verdict = sympy_verdict(got.text, reference, wrong, settings)
    status = verdict.get("verdict") if verdict.get("verdict") in ("passed", "failed", "timeout") else "error"
    hint = verdict.get("hint")
    return status, str(verdict.get("message", ""))[:300], hint if isinstance(hint, str) else None


def grade_question(question, report, run, cells_info, session, student_id):
    """Grade one question; every failure of the student's code ends up in the result, never raised."""
    settings = report["settings"]
    request = {
        "mode": "student",
        "kind": question.kind,
        "name": question.answer,
        "spec": report["spec"],
        "g_seed": g_seed(student_id, question.id),
        "fd": question.kind == "layer_backward",
        "h": FD_STEP,
    }
    time_limit = run.limits.question_timeout or settings["time_limit"]
    try:
        student = run.ask(request, time_limit)
    except QueryFailed as failure:
        return failure.status, f"`{question.answer}`: {failure.message}", None
    answer = student.get("answer")
    if isinstance(answer, dict) and answer.get("undefined"):
        return (*_not_defined(question, _answer_cell(cells_info, question), run), None)
    mistakes = [(str(hint), wrong) for hint, wrong in report["mistakes"]]
    master_answer = report["answer"]
    if question.kind in ("value", "choice"):
        return judge_value(question, master_answer, answer, mistakes, settings)
    if question.kind == "function":
        return judge_function(question, master_answer, answer, mistakes, settings)
    if question.kind == "layer_backward":
        return judge_layer(
            question,
            master_answer,
            answer,
            mistakes,
            settings,
            report["spec"],
            g_seed(student_id, question.id),
        )
    if question.kind == "optimizer":
        return judge_optimizer(question, master_answer, answer, mistakes, settings)
    return judge_sympy(question, master_answer, answer, mistakes, settings)


def resolve_student_id(notebook, student_id):
    if student_id is not None:
        return student_id
    declared = declared_student_id(notebook) if notebook is not None else None
    return declared if declared else DEFAULT_STUDENT_ID


def grade(master, submission_path, student_id=None, limits=None, session=None):
    """Grade ``submission_path`` against ``master`` (a :class:`Master` or a path).

    Returns a :class:`SubmissionResult`.

    Raises :class:`MasterError` only for a broken master; a broken submission is a result.
    """
    limits = limits or Limits()
    if not hasattr(master, "questions"):
        master = parse_master(master)
    own_session = session is None
    session = session or MasterSession(master, limits)
    result = SubmissionResult(str(submission_path), str(master.path), student_id or "")
    try:
        try:
            notebook = read_notebook(submission_path)
        except NotebookError as error:
            result.student_id = resolve_student_id(None, student_id)
            result.questions = [
                QuestionResult(q.id, q.points, "error", f"the submission is not gradable: {error}")
                for q in master.questions
            ]
            return result
        result.student_id = resolve_student_id(notebook, student_id)
        cells_info = submission_cells(notebook, master, result.student_id)
        kernel = Kernel(output_limit=limits.output_limit, wait=False)  # boots while the master runs
        try:
            session.prepare(result.student_id)
            run = SubmissionRun([source for _, _, source in cells_info], limits, kernel)
        except BaseException:
            kernel.shutdown()
            raise
        try:
            for question in master.questions:
                try:
                    status, message, hint = grade_question(
                        question, session.reports[question.id], run, cells_info, session, result.student_id
                    )
                except (BadReport, KeyError, TypeError, ValueError, IndexError) as error:
                    status, message, hint = (
                        "error",
                        f"the result from your kernel is malformed ({error})",
                        None,
                    )
                points = question.points if status == "passed" else 0.0
                result.questions.append(
                    QuestionResult(question.id, question.points, status, message, points, hint)
                )
        finally:
            run.close()
        if run.output_truncated:
            result.notes.append(
                f"the notebook printed more than {limits.output_limit} bytes in a cell; "
                "the extra output was dropped"
            )
        if run.restarts:
            result.notes.append(f"the kernel was restarted {run.restarts} time(s)")
        return result
    finally:
        if own_session:
            session.close()
