"""Test objectives: values and gradients by hand and by central differences; the descent loop."""

import numpy as np
import pytest

from nnlib.functions import Quadratic, Rosenbrock, descend
from nnlib.optim import SGD
from nnlib.schedules import StepLR


def central_differences(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def test_quadratic_by_hand():
    q = Quadratic(np.diag([1.0, 25.0]), b=[1.0, 0.0])
    # f(1, 1) = (1 + 25)/2 - 1 = 12; grad = (1 - 1, 25 - 0) = (0, 25); minimizer A^-1 b = (1, 0)
    assert q([1.0, 1.0]) == pytest.approx(12.0)
    np.testing.assert_allclose(q.grad([1.0, 1.0]), [0.0, 25.0])
    np.testing.assert_allclose(q.minimizer, [1.0, 0.0])
    assert q.L == 25.0 and q.condition_number == pytest.approx(25.0)


def test_rotated_quadratic_keeps_its_curvatures():
    q = Quadratic.rotated([1.0, 10.0], 30)
    np.testing.assert_allclose(q.eigenvalues, [1.0, 10.0], rtol=1e-12)
    # along the rotated first axis (cos 30, sin 30) the curvature is 1: f(u) = 1/2
    u = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])
    assert q(u) == pytest.approx(0.5, rel=1e-12)


def test_rosenbrock_by_hand():
    r = Rosenbrock()
    # at (-1.2, 1): (1 + 1.2)^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36 = 24.2
    # d/dx = -2*2.2 - 400*(-1.2)*(-0.44) = -4.4 - 211.2 = -215.6; d/dy = 200*(-0.44) = -88
    assert r([-1.2, 1.0]) == pytest.approx(24.2)
    np.testing.assert_allclose(r.grad([-1.2, 1.0]), [-215.6, -88.0], rtol=1e-12)
    assert r(r.minimizer) == 0.0
    np.testing.assert_array_equal(r.grad([1.0, 1.0]), [0.0, 0.0])


@pytest.mark.parametrize("objective", [Quadratic.rotated([2.0, 7.0], 40), Rosenbrock(a=0.5, b=10.0),
                                       Quadratic([[3.0, 1.0], [1.0, 2.0]], b=[1.0, -1.0])])
def test_gradients_match_central_differences(objective):
    rng = np.random.default_rng(0)
    for x in rng.normal(size=(5, 2)):
        np.testing.assert_allclose(objective.grad(x), central_differences(objective, x), rtol=1e-6, atol=1e-6)


def test_objectives_evaluate_a_grid_at_once():
    xs, ys = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    grid = np.stack([xs, ys], axis=-1)  # (4, 5, 2)
    for objective in (Rosenbrock(), Quadratic(np.eye(2))):
        assert objective(grid).shape == (4, 5)
        assert objective.grad(grid).shape == (4, 5, 2)
        assert objective(grid)[2, 3] == pytest.approx(objective(grid[2, 3]))


def test_descend_is_gradient_descent_with_the_closed_form():
    # f = 3/2 x^2: x_t = (1 - 0.1*3)^t * 2
    path = descend(Quadratic([[3.0]]), [2.0], lambda ps: SGD(ps, lr=0.1), 20)
    np.testing.assert_allclose(path[:, 0], 2 * 0.7 ** np.arange(21), rtol=1e-12)


def test_descend_steps_the_schedule():
    # f = 1/2 x^2, lr 0.5 for 1 step then 0.05: x1 = 1 - 0.5 = 0.5, x2 = 0.5 - 0.05*0.5 = 0.475
    path = descend(Quadratic([[1.0]]), [1.0], lambda ps: SGD(ps, lr=0.5), 2, lambda o: StepLR(o, 1))
    np.testing.assert_allclose(path[:, 0], [1.0, 0.5, 0.475])


def test_descend_stops_a_diverging_run():
    # multiplier 1 - 3*1 = -2 per step: |x| passes 1e12 after 40 steps (2^40 = 1.1e12)
    path = descend(Quadratic([[1.0]]), [1.0], lambda ps: SGD(ps, lr=3.0), 1000)
    assert len(path) == 41
    assert abs(path[-1, 0]) == 2.0**40


@pytest.mark.parametrize(
    ("make", "error", "text"),
    [
        (lambda: Quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError, "symmetric"),
        (lambda: Quadratic([[1.0, 0.0], [0.0, -1.0]]), ValueError, "positive definite"),
        (lambda: Quadratic([1.0, 2.0]), ValueError, "square"),
        (lambda: Quadratic(np.eye(2), b=[1.0]), ValueError, "b must have shape"),
        (lambda: Rosenbrock()([1.0, 2.0, 3.0]), ValueError, "x must have shape"),
        (lambda: Quadratic.rotated([1.0, 2.0, 3.0], 10), ValueError, "eigenvalues"),
        (lambda: descend(Rosenbrock(), [[0.0, 0.0]], lambda ps: SGD(ps), 3), ValueError, "x0"),
        (lambda: descend(Rosenbrock(), [0.0, 0.0], lambda ps: SGD(ps), -1), ValueError, "n_steps"),
    ],
)
def test_bad_input(make, error, text):
    with pytest.raises(error, match=text):
        make()
