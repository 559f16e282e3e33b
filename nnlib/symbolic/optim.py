r"""SymPy derivations behind the optimizers: gradient descent's stability bound, Adam's bias correction.

* :func:`gd_quadratic_multiplier` -- one gradient step on :math:`f(\theta) = \tfrac L2 \theta^2`
  multiplies :math:`\theta` by :math:`1 - \eta L`.
* :func:`gd_stability_interval` -- solving :math:`|1 - \eta L| < 1` gives :math:`0 < \eta < 2/L`.
* :func:`gd_quadratic_closed_form` -- the recurrence solved: :math:`\theta_t = (1 - \eta L)^t \theta_0`.
* :func:`adam_first_moment_expectation` -- under stationary gradients,
  :math:`E[m_t] = (1 - \beta_1^t) E[g]`: the moving average started at zero is biased
  towards zero, and dividing by :math:`1 - \beta_1^t` removes exactly that factor.

Chapters: :ref:`chap-optimization-basics` and :ref:`chap-adaptive`.
"""

import sympy as sp

lr = sp.Symbol("eta", positive=True)
"""The learning rate :math:`\\eta > 0`."""
L = sp.Symbol("L", positive=True)
"""The curvature (largest Hessian eigenvalue) :math:`L > 0`."""
theta = sp.Symbol("theta", real=True)
theta0 = sp.Symbol("theta_0", real=True)
beta = sp.Symbol("beta_1", positive=True)
g = sp.Symbol("g", real=True)
t = sp.Symbol("t", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)


def gd_quadratic_multiplier():
    r"""Return :math:`\theta_{new}/\theta` after a gradient step on :math:`\tfrac L2\theta^2`.

    It is :math:`1 - \eta L`: differentiate :math:`f`, apply :math:`\theta - \eta f'(\theta)`, divide.
    """
    f = L * theta**2 / 2
    theta_new = theta - lr * sp.diff(f, theta)
    return sp.simplify(theta_new / theta)


def gd_stability_interval():
    r"""Return the set of learning rates for which gradient descent on :math:`\tfrac L2\theta^2` converges.

    Solves :math:`|1 - \eta L| < 1` for :math:`\eta > 0`; the answer is the open interval
    :math:`(0, 2/L)`, returned as a SymPy ``Interval``.
    """
    return sp.solve_univariate_inequality(sp.Abs(gd_quadratic_multiplier()) < 1, lr, relational=False)


def gd_quadratic_closed_form():
    r"""Return :math:`\theta_t` solving :math:`\theta_{t+1} = (1 - \eta L)\theta_t`, :math:`\theta_0` given.

    SymPy's ``rsolve`` gives :math:`\theta_0 (1 - \eta L)^t`; the tests hold nnlib's SGD to it.
    """
    sequence = sp.Function("theta")
    n = sp.Symbol("t", integer=True, nonnegative=True)
    solution = sp.rsolve(sequence(n + 1) - gd_quadratic_multiplier() * sequence(n), sequence(n),
                         {sequence(0): theta0})
    return solution.subs(n, t)


def moving_average_unrolled(decay=beta, value=g):
    r"""Return :math:`m_t = (1-\beta)\sum_{k=1}^{t} \beta^{t-k} g_k`, every :math:`g_k` replaced by ``value``.

    That is :math:`m_t = \beta m_{t-1} + (1-\beta) g_t`, :math:`m_0 = 0`, unrolled; with
    ``value`` the expectation :math:`E[g]` it is :math:`E[m_t]`.
    """
    return (1 - decay) * sp.Sum(decay ** (t - k) * value, (k, 1, t))


def adam_first_moment_expectation():
    r"""Return :math:`E[m_t]` for Adam's first moment when every :math:`E[g_k] = E[g]`, simplified.

    .. math:: E[m_t] = (1 - \beta_1)\sum_{k=1}^{t}\beta_1^{t-k} E[g] = (1 - \beta_1^t)\,E[g]

    (``g`` stands for :math:`E[g]`.) The same sum with :math:`\beta_2` and :math:`g^2`
    gives :math:`E[v_t] = (1 - \beta_2^t) E[g^2]`: hence Adam's divisions by
    :math:`1 - \beta^t`.
    """
    return sp.simplify(moving_average_unrolled().doit())
