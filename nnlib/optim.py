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

:class:`HeavyBall` is not a PyTorch optimizer: it is the momentum form the seeds write,
``v = beta*v + lr*g; theta -= v``, kept so the chapter on momentum can compare the two.

Chapters: "Optimization basics" (plain gradient descent), "Batch GD, SGD, mini-batch",
"Momentum and Nesterov", "Adaptive methods".
"""

import numpy as np

from nnlib._validation import check_positive
from nnlib.parameter import Parameter


def _check_unit_interval(value, name):
    """Raise ``ValueError`` unless ``0 <= value < 1`` (a decay rate of a running average)."""
    check_positive(value, name, allow_zero=True)
    if value >= 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}: at 1 the running average never changes")
    return float(value)


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

    def __init__(self, params, lr):
        if isinstance(params, Parameter):
            raise TypeError("params must be an iterable of Parameter (e.g. [p] or model.parameters()), "
                            "got a single Parameter")
        try:
            self.params = list(params)
        except TypeError:
            raise TypeError(f"params must be an iterable of Parameter, got {type(params).__name__}") from None
        if not self.params:
            raise ValueError("params is empty: the optimizer got no parameters to optimize")
        for index, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params[{index}] must be a Parameter, got {type(p).__name__}")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("params holds the same Parameter more than once; it would be updated twice")
        self.lr = check_positive(lr, "lr", allow_zero=True)
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
        check_positive(self.lr, "lr", allow_zero=True)  # a schedule or a student may have changed it
        for p in self.params:
            if p.grad.shape != p.value.shape:
                raise ValueError(f"{p.name}: grad has shape {p.grad.shape} but value has shape "
                                 f"{p.value.shape}; they must match")
            state = self.state[p]
            state["step"] += 1
            self._update(p, state)

    def _update(self, p, state):
        raise NotImplementedError

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

        b_t = \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases}
        \qquad
        \theta_t = \theta_{t-1} - \eta \cdot \begin{cases}
            g_t + \mu b_t & \text{Nesterov} \\ b_t & \text{otherwise} \end{cases}

    (:math:`\tau` is ``dampening``); without momentum it is plain
    :math:`\theta_t = \theta_{t-1} - \eta g_t`. The learning rate multiplies the buffer
    when it is applied, unlike the seeds' :class:`HeavyBall` form.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
        Learning rate :math:`\eta >= 0`. PyTorch 2.x gives ``SGD`` the default ``1e-3``
        (older versions required it); we follow the current default.
    momentum : float, default 0
        :math:`\mu >= 0`.
    dampening : float, default 0
        :math:`\tau \in [0, 1]`, scales the new gradient in the buffer.
    nesterov : bool, default False
        Nesterov's momentum; needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda >= 0`, added to the gradient.

    Chapters: "Optimization basics", "Batch GD, SGD, mini-batch", "Momentum and Nesterov".
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        self.dampening = check_positive(dampening, "dampening", allow_zero=True)
        if self.dampening > 1:
            raise ValueError(f"dampening must lie in [0, 1], got {dampening!r}")
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening == 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")
        self.nesterov = bool(nesterov)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        super().__init__(params, lr)

    def _initial_state(self, p):
        return {"momentum_buffer": None} if self.momentum else {}

    def _update(self, p, state):
        g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
        if self.momentum:
            buffer = state["momentum_buffer"]
            if buffer is None:
                buffer = state["momentum_buffer"] = g.copy()
            else:
                buffer *= self.momentum
                buffer += (1 - self.dampening) * g
            g = g + self.momentum * buffer if self.nesterov else buffer
        p.value -= self.lr * g

    def hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "nesterov": self.nesterov, "weight_decay": self.weight_decay}


class HeavyBall(Optimizer):
    r"""Momentum as the seeds write it (Polyak's heavy ball): the learning rate inside the velocity.

    .. math::

        v_t = \beta v_{t-1} + \eta_t \nabla_\theta J(\theta_{t-1}), \qquad
        \theta_t = \theta_{t-1} - v_t, \qquad v_0 = 0.

    With a *constant* learning rate this is PyTorch's ``SGD(momentum=beta)`` in disguise:
    :math:`v_t = \eta b_t` for every t. When :math:`\eta_t` changes (a schedule) the two
    differ: here the old velocity keeps the old learning rate, in PyTorch the whole buffer
    is rescaled by the new one. Not a PyTorch optimizer; kept for the chapter
    "Momentum and Nesterov".

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate :math:`\eta >= 0`.
    momentum : float, default 0.9
        :math:`\beta \in [0, 1)`.
    """

    def __init__(self, params, lr, momentum=0.9):
        self.momentum = _check_unit_interval(momentum, "momentum")
        super().__init__(params, lr)

    def _initial_state(self, p):
        return {"velocity": np.zeros_like(p.value)}

    def _update(self, p, state):
        velocity = state["velocity"]
        velocity *= self.momentum
        velocity += self.lr * p.grad
        p.value -= velocity

    def hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum}


class Adagrad(Optimizer):
    r"""AdaGrad: each coordinate's step divided by the root of its summed squared gradients.

    .. math::

        \tilde\eta_t = \frac{\eta}{1 + (t - 1)\,\delta}, \qquad
        s_t = s_{t-1} + g_t^2, \qquad
        \theta_t = \theta_{t-1} - \tilde\eta_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    with :math:`g_t = \nabla_\theta J + \lambda\theta`, :math:`s_0` =
    ``initial_accumulator_value`` and :math:`\delta` = ``lr_decay``; eps is outside the
    square root, as in PyTorch. Duchi, Hazan and Singer (2011).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10

    Chapter: "Adaptive methods".
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
        self.lr_decay = check_positive(lr_decay, "lr_decay", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.initial_accumulator_value = check_positive(
            initial_accumulator_value, "initial_accumulator_value", allow_zero=True)
        self.eps = check_positive(eps, "eps", allow_zero=True)
        super().__init__(params, lr)

    def _initial_state(self, p):
        return {"sum": np.full_like(p.value, self.initial_accumulator_value)}

    def _update(self, p, state):
        g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
        decayed_lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += g * g
        p.value -= decayed_lr * g / (np.sqrt(state["sum"]) + self.eps)

    def hyperparameters(self):
        return {"lr": self.lr, "lr_decay": self.lr_decay, "weight_decay": self.weight_decay,
                "initial_accumulator_value": self.initial_accumulator_value, "eps": self.eps}


class RMSprop(Optimizer):
    r"""RMSprop: the step divided by the root of a moving average of squared gradients.

    .. math::

        v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2, \qquad
        d_t = \sqrt{v_t} + \epsilon, \qquad
        \theta_t = \theta_{t-1} - \eta \frac{g_t}{d_t}

    with :math:`g_t = \nabla_\theta J + \lambda\theta` and :math:`v_0 = 0`. ``centered``
    also averages the gradient, :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t`, and
    uses :math:`d_t = \sqrt{v_t - \bar g_t^2} + \epsilon` (a variance instead of a second
    moment). ``momentum`` :math:`\mu` keeps a buffer :math:`b_t = \mu b_{t-1} + g_t / d_t`
    and steps :math:`\theta_t = \theta_{t-1} - \eta b_t`. Tieleman and Hinton (2012);
    PyTorch's formulas (eps outside the square root).

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

    Chapter: "Adaptive methods".
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        self.alpha = _check_unit_interval(alpha, "alpha")
        self.eps = check_positive(eps, "eps", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"centered must be True or False, got {centered!r}")
        self.centered = bool(centered)
        super().__init__(params, lr)

    def _initial_state(self, p):
        state = {"square_avg": np.zeros_like(p.value)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(p.value)
        if self.momentum:
            state["momentum_buffer"] = np.zeros_like(p.value)
        return state

    def _update(self, p, state):
        g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * g * g
        if self.centered:
            grad_avg = state["grad_avg"]
            grad_avg *= self.alpha
            grad_avg += (1 - self.alpha) * g
            denominator = np.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            denominator = np.sqrt(square_avg) + self.eps
        if self.momentum:
            buffer = state["momentum_buffer"]
            buffer *= self.momentum
            buffer += g / denominator
            p.value -= self.lr * buffer
        else:
            p.value -= self.lr * g / denominator

    def hyperparameters(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "weight_decay": self.weight_decay,
                "momentum": self.momentum, "centered": self.centered}


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSprop on its square, both bias-corrected.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad m_0 = v_0 = 0,

        \theta_t = \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    with :math:`g_t = \nabla_\theta J + \lambda\theta` (``weight_decay`` as an L2 penalty;
    see :class:`AdamW` for the decoupled form). ``amsgrad`` replaces :math:`v_t` in the
    step by its running maximum :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`. The factors
    :math:`1/(1-\beta^t)` undo the bias of averages started at zero:
    :math:`E[m_t] = (1 - \beta_1^t) E[g]` (:func:`nnlib.symbolic.optim.adam_first_moment_expectation`).
    Kingma and Ba (2015); PyTorch's formula (eps added after the bias correction).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps : float, default 1e-8
    weight_decay : float, default 0
    amsgrad : bool, default False

    Chapter: "Adaptive methods".
    """

    _decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (_check_unit_interval(beta1, "betas[0]"), _check_unit_interval(beta2, "betas[1]"))
        self.eps = check_positive(eps, "eps", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise TypeError(f"amsgrad must be True or False, got {amsgrad!r}")
        self.amsgrad = bool(amsgrad)
        super().__init__(params, lr)

    def _initial_state(self, p):
        state = {"exp_avg": np.zeros_like(p.value), "exp_avg_sq": np.zeros_like(p.value)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(p.value)
        return state

    def _update(self, p, state):
        beta1, beta2 = self.betas
        t = state["step"]
        if self._decoupled_weight_decay:
            p.value *= 1 - self.lr * self.weight_decay
            g = p.grad
        else:
            g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # The formulas of the docstring, written in place into two work arrays: a large model
        # then allocates nothing per step (the same operations in the same order, so the same
        # rounding as the one-line expressions in the comments).
        work, numerator = self._work_arrays(p)
        exp_avg *= beta1
        exp_avg += np.multiply(g, 1 - beta1, out=work)  # m = beta1 m + (1 - beta1) g
        exp_avg_sq *= beta2
        np.multiply(g, 1 - beta2, out=work)
        exp_avg_sq += np.multiply(work, g, out=work)  # v = beta2 v + (1 - beta2) g^2
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second_moment = state["max_exp_avg_sq"]
        else:
            second_moment = exp_avg_sq
        step_size = self.lr / (1 - beta1**t)
        denominator = np.sqrt(second_moment, out=work)  # sqrt(v) / sqrt(1 - beta2^t) + eps
        denominator /= np.sqrt(1 - beta2**t)
        denominator += self.eps
        np.multiply(exp_avg, step_size, out=numerator)
        p.value -= np.divide(numerator, denominator, out=numerator)  # lr / (1 - beta1^t) * m / denominator

    def _work_arrays(self, p):
        """Two scratch arrays of the parameter's shape, made once (they are not optimizer state)."""
        if not hasattr(self, "_work"):
            self._work = {}
        if p not in self._work:
            self._work[p] = (np.empty_like(p.value), np.empty_like(p.value))
        return self._work[p]

    def hyperparameters(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    r"""Adam with decoupled weight decay: shrink the weights, then take the Adam step.

    .. math::

        \theta \leftarrow \theta\,(1 - \eta\lambda), \quad\text{then}\quad
        \theta_t = \theta - \frac{\eta}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    where :math:`m_t, v_t` see the plain gradient (no :math:`\lambda\theta` term). In
    :class:`Adam` the L2 term passes through the division by :math:`\sqrt{v_t}`, so weights
    with large gradients are barely decayed; here every weight shrinks by the same factor.
    Loshchilov and Hutter (2019). Same parameters as :class:`Adam`, but
    ``weight_decay=1e-2`` by default.

    Chapter: "Adaptive methods".
    """

    _decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
