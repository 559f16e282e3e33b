"""The explorable figures' grids (``_ext/explorables.py``) against independent formulas.

The Node tests (tests/js/explore_*.test.cjs) check every grid point against update rules written
again in JavaScript; these check the Python side: exact rational arithmetic for gradient descent
on the parabola, SymPy's gradients of the 2-2-1 network, the characteristic polynomial's roots for
momentum, and the data file the build writes.
"""

import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import explorables  # noqa: E402


@pytest.fixture(scope="module")
def gd():
    return explorables.gd_grid()


def test_gd_paths_equal_exact_rational_gradient_descent(gd):
    for k, point in enumerate(gd["points"]):
        factor = 1 - Fraction(k, 100) * 4
        for t, theta in enumerate(point["path"]):
            exact = factor**t
            assert abs(theta - float(exact)) <= 1e-12 * max(1, abs(float(exact)))


def test_gd_regime_flips_exactly_at_2_over_L(gd):
    regimes = {round(p["lr"], 2): p["regime"] for p in gd["points"]}
    assert regimes[0.49] == "oscillating"
    assert regimes[0.5] == "boundary"
    assert all(regimes[round(k / 100, 2)] == "diverging" for k in range(51, 61))
    assert regimes[0.25] == "one-step"
    assert all(regimes[round(k / 100, 2)] == "monotone" for k in range(1, 25))


def test_network_gradients_equal_sympy_at_every_state():
    from nnlib.symbolic import network

    data = explorables.network_grid()
    gradient = network.lambdify_gradient()
    names = [p.name for p in network.PARAMETERS]
    example = data["example"]
    for key, state in data["states"].items():
        quantity, value, label = key.split("|")
        x = list(example["x"])
        params = dict(example["params"])
        if quantity in ("x1", "x2"):
            x[int(quantity[1]) - 1] = float(value)
        else:
            params[quantity] = float(value)
        want = gradient(x[0], x[1], float(label), *(params[n] for n in names))
        grads, updated = state[len(data["fields"]):][:9], state[len(data["fields"]) + 9:]
        for k, (name, g) in enumerate(zip(names, want, strict=True)):
            assert abs(grads[k] - float(g)) <= 1e-12, (key, name)
            assert abs(updated[k] - (params[name] - example["lr"] * float(g))) <= 1e-12


def test_momentum_rates_equal_the_roots_of_the_characteristic_polynomial():
    data = explorables.momentum_grid()
    n_beta = len(data["betas"])
    for method, polynomial in (
        ("heavy ball", lambda h, b: [1.0, -(1 + b - h), b]),
        ("Nesterov", lambda h, b: [1.0, -(1 + b) * (1 - h), b * (1 - h)]),
    ):
        for i, lr in enumerate(data["lrs"]):
            for j, beta in enumerate(data["betas"]):
                want = max(max(abs(np.roots(polynomial(lr * lam, beta)))) for lam in (1.0, 50.0))
                assert abs(data["methods"][method]["rate"][i * n_beta + j] - want) <= 1e-7, (method, lr, beta)


def test_the_data_file_holds_the_grid(tmp_path):
    explorables.write_data("gd", tmp_path)
    text = (tmp_path / "_static" / "explore" / "data" / "gd.js").read_text()
    prefix = 'window.EXPLORE_DATA = window.EXPLORE_DATA || {};\nwindow.EXPLORE_DATA["gd"] = '
    assert text.startswith(prefix) and text.endswith(";\n")
    assert json.loads(text[len(prefix):-2]) == json.loads(json.dumps(explorables.gd_grid()))


def test_the_directive_emits_nothing_but_html():
    from docutils import nodes

    with pytest.raises(nodes.SkipNode):
        explorables.skip(None, explorables.explorable_node())
