"""Follow-through (error carried forward) marking of a chain of questions.

A master declares in an answer cell's ``"grader"`` metadata which earlier answers the question
builds on (``"uses": ["q1", "q3"]``), and may turn follow-through off (``"follow_through": false``)
or give it a share of the points (``"follow_through": 0.5``). The names carried from the earlier
questions are derived from the code: the names the master's answer cell reads that the answer
cells of the questions it uses assign (for backprop's q4: ``a_hidden`` and ``delta_out_q3``).

After every question was graded on the student's own chain, a question that did not score full
marks, and that uses an earlier question that did not score full marks on the student's own chain,
gets one more try, within the question's time limit and the submission's: the master's values of
the carried names are put into the student's kernel, the student's own answer cell runs again
there, and its answer is judged against the master's own reference. So a later answer earns marks
only for the student's own method applied to right inputs; whatever the student claimed for the
earlier answers (NaN, a constant, a value no right method gives) is never used to make a
reference. The tries run in the notebook's order, each after the questions it uses were judged.
"""

import ast
import json
import secrets
import time
from dataclasses import dataclass, field

from grader.master.notebook import MasterError, cell_info, strip_region  # noqa: F401 - MasterError re-exported
from grader.run.protocol import KERNEL_SIDE_SOURCE, read_report
from grader.vocabulary import MasterText, Message

OWN = "own chain"
FOLLOW = "follow-through"


@dataclass
class Declaration:
    """What a master says about one question's chain."""

    uses: list = field(default_factory=list)  # earlier question ids, in the notebook's order
    names: list = field(default_factory=list)  # the names carried from them, sorted
    share: float = 1.0  # share of the points a follow-through answer gets; 0 turns it off


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
        result[qid] = Declaration(list(uses), names, float(share))
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


def _master_values(kernel, names, seconds):
    """The master's values of ``names``, read from the master's kernel (run for this student's id)."""
    code, variable = _fetch_code(sorted(names))
    execution = kernel.execute(code, seconds, user_expressions={"r": variable})
    return read_report(execution, variable) if execution.status == "ok" else {}


# --- the marking -----------------------------------------------------------------------------------------


def _todo(master, result):
    """The questions to follow through: (question, declaration, the used questions that lost points)."""
    declared = declarations(master)
    own = {q.id: q for q in result.questions}
    full = {qid: q.points >= q.max_points for qid, q in own.items()}
    todo = []
    for question in master.questions:
        d = declared[question.id]
        graded = own.get(question.id)
        if not d.uses or d.share <= 0 or graded is None or graded.points >= graded.max_points:
            continue
        broken = [u for u in d.uses if not full.get(u, False)]
        if broken:
            todo.append((question, d, broken))
    return todo


def apply(master, session, run, result, limits, regrade, answer_source):
    """Give follow-through marks in ``result`` (a SubmissionResult graded on the student's own chain).

    Parameters
    ----------
    master : grader.master.notebook.Master
        The master notebook, parsed.
    session : grader.grade.MasterSession
        The master's kernel, run for the student's id, and its ``reports`` per question.
    run : grader.grade.SubmissionRun
        The submission's kernel, after its cells ran and every question was judged.
    result : grader.grade.SubmissionResult
        The grades on the student's own chain; a question that scores more by follow-through is
        updated in place.
    limits : grader.grade.Limits
        The run's limits (``question_timeout`` overrides a question's ``time_limit``).
    regrade : callable
        ``regrade(question, report)`` judges ``question`` again in the student's kernel as it is
        now, with ``report`` (the master's, with the time left in its settings); returns a Verdict.
    answer_source : callable
        ``answer_source(question)``: the source of the student's answer cell of ``question``,
        or None when the notebook has none.
    """
    for q in result.questions:
        q.marked = OWN
    todo = _todo(master, result)
    if not todo or session.kernel is None:
        return
    own = {q.id: q for q in result.questions}
    for question, d, broken in todo:
        report = session.reports[question.id]
        seconds = limits.question_timeout or float(report["settings"]["time_limit"])
        deadline = time.monotonic() + seconds

        def left(deadline=deadline):
            return max(deadline - time.monotonic(), 0.001)

        source = answer_source(question)
        if source is None or run.kernel is None:
            continue
        try:
            values = _master_values(session.kernel, d.names, left())
            if set(values) != set(d.names):
                continue
            put = run._execute(_put_code(values), left())
            if put is None or put.status != "ok":
                continue
            again = run._execute(source, left())
            if again is None or again.status in ("timeout", "dead") or time.monotonic() >= deadline:
                if again is not None and (again.status == "dead" or again.stuck) and run._restart():
                    run._run_cells_before(len(run.cells))
                continue
            timed = dict(report, settings=dict(report["settings"], time_limit=left()))
            verdict = regrade(question, timed)
        except Exception:  # one question's follow-through must not cost the others
            continue
        if _better(own[question.id], verdict, question, report, d):
            names = tuple(MasterText(name) for name in d.names)
            how = Message("follow reference", ids=_ids(broken), names=names)
            _record(own[question.id], verdict, question, report, d, how)


def _ids(ids):
    return tuple(MasterText(i) for i in ids)


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
