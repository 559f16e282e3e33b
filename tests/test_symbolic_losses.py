"""SymPy derivations of nnlib.symbolic.losses, and nnlib's numeric gradients held against them."""

import numpy as np
import pytest
import sympy as sp

from nnlib import losses
from nnlib.symbolic import losses as sym

# ------------------------------------------------------------------ the derivations


def test_mse_derivative_is_two_residuals():
    assert sp.simplify(sp.diff(sym.mse(), sym.y_hat) - 2 * (sym.y_hat - sym.y)) == 0


def test_mae_derivative_is_the_sign():
    # SymPy writes it as -sign(y - y_hat); compare at points on both sides of the kink
    derivative = sp.diff(sym.mae(), sym.y_hat)
    for y_value, y_hat_value, expected in [(0, 2, 1), (3, -1, -1), (1, 1, 0)]:
        assert derivative.subs({sym.y: y_value, sym.y_hat: y_hat_value}) == expected


def test_huber_is_continuous_and_differentiable_at_delta():
    pieces = sym.huber_at_delta()
    # both pieces are delta^2 / 2 at d = delta, both slopes are delta; the curvature jumps from 1 to 0
    assert pieces["quadratic_value"] == pieces["linear_value"] == sym.delta**2 / 2
    assert pieces["quadratic_slope"] == pieces["linear_slope"] == sym.delta
    assert pieces["second_derivative_jump"] == 1


def test_huber_expression_takes_the_right_pieces():
    # residual 0.5 inside delta = 1: 0.125; residual 3: 1 * (3 - 0.5) = 2.5
    expr = sym.huber()
    assert expr.subs({sym.y: 0, sym.y_hat: sp.Rational(1, 2), sym.delta: 1}) == sp.Rational(1, 8)
    assert expr.subs({sym.y: 0, sym.y_hat: 3, sym.delta: 1}) == sp.Rational(5, 2)


def test_bce_is_the_bernoulli_negative_log_likelihood():
    difference = sym.bernoulli_negative_log_likelihood() - sym.binary_cross_entropy()
    assert sp.simplify(difference) == 0


def test_sigmoid_bce_gradient_is_prediction_minus_target():
    gradient = sym.sigmoid_bce_logit_gradient()
    assert sp.simplify(gradient - (sym.sigmoid(sym.z) - sym.y)) == 0
    # and the raw derivative, without nnlib's rearrangement, says the same
    raw = sp.diff(sym.binary_cross_entropy_logits(), sym.z)
    assert sp.simplify(raw - (sym.sigmoid(sym.z) - sym.y)) == 0


def test_softmax_cce_gradient_is_p_minus_y_for_three_classes():
    gradients, ys, zs = sym.softmax_cce_logit_gradient(3)
    p = sym.softmax(zs)
    one_hot_sum = {ys[2]: 1 - ys[0] - ys[1]}  # targets summing to 1
    for k in range(3):
        assert sp.simplify((gradients[k] - (p[k] - ys[k])).subs(one_hot_sum)) == 0
        # for targets of any sum S: S p_k - y_k
        assert sp.simplify(gradients[k] - (sum(ys) * p[k] - ys[k])) == 0


def test_cross_entropy_is_entropy_plus_kl():
    assert sym.cross_entropy_minus_entropy_minus_kl(3) == 0


def test_hinge_derivative_has_the_documented_kink_choice():
    derivative = sp.diff(sym.hinge(), sym.y_hat)
    assert derivative.subs({sym.y: 1, sym.y_hat: sp.Rational(1, 2)}) == -1
    assert derivative.subs({sym.y: 1, sym.y_hat: 1}) == 0  # at the kink
    assert derivative.subs({sym.y: -1, sym.y_hat: 0}) == 1


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="name must be one of"):
        sym.gradient_function("mse2")
    with pytest.raises(ValueError, match="name must be one of"):
        sym.row_gradient_function("hinge", 3)


# ------------------------------------------------------------------ nnlib against SymPy at random points


@pytest.mark.parametrize(
    ("name", "loss"),
    [
        ("mse", losses.MSE(reduction="none")),
        ("mae", losses.MAE(reduction="none")),
        ("huber", losses.Huber(reduction="none")),
        ("hinge", losses.Hinge(reduction="none")),
    ],
)
def test_elementwise_gradients_equal_sympy(name, loss):
    rng = np.random.default_rng(10)
    y = rng.choice([-1.0, 1.0], size=50) if name == "hinge" else rng.normal(size=50)
    p = rng.normal(size=50) * 2
    np.testing.assert_allclose(loss.grad(y, p), sym.gradient_function(name)(y, p), rtol=1e-12)


@pytest.mark.parametrize("delta", [0.3, 2.5])
def test_huber_gradient_equals_sympy_for_other_deltas(delta):
    rng = np.random.default_rng(11)
    y, p = rng.normal(size=50), rng.normal(size=50) * 3
    expected = sym.gradient_function("huber", huber_delta=delta)(y, p)
    np.testing.assert_allclose(losses.Huber(delta, reduction="none").grad(y, p), expected, rtol=1e-12)


def test_bce_gradients_equal_sympy():
    rng = np.random.default_rng(12)
    y, p, z = rng.uniform(size=50), rng.uniform(0.01, 0.99, size=50), rng.normal(size=50) * 5
    np.testing.assert_allclose(
        losses.BinaryCrossEntropy(reduction="none").grad(y, p), sym.gradient_function("bce")(y, p), rtol=1e-10
    )
    np.testing.assert_allclose(
        losses.BinaryCrossEntropy(from_logits=True, reduction="none").grad(y, z),
        sym.gradient_function("bce_logits")(y, z),
        rtol=1e-10,
        atol=1e-15,
    )


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_row_gradients_equal_sympy(reduction):
    rng = np.random.default_rng(13)
    n, k = 6, 4
    divide = n if reduction == "mean" else 1  # "mean" divides by the number of rows
    P, Q = rng.dirichlet(np.ones(k), size=n), rng.dirichlet(np.ones(k), size=n)
    Z, Y = rng.normal(size=(n, k)) * 3, rng.uniform(size=(n, k))
    np.testing.assert_allclose(
        losses.CategoricalCrossEntropy(reduction=reduction).grad(P, Q),
        sym.row_gradient_function("cce", k)(P, Q) / divide,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        losses.CategoricalCrossEntropy(from_logits=True, reduction=reduction).grad(Y, Z),
        sym.row_gradient_function("cce_logits", k)(Y, Z) / divide,
        rtol=1e-10,
        atol=1e-14,
    )
    np.testing.assert_allclose(
        losses.KLDivergence(reduction=reduction).grad(P, Q),
        sym.row_gradient_function("kl", k)(P, Q) / divide,
        rtol=1e-12,
    )
