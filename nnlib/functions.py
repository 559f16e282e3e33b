r"""Test objectives for optimizers, with gradients, and a loop that records a trajectory.

The optimization chapters run every optimizer on the same few surfaces:

* :class:`Quadratic` -- :math:`f(x) = \tfrac12 x^\top A x - b^\top x`, the model of every
  smooth minimum; ``Quadratic([[a]])`` is the one-dimensional :math:`\tfrac a2 x^2`, and
  ``Quadratic.rotated([1, 25], 30)`` an ill-conditioned bowl whose axes are not the
  coordinate axes.
* :class:`Rosenbrock` -- a curved narrow valley, :math:`(a - x)^2 + b(y - x^2)^2`.

Every objective accepts points of shape ``(..., d)`` (one point, or a whole grid for a
contour plot) and returns values of shape ``(...)`` and gradients of shape ``(..., d)``.
:func:`descend` runs an :mod:`nnlib.optim` optimizer on one of them and returns the visited
points.

Chapters: :ref:`chap-optimization-basics`, :ref:`chap-momentum`, :ref:`chap-adaptive`,
:ref:`chap-lr-schedules`.

Examples
--------
>>> from nnlib.optim import SGD
>>> bowl = Quadratic([[2.0]])                 # f(x) = x^2, gradient 2x
>>> descend(bowl, [1.0], lambda params: SGD(params, lr=0.25), n_steps=3)[:, 0]
array([1.   , 0.5  , 0.25 , 0.125])
"""

import numpy as np

from nnlib._validation import as_finite_array, as_float_array, check_int
from nnlib.parameter import Parameter

__all__ = ["Objective", "Quadratic", "Rosenbrock", "descend"]


class Objective:
    """Base class: ``f(x)`` (value), ``f.grad(x)``, ``f.minimizer`` and the dimension ``dim``."""

    dim = None
    minimizer = None

    def _check_points(self, x):
        x = as_float_array(x, "x")
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}), got {x.shape}")
        return x

    def __call__(self, x):
        return self.value(x)

    def value(self, x):
        raise NotImplementedError

    def grad(self, x):
        raise NotImplementedError


class Quadratic(Objective):
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x`, :math:`A` symmetric positive definite.

    .. math:: \nabla f(x) = A x - b, \qquad x^\star = A^{-1} b

    Its smoothness constant :math:`L` is the largest eigenvalue of :math:`A` and its
    condition number is :math:`\kappa = \lambda_{\max} / \lambda_{\min}`. Gradient descent
    with learning rate :math:`\eta` multiplies the error along eigenvector :math:`i` by
    :math:`1 - \eta\lambda_i` per step, so it converges iff :math:`\eta < 2/L`.

    Parameters
    ----------
    A : array, shape (d, d)
        Symmetric positive definite.
    b : array, shape (d,), default zeros
    """

    def __init__(self, A, b=None):
        A = as_finite_array(A, "A")
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square matrix, got shape {A.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("A must be symmetric")
        self.eigenvalues = np.linalg.eigvalsh(A)
        if self.eigenvalues[0] <= 0:
            raise ValueError(f"A must be positive definite, its smallest eigenvalue is "
                             f"{self.eigenvalues[0]!r}")
        self.A, self.dim = A, A.shape[0]
        self.b = np.zeros(self.dim) if b is None else as_float_array(b, "b")
        if self.b.shape != (self.dim,):
            raise ValueError(f"b must have shape ({self.dim},), got {self.b.shape}")
        self.minimizer = np.linalg.solve(A, self.b)
        self.L = float(self.eigenvalues[-1])
        self.condition_number = float(self.eigenvalues[-1] / self.eigenvalues[0])

    @classmethod
    def rotated(cls, eigenvalues, angle_degrees):
        """A 2-D quadratic with curvatures ``eigenvalues`` along axes turned by ``angle_degrees``."""
        eigenvalues = as_float_array(eigenvalues, "eigenvalues")
        if eigenvalues.shape != (2,):
            raise ValueError(f"eigenvalues must hold two numbers, got shape {eigenvalues.shape}")
        angle = np.deg2rad(angle_degrees)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        return cls(rotation @ np.diag(eigenvalues) @ rotation.T)

    def value(self, x):
        x = self._check_points(x)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def grad(self, x):
        x = self._check_points(x)
        return x @ self.A - self.b  # A is symmetric: (A x)^T = x^T A

    def __repr__(self):
        return f"Quadratic(eigenvalues={self.eigenvalues.tolist()}, b={self.b.tolist()})"


class Rosenbrock(Objective):
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    .. math::

        \frac{\partial f}{\partial x} &= -2(a - x) - 4 b x (y - x^2), \\
        \frac{\partial f}{\partial y} &= 2 b (y - x^2)

    Minimum 0 at :math:`(a, a^2)`, at the end of a narrow curved valley: the gradient
    points mostly across the valley, not along it.

    Parameters
    ----------
    a : float, default 1
    b : float, default 100
    """

    dim = 2

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = float(a), float(b)
        self.minimizer = np.array([self.a, self.a**2])

    def value(self, x):
        x = self._check_points(x)
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u**2) ** 2

    def grad(self, x):
        x = self._check_points(x)
        u, v = x[..., 0], x[..., 1]
        return np.stack([-2 * (self.a - u) - 4 * self.b * u * (v - u**2), 2 * self.b * (v - u**2)], axis=-1)

    def __repr__(self):
        return f"Rosenbrock(a={self.a}, b={self.b})"


def descend(objective, x0, make_optimizer, n_steps, make_schedule=None, max_norm=1e12):
    r"""Run an optimizer on ``objective`` from ``x0``; return the visited points.

    Each step sets the parameter's gradient to ``objective.grad(x)``, calls
    ``optimizer.step()`` and then, if a schedule is given, ``schedule.step()`` (one
    "epoch" per step). The run stops early when the point leaves the ball of radius
    ``max_norm`` or stops being finite (a diverging run), so the result may be shorter.

    Parameters
    ----------
    objective : Objective
    x0 : array, shape (d,)
    make_optimizer : callable
        ``make_optimizer(params)`` returns an optimizer, e.g. ``lambda ps: SGD(ps, lr=0.1)``.
    n_steps : int
    make_schedule : callable, optional
        ``make_schedule(optimizer)`` returns a schedule, e.g. ``lambda o: StepLR(o, 10)``.
    max_norm : float, default 1e12

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1, d) or shorter
        ``x0`` followed by the point after each step.
    """
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    x = Parameter(objective._check_points(x0), "x")
    if x.value.shape != (objective.dim,):
        raise ValueError(f"x0 must have shape ({objective.dim},), got {x.value.shape}")
    optimizer = make_optimizer([x])
    schedule = make_schedule(optimizer) if make_schedule is not None else None
    points = [x.value.copy()]
    for _ in range(n_steps):
        x.grad[...] = objective.grad(x.value)
        optimizer.step()
        if schedule is not None:
            schedule.step()
        points.append(x.value.copy())
        if not np.all(np.isfinite(x.value)) or np.linalg.norm(x.value) > max_norm:
            break
    return np.array(points)
