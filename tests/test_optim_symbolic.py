"""nnlib.symbolic.optim: the SymPy results against hand derivations and against nnlib's optimizers."""

import numpy as np
import pytest
import sympy as sp

from nnlib.optim import SGD, Adam
from nnlib.parameter import Parameter
from nnlib.symbolic import optim as so


def test_multiplier_is_one_minus_lr_times_curvature():
    # theta - eta * d/dtheta (L theta^2 / 2) = theta (1 - eta L)
    assert sp.simplify(so.gd_quadratic_multiplier() - (1 - so.lr * so.L)) == 0


def test_stability_interval_is_zero_to_two_over_L():
    assert so.gd_stability_interval() == sp.Interval.open(0, 2 / so.L)


@pytest.mark.parametrize(("fraction", "converges"), [(0.99, True), (1.01, False)])
def test_stability_bound_numerically(fraction, converges):
    # GD on L/2 x^2 with lr just below / above 2/L (L = 4): |x_200| tiny or huge
    L = 4.0
    p = Parameter([1.0])
    opt = SGD([p], lr=fraction * 2 / L)
    for _ in range(200):
        p.grad[...] = L * p.value
        opt.step()
    assert (abs(p.value[0]) < 1e-1) == converges
    assert (abs(p.value[0]) > 1.0) == (not converges)


def test_closed_form_agrees_with_sgd():
    closed = sp.lambdify((so.theta0, so.lr, so.L, so.t), so.gd_quadratic_closed_form())
    p = Parameter([1.5])
    opt = SGD([p], lr=0.3)
    for step in range(1, 16):
        p.grad[...] = 2.0 * p.value  # L = 2
        opt.step()
        assert p.value[0] == pytest.approx(closed(1.5, 0.3, 2.0, step), rel=1e-12)


def test_adam_first_moment_expectation():
    expectation = so.adam_first_moment_expectation()
    assert sp.simplify(expectation - (1 - so.beta**so.t) * so.g) == 0
    # by hand at t = 3: (1 - b)(b^2 + b + 1) g = (1 - b^3) g
    assert sp.expand(expectation.subs(so.t, 3)) == sp.expand((1 - so.beta**3) * so.g)


def test_adam_state_shows_the_bias():
    # constant gradient 2: nnlib's biased m_t equals the derived (1 - 0.9^t) * 2
    expectation = sp.lambdify((so.beta, so.g, so.t), so.adam_first_moment_expectation())
    p = Parameter([0.0])
    opt = Adam([p])
    for step in range(1, 11):
        p.grad[...] = 2.0
        opt.step()
        assert opt.state[p]["exp_avg"][0] == pytest.approx(expectation(0.9, 2.0, step), rel=1e-13)
    assert np.isclose(opt.state[p]["exp_avg"][0] / (1 - 0.9**10), 2.0)
