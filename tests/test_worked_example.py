"""The exam notes' 2-2-1 worked example (their section 10) computed with nnlib.

nnlib's numbers are held against two independent sources: hand arithmetic written out step by
step with the math module below, and SymPy differentiating the whole loss expression
(nnlib.symbolic.network), where no chain rule is applied by hand.
"""

import math

import numpy as np
import pytest

from nnlib.losses import BinaryCrossEntropy
from nnlib.nn import Linear, Sequential, Sigmoid
from nnlib.optim import SGD
from nnlib.symbolic import network


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


# ---- hand arithmetic, the exam notes' steps 3-6 without rounding ----
X1, X2, Y, LR = 1.0, 0.0, 1.0, 0.1
W11, W21, B1, W12, W22, B2, W13, W23, B3 = 0.2, 0.4, 0.1, 0.3, 0.1, 0.2, 0.7, 0.5, 0.3
Z1 = W11 * X1 + W21 * X2 + B1  # 0.3
Z2 = W12 * X1 + W22 * X2 + B2  # 0.5
A1, A2 = sig(Z1), sig(Z2)
Z3 = W13 * A1 + W23 * A2 + B3
Y_HAT = sig(Z3)
LOSS = -(Y * math.log(Y_HAT) + (1 - Y) * math.log(1 - Y_HAT))
DELTA3 = Y_HAT - Y  # BCE after a sigmoid: dL/dz3 = y_hat - y
DELTA1 = W13 * DELTA3 * A1 * (1 - A1)
DELTA2 = W23 * DELTA3 * A2 * (1 - A2)
HAND_GRAD = {
    "w_11": DELTA1 * X1, "w_21": DELTA1 * X2, "b_1": DELTA1,
    "w_12": DELTA2 * X1, "w_22": DELTA2 * X2, "b_2": DELTA2,
    "w_13": DELTA3 * A1, "w_23": DELTA3 * A2, "b_3": DELTA3,
}  # fmt: skip


def notes_model():
    W1, b1, W2, b2 = network.layer_arrays()
    return Sequential(
        Linear(2, 2, weight=W1, bias=b1), Sigmoid(), Linear(2, 1, weight=W2, bias=b2), Sigmoid()
    )


def nnlib_gradients(model):
    """The nine gradients in the exam notes' naming, read from nnlib's (n_out, n_in) weight layout."""
    hidden, output = model[0], model[2]
    return {
        "w_11": hidden.weight.grad[0, 0], "w_21": hidden.weight.grad[0, 1], "b_1": hidden.bias.grad[0],
        "w_12": hidden.weight.grad[1, 0], "w_22": hidden.weight.grad[1, 1], "b_2": hidden.bias.grad[1],
        "w_13": output.weight.grad[0, 0], "w_23": output.weight.grad[0, 1], "b_3": output.bias.grad[0],
    }  # fmt: skip


@pytest.fixture(scope="module")
def symbolic():
    return network.evaluate()


@pytest.fixture
def trained_once():
    model = notes_model()
    x, y = np.array([[X1, X2]]), np.array([[Y]])
    z_hidden = model[0].forward(x)
    a_hidden = model[1].forward(z_hidden)
    z_out = model[2].forward(a_hidden)
    y_hat = model[3].forward(z_out)
    loss = BinaryCrossEntropy()
    value = loss(y, y_hat)
    delta_out = model[3].backward(loss.grad(y, y_hat))
    grad_a_hidden = model[2].backward(delta_out)
    delta_hidden = model[1].backward(grad_a_hidden)
    model[0].backward(delta_hidden)
    return {
        "model": model, "z_hidden": z_hidden, "a_hidden": a_hidden, "z_out": z_out, "y_hat": y_hat,
        "loss": value, "delta_out": delta_out, "delta_hidden": delta_hidden,
    }  # fmt: skip


def test_hand_arithmetic_agrees_with_sympy(symbolic):
    for name, hand in [
        ("z1", Z1),
        ("a1", A1),
        ("z2", Z2),
        ("a2", A2),
        ("z3", Z3),
        ("y_hat", Y_HAT),
        ("L", LOSS),
    ]:
        assert symbolic[name] == pytest.approx(hand, rel=1e-14), name
    for name, hand in HAND_GRAD.items():
        assert symbolic["grad"][name] == pytest.approx(hand, rel=1e-13, abs=1e-16), name


def test_lambdified_gradient_equals_evaluated_gradient(symbolic):
    values = [network.NOTES_EXAMPLE["params"][p.name] for p in network.PARAMETERS]
    numbers = network.lambdify_gradient()(X1, X2, Y, *values)
    for parameter, number in zip(network.PARAMETERS, numbers, strict=True):
        assert float(number) == pytest.approx(symbolic["grad"][parameter.name], rel=1e-13, abs=1e-16)


def test_forward_pass(trained_once, symbolic):
    t = trained_once
    np.testing.assert_allclose(t["z_hidden"], [[symbolic["z1"], symbolic["z2"]]], rtol=1e-14)
    np.testing.assert_allclose(t["a_hidden"], [[symbolic["a1"], symbolic["a2"]]], rtol=1e-14)
    np.testing.assert_allclose(t["z_out"], [[symbolic["z3"]]], rtol=1e-14)
    np.testing.assert_allclose(t["y_hat"], [[symbolic["y_hat"]]], rtol=1e-14)
    assert t["loss"] == pytest.approx(symbolic["L"], rel=1e-13)


def test_deltas(trained_once, symbolic):
    np.testing.assert_allclose(trained_once["delta_out"], [[symbolic["delta3"]]], rtol=1e-12)
    np.testing.assert_allclose(
        trained_once["delta_hidden"], [[symbolic["delta1"], symbolic["delta2"]]], rtol=1e-12
    )
    assert symbolic["delta3"] == pytest.approx(DELTA3, rel=1e-13)


def test_gradients(trained_once, symbolic):
    for name, value in nnlib_gradients(trained_once["model"]).items():
        assert value == pytest.approx(symbolic["grad"][name], rel=1e-12, abs=1e-15), name


def test_one_gradient_descent_step(trained_once):
    model = trained_once["model"]
    SGD(model.parameters(), lr=LR).step()
    hidden, output = model[0], model[2]
    assert output.weight.value[0, 0] == pytest.approx(W13 - LR * HAND_GRAD["w_13"], rel=1e-14)
    assert output.weight.value[0, 1] == pytest.approx(W23 - LR * HAND_GRAD["w_23"], rel=1e-14)
    assert output.bias.value[0] == pytest.approx(B3 - LR * HAND_GRAD["b_3"], rel=1e-14)
    assert hidden.weight.value[0, 0] == pytest.approx(W11 - LR * HAND_GRAD["w_11"], rel=1e-14)
    assert hidden.weight.value[0, 1] == W21  # x2 = 0: no gradient, no change
    assert hidden.bias.value[1] == pytest.approx(B2 - LR * HAND_GRAD["b_2"], rel=1e-14)


def test_where_the_notes_are_right_and_where_they_are_wrong(symbolic):
    # the notes round to three decimals: a1 ~ 0.574 and a2 ~ 0.622 are right
    assert round(symbolic["a1"], 3) == 0.574 and round(symbolic["a2"], 3) == 0.622
    # its z3 ~ 1.086 is not: 0.7*0.574 + 0.5*0.622 + 0.3 = 0.4018 + 0.311 + 0.3 = 1.0128
    assert abs(0.7 * 0.574 + 0.5 * 0.622 + 0.3 - 1.0128) < 1e-12
    assert round(symbolic["z3"], 3) == 1.013 and abs(symbolic["z3"] - 1.086) > 0.07
    # everything after inherits the error: y_hat 0.734 (notes 0.748), L 0.310 (notes 0.289)
    assert round(symbolic["y_hat"], 3) == 0.734 and round(symbolic["L"], 3) == 0.310
    # the notes' own chain from its wrong y_hat is consistent: -log(0.748) = 0.290 (it shows 0.289)
    assert round(-math.log(0.748), 3) == 0.290
