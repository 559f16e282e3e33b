"""Rebuild a SymPy expression from untrusted ``srepr`` text without ``eval``, and compare two.

``sympy.parse_expr`` and ``sympify`` evaluate Python code, so a student's text could run
anything. Here the text is parsed by :mod:`ast` and only calls of whitelisted SymPy classes
and functions are rebuilt: no keyword argument except a Symbol's assumptions and a Float's
precision (so no ``evaluate=``), no string literal except a Symbol's name and a Float's
digits, integers up to 10**100, finite floats. :func:`compare_bounded` parses and compares in
a forked child process under one time limit and a memory limit, killed when it overruns
(a C-level computation such as ``10**(10**9)`` cannot be interrupted by a signal).
"""

import ast
import json
import os
import re
import resource
import select
import signal
import time

import numpy as np
import sympy

MAX_TEXT = 50_000
MAX_NODES = 5_000
CALLABLES = {
    name: getattr(sympy, name, None) or getattr(sympy.functions.elementary.piecewise, name)
    for name in (
        "Symbol",
        "Integer",
        "Rational",
        "Float",
        "Add",
        "Mul",
        "Pow",
        "exp",
        "log",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "sinh",
        "cosh",
        "tanh",
        "asin",
        "acos",
        "atan",
        "Abs",
        "sign",
        "Max",
        "Min",
        "Heaviside",
        "Piecewise",
        "ExprCondPair",
        "Tuple",
        "StrictGreaterThan",
        "GreaterThan",
        "StrictLessThan",
        "LessThan",
        "Equality",
        "Unequality",
        "And",
        "Or",
        "Not",
        "re",
        "im",
        "floor",
        "ceiling",
        "erf",
        "Sum",
        "Derivative",
        "Integral",
    )
}
CONSTANTS = {
    "pi": sympy.pi,
    "E": sympy.E,
    "I": sympy.I,
    "oo": sympy.oo,
    "zoo": sympy.zoo,
    "nan": sympy.nan,
    "true": sympy.true,
    "false": sympy.false,
}


ASSUMPTIONS = {
    "real",
    "positive",
    "negative",
    "nonnegative",
    "nonpositive",
    "nonzero",
    "integer",
    "finite",
    "complex",
    "extended_real",
    "commutative",
    "rational",
    "zero",
    "even",
    "odd",
}
SYMBOL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")
FLOAT_TEXT = re.compile(r"^-?[0-9]{1,40}(\.[0-9]{0,40})?([eE][-+]?[0-9]{1,3})?$")
MAX_INT = 10**100
MAX_PRECISION = 500
CHILD_MEMORY = 1 << 30
REPORT_BYTES = 100_000


class UnsafeExpression(ValueError):
    """The text is not an srepr this parser accepts."""


def parse_srepr(text):
    """Return the SymPy object described by ``text`` (an ``srepr``), or raise :class:`UnsafeExpression`."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise UnsafeExpression("the expression text is not a string or is too long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise UnsafeExpression("the expression text is not valid srepr") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise UnsafeExpression("the expression is too large")
    with sympy.evaluate(False):
        return _build(tree.body)


def _number(node):
    """A bounded int or finite float literal (a unary minus allowed)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(node.operand)
    if not isinstance(node, ast.Constant) or type(node.value) not in (int, float):
        raise UnsafeExpression(f"unexpected {type(node).__name__} in the expression")
    value = node.value
    if type(value) is int and abs(value) > MAX_INT:
        raise UnsafeExpression("an integer in the expression is too large")
    if type(value) is float and not abs(value) < 1e300:
        raise UnsafeExpression("a number in the expression is too large or not finite")
    return value


def _string(node, pattern, what):
    if not isinstance(node, ast.Constant) or type(node.value) is not str or not pattern.match(node.value):
        raise UnsafeExpression(f"{what} is not allowed in the expression")
    return node.value


def _keywords(name, keywords):
    out = {}
    for keyword in keywords:
        if keyword.arg is None:
            raise UnsafeExpression("unexpected ** in the expression")
        if name == "Symbol" and keyword.arg in ASSUMPTIONS:
            if not isinstance(keyword.value, ast.Constant) or type(keyword.value.value) is not bool:
                raise UnsafeExpression("a symbol's assumption must be True or False")
            out[keyword.arg] = keyword.value.value
        elif name == "Float" and keyword.arg == "precision":
            value = _number(keyword.value)
            if type(value) is not int or not 1 <= value <= MAX_PRECISION:
                raise UnsafeExpression("a Float's precision is out of range")
            out["precision"] = value
        else:
            raise UnsafeExpression(f"the keyword {keyword.arg!r} is not allowed in the expression")
    return out


def _build(node):
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in CALLABLES:
            raise UnsafeExpression("the expression calls something that is not a whitelisted SymPy function")
        name = node.func.id
        kwargs = _keywords(name, node.keywords)
        if name == "Symbol":
            if len(node.args) != 1:
                raise UnsafeExpression("a Symbol takes one name")
            return sympy.Symbol(_string(node.args[0], SYMBOL_NAME, "this symbol name"), **kwargs)
        if name == "Float":
            if len(node.args) != 1:
                raise UnsafeExpression("a Float takes one number")
            arg = node.args[0]
            text = arg.value if isinstance(arg, ast.Constant) and type(arg.value) is str else None
            value = _string(arg, FLOAT_TEXT, "this number text") if text is not None else _number(arg)
            return sympy.Float(value, **kwargs)
        if name in ("Integer", "Rational"):
            args = [_number(arg) for arg in node.args]
            if not args or len(args) > 2 or any(type(a) is not int for a in args):
                raise UnsafeExpression(f"{name} takes integers")
            return CALLABLES[name](*args)
        return CALLABLES[name](*(_build(arg) for arg in node.args))
    if isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            raise UnsafeExpression(f"unknown name {node.id!r} in the expression")
        return CONSTANTS[node.id]
    if isinstance(node, ast.Tuple | ast.List):
        return sympy.Tuple(*(_build(item) for item in node.elts))
    value = _number(node)
    return sympy.Integer(value) if type(value) is int else sympy.Float(value)


class _Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Timeout


def _align_symbols(expr, reference):
    """Replace the symbols of ``expr`` by the reference's symbols of the same name."""
    by_name = {symbol.name: symbol for symbol in reference.free_symbols}
    unknown = sorted(s.name for s in expr.free_symbols if s.name not in by_name)
    if unknown:
        return None, unknown
    return expr.xreplace({s: by_name[s.name] for s in expr.free_symbols}), []


def numerically_equal(a, b, domain, points=8, seed=0):
    """Compare two expressions at random points of ``domain`` ({name: (low, high)}, default (-2, 2))."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    rng = np.random.default_rng(seed)
    for _ in range(points):
        values = {s: float(rng.uniform(*domain.get(s.name, (-2.0, 2.0)))) for s in symbols}
        va, vb = complex(a.evalf(subs=values)), complex(b.evalf(subs=values))
        if not np.isclose(va, vb, rtol=1e-8, atol=1e-10):
            return False
    return True


def compare(student_text, reference_text, mistakes, domain, time_limit):
    """Compare a student's srepr with the reference; return a dict with the verdict and a message.

    Runs in the grader's main thread (it uses SIGALRM for the time limit). ``verdict`` is "passed",
    "failed" or "timeout"; ``hint`` names a recognised mistake.
    """
    reference = parse_srepr(reference_text)
    try:
        student = parse_srepr(student_text)
    except (UnsafeExpression, TypeError, ValueError, ArithmeticError, RecursionError) as error:
        detail = error if isinstance(error, UnsafeExpression) else type(error).__name__
        return {
            "verdict": "failed",
            "message": f"your answer could not be read as a SymPy expression: {detail}",
        }
    if not isinstance(student, sympy.Expr) or not isinstance(reference, sympy.Expr):
        return {"verdict": "failed", "message": "your answer is not a SymPy expression"}
    student, unknown = _align_symbols(student, reference)
    if unknown:
        return {
            "verdict": "failed",
            "message": f"your expression uses the symbols {', '.join(unknown)}, "
            f"which the question does not have",
        }
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        numeric = numerically_equal(student, reference, domain)
        if not numeric:
            hint = None
            for name, text in mistakes:
                wrong, unknown = _align_symbols(parse_srepr(text), reference)
                if not unknown and numerically_equal(student, wrong, domain):
                    hint = name
                    break
            return {
                "verdict": "failed",
                "message": "your expression is not equivalent to the expected one "
                "(it differs at random points)",
                "hint": hint,
            }
        try:
            proved = sympy.simplify(student - reference) == 0
        except _Timeout:
            proved = False
        message = (
            "equivalent (SymPy simplifies the difference to 0)"
            if proved
            else "numerically equal at 8 random points (SymPy did not simplify the difference to 0)"
        )
        return {"verdict": "passed", "message": message}
    except _Timeout:
        return {"verdict": "timeout", "message": f"comparing your expression took more than {time_limit:g} s"}
    except Exception as error:
        return {
            "verdict": "failed",
            "message": f"your expression could not be evaluated: {type(error).__name__}",
        }
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space():
    """Bytes of this process's address space (``VmSize``), or 0 where /proc does not say.

    A forked child inherits all of it: past 1 GB (a many-core machine's thread stacks and BLAS
    buffers, a worker grown by an earlier submission), a limit of CHILD_MEMORY in all left SymPy
    no room to import a module, and a right answer failed.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration):
        return 0
    return int(line.split()[1]) * 1024


def compare_bounded(student_text, reference_text, mistakes, domain, time_limit):
    """:func:`compare` in a forked child: parse and comparison under one wall-clock limit, memory capped.

    The child is killed when it overruns; any failure of the child is a verdict, never an
    exception of the grader.
    """
    if isinstance(student_text, str) and student_text == reference_text:  # the same srepr: nothing to prove
        return {"verdict": "passed", "message": "equivalent (the same expression, term for term)"}
    deadline_seconds = float(time_limit) + 2.0
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write one JSON line, exit without cleanup
        os.close(read_end)
        try:
            memory = _address_space() + CHILD_MEMORY  # on top of the grader's own, which the fork keeps
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            cpu = int(deadline_seconds) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            result = compare(student_text, reference_text, mistakes, domain, float(time_limit))
        except MemoryError:
            result = {"verdict": "error", "message": "comparing your expression needed too much memory"}
        except BaseException as error:  # noqa: BLE001 - the child reports every failure as a verdict
            message = f"your expression could not be compared: {type(error).__name__}"
            result = {"verdict": "error", "message": message}
        try:
            os.write(write_end, json.dumps(result).encode("utf-8")[:REPORT_BYTES])
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, size, deadline = [], 0, time.monotonic() + deadline_seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                message = f"comparing your expression took more than {time_limit:g} s"
                return {"verdict": "timeout", "message": message}
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > REPORT_BYTES:
                break
    finally:
        os.close(read_end)
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
    try:
        result = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"verdict": "error", "message": "comparing your expression failed (out of memory or time)"}
    return result if isinstance(result, dict) else {"verdict": "error", "message": "comparison failed"}
