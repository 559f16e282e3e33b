"""Each problem type's asked numbers as SymPy expressions: one expression per step, one source for two keys.

A *step* is one number a problem asks for (``z1``, ``theta2[0]``, ``loss``, ...). Its expression is
written once, in terms of the problem's givens (symbols ``g.<name>``, vector entries ``g.<name>[i]``)
and of earlier steps (symbols ``v["<step>"]``), so that

* Python evaluates it for the key (:func:`evaluate`; ``tests/test_practice_steps.py`` holds every
  value equal to ``nnlib``'s, ``Problem.answers``, for every variant the site ships), and
* ``sympy.printing.jscode`` writes it as the JavaScript function ``function (g, v) {...}`` the
  practice page calls (:func:`js_function`), also on the student's own earlier numbers: that is how
  a later step is checked "following through" from a wrong earlier one, as an exam marker would.

Iterations are unrolled (``theta1``, ``theta2``, ...), vectors split into scalars (``grad[0]``).
A *mistake* is an expression of the same kind for a known wrong way (forgot ``1/N``, ``log10``, the
wrong sign of the step) with a hint that names the slip, never the expected value.

The types' specs live in :mod:`exam.steps.losses`, :mod:`exam.steps.optimizers`,
:mod:`exam.steps.dynamics` and :mod:`exam.steps.network`; :data:`SPECS` collects them by type slug.
"""

import functools
import math
from dataclasses import dataclass, field

import sympy
from sympy.printing.jscode import jscode


def g(name, *index):
    """The symbol of a given: ``g("z", 0)`` is ``g.z[0]`` in the JavaScript."""
    return sympy.Symbol(f"g.{name}" + "".join(f"[{i}]" for i in index), real=True)


def v(step):
    """The symbol of an earlier step's value: ``v("z1")`` is ``v["z1"]`` in the JavaScript."""
    return sympy.Symbol(f'v["{step}"]', real=True)


def sigmoid(z):
    """:math:`\\sigma(z) = 1/(1 + e^{-z})` (chapter "The chain rule for one neuron")."""
    return 1 / (1 + sympy.exp(-z))


def sign(x):
    """``sign`` as a Piecewise (SymPy's ``sign`` has no JavaScript printer); ``sign(0) = 0``."""
    return sympy.Piecewise((1, x > 0), (-1, x < 0), (0, True))


def log10(x):
    """The base-10 logarithm (a known mistake where the natural one is meant)."""
    return sympy.log(x) / sympy.log(10)


@dataclass
class Mistake:
    """A known wrong way to compute a step: its expression and a hint that never states the value."""

    id: str
    expr: sympy.Expr
    hint: str


@dataclass
class Step:
    """One asked number: its answer key name, expression, part of the problem, label and known mistakes."""

    name: str
    expr: sympy.Expr
    part: int
    label_html: str
    aria: str
    mistakes: list = field(default_factory=list)

    def uses(self):
        """The earlier steps this step's expression reads (for "following through from your ...")."""
        return sorted(s.name[3:-2] for s in self.expr.free_symbols if s.name.startswith("v["))


@dataclass
class Spec:
    """A problem type's steps; ``derived`` adds numeric givens the expressions need (e.g. a class count)."""

    steps: list
    derived: object = None

    def givens(self, problem):
        """The givens the expressions read: the maker's, plus the derived ones."""
        extra = self.derived(problem.givens) if self.derived else {}
        return {**problem.givens, **extra}


def _bindings(givens):
    """Map every ``g.<name>[i]...`` symbol name to its number."""
    out = {}

    def walk(prefix, value):
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(f"{prefix}[{i}]", item)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix] = float(value)

    for name, value in givens.items():
        walk(f"g.{name}", value)
    return out


def evaluate(spec, givens):
    """Evaluate every step in order, each from the givens and the steps before it: the SymPy key."""
    bound = _bindings(givens)
    values = {}
    for step in spec.steps:
        values[step.name] = evaluate_expr(step.expr, bound, values)
    return values


@functools.cache
def _compiled(expr):
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    return symbols, sympy.lambdify(symbols, expr, modules="math", dummify=True)


def evaluate_expr(expr, bound, values):
    """Evaluate one expression in double precision (as the browser does) on givens and step values."""
    symbols, function = _compiled(expr)
    args = []
    for s in symbols:
        if s.name.startswith("v["):
            args.append(values[s.name[3:-2]])
        else:
            args.append(bound.get(s.name, math.nan))  # absent entries sit in untaken branches only
    return float(function(*args))


def js_function(expr):
    """The JavaScript function ``function (g, v) { return ...; }`` of an expression (``jscode``)."""
    code = jscode(expr)
    if "Not supported" in code:
        raise ValueError(f"jscode cannot print {expr}: {code}")
    return "function (g, v) { return " + " ".join(code.split()) + "; }"


def answer_of(answers, name):
    """The number ``nnlib`` computed for step ``name`` from ``Problem.answers`` (lists split as name[i])."""
    if name in answers:
        return float(answers[name])
    base, _, index = name.partition("[")
    return float(answers[base][int(index.rstrip("]"))])


from exam.steps import dynamics, losses, network, optimizers  # noqa: E402  (they use the helpers above)

#: the steps of every problem type, by type slug (the order of exam.types.TYPES)
SPECS = {**network.SPECS, **losses.SPECS, **optimizers.SPECS, **dynamics.SPECS}
