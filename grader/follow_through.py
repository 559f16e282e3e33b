"""Follow-through (error carried forward) marking of a chain of questions.

A master declares in an answer cell's ``"grader"`` metadata which earlier answers the question
builds on (``"uses": ["q1", "q3"]``), and may turn follow-through off (``"follow_through": false``)
or give it a share of the points (``"follow_through": 0.5``). The names carried from the earlier
questions are derived from the code: the names the master's answer cell reads that the answer
cells of the questions it uses assign (for backprop's q4: ``a_hidden`` and ``delta_out_q3``).

After every question was graded on the student's own chain, a question that did not score full
marks, and that uses an earlier question that did not score full marks on the student's own chain,
gets two more tries, each within the question's time limit and the submission's:

1. **your values**: the student's own answer to it is judged against the master's answer cell
   run (in a copy of the master's namespace) with the *student's* values of the carried names;
   the student's kernel is not touched. Tried when the student defined the carried names.
2. **reference values**: the master's values of the carried names are put into the student's
   kernel, the student's answer cell runs again there, and its answer is judged against the
   master's own reference. This is how an earlier answer that hangs, raises or is missing is
   followed through.

All the first tries run before any second one, since a second try changes the student's kernel.
The student's values of every carried name are read once, before anything runs again.
"""

import ast
import inspect
import json
import secrets
import time
from dataclasses import dataclass, field

from grader import forbid
from grader.master import MasterError, cell_info, strip_region  # noqa: F401 - MasterError re-exported
from grader.protocol import KERNEL_SIDE_SOURCE, QueryFailed, read_report
from grader.vocabulary import MasterText, Message

OWN = "own chain"
FOLLOW = "follow-through"


@dataclass
class Declaration:
    """What a master says about one question's chain."""

    uses: list = field(default_factory=list)  # earlier question ids, in the notebook's order
    names: list = field(default_factory=list)  # the names carried from them, sorted
    share: float = 1.0  # share of the points a follow-through answer gets; 0 turns it off
    source: str = ""  # the master's answer cell (with its solution)


def _assigned(source):
    """Names a cell's code assigns at its top level (assignments, defs, classes, imports, loops)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):  # a function's parameters are its own names
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _read(source):
    """Names a cell's code reads that it does not assign itself."""
    loaded = {
        n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return loaded - _assigned(source)


def _answer_cells(master):
    cells = {}
    for cell in master.notebook.cells:
        info = cell_info(cell)
        if cell.get("cell_type") == "code" and info.get("role") == "answer":
            cells[info.get("id")] = (info, cell.source)
    return cells


def derived_uses(master):
    """Per question, the earlier questions whose answer cells assign a name its answer cell reads."""
    cells = _answer_cells(master)
    order = [q.id for q in master.questions]
    result = {}
    for index, qid in enumerate(order):
        reads = _read(cells[qid][1])
        result[qid] = [u for u in order[:index] if reads & _assigned(cells[u][1])]
    return result


def declarations(master):
    """The :class:`Declaration` of every question of ``master``; MasterError on a malformed one."""
    cells = _answer_cells(master)
    order = [q.id for q in master.questions]
    result = {}
    for index, qid in enumerate(order):
        info, source = cells[qid]
        where = f"{master.path}: question {qid}"
        uses = info.get("uses", [])
        if not isinstance(uses, list) or not all(isinstance(u, str) for u in uses):
            raise MasterError(f"{where}: `uses` must be a list of earlier question ids, got {uses!r}")
        bad = [u for u in uses if u not in order[:index]]
        if bad:
            raise MasterError(f"{where}: `uses` names unknown or later questions: {', '.join(bad)}")
        share = info.get("follow_through", True)
        if share is True:
            share = 1.0
        elif share is False:
            share = 0.0
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise MasterError(
                f"{where}: `follow_through` must be true, false or a number from 0 to 1, got {share!r}"
            )
        carried = set()
        for u in uses:
            carried |= _assigned(cells[u][1])
        names = sorted(_read(source) & carried)
        if uses and not names:
            raise MasterError(
                f"{where}: `uses` {uses} but its answer cell reads no name their answer cells assign"
            )
        result[qid] = Declaration(list(uses), names, float(share), source)
    return result


# --- talking to the kernels ------------------------------------------------------------------------------


def _code(body, variable=None):
    """Code that loads the kernel side in a namespace of its own (``ks``) and runs ``body`` in a function."""
    runner = f"_grader_ft_{secrets.token_hex(8)}"
    lines = [
        f"def {runner}():",
        "    ks = {'__name__': 'grader_kernel_side'}",
        f"    exec({KERNEL_SIDE_SOURCE!r}, ks)",
    ]
    lines += ["    " + line for line in body]
    call = f"{variable} = {runner}()" if variable else f"{runner}()"
    return "\n".join([*lines, call, f"del {runner}", ""])


def _fetch_code(names):
    variable = f"_grader_values_{secrets.token_hex(8)}"
    body = [
        "out = {}",
        f"for name in {names!r}:",
        "    if name in globals():",
        "        try:",
        "            out[name] = ks['enc'](globals()[name])",
        "        except Exception:",
        "            pass",
        "return ks['json'].dumps(out)",
    ]
    return _code(body, variable), variable


def _put_code(values):
    body = [
        f"values = ks['json'].loads({json.dumps(values)!r})",
        "for name, value in values.items():",
        "    globals()[name] = ks['dec'](value)",
    ]
    return _code(body)


def _reference_code(values, source, request):
    """Master's answer cell in a copy of its namespace with ``values``; the report's ``answer``."""
    variable = f"_grader_reference_{secrets.token_hex(8)}"
    body = [
        f"request = ks['json'].loads({json.dumps(request)!r})",
        f"values = ks['json'].loads({json.dumps(values)!r})",
        "space = dict(globals())",
        "for name, value in values.items():",
        "    space[name] = ks['dec'](value)",
        f"exec({source!r}, space)",
        "missing = object()",
        "obj = space.get(request['name'], missing)",
        "if obj is missing:",
        "    return ks['json'].dumps({'answer': {'undefined': True}})",
        "answer = ks['run'](request['kind'], obj, request['spec'], request)",
        "return ks['json'].dumps({'answer': answer})",
    ]
    return _code(body, variable), variable


def _plain(value):
    """Only data the kernel side encoded as plain values travel on (never an ``other``)."""
    if not isinstance(value, dict) or value.get("t") == "other":
        return False
    if value.get("t") in ("list", "tuple"):
        return isinstance(value.get("v"), list) and all(_plain(item) for item in value["v"])
    return True


class _Budget:
    """A question's time limit, spent by every re-run of it (only while it runs: see ``start``)."""

    def __init__(self, seconds):
        self.seconds, self.spent, self.since = seconds, 0.0, None

    def start(self):
        self.since = time.monotonic()
        return self

    def stop(self):
        if self.since is not None:
            self.spent += time.monotonic() - self.since
        self.since = None

    def left(self):
        running = time.monotonic() - self.since if self.since is not None else 0.0
        return self.seconds - self.spent - running


def _student_values(run, names, seconds):
    if not names or run.kernel is None or min(seconds, run.remaining()) <= 0:
        return {}
    code, variable = _fetch_code(sorted(names))
    execution = run.kernel.execute(code, min(seconds, run.remaining()), user_expressions={"r": variable})
    if execution.status != "ok":
        return {}
    try:
        values = read_report(execution, variable)
    except QueryFailed:
        return {}
    return {name: value for name, value in values.items() if name in names and _plain(value)}


def _master_values(kernel, names, seconds):
    code, variable = _fetch_code(sorted(names))
    execution = kernel.execute(code, seconds, user_expressions={"r": variable})
    return read_report(execution, variable) if execution.status == "ok" else {}


def _grade_with(grade_question, question, report, run, cells_info, student_id, master, budget, answer=None):
    """grade_question with the question's time left, and another reference when ``answer`` is given."""
    report = dict(report, settings=dict(report["settings"], time_limit=max(budget.left(), 0.001)))
    if answer is not None:
        report.update(answer=answer, mistakes=[])
    takes_course = "course" in inspect.signature(grade_question).parameters
    extra = {"course": forbid.course_sources(master)} if takes_course else {}
    return grade_question(question, report, run, cells_info, student_id, **extra)


# --- the marking -----------------------------------------------------------------------------------------


def apply(master, session, run, cells_info, result, limits, grade_question, answer_cell):
    """Give follow-through marks in ``result`` (a SubmissionResult graded on the student's own chain)."""
    declared = declarations(master)
    own = {q.id: q for q in result.questions}
    for q in result.questions:
        q.marked = OWN
    full = {qid: q.points >= q.max_points for qid, q in own.items()}
    todo = []
    for question in master.questions:
        d = declared[question.id]
        graded = own.get(question.id)
        if not d.uses or d.share <= 0 or graded is None or graded.points >= graded.max_points:
            continue
        if "forbidden cell" in graded.message.keys():
            continue  # a forbidden helper scores 0 on every chain
        broken = [u for u in d.uses if not full.get(u, False)]
        if broken:
            todo.append((question, d, broken))
    if not todo or session.kernel is None:
        return
    reports = session.reports
    names = set().union(*(d.names for _, d, _ in todo))
    snapshot = _student_values(run, names, min(10.0, limits.submission_timeout))
    budgets = {}
    for question, _, _ in todo:
        settings = reports[question.id]["settings"]
        budgets[question.id] = _Budget(limits.question_timeout or float(settings["time_limit"]))
    done = set()
    # 1. the student's own values of the carried names (the student's kernel is not touched).
    for question, d, broken in todo:
        budget = budgets[question.id].start()
        if not any(name in snapshot for name in d.names) or budget.left() <= 0:
            budget.stop()
            continue
        report = reports[question.id]
        try:
            theirs = {name: snapshot[name] for name in d.names if name in snapshot}
            request = {
                "kind": question.kind,
                "name": question.answer,
                "spec": report["spec"],
                "g_seed": _g_seed(result.student_id, question.id),
                "fd": False,
                "h": _fd_step(),
            }
            code, variable = _reference_code(theirs, d.source, request)
            execution = session.kernel.execute(
                code, max(budget.left(), 0.001), user_expressions={"r": variable}
            )
            if execution.status != "ok":
                continue
            reference = read_report(execution, variable).get("answer")
            if not isinstance(reference, dict) or reference.get("undefined"):
                continue
            verdict = _grade_with(
                grade_question,
                question,
                report,
                run,
                cells_info,
                result.student_id,
                master,
                budget,
                reference,
            )
        except Exception:  # one question's follow-through must not cost the others
            continue
        finally:
            budget.stop()
        if _better(own[question.id], verdict, question, report, d):
            _record(own[question.id], verdict, question, report, d, Message("follow own", ids=_ids(broken)))
            done.add(question.id)
    # 2. the master's values of the carried names, in the student's kernel, and the answer cell again.
    for question, d, broken in todo:
        budget = budgets[question.id]
        index = answer_cell(cells_info, question)
        if question.id in done or budget.left() <= 0 or run.kernel is None or index is None:
            continue
        report = reports[question.id]
        budget.start()
        try:
            values = _master_values(session.kernel, d.names, max(budget.left(), 0.001))
            if set(values) != set(d.names):
                continue
            put = run._execute(_put_code(values), max(budget.left(), 0.001))
            if put is None or put.status != "ok":
                continue
            again = run._execute(cells_info[index][2], max(budget.left(), 0.001))
            if again is None or again.status in ("timeout", "dead") or budget.left() <= 0:
                if again is not None and (again.status == "dead" or again.stuck) and run._restart():
                    run._run_cells_before(len(run.cells))
                continue
            verdict = _grade_with(
                grade_question, question, report, run, cells_info, result.student_id, master, budget
            )
        except Exception:  # one question's follow-through must not cost the others
            continue
        finally:
            budget.stop()
        if _better(own[question.id], verdict, question, report, d):
            names = tuple(MasterText(name) for name in d.names)
            how = Message("follow reference", ids=_ids(broken), names=names)
            _record(own[question.id], verdict, question, report, d, how)


def _ids(ids):
    return tuple(MasterText(i) for i in ids)


def _g_seed(student_id, question_id):
    from grader.grade import g_seed

    return g_seed(student_id, question_id)


def _fd_step():
    from grader.judges import FD_STEP

    return FD_STEP


def _points(verdict, question, report, d):
    partial = bool(report["settings"].get("partial", False))
    return verdict.points(question.points, partial) * d.share


def _better(graded, verdict, question, report, d):
    return _points(verdict, question, report, d) > graded.points


def _record(graded, verdict, question, report, d, how):
    partial = bool(report["settings"].get("partial", False))
    graded.points = _points(verdict, question, report, d)
    graded.status = verdict.status
    graded.hint = verdict.hint
    graded.checks = [(c.label, c.passed) for c in verdict.checks] if partial else []
    share = () if d.share >= 1 else Message("follow share", share=float(d.share))
    if verdict.status == "passed":
        graded.message = Message("followed correct", how=how, share=share)
    else:
        graded.message = Message("followed", message=verdict.message, how=how, share=share)
    graded.marked = FOLLOW


def check_problems(master):
    """For ``python -m grader check``: a malformed declaration, or a chain that is read but not declared."""
    try:
        declared = declarations(master)
    except MasterError as error:
        return [f"{error} (see 'Chains: follow-through marking' in exercises/FORMAT.md)"]
    problems = []
    for qid, uses in derived_uses(master).items():
        missing = [u for u in uses if u not in declared[qid].uses]
        if missing:
            problems.append(
                f"answer of {qid}: its cell reads names that the answer cells of {', '.join(missing)} "
                "assign; "
                f'declare "uses": {json.dumps(declared[qid].uses + missing)} in its metadata '
                "(follow-through marking), or rename"
            )
    return problems
