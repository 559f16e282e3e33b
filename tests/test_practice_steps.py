"""The practice site's step expressions (exam/steps): equal to nnlib's key for every variant the site ships,
printed as JavaScript that computes the same numbers, and known mistakes that are mistakes.

The expected numbers are ``nnlib``'s (``Problem.answers``, computed by the library's layers, losses,
optimizers and schedules), an independent route from the SymPy expressions checked here.
"""

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the exam package sits at the root
from exam.problems import fmt  # noqa: E402
from exam.site_data import draw, variant_numbers  # noqa: E402
from exam.steps import SPECS, _bindings, answer_of, evaluate, evaluate_expr, js_function  # noqa: E402
from exam.types import TYPES  # noqa: E402

NODE = shutil.which("node")


def close(value, expected):
    """Equal to 1e-12, relative where the value is larger than 1."""
    return abs(value - expected) <= 1e-12 * max(1.0, abs(expected))


def _shipped(slug):
    return [draw(slug, n) for n in variant_numbers(slug)]


def test_the_site_has_19_types_each_with_steps():
    assert list(SPECS) == list(TYPES) or set(SPECS) == set(TYPES)
    assert len(TYPES) == 19
    for slug, spec in SPECS.items():
        names = [step.name for step in spec.steps]
        assert len(names) == len(set(names)) >= 1, slug


@pytest.mark.parametrize("slug", list(TYPES))
def test_steps_equal_nnlib_for_every_shipped_variant(slug):
    spec, asked = SPECS[slug], set()
    for n, problem in zip(variant_numbers(slug), _shipped(slug), strict=True):
        assert problem.kind == slug
        values = evaluate(spec, spec.givens(problem))
        for step in spec.steps:
            try:
                expected = answer_of(problem.answers, step.name)
            except (KeyError, IndexError):
                continue  # not asked in this variant (label smoothing with three classes)
            asked.add(step.name)
            assert close(values[step.name], expected), (slug, n, step.name, values[step.name], expected)
    assert asked == {step.name for step in spec.steps}, "every step is asked by some variant"


@pytest.mark.parametrize("slug", list(TYPES))
def test_steps_use_only_earlier_steps(slug):
    seen = set()
    for step in SPECS[slug].steps:
        assert set(step.uses()) <= seen, (slug, step.name, step.uses())
        seen.add(step.name)


@pytest.mark.parametrize("slug", list(TYPES))
def test_mistakes_are_wrong_somewhere_and_hints_never_give_the_value(slug):
    spec = SPECS[slug]
    problems = _shipped(slug)
    for step in spec.steps:
        for mistake in step.mistakes:
            differs = False
            for problem in problems:
                givens = spec.givens(problem)
                key = evaluate(spec, givens)
                try:
                    answer_of(problem.answers, step.name)
                except (KeyError, IndexError):
                    continue  # not asked in this variant
                wrong = evaluate_expr(mistake.expr, _bindings(givens), key)
                differs |= not math.isnan(wrong) and abs(wrong - key[step.name]) > 1e-4 * max(
                    1, abs(key[step.name])
                )
                assert fmt(key[step.name]) not in mistake.hint
            assert differs, (slug, step.name, mistake.id)
            assert not re.search(r"\d\.\d", mistake.hint), (
                slug,
                mistake.id,
                "a hint states no decimal number",
            )


def test_jscode_prints_every_function_the_steps_need():
    """log, exp, sqrt, Abs, Max, Piecewise with Eq, floor, ceiling, cos, tanh and pi print as JavaScript."""
    x = sympy.Symbol("g.x", real=True)
    y = sympy.Symbol('v["y"]', real=True)
    expr = (
        sympy.log(x)
        + sympy.exp(y)
        + sympy.sqrt(x)
        + sympy.Abs(y)
        + sympy.Max(0, y - x)
        + sympy.Piecewise((1, sympy.Eq(x, 2)), (sympy.floor(y), y > 0), (sympy.ceiling(y), True))
        + sympy.cos(sympy.pi * x)
        + sympy.tanh(y)
    )
    code = js_function(expr)
    for name in (
        "Math.log",
        "Math.exp",
        "Math.sqrt",
        "Math.abs",
        "Math.max",
        "Math.floor",
        "Math.ceil",
        "Math.cos",
        "Math.PI",
        "Math.tanh",
        "==",
    ):
        assert name in code, name
    if NODE is None:
        pytest.fail("node is needed to run the printed JavaScript (make test installs it)")
    cases = [(2.0, -1.5), (0.7, 2.5), (3.0, 0.0)]
    run = subprocess.run(
        [
            NODE,
            "-e",
            f"const f = {code}; console.log(JSON.stringify("
            + json.dumps([{"x": a, "y": b} for a, b in cases])
            + ".map(c => f({x: c.x}, {y: c.y}))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(run.stdout)
    for (a, b), value in zip(cases, got, strict=True):  # the same sum, by hand in Python
        branch = 1 if a == 2 else (math.floor(b) if b > 0 else math.ceil(b))
        expected = (
            math.log(a)
            + math.exp(b)
            + math.sqrt(a)
            + abs(b)
            + max(0, b - a)
            + branch
            + math.cos(math.pi * a)
            + math.tanh(b)
        )
        assert close(value, expected), (a, b, value, expected)


def test_generated_javascript_computes_the_key_in_node():
    """Every step and mistake function, run by Node on each type's variant 1, equals the Python evaluation."""
    if NODE is None:
        pytest.fail("node is needed to run the printed JavaScript (make test installs it)")
    program, expected = [], []
    for slug, spec in SPECS.items():
        problem = draw(slug, 1)
        givens = spec.givens(problem)
        key = evaluate(spec, givens)
        bound = _bindings(givens)
        for step in spec.steps:
            for name, expr in [(step.name, step.expr)] + [(m.id, m.expr) for m in step.mistakes]:
                value = evaluate_expr(expr, bound, key)
                if math.isnan(value):
                    continue
                program.append(f"out.push(({js_function(expr)})({json.dumps(givens)}, {json.dumps(key)}));")
                expected.append((slug, step.name, name, value))
    source = "const out = [];\n" + "\n".join(program) + "\nconsole.log(JSON.stringify(out));"
    run = subprocess.run([NODE, "-"], input=source, capture_output=True, text=True, check=True)
    for (slug, step, name, value), got in zip(expected, json.loads(run.stdout), strict=True):
        assert got is not None and close(got, value), (slug, step, name, got, value)
    assert len(expected) > 19 * 5


def test_the_schedule_maker_draws_as_before_without_a_schedule():
    """``schedule=None`` keeps the paper's draw; a named schedule is that schedule."""
    from exam.problems import make_schedule_problem

    kinds = {make_schedule_problem(np.random.default_rng(seed)).answers["kind"] for seed in range(30)}
    assert kinds == {"step", "exponential", "cosine"}
    for kind in ("step", "exponential", "cosine"):
        assert make_schedule_problem(np.random.default_rng(0), schedule=kind).kind == f"schedule-{kind}"
    with pytest.raises(ValueError, match="schedule"):
        make_schedule_problem(np.random.default_rng(0), schedule="linear")
