"""Rebuild a SymPy expression from untrusted ``srepr`` text without ``eval``, and compare two.

``sympy.parse_expr`` and ``sympify`` evaluate Python code, so a student's text could run
anything. Here the text is parsed by :mod:`ast` and only calls of whitelisted SymPy classes
and functions with literal arguments are rebuilt.
"""

import ast
import signal

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


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool | type(None)):
        if isinstance(node.value, int) and abs(node.value) > 10**100:
            raise UnsafeExpression("an integer in the expression is too large")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_literal(node.operand)
    raise UnsafeExpression(f"unexpected {type(node).__name__} in the expression")


def _build(node):
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in CALLABLES:
            raise UnsafeExpression("the expression calls something that is not a whitelisted SymPy function")
        args = [_build(arg) for arg in node.args]
        kwargs = {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg is not None}
        if len(kwargs) != len(node.keywords):
            raise UnsafeExpression("unexpected ** in the expression")
        return CALLABLES[node.func.id](*args, **kwargs)
    if isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            raise UnsafeExpression(f"unknown name {node.id!r} in the expression")
        return CONSTANTS[node.id]
    if isinstance(node, ast.Tuple | ast.List):
        return sympy.Tuple(*(_build(item) for item in node.elts))
    return _literal(node)


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
    except UnsafeExpression as error:
        return {
            "verdict": "failed",
            "message": f"your answer could not be read as a SymPy expression: {error}",
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


if __name__ == "__main__":  # python -m grader.sympy_safe < [student, reference, mistakes, domain, time_limit]
    import json
    import sys

    print(json.dumps(compare(*json.load(sys.stdin))))
