r"""Optimizers: SGD (with momentum and Nesterov), Adagrad, RMSprop, Adam, AdamW.

PyTorch's names, argument order, defaults and update formulas (``torch.optim``, 2.x), so
code written with ``nnlib`` reads like PyTorch code::

    opt = Adam(model.parameters(), lr=1e-3)
    for xb, yb in batches:
        opt.zero_grad()
        ...forward, loss, backward (fills every p.grad)...
        opt.step()

Every optimizer holds a list of :class:`nnlib.parameter.Parameter` objects and updates
each ``p.value`` **in place** (``p.value -= ...``), so a layer holding the same array sees
the new value. The learning rate is the attribute ``opt.lr``; a schedule
(:mod:`nnlib.schedules`) changes it between steps. ``opt.state[p]`` is a dict per parameter
with its step count ``"step"`` and the buffers of the method (momentum, running averages).

:class:`HeavyBall` is not a PyTorch optimizer: it is the momentum form the exam notes
write, ``v = beta*v + lr*g; theta -= v``, kept so that :ref:`chap-momentum` can compare the two.

Chapters: :ref:`chap-optimization-basics` (plain gradient descent), :ref:`chap-gd-variants`,
:ref:`chap-momentum`, :ref:`chap-adaptive`.

Examples
--------
Two steps of gradient descent on :math:`f(\theta) = \theta^2`, whose gradient is :math:`2\theta`:

>>> from nnlib.parameter import Parameter
>>> theta = Parameter([1.0])
>>> opt = SGD([theta], lr=0.25)
>>> for _ in range(2):
...     opt.zero_grad()
...     theta.grad += 2 * theta.value
...     opt.step()
>>> theta.value       # 1 -> 1 - 0.25 * 2 = 0.5 -> 0.25
array([0.25])
"""

import numpy as np

from nnlib._validation import (
    check_bool,
    check_decay_rate,
    check_fraction,
    check_nonnegative,
    check_pair,
    check_parameters,
    check_same_shape,
)

__all__ = ["Optimizer", "SGD", "HeavyBall", "Adagrad", "RMSprop", "Adam", "AdamW"]


class Optimizer:
    """Base class: holds the parameters, their state, ``zero_grad`` and ``step``.

    A subclass sets its hyperparameters, fills a parameter's initial state in
    ``_initial_state(p)`` and updates one parameter in ``_update(p, state)``.

    Parameters
    ----------
    params : iterable of Parameter
        The parameters to optimize, e.g. ``model.parameters()``. Must not be empty and
        must not hold the same parameter twice.
    lr : float
        The learning rate, >= 0. Stored as the attribute ``lr``.
    """

    weight_decay = 0.0

    def __init__(self, params, lr):
        self.params = check_parameters(params)
        self.lr = check_nonnegative(lr, "lr")
        self.state = {}
        for p in self.params:
            self.state[p] = {"step": 0, **self._initial_state(p)}

    def _initial_state(self, p):
        """The buffers of one parameter before the first step (none for plain SGD)."""
        return {}

    def zero_grad(self):
        """Set every parameter's gradient to zero, in place (call it before each backward)."""
        for p in self.params:
            p.zero_grad()

    def step(self):
        """Update every parameter once from its current ``grad``, in place."""
        check_nonnegative(self.lr, "lr")  # a schedule or a student may have changed it
        for p in self.params:
            check_same_shape(p.value, p.grad, true_name=f"{p.name}: value", pred_name=f"{p.name}: grad")
            state = self.state[p]
            state["step"] += 1
            self._update(p, state)

    def _update(self, p, state):
        raise NotImplementedError

    def _apply_weight_decay(self, p):
        r"""The gradient the update uses: :math:`g = \nabla_\theta J + \lambda\theta` (an L2 penalty)."""
        if self.weight_decay:
            return p.grad + self.weight_decay * p.value
        return p.grad

    def __repr__(self):
        names = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({names})"

    def hyperparameters(self):
        """The hyperparameters as a dict (for tables and reprs)."""
        return {"lr": self.lr}


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    With :math:`g = \nabla_\theta J + \lambda\theta` (``weight_decay`` :math:`\lambda`) and
    momentum :math:`\mu`, PyTorch's update is

    .. math::

        b_t &= \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta \cdot \begin{cases}
            g_t + \mu b_t & \text{Nesterov} \\ b_t & \text{otherwise} \end{cases}

    (:math:`\tau` is ``dampening``); without momentum it is plain
    :math:`\theta_t = \theta_{t-1} - \eta g_t`. The learning rate multiplies the buffer
    when it is applied, unlike the exam notes' :class:`HeavyBall` form. Chapters:
    :ref:`chap-optimization-basics`, :ref:`chap-gd-variants`, :ref:`chap-momentum`.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`, PyTorch's default.
    momentum : float, default 0
        :math:`\mu \ge 0`.
    dampening : float, default 0
        :math:`\tau \in [0, 1]`, scales the new gradient in the buffer.
    nesterov : bool, default False
        Nesterov's momentum; needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient.

    Examples
    --------
    Momentum 0.9, gradients 2 then 1, from :math:`\theta = 1`:

    >>> from nnlib.parameter import Parameter
    >>> theta = Parameter([1.0])
    >>> opt = SGD([theta], lr=0.1, momentum=0.9)
    >>> theta.grad[:] = 2.0; opt.step(); theta.value      # b = 2, theta = 1 - 0.1 * 2
    array([0.8])
    >>> theta.grad[:] = 1.0; opt.step(); theta.value      # b = 0.9 * 2 + 1 = 2.8
    array([0.52])
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.momentum = check_nonnegative(momentum, "momentum")
        self.dampening = check_fraction(dampening, "dampening")
        self.nesterov = check_bool(nesterov, "nesterov")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening == 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")
        super().__init__(params, lr)

    def _initial_state(self, p):
        return {"momentum_buffer": None} if self.momentum else {}

    def _update(self, p, state):
        g = self._apply_weight_decay(p)
        if self.momentum:
            b = state["momentum_buffer"]
            if b is None:  # b_1 = g_1
                b = state["momentum_buffer"] = g.copy()
            else:  # b_t = mu b_{t-1} + (1 - tau) g_t
                b *= self.momentum
                b += (1 - self.dampening) * g
            g = g + self.momentum * b if self.nesterov else b
        p.value -= self.lr * g

    def hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "nesterov": self.nesterov, "weight_decay": self.weight_decay}


class HeavyBall(Optimizer):
    r"""Momentum as the exam notes write it (Polyak's heavy ball): the learning rate inside the velocity.

    .. math::

        v_t &= \beta v_{t-1} + \eta_t \nabla_\theta J(\theta_{t-1}), \qquad v_0 = 0, \\
        \theta_t &= \theta_{t-1} - v_t.

    With a *constant* learning rate this is PyTorch's ``SGD(momentum=beta)`` in disguise:
    :math:`v_t = \eta b_t` for every t. When :math:`\eta_t` changes (a schedule) the two
    differ: here the old velocity keeps the old learning rate, in PyTorch the whole buffer
    is rescaled by the new one. Not a PyTorch optimizer; kept for :ref:`chap-momentum`.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate :math:`\eta \ge 0`.
    momentum : float, default 0.9
        :math:`\beta \in [0, 1)`.
    """

    def __init__(self, params, lr, momentum=0.9):
        self.momentum = check_decay_rate(momentum, "momentum")
        super().__init__(params, lr)

    def _initial_state(self, p):
        return {"velocity": np.zeros_like(p.value)}

    def _update(self, p, state):
        v = state["velocity"]
        v *= self.momentum  # v_t = beta v_{t-1} + eta g_t
        v += self.lr * p.grad
        p.value -= v  # theta_t = theta_{t-1} - v_t

    def hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum}


class Adagrad(Optimizer):
    r"""AdaGrad: each coordinate's step divided by the root of its summed squared gradients.

    .. math::

        \tilde\eta_t &= \frac{\eta}{1 + (t - 1)\,\delta}, \\
        s_t &= s_{t-1} + g_t^2, \\
        \theta_t &= \theta_{t-1} - \tilde\eta_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    with :math:`g_t = \nabla_\theta J + \lambda\theta`, :math:`s_0` =
    ``initial_accumulator_value`` and :math:`\delta` = ``lr_decay``; eps is outside the
    square root, as in PyTorch. Duchi, Hazan and Singer (2011); :ref:`chap-adaptive`.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
        self.lr_decay = check_nonnegative(lr_decay, "lr_decay")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.initial_accumulator_value = check_nonnegative(
            initial_accumulator_value, "initial_accumulator_value")
        self.eps = check_nonnegative(eps, "eps")
        super().__init__(params, lr)

    def _initial_state(self, p):
        return {"sum": np.full_like(p.value, self.initial_accumulator_value)}

    def _update(self, p, state):
        g = self._apply_weight_decay(p)
        t = state["step"]
        decayed_lr = self.lr / (1 + (t - 1) * self.lr_decay)
        s = state["sum"]
        s += g * g  # s_t = s_{t-1} + g_t^2
        p.value -= decayed_lr * g / (np.sqrt(s) + self.eps)

    def hyperparameters(self):
        return {"lr": self.lr, "lr_decay": self.lr_decay, "weight_decay": self.weight_decay,
                "initial_accumulator_value": self.initial_accumulator_value, "eps": self.eps}


class RMSprop(Optimizer):
    r"""RMSprop: the step divided by the root of a moving average of squared gradients.

    .. math::

        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2, \\
        d_t &= \sqrt{v_t} + \epsilon, \\
        \theta_t &= \theta_{t-1} - \eta \frac{g_t}{d_t}

    with :math:`g_t = \nabla_\theta J + \lambda\theta` and :math:`v_0 = 0`. ``centered``
    also averages the gradient, :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t`, and
    uses :math:`d_t = \sqrt{v_t - \bar g_t^2} + \epsilon` (a variance instead of a second
    moment). ``momentum`` :math:`\mu` keeps a buffer :math:`b_t = \mu b_{t-1} + g_t / d_t`
    and steps :math:`\theta_t = \theta_{t-1} - \eta b_t`. Tieleman and Hinton (2012);
    PyTorch's formulas (eps outside the square root); :ref:`chap-adaptive`.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-2
    alpha : float, default 0.99
        Decay of the moving average, in [0, 1).
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        self.alpha = check_decay_rate(alpha, "alpha")
        self.eps = check_nonnegative(eps, "eps")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.momentum = check_nonnegative(momentum, "momentum")
        self.centered = check_bool(centered, "centered")
        super().__init__(params, lr)

    def _initial_state(self, p):
        state = {"square_avg": np.zeros_like(p.value)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(p.value)
        if self.momentum:
            state["momentum_buffer"] = np.zeros_like(p.value)
        return state

    def _update(self, p, state):
        g = self._apply_weight_decay(p)
        alpha = self.alpha
        v = state["square_avg"]
        v *= alpha  # v_t = alpha v_{t-1} + (1 - alpha) g_t^2
        v += (1 - alpha) * g * g
        if self.centered:
            g_avg = state["grad_avg"]
            g_avg *= alpha  # g_avg_t = alpha g_avg_{t-1} + (1 - alpha) g_t
            g_avg += (1 - alpha) * g
            d = np.sqrt(v - g_avg * g_avg) + self.eps
        else:
            d = np.sqrt(v) + self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum  # b_t = mu b_{t-1} + g_t / d_t
            b += g / d
            p.value -= self.lr * b
        else:
            p.value -= self.lr * g / d

    def hyperparameters(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "weight_decay": self.weight_decay,
                "momentum": self.momentum, "centered": self.centered}


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSprop on its square, both bias-corrected.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad m_0 = 0, \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad v_0 = 0, \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    with :math:`g_t = \nabla_\theta J + \lambda\theta` (``weight_decay`` as an L2 penalty;
    see :class:`AdamW` for the decoupled form). ``amsgrad`` replaces :math:`v_t` in the
    step by its running maximum :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`. The factors
    :math:`1/(1-\beta^t)` undo the bias of averages started at zero:
    :math:`E[m_t] = (1 - \beta_1^t) E[g]` (:func:`nnlib.symbolic.optim.adam_first_moment_expectation`).
    Kingma and Ba (2015); PyTorch's formula (eps added after the bias correction).
    :ref:`chap-adaptive` derives it.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps : float, default 1e-8
    weight_decay : float, default 0
    amsgrad : bool, default False

    Examples
    --------
    The first step moves each coordinate by about ``lr``, whatever the gradient's scale
    (:math:`\hat m_1 / (\sqrt{\hat v_1} + \epsilon) = g / (|g| + \epsilon)`):

    >>> from nnlib.parameter import Parameter
    >>> theta = Parameter([1.0, 1.0])
    >>> theta.grad[:] = [1000.0, 0.001]
    >>> Adam([theta], lr=0.1).step()
    >>> theta.value.round(4)
    array([0.9, 0.9])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        beta1, beta2 = check_pair(betas, "betas")
        self.betas = (check_decay_rate(beta1, "betas[0]"), check_decay_rate(beta2, "betas[1]"))
        self.eps = check_nonnegative(eps, "eps")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.amsgrad = check_bool(amsgrad, "amsgrad")
        super().__init__(params, lr)

    def _initial_state(self, p):
        state = {"exp_avg": np.zeros_like(p.value), "exp_avg_sq": np.zeros_like(p.value)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(p.value)
        # Reused by every step, so that a step holds at most one large temporary array at a
        # time; more would be returned to the operating system after each step and fetched
        # again (page faults), which makes the step about 20 % slower.
        state["denominator"] = np.empty_like(p.value)
        return state

    def _update(self, p, state):
        beta1, beta2 = self.betas
        t = state["step"]
        g = self._apply_weight_decay(p)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1  # m_t = beta1 m_{t-1} + (1 - beta1) g_t
        m += (1 - beta1) * g
        v *= beta2  # v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        v += (1 - beta2) * g * g
        if self.amsgrad:  # the step uses the running maximum of v_t
            v_max = state["max_exp_avg_sq"]
            v = np.maximum(v_max, v, out=v_max)
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        # denominator = sqrt(v_t) / sqrt(1 - beta2^t) + eps
        denominator = np.sqrt(v, out=state["denominator"])
        denominator /= np.sqrt(bias_correction2)
        denominator += self.eps
        p.value -= self.lr / bias_correction1 * m / denominator

    def hyperparameters(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    r"""Adam with decoupled weight decay: shrink the weights, then take the Adam step.

    .. math::

        \theta &\leftarrow \theta\,(1 - \eta\lambda), \quad\text{then} \\
        \theta_t &= \theta - \frac{\eta}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    where :math:`m_t, v_t` see the plain gradient (no :math:`\lambda\theta` term). In
    :class:`Adam` the L2 term passes through the division by :math:`\sqrt{v_t}`, so weights
    with large gradients are barely decayed; here every weight shrinks by the same factor.
    Loshchilov and Hutter (2019). Same parameters as :class:`Adam`, but
    ``weight_decay=1e-2`` by default.

    Chapter: :ref:`chap-adaptive`.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def _apply_weight_decay(self, p):
        r"""Decoupled decay: shrink :math:`\theta` by :math:`1 - \eta\lambda`; return the plain gradient."""
        p.value *= 1 - self.lr * self.weight_decay
        return p.grad
