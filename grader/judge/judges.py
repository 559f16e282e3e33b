"""One judge per question kind: the master's spec and the plain data of both kernels in, a verdict out.

A judge runs in the grader's process and never touches a kernel. It iterates over what the
*master's* spec says is checked (its inputs, its steps, its parameter and state names) and
looks each one up in the student's report: anything missing, extra or renamed is an error of
that answer, never a pass. Tolerances come from the master's settings only.

A :class:`Verdict` is a status, a message, a hint and the list of checks that were made; the
points are a sum over those checks when the master declares partial credit (``partial = True``
in the hidden cell), else all or nothing.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from grader.judge import sympy_safe
from grader.judge.compare import BadReport, SympyText, central_differences, compare_values, decode, describe
from grader.vocabulary import MasterText, Message

FD_STEP = 1e-6
GROUPS_EXPECTED = "a list of lists of 1-based input numbers, e.g. groups = [[1, 4], [2], [3]]"


@dataclass
class Check:
    """One comparison of a question: its label (a message), whether it held, its weight in partial credit."""

    label: Message
    passed: bool
    weight: float = 1.0


@dataclass
class Verdict:
    """A judge's decision on one question: its message and hint are :class:`~grader.vocabulary.Message`."""

    status: str
    message: Message
    hint: Message | None = None
    checks: list = field(default_factory=list)

    def points(self, max_points, partial=False):
        """All points when passed; with ``partial``, a failed answer gets its share of passed checks."""
        if self.status == "passed":
            return float(max_points)
        if not partial or self.status != "failed" or not self.checks:
            return 0.0
        total = sum(check.weight for check in self.checks)
        earned = sum(check.weight for check in self.checks if check.passed)
        return float(max_points) * earned / total if total > 0 else 0.0


@dataclass
class Task:
    """What the master says about one question, as plain data from the master's kernel."""

    kind: str
    answer: str
    spec: dict
    settings: dict
    reference: object
    mistakes: list = field(default_factory=list)
    seed: int = 0

    @property
    def rtol(self):
        return float(self.settings.get("rtol", 1e-6))

    @property
    def atol(self):
        return float(self.settings.get("atol", 1e-9))

    @property
    def name(self):
        return Message("name", name=MasterText(self.answer))


_STAGES = ("building the layer", "building the optimizer", "forward", "backward", "forward (gradient check)")
_STEP = re.compile(r"step ([0-9]{1,6})")


def _stage(stage, steps):
    """Where the answer failed, from the grader's fixed stages only (a step by its number, 1 to ``steps``)."""
    if stage in _STAGES:
        return Message("stage", stage=MasterText(stage))
    match = _STEP.fullmatch(stage) if isinstance(stage, str) else None
    return (
        Message("stage step", step=int(match.group(1))) if match and 1 <= int(match.group(1)) <= steps else ()
    )


def outcome(item, what, steps=0):
    """The verdict for a report item that is not a value (not attempted, an exception, a forbidden call).

    ``steps`` is the number of optimizer steps the master asks for: a step is named only within them.
    """
    if not isinstance(item, dict):
        raise BadReport("a result is not an object")
    if "nie" in item:
        return Verdict("not attempted", Message("not attempted"))
    # Only the kind of failure and where it happened are shown, never text the student's code
    # chose: neither an exception's message nor its class name, built-in or not (either could
    # carry the grader's hidden inputs out).
    if "forbidden" in item:
        return Verdict("failed", Message("forbidden call", what=what))
    if "exc" in item:
        return Verdict("error", Message("raised", what=what, stage=_stage(item.get("stage"), steps)))
    if "ok" not in item:
        raise BadReport("a result has no value")
    return None


def match_mistake(task, same_as):
    """The hint of the first known mistake whose results ``same_as(results)`` matches, else None.

    A mistake whose report does not have the expected shape is skipped, never an error.
    """
    for hint, wrong in task.mistakes:
        try:
            if same_as(wrong):
                return Message("hint", text=MasterText(str(hint)))
        except (BadReport, KeyError, TypeError, ValueError, IndexError):
            continue
    return None


def _ok_list(report, count):
    if not isinstance(report, list) or len(report) != count:
        raise BadReport(f"expected {count} results")
    return report


def judge_value(task, got):
    """value and choice: one value, compared within the tolerances (strings after casefold)."""
    verdict = outcome(got, task.name)
    if verdict:
        return verdict
    value = decode(got["ok"])
    reference = decode(task.reference["ok"])
    message = compare_values(value, reference, task.rtol, task.atol, task.name)
    parts = [str(name) for name in task.settings.get("parts", []) or []]
    if parts and isinstance(reference, tuple | list) and len(parts) == len(reference):
        same_length = isinstance(value, tuple | list) and len(value) == len(reference)
        checks = [
            Check(
                Message("hint", text=MasterText(name)),
                same_length and compare_values(value[i], reference[i], task.rtol, task.atol) is None,
            )
            for i, name in enumerate(parts)
        ]
    else:
        checks = [Check(task.name, message is None)]
    if message is None:
        return Verdict("passed", Message("correct"), checks=checks)
    hint = match_mistake(
        task, lambda wrong: compare_values(value, decode(wrong["ok"]), task.rtol, task.atol) is None
    )
    return Verdict("failed", message, hint, checks)


judge_choice = judge_value


def group_problem(groups, count):
    """What is wrong with ``groups`` as a partition of the inputs 1..count, else None."""
    if not isinstance(groups, list | tuple) or not all(isinstance(g, list | tuple) for g in groups):
        return f"`groups` must be {GROUPS_EXPECTED}"
    numbers = [n for group in groups for n in group]
    if not all(type(n) is int for n in numbers):
        return f"`groups` must be {GROUPS_EXPECTED}; it holds something that is not an integer"
    if not all(groups):
        return "`groups` has an empty group; every group names at least one input"
    missing = sorted(set(range(1, count + 1)) - set(numbers))
    for n in numbers:
        if not 1 <= n <= count:
            return f"`groups` names input {n}, but `inputs` has inputs 1 to {count}"
        if numbers.count(n) > 1:
            return f"`groups` puts input {n} in two groups; every input must be in exactly one"
    if missing:
        listed = ", ".join(str(n) for n in missing)
        return f"`groups` leaves input(s) {listed} out; every input must be in exactly one group"
    return None


def _grouped(checks, groups):
    """One check per group of inputs (numbers from 1), passing only when all of its inputs pass."""
    if not groups:
        return checks
    return [
        Check(
            Message("input label", index=group[0])
            if len(group) == 1
            else Message("inputs label", numbers=MasterText("+".join(str(n) for n in group))),
            all(checks[n - 1].passed for n in group),
        )
        for group in groups
    ]


def _constant(values, task):
    """True when every value is the same (within the question's tolerances) as the first."""
    return all(compare_values(value, values[0], task.rtol, task.atol) is None for value in values[1:])


def judge_function(task, got):
    """function: the answer called on every input of the master's spec.

    One check per input, or per group of inputs when the master declares ``groups``.
    """
    inputs = task.spec["inputs"]["v"]
    count = len(inputs)
    groups = task.settings.get("groups") or []
    problem = group_problem(groups, count) if groups else None
    if problem:
        return Verdict("error", Message("broken groups", problem=MasterText(problem)))  # the master's numbers
    references = _ok_list(task.reference, count)
    items = _ok_list(got, count)
    results = []
    for index, item in enumerate(items):
        verdict = outcome(item, task.name)
        if verdict and verdict.status == "not attempted":
            return verdict
        if verdict:
            verdict.message = Message("at input", problem=verdict.message, index=index + 1, count=count)
            return verdict
        results.append(decode(item["ok"]))
    checks, first = [], None
    for index, (value, reference) in enumerate(zip(results, references, strict=True)):
        where = Message("result for input", index=index + 1)
        message = compare_values(value, decode(reference["ok"]), task.rtol, task.atol, where)
        checks.append(Check(Message("input label", index=index + 1), message is None))
        first = first or message
    if first is None:
        return Verdict("passed", Message("correct on inputs", count=count), checks=_grouped(checks, groups))
    if _constant(results, task) and not _constant([decode(r["ok"]) for r in references], task):
        checks = [Check(check.label, False) for check in checks]  # a constant earns no partial credit
    failed = sum(1 for check in checks if not check.passed)
    checks = _grouped(checks, groups)

    def same_as(wrong):
        wrong = _ok_list(wrong, count)
        return all(
            compare_values(value, decode(w["ok"]), task.rtol, task.atol) is None
            for value, w in zip(results, wrong, strict=True)
        )

    message = Message("wrong on inputs", failed=failed, count=count, first=first)
    return Verdict("failed", message, match_mistake(task, same_as), checks)


def _layer_item(item, x, names, reference):
    """Validate one layer report item against the master's spec; return its decoded parts."""
    data = item["ok"]
    if not isinstance(data, dict):
        raise BadReport("a layer result is not an object")
    pgrads = data.get("pgrads")
    if not isinstance(pgrads, list) or [p[0] if isinstance(p, list) and p else None for p in pgrads] != names:
        raise BadReport("the parameter gradients reported are not the ones the master checks")
    fd_x, fd_p = data.get("fd_x"), data.get("fd_p")
    if not isinstance(fd_x, list) or len(fd_x) != np.size(x):
        raise BadReport("the gradient check of the input is incomplete")
    if not isinstance(fd_p, list) or [p[0] if isinstance(p, list) and p else None for p in fd_p] != names:
        raise BadReport("the gradient check of the parameters is incomplete")
    reference_grads = dict(reference["pgrads"])
    for (name, pairs), _ in zip(fd_p, names, strict=True):
        if not isinstance(pairs, list) or len(pairs) != np.size(decode(reference_grads[name])):
            raise BadReport(f"the gradient check of {name} is incomplete")
    return data


def _layer_checks(data, reference, seed, x, names, rtol, atol):
    """The checks of one layer input: forward, then each gradient (gradient check, then the reference)."""
    checks = []
    message = compare_values(
        decode(data["y"]), decode(reference["y"]), rtol, atol, Message("output of forward")
    )
    checks.append((Message("forward label"), message))
    grad_out = np.random.default_rng(seed).standard_normal(size=np.shape(decode(reference["y"])))
    reference_grads = dict(reference["pgrads"])
    got_grads = dict((name, g) for name, g in data["pgrads"])
    gradients = [(Message("input gradient label"), data["gx"], reference["gx"], data["fd_x"], x)]
    fd_p = dict((name, pairs) for name, pairs in data["fd_p"])
    for name in names:
        wanted = reference_grads[name]
        label = Message("gradient of", name=MasterText(str(name)))
        gradients.append((label, got_grads[name], wanted, fd_p[name], decode(wanted)))
    for label, got, wanted, pairs, like in gradients:
        if message:  # forward is wrong: its gradients cannot be judged against it
            checks.append((label, Message("is wrong", where=label)))
            continue
        pairs = [(decode(p), decode(m)) for p, m in pairs]
        numeric = central_differences(grad_out, pairs, FD_STEP).reshape(np.shape(like))
        value = decode(got)
        problem = compare_values(value, numeric, max(rtol, 1e-5), max(atol, 1e-7), label)
        if problem:
            problem = Message("gradient check failed", problem=problem)
        else:
            problem = compare_values(value, decode(wanted), rtol, atol, label)
        checks.append((label, problem))
    return checks


def judge_layer_backward(task, got):
    """layer_backward: forward matches, and every gradient passes the gradient check and the reference."""
    inputs = decode(task.spec["inputs"])
    names = list(decode(task.spec["param_grads"]))
    count = len(inputs)
    references = _ok_list(task.reference, count)
    items = _ok_list(got, count)
    for index, item in enumerate(items):
        verdict = outcome(item, task.name)
        if verdict and verdict.status == "not attempted":
            return verdict
        if verdict:
            verdict.message = Message("at input", problem=verdict.message, index=index + 1, count=count)
            return verdict
    held, first = {}, None  # one check per part (forward, each gradient), over every input
    for index, (item, reference) in enumerate(zip(items, references, strict=True)):
        data = _layer_item(item, inputs[index], names, reference["ok"])
        for label, problem in _layer_checks(
            data, reference["ok"], task.seed + index, inputs[index], names, task.rtol, task.atol
        ):
            held[label] = held.get(label, True) and problem is None
            if problem and first is None:
                first = Message("at input", problem=problem, index=index + 1, count=count)
    # forward earns no partial credit on its own: it is often the stub's given code; only the
    # gradients that pass their gradient check (and match the reference) do
    forward = Message("forward label")
    checks = [Check(label, passed, 0.0 if label == forward else 1.0) for label, passed in held.items()]
    if first is None:
        message = Message("layer correct", count=count)
        return Verdict("passed", message, None, checks)

    def same_as(wrong):
        wrong = _ok_list(wrong, count)
        return all(
            compare_values(decode(item["ok"]["gx"]), decode(w["ok"]["gx"]), task.rtol, task.atol) is None
            for item, w in zip(items, wrong, strict=True)
        )

    return Verdict("failed", first, match_mistake(task, same_as), checks)


def _optimizer_steps(report, count, n_params, names):
    if not isinstance(report, list) or len(report) != count:
        raise BadReport(f"expected {count} optimizer steps")
    for step in report:
        if not isinstance(step, dict) or not isinstance(step.get("values"), list):
            raise BadReport("a step result is malformed")
        if len(step["values"]) != n_params:
            raise BadReport("a step reports another number of parameters")
        state = step.get("state")
        reported = [s[0] if isinstance(s, list) and s else None for s in state or []]
        if not isinstance(state, list) or reported != names:
            raise BadReport("the optimizer state reported is not the state the master checks")
    return report


def judge_optimizer(task, got):
    """optimizer: every parameter and every state attribute of the master's spec after every step."""
    count = len(decode(task.spec["grads"]))
    verdict = outcome(got, task.name, steps=count)
    if verdict:
        return verdict
    n_params = len(decode(task.spec["initial_values"]))
    names = list(decode(task.spec["state"]))
    expected = _optimizer_steps(task.reference["ok"], count, n_params, names)
    steps = _optimizer_steps(got["ok"], count, n_params, names)
    checks, first = [], None
    for number, (step, wanted) in enumerate(zip(steps, expected, strict=True), start=1):
        problems = [
            compare_values(decode(g), decode(e), task.rtol, task.atol, Message("parameter", index=index))
            for index, (g, e) in enumerate(zip(step["values"], wanted["values"], strict=True))
        ]
        problems += [
            compare_values(
                decode(g[1]), decode(e[1]), task.rtol, task.atol, Message("state", name=MasterText(str(e[0])))
            )
            for g, e in zip(step["state"], wanted["state"], strict=True)
        ]
        problem = next((p for p in problems if p), None)
        checks.append(Check(Message("step label", number=number), problem is None))
        if problem and first is None:
            first = Message("after step", number=number, problem=problem)
    if first is None:
        return Verdict("passed", Message("optimizer correct", count=count), None, checks)

    def same_as(wrong):
        wrong_steps = _optimizer_steps(wrong["ok"], count, n_params, names)
        return all(
            compare_values(decode(g), decode(w), task.rtol, task.atol) is None
            for step, wrong_step in zip(steps, wrong_steps, strict=True)
            for g, w in zip(step["values"], wrong_step["values"], strict=True)
        )

    return Verdict("failed", first, match_mistake(task, same_as), checks)


def judge_sympy(task, got):
    """sympy: equivalence, parsed and compared in a separate process under one time and memory limit."""
    verdict = outcome(got, task.name)
    if verdict:
        return verdict
    value = decode(got["ok"])
    if not isinstance(value, SympyText):
        return Verdict("failed", Message("not sympy", what=task.name, got=describe(value)))
    reference = decode(task.reference["ok"])
    if not isinstance(reference, SympyText):
        raise BadReport("the master's reference is not a SymPy expression")
    hints = [str(hint) for hint, _ in task.mistakes]
    wrong = [
        [str(hint), w["ok"]["v"]]
        for hint, w in task.mistakes
        if isinstance(w, dict) and isinstance(w.get("ok"), dict) and w["ok"].get("t") == "sympy"
    ]
    result = sympy_safe.compare_bounded(
        value.text,
        reference.text,
        wrong,
        task.settings.get("domain", {}),
        float(task.settings.get("time_limit", 10.0)),
    )
    status = result.get("verdict")
    status = status if status in ("passed", "failed", "timeout", "error") else "error"
    hint = result.get("hint")
    hint = Message("hint", text=MasterText(hint)) if isinstance(hint, str) and hint in hints else None
    message = _sympy_message(
        status, str(result.get("message", "")), float(task.settings.get("time_limit", 10.0))
    )
    return Verdict(status, message, hint, [Check(task.name, status == "passed")])


#: The messages of grader.judge.sympy_safe, by their opening words (the rest may hold the student's text)
_SYMPY_MESSAGES = (
    ("your answer could not be read", "sympy unreadable"),
    ("your answer is not a SymPy", "sympy not expression"),
    ("your expression uses the symbols", "sympy symbols"),
    ("your expression is not equivalent", "sympy differs"),
    ("equivalent (SymPy simplifies", "sympy proved"),
    ("numerically equal at 8", "sympy numeric"),
    ("equivalent (the same expression", "sympy identical"),
)


def _sympy_message(status, text, time_limit):
    """The vocabulary's message for what :mod:`grader.judge.sympy_safe` said (not shown as such)."""
    if status == "timeout":
        return Message("sympy slow", seconds=time_limit)
    for start, key in _SYMPY_MESSAGES:
        if text.startswith(start):
            return Message(key)
    return Message("sympy failed")


JUDGES = {
    "value": judge_value,
    "choice": judge_choice,
    "function": judge_function,
    "sympy": judge_sympy,
    "layer_backward": judge_layer_backward,
    "optimizer": judge_optimizer,
}


def judge(task, got):
    """The verdict on one question; a malformed report is an error of that answer, never a pass."""
    try:
        return JUDGES[task.kind](task, got)
    except BadReport as error:  # the grader's own words (grader.judge.compare, here), never the report's
        return Verdict("error", Message("malformed report detail", detail=MasterText(str(error))))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # Python's words may quote values
        return Verdict("error", Message("malformed report"))
