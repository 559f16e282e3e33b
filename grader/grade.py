"""Grade a submission against its master notebook.

1. The master runs in its own sandboxed kernel with the student's id (the references for that
   id). Each question's hidden cell runs there, in a copy of the master's namespace, and gives
   the spec (inputs, steps, names to check), tolerances, forbidden modules and known mistakes;
   the master's answer and every mistake are run on those inputs.
2. The submission runs once, cell by cell, in a fresh sandboxed kernel of its own (see
   :mod:`grader.run.sandbox`), with a time limit per cell, an output cap and a time limit for the
   whole submission. A cell that kills the kernel is skipped after a restart. It runs once more,
   at the same time, for each set of modules that questions forbid, in a kernel where those
   modules are stubs; those questions are asked there only (:mod:`grader.judge.forbid`).
3. Each answer is called in the student's kernel on the master's inputs, with the question's
   time limit (:mod:`grader.run.protocol`); only plain data comes back.
4. A judge per kind (:mod:`grader.judge.judges`) decides in the grader's process, from the master's
   spec and both kernels' data. The student's kernel is killed before the result exists.
"""

import re
import threading
import time
from dataclasses import dataclass, field, replace

from grader import student_seed
from grader.judge import follow_through, forbid
from grader.judge.judges import FD_STEP, Task, Verdict, judge
from grader.master import notebook as master_reasons
from grader.master.notebook import (
    MasterError,
    NotebookError,
    cell_info,
    declared_student_id,
    parse_master,
    read_notebook,
    with_student_id,
)
from grader.run import sandbox
from grader.run.kernel import Kernel
from grader.run.protocol import REPORT_LIMIT, QueryFailed, ask
from grader.run.sandbox import SandboxLimits
from grader.vocabulary import MasterText, Message

STATUSES = ("passed", "failed", "error", "timeout", "crashed", "not attempted")
DEFAULT_STUDENT_ID = "demo"


@dataclass
class Limits:
    """Time, size and resource limits of a grading run."""

    cell_timeout: float = 30.0
    master_timeout: float = 120.0
    output_limit: int = 100_000
    max_restarts: int = 4
    question_timeout: float | None = None  # overrides every question's time_limit when set
    submission_timeout: float = 300.0  # wall clock of one submission: its cells and its questions
    sandbox: SandboxLimits = field(default_factory=SandboxLimits)


@dataclass
class QuestionResult:
    """The grade of one question; its message, hint and check labels are messages (grader.vocabulary)."""

    id: str
    max_points: float
    status: str
    message: Message
    points: float = 0.0
    hint: Message | None = None
    checks: list = field(default_factory=list)  # [(label, passed)] when the question gives partial credit
    marked: str = "own chain"  # or "follow-through" (grader.judge.follow_through)


@dataclass
class SubmissionResult:
    """The grade of one submission; its notes are :class:`~grader.vocabulary.Message`."""

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
            self.kernel = Kernel(output_limit=self.limits.output_limit, limits=self.limits.sandbox)
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
    """A submission running in a fresh kernel, recovering from kernels that die or hang.

    The whole run (cells, restarts, questions) has one wall-clock deadline,
    ``limits.submission_timeout`` seconds from its start.
    """

    def __init__(self, cells, limits, kernel=None, start=True):
        self.cells, self.limits = cells, limits
        self.deadline = time.monotonic() + limits.submission_timeout
        self.cell_status = {}
        self.bad_cells = set()
        self.restarts = 0
        self.output_truncated = False
        self.out_of_time = False
        self.kernel = kernel or self._new_kernel()
        if start:
            self.start()

    def start(self):
        """Run the submission's cells once, in order."""
        self._run_cells(record=True)

    def cancel(self):
        """Stop running cells after the current one (the master failed: this run is not needed)."""
        self.deadline = float("-inf")

    def _new_kernel(self):
        return Kernel(output_limit=self.limits.output_limit, limits=self.limits.sandbox)

    def remaining(self):
        return self.deadline - time.monotonic()

    def _execute(self, source, timeout):
        """Run one cell within both its own limit and what is left of the submission's."""
        left = self.remaining()
        if left <= 0:
            self.out_of_time = True
            return None
        execution = self.kernel.execute(source, min(timeout, left))
        if execution.status == "timeout" and self.remaining() <= 0:
            self.out_of_time = True
        return execution

    def _run_cells(self, record):
        for index, source in enumerate(self.cells):
            if index in self.bad_cells:
                continue
            execution = self._execute(source, self.limits.cell_timeout)
            if execution is None:
                return
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
            execution = self._execute(self.cells[index], self.limits.cell_timeout)
            if execution is None:
                return
            if execution.status == "dead" or execution.stuck:
                self.bad_cells.add(index)
                if not self._restart():
                    return

    def _restart(self):
        self.kernel.shutdown()
        if self.restarts >= self.limits.max_restarts or self.remaining() <= 0:
            self.kernel = None
            return False
        self.restarts += 1
        self.kernel = self._new_kernel()
        return True

    def ask(self, request, timeout):
        if self.remaining() <= 0:
            self.out_of_time = True
            raise QueryFailed(
                "timeout",
                f"the submission's time limit of {self.limits.submission_timeout:g} s ran out "
                "before this question was asked",
            )
        if self.kernel is None:
            raise QueryFailed("crashed", "the kernel died too many times; this question was not graded")
        try:
            return ask(self.kernel, request, min(timeout, self.remaining()))
        except QueryFailed as failure:
            if failure.restart and self._restart():
                self._run_cells_before(len(self.cells))
            raise

    def close(self):
        """Kill the kernel's sandbox; return once every process of it is gone."""
        if self.kernel is not None:
            self.kernel.shutdown()
            self.kernel = None


def _answer_cell(cells_info, question):
    """Index of the submission cell that answers ``question`` (metadata id, else a cell defining the name)."""
    by_id = [i for i, info, _ in cells_info if info.get("role") == "answer" and info.get("id") == question.id]
    if by_id:
        return by_id[-1]
    # [ \t], not \s: a \s* at each line start ran over every later blank line (quadratic in the cell)
    name = re.escape(question.answer)
    pattern = re.compile(rf"^[ \t]*(def[ \t]+{name}\b|class[ \t]+{name}\b|{name}[ \t]*=)", re.MULTILINE)
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
    name = Message("name", name=MasterText(question.answer))
    qid = MasterText(question.id)
    if cell_index is None:
        return "error", Message("answer cell missing", what=name, question=qid)
    execution = run.cell_status.get(cell_index)
    if execution is None and run.out_of_time:
        return "timeout", Message(
            "answer cell out of time", seconds=run.limits.submission_timeout, question=qid
        )
    if execution is None or cell_index in run.bad_cells and execution.status != "timeout":
        return "crashed", Message("answer cell crashed", question=qid, what=name)
    if execution.status == "error" and execution.ename == "NotImplementedError":
        return "not attempted", Message("not attempted cell")
    if execution.status == "timeout":
        return "timeout", Message("answer cell timeout", seconds=run.limits.cell_timeout)
    if execution.status == "error":  # neither the exception's name nor its text: the student chose both
        return "error", Message("answer cell raised", what=name)
    return "error", Message("answer cell undefined", what=name)


#: Why a file is not a notebook: grader.master.notebook.read_notebook's fixed reasons (its whole vocabulary).
_UNREADABLE = (
    master_reasons.NOT_READABLE,
    master_reasons.NOT_A_FILE,
    master_reasons.EMPTY,
    master_reasons.TOO_LARGE,
    master_reasons.NOT_UTF8,
    master_reasons.TOO_DEEP,
    master_reasons.TOO_MANY_PARTS,
    master_reasons.INVALID_JSON,
    master_reasons.SURROGATE,
    master_reasons.NO_CELLS,
    master_reasons.NOT_VERSION_4,
    master_reasons.BAD_CELL,
    master_reasons.BAD_SOURCE,
)


def _unreadable(error, path):
    """What :class:`NotebookError` says about the file, in the grader's words only (never its content)."""
    said = str(error)
    reason = next((reason for reason in _UNREADABLE if said.startswith(reason)), "it cannot be read")
    return MasterText(reason)


def _query_message(failure, name, time_limit, limits):
    """The message of a query that gave no report, from its status and the grader's own words only."""
    said = str(failure.message)
    if failure.status == "timeout" and "submission's time limit" in said:
        return Message("query out of time", what=name, seconds=limits.submission_timeout)
    if failure.status == "timeout":
        return Message("query timeout", what=name, seconds=time_limit)
    if failure.status == "crashed" and "too many times" in said:
        return Message("query too many crashes", what=name)
    if failure.status == "crashed":
        return Message("query crashed", what=name)
    if "larger than" in said:
        return Message("query too large", what=name, megabytes=REPORT_LIMIT // 1_000_000)
    return Message("query error", what=name)


def grade_question(question, report, run, cells_info, student_id, course=frozenset()):
    """Grade one question; every failure of the student's code ends up in the verdict, never raised.

    A question that forbids modules is judged only in a run whose kernel lacks them
    (:func:`forbid_limits`); in any other run it is refused, so no caller can judge it where
    the modules are.
    """
    settings = report["settings"]
    forbidden = sorted({str(name) for name in settings.get("forbid", [])})
    if tuple(forbidden) != tuple(run.limits.sandbox.absent):
        return Verdict("error", Message("not judged wrong run"))
    request = {
        "mode": "student",
        "kind": question.kind,
        "name": question.answer,
        "spec": report["spec"],
        "g_seed": g_seed(student_id, question.id),
        "fd": question.kind == "layer_backward",
        "h": FD_STEP,
        "forbid": forbidden,
    }
    cell_index = _answer_cell(cells_info, question)
    time_limit = run.limits.question_timeout or float(settings["time_limit"])
    try:
        student = run.ask(request, time_limit)
    except QueryFailed as failure:
        name = Message("name", name=MasterText(question.answer))
        return Verdict(failure.status, _query_message(failure, name, time_limit, run.limits))
    answer = student.get("answer")
    if isinstance(answer, dict) and answer.get("undefined"):
        return _with_forbid_hint(
            Verdict(*_not_defined(question, cell_index, run)), cells_info, forbidden, course
        )
    task = Task(
        kind=question.kind,
        answer=question.answer,
        spec=report["spec"],
        settings=settings,
        reference=report["answer"],
        mistakes=[(str(hint), wrong) for hint, wrong in report["mistakes"]],
        seed=g_seed(student_id, question.id),
    )
    return _with_forbid_hint(judge(task, answer), cells_info, forbidden, course)


def _with_forbid_hint(verdict, cells_info, forbidden, course):
    """A hint when a cell of the student's own names a forbidden module (it does not change the mark)."""
    found = forbid.notebook_use(cells_info, forbidden, course) if forbidden else None
    if found and verdict.hint is None:
        name, index = found
        verdict.hint = Message("forbid hint", index=index, name=MasterText(name))
    return verdict


def forbid_limits(limits, names):
    """``limits`` for the run of the questions that forbid ``names``: a kernel where they are stubs."""
    return replace(limits, sandbox=replace(limits.sandbox, absent=tuple(sorted(names))))


def forbid_sets(master):
    """The distinct sets of modules that the master's questions forbid (none: ``[]``), each sorted."""
    try:
        return sorted({forbid.declared(q.hidden_source) for q in master.questions} - {()})
    except forbid.ForbidError as error:
        raise MasterError(f"{master.path}: {error}") from None


def _check_forbid_sets(master, session):
    """The master's run must forbid what its hidden cells say (the kernels were chosen from the text)."""
    for question in master.questions:
        ran = tuple(
            sorted({str(name) for name in session.reports[question.id]["settings"].get("forbid", [])})
        )
        if ran != forbid.declared(question.hidden_source):
            raise MasterError(
                f"{master.path}: question {question.id}: `forbid` must be assigned once, as a list of "
                'module names as strings, e.g. forbid = ["nnlib.losses"] (its run gave another list)'
            )


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
    sandbox.require(limits.sandbox)  # SandboxUnavailable names the cause; the teacher chooses another jail
    if not hasattr(master, "questions"):
        master = parse_master(master)
    own_session = session is None
    session = session or MasterSession(master, limits)
    result = SubmissionResult(str(submission_path), str(master.path), student_id or "")
    try:
        try:
            notebook = read_notebook(submission_path, follow_links=False)
        except NotebookError as error:
            result.student_id = resolve_student_id(None, student_id)
            unreadable = Message("not gradable", why=_unreadable(error, submission_path))
            result.questions = [QuestionResult(q.id, q.points, "error", unreadable) for q in master.questions]
            return result
        result.student_id = resolve_student_id(notebook, student_id)
        cells_info = submission_cells(notebook, master, result.student_id)
        sets = forbid_sets(master)
        # The submission's kernels boot and run its cells in threads while the master runs here: one
        # kernel for the questions that forbid nothing and one per set of forbidden modules, each in
        # a sandbox of its own, no shared state (each thread talks to its own kernel only).
        runs = {}
        try:
            for names in [(), *sets]:
                run_limits = forbid_limits(limits, names)
                kernel = Kernel(output_limit=limits.output_limit, limits=run_limits.sandbox, wait=False)
                runs[names] = SubmissionRun([s for _, _, s in cells_info], run_limits, kernel, start=False)
        except forbid.ForbidError as error:
            for each in runs.values():
                each.close()
            raise MasterError(f"{master.path}: {error}") from None
        run = runs[()]
        failures = []

        def run_cells(each):
            try:
                each.start()
            except BaseException as error:  # re-raised below, in the grader's thread
                failures.append(error)

        threads = [
            threading.Thread(target=run_cells, args=(each,), name="submission-cells", daemon=True)
            for each in runs.values()
        ]
        for thread in threads:
            thread.start()
        try:
            session.prepare(result.student_id)
            _check_forbid_sets(master, session)
        except BaseException:
            for each in runs.values():
                each.cancel()
            for thread in threads:
                thread.join()
            for each in runs.values():
                each.close()
            raise
        for thread in threads:
            thread.join()
        if failures:
            for each in runs.values():
                each.close()
            raise failures[0]
        course = forbid.course_sources(master)
        try:
            for question in master.questions:
                report = session.reports[question.id]
                names = tuple(sorted({str(name) for name in report["settings"].get("forbid", [])}))
                try:
                    verdict = grade_question(
                        question, report, runs[names], cells_info, result.student_id, course
                    )
                except Exception:  # judging one question must not cost the others
                    verdict = Verdict("error", Message("could not judge"))
                partial = bool(report["settings"].get("partial", False))
                checks = [(c.label, c.passed) for c in verdict.checks] if partial else []
                message = verdict.message
                if checks and verdict.status == "failed":
                    passed = tuple(label for label, ok in checks if ok)
                    counts = {"message": message, "passed": len(passed), "total": len(checks)}
                    message = (
                        Message("partial labels", labels=passed, **counts)
                        if passed
                        else Message("partial", **counts)
                    )
                result.questions.append(
                    QuestionResult(
                        question.id,
                        question.points,
                        verdict.status,
                        message,
                        verdict.points(question.points, partial),
                        verdict.hint,
                        checks,
                    )
                )
            for each in runs.values():  # every kernel but the one follow-through may use again
                if each is not run:
                    each.close()
            # follow-through re-runs cells in the kernel of the questions that forbid nothing: the
            # questions that forbid a module are not followed through (grade_question refuses them there)
            forbidding = {q.id for q in master.questions if forbid.declared(q.hidden_source)}
            view = replace(result, questions=[q for q in result.questions if q.id not in forbidding])

            def regrade(question, report):
                return grade_question(question, report, run, cells_info, result.student_id, course)

            def answer_source(question):
                index = _answer_cell(cells_info, question)
                return None if index is None else cells_info[index][2]

            follow_through.apply(master, session, run, view, limits, regrade, answer_source)
        finally:
            for each in runs.values():
                each.close()  # every process of the submission is gone before the result exists
        # Only the first run of the cells is noted (before any question or master value reached the
        # kernel). The number of restarts and whether the submission ran out of time are not shown:
        # the student's code decides them, and with the grader's inputs in its kernel it could
        # spell them out (issue 20); each question's own status already says what happened to it.
        if any(each.output_truncated for each in runs.values()):
            result.notes.append(Message("output dropped", limit=limits.output_limit))
        return result
    finally:
        if own_session:
            session.close()
