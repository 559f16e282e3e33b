"""The one way text reaches an output: messages from a fixed vocabulary.

Every sentence the grader shows (the text report, the JSON report and Gradescope's
``results.json``, the class CSV, the gradebook CSV, the console) is a :class:`Message`: a key of
:data:`PHRASES`, the grader's own sentences, filled with

* integers and finite floats (counts, limits, points),
* :class:`MasterText`: text of the master notebook or of the teacher's command line (question
  ids, answer names, hints, labels, paths),
* :class:`FileName` and :class:`StudentId`: text a student chose, shown escaped (printable ASCII
  only, see :func:`escaped`),
* other messages, and tuples of any of these (shown separated by commas).

Nothing else is accepted: a ``str`` is refused with a ``TypeError``, so an exception's class name
or message, a value the student's code returned, or anything it printed has no way into a
message. The writers take messages only and turn them into text with :func:`render`, which
refuses a plain ``str`` too. Whatever the master says, rendered text holds no control character
(C0, DEL, C1, the bidirectional overrides and isolates): :func:`printable`.
"""

import math
import string
import sys

#: The grader's sentences. ``{name}`` is filled with a parameter of the same name.
PHRASES = {
    # judges and comparisons (grader.judge.judges, grader.judge.compare)
    "correct": "correct",
    "not attempted": "not answered yet (your code raises NotImplementedError)",
    "not attempted cell": "not answered yet (the cell still raises NotImplementedError)",
    "forbidden call": "{what} uses a module this question forbids (see its text): 0 points",
    "raised": "{what} raised an exception{stage}",
    "stage": " in {stage}",
    "stage step": " in step {step}",
    "at input": "{problem} (grader input {index} of {count})",
    "malformed report": "the result from your kernel is malformed or incomplete",
    "malformed report detail": "the result from your kernel is malformed or incomplete ({detail})",
    "broken groups": "the master notebook is broken ({problem}): tell your teacher",
    "correct on inputs": "correct on all {count} grader inputs",
    "wrong on inputs": "wrong on {failed} of {count} grader inputs; first: {first}",
    "result for input": "the result for grader input {index}",
    "input label": "input {index}",
    "inputs label": "inputs {numbers}",
    "layer correct": "forward correct, backward passes the gradient check on {count} grader inputs",
    "forward label": "forward",
    "output of forward": "the output of forward",
    "input gradient label": "the input gradient returned by backward",
    "gradient of": "the gradient of {name}",
    "gradient check failed": "gradient check failed: {problem} vs the central differences of your forward",
    "step label": "step {number}",
    "after step": "after step {number}: {problem}",
    "parameter": "parameter {index}",
    "state": "the state `{name}`",
    "optimizer correct": "parameters and state correct after each of {count} steps",
    "not sympy": "wrong type: {what} should be a SymPy expression, got {got}",
    "sympy unreadable": "your answer could not be read as a SymPy expression",
    "sympy not expression": "your answer is not a SymPy expression",
    "sympy symbols": "your expression uses symbols the question does not have",
    "sympy differs": "your expression is not equivalent to the expected one (it differs at random points)",
    "sympy proved": "equivalent (SymPy simplifies the difference to 0)",
    "sympy numeric": "numerically equal at 8 random points (SymPy did not simplify the difference to 0)",
    "sympy identical": "equivalent (the same expression, term for term)",
    "sympy slow": "comparing your expression took more than {seconds} s",
    "sympy failed": "your expression could not be compared "
    "(it could not be evaluated, or needed too much memory)",
    "should be string": "{where} should be a string, got {got}",
    "wrong choice": "{where} is not the right choice",
    "should be bool": "{where} should be True or False, got {got}",
    "is wrong": "{where} is wrong",
    "should be sequence": "{where} should be a {sequence} of {count} values, got {got}",
    "item of": "item {index} of {where}",
    "should be none": "{where} should be None, got {got}",
    "cannot compare": "{where} cannot be compared (the reference is {reference})",
    "wrong type": "wrong type: {where} should be {wanted}, got {got}",
    "wrong shape": "wrong shape: {where} should have {wanted}, got another shape",
    "contains nan": "{where} contains NaN",
    "contains inf": "{where} contains inf",
    "not close": "{where} is not close to the reference",
    "not close count": "{where} is not close to the reference ({off} of {size} elements off)",
    "a number": "a number",
    "a single number": "a single number",
    "an array of shape": "an array of shape {shape}",
    "shape": "shape {shape}",
    "a bool": "a bool",
    "a string": "a string",
    "a list": "a list",
    "a tuple": "a tuple",
    "an array": "an array",
    "none": "None",
    "a sympy expression": "a SymPy expression",
    "another type": "an object of another type",
    "the value": "the value",
    "name": "`{name}`",
    # grading a submission (grader.grade, grader.judge.follow_through)
    "forbidden cell": "{where} uses {rule}, which this question forbids (see its text): 0 points",
    "the answer cell": "the answer cell",
    "code cell": "code cell {index}",
    "rule": "`{rule}`",
    "bypass rule": "`{rule}` (a way around this rule)",
    "query timeout": "{what}: took longer than the time limit of {seconds} s",
    "query crashed": "{what}: the kernel died "
    "(os._exit, a segfault, or a resource limit: memory, processes, CPU time)",
    "query too many crashes": "{what}: the kernel died too many times; this question was not graded",
    "query out of time": "{what}: the submission's time limit of {seconds} s ran out "
    "before this question was asked",
    "query error": "{what}: the grader could not read the result from your kernel "
    "(did your notebook change Python's builtins, the kernel's display, "
    "or raise an exception the grader cannot catch?)",
    "query too large": "{what}: the result that came back from your kernel is larger than {megabytes} MB "
    "(the grader does not read it)",
    "answer cell missing": "{what} is not defined: "
    "the answer cell of {question} is missing from the notebook",
    "answer cell out of time": "the submission's time limit of {seconds} s ran out before the answer cell of "
    "{question} ran",
    "answer cell crashed": "the answer cell of {question} killed the kernel, so {what} is not defined",
    "answer cell timeout": "the answer cell ran longer than {seconds} s and was stopped",
    "answer cell raised": "the answer cell raised an exception, so {what} is not defined",
    "answer cell undefined": "the answer cell ran but does not define {what}",
    "not gradable": "the submission is not gradable: {why}",
    "not judged wrong run": "not judged: this run of the notebook is not the one for this question",
    "forbid hint": "code cell {index} names `{name}`, which this question forbids: it was judged in a kernel "
    "where that module is a stub, so only what your own code computes counts",
    "could not judge": "the grader could not judge this answer (an error of the grader): tell your teacher",
    "partial": "{message} [partial credit: {passed} of {total} checks passed]",
    "partial labels": "{message} [partial credit: {passed} of {total} checks passed: {labels}]",
    "output dropped": "the notebook printed more than {limit} bytes in a cell; the extra output was dropped",
    "follow reference": "following through from the reference values of {ids} ({names})",
    "follow share": " ({share} of the points for a follow-through answer)",
    "followed correct": "correct, {how}{share}",
    "followed": "{message} ({how}){share}",
    "hint": "{text}",
    # the class run and the command line (grader.cli)
    "master failed for id": "the master could not run for the STUDENT_ID this notebook declares: "
    "tell your teacher",
    "internal error": "internal grader error: this submission was not graded; grade it again",
    "worker died": "the grading process died while grading this submission",
    "kernel did not start": "a kernel did not start (the machine ran out of processes, memory or CPU time)",
    "internal error reason": "an internal error of the grader",
    "gradescope machinery": "the grader's own machinery failed twice; regrade this submission",
    "internal error while": "internal error of the grader while grading '{submission}':",
    "not graded one": "not graded, rerun: {reason}; no grade was written",
    "not graded line": "{submission}: not graded, rerun ({reason})",
    "not graded summary": "{count} submission(s) not graded, rerun: the grader's own machinery failed on "
    "each twice; they have no grade, no CSV row and no JSON (exit 4). Grade them again.",
    "not utf8 name": "the file name is not valid UTF-8, so it gives no student id: "
    "rename the file and grade it again",
    "id unusable": "its STUDENT_ID cannot be used: {problem}",
    "refused name": "refused: '{name}': not a regular file (a folder or a link), not graded",
    "total line": "{submission}: {score}/{max_score}",
    "question line": "    {id}: {status}",
    "question line message": "    {id}: {status}: {message}",
    "hint line": "        hint: {hint}",
    "wrote": "wrote {path}",
    "wrote gradebook": "wrote {path} (gradebook import, keyed by '{column}')",
    "total": "Total: {score}/{max_score}",
    "teacher text": "{text}",
    # reports (grader.report.outputs)
    "report head": "Grading {submission} against {master} (student id '{student_id}')",
    "report line": "{id} {points}/{max_points} {status} {message}",
    "report hint": "hint: {hint}",
    "report title": "{id}: {title}",
    "report next step": "next step: {step}",
    "next step": "{text}",
    "with precision": "{message} (the question asks for {precision}: an answer within half a unit of "
    "the last place passes)",
    "id none": "the notebook declares no STUDENT_ID; its file name says {file_id}",
    "id demo": "the notebook's STUDENT_ID is still demo; its file name says {file_id}",
    "id mismatch": "the file name says {file_id} but the notebook's STUDENT_ID says {declared}",
    "id mismatches": "Student ids: {count} submission(s) whose file name and STUDENT_ID disagree:",
    "id mismatch line": "  {check}",
    "id claimed twice": "student id '{student_id}' is given by {count} submissions: none of them is in the "
    "gradebook import (the class CSV names them; enter that grade by hand)",
    "report followed": "marked through follow-through, not on your own chain",
    "report own chain": "  note: the other questions were marked on your own chain of answers",
    "report note": "  note: {note}",
    "student id line": "student id {student_id}",
    "question output": "{status}: {message}",
    "question output hint": "{status}: {message}\nHint: {hint}",
    # Gradescope (grader.report.gradescope)
    "no notebook": "Your submission has no notebook (.ipynb): upload your exercise notebook.",
    "cannot isolate": "The grader could not grade this submission (it cannot isolate it in this container). "
    "Tell your teacher: resubmitting the same file will not help.",
    "grader failed": "The grader could not grade this submission (exit {code}). "
    "Tell your teacher: resubmitting the same file will not help.",
}


class _Text:
    """Text of a known origin; shown through :func:`render` only."""

    __slots__ = ("text",)

    def __init__(self, text):
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__} takes a str")
        self.text = text

    def __eq__(self, other):
        return type(other) is type(self) and other.text == self.text

    def __hash__(self):
        return hash((type(self), self.text))


class MasterText(_Text):
    """Text of the master notebook or of the teacher's command line, shown without control characters."""

    __slots__ = ()

    def shown(self):
        return printable(self.text)


class FileName(_Text):
    """A file name a student chose: shown escaped, printable ASCII only."""

    __slots__ = ()

    def shown(self):
        return escaped(self.text)


class StudentId(FileName):
    """A student id (written in a submission, or a file name's stem): shown escaped like a file name."""

    __slots__ = ()


class Message:
    """One sentence of :data:`PHRASES` and its parameters; immutable.

    >>> str(Message("correct on inputs", count=3))
    'correct on all 3 grader inputs'
    >>> Message("correct on inputs", count="3")
    Traceback (most recent call last):
    TypeError: a message takes integers, finite floats, MasterText, FileName, StudentId, messages, not str
    """

    __slots__ = ("key", "params")

    def __init__(self, key, /, **params):
        if key not in PHRASES:
            raise KeyError(f"{key!r} is not a phrase of grader.vocabulary.PHRASES")
        wanted = {field for _, field, _, _ in string.Formatter().parse(PHRASES[key]) if field}
        if set(params) != wanted:
            raise TypeError(f"the phrase {key!r} takes {sorted(wanted)}, got {sorted(params)}")
        for value in params.values():
            _check(value)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def __setattr__(self, name, value):
        raise AttributeError("a Message cannot be changed")

    def __reduce__(self):  # a class run's workers send their results through pickle
        return (_message, (self.key, self.params))

    @property
    def text(self):
        """The sentence, filled in, without control characters."""
        return PHRASES[self.key].format(**{name: _shown(value) for name, value in self.params})

    def keys(self):
        """The keys of this message and of every message inside it."""
        found = {self.key}
        for _, value in self.params:
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, Message):
                    found |= item.keys()
        return found

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Message({self.text!r})"

    def __contains__(self, text):
        return text in self.text

    def __eq__(self, other):
        """Equal to a message or a ``str`` of the same text (a test may compare with the words it expects)."""
        if isinstance(other, Message):
            other = other.text
        return isinstance(other, str) and other == self.text

    def __hash__(self):
        return hash(self.text)


def _message(key, params):
    return Message(key, **dict(params))


def _check(value):
    if isinstance(value, tuple):
        for item in value:
            _check(item)
        return
    if isinstance(value, bool) or not isinstance(value, int | float | _Text | Message):
        raise TypeError(
            "a message takes integers, finite floats, MasterText, FileName, StudentId, messages, "
            f"not {type(value).__name__}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a message takes finite floats only")


def _shown(value):
    if isinstance(value, tuple):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, Message):
        return value.text
    if isinstance(value, _Text):
        return value.shown()
    if isinstance(value, float):
        return f"{value + 0.0:g}"  # + 0.0: no "-0"
    return str(value)


def escaped(text):
    """``text`` as printable ASCII: a backslash doubled, any other character outside 0x20-0x7E escaped.

    As Python escapes it: ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``.
    """
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0x20 <= code <= 0x7E:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def printable(text):
    """``text`` with every character that is not printable escaped (:func:`escaped`); newlines kept.

    ``str.isprintable`` is false for C0, DEL, C1, and Unicode's format characters, which include
    the bidirectional overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
    """
    return "\n".join(
        "".join(char if char.isprintable() else escaped(char) for char in line) for line in text.split("\n")
    )


def render(message):
    """The text of ``message``; anything that is not a :class:`Message` is refused."""
    if not isinstance(message, Message):
        raise TypeError(f"an output takes a grader.vocabulary.Message, not {type(message).__name__}")
    return message.text


def show(message, stream=None):
    """Print ``message`` (a :class:`Message`) on ``stream``, by default the standard output."""
    print(render(message), file=stream or sys.stdout)
