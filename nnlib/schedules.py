r"""Learning-rate schedules: the learning rate as a function of the epoch.

PyTorch's names and semantics (``torch.optim.lr_scheduler``): constructing a schedule
records the optimizer's learning rate as ``base_lr``, sets ``last_epoch = 0`` and the
learning rate to its value at epoch 0; each ``.step()`` advances one epoch and writes the
new value into ``optimizer.lr``; ``.get_last_lr()`` returns ``[lr]`` (PyTorch returns one
value per parameter group; an nnlib optimizer has one group).

Every schedule here computes the learning rate from its **closed form** ``lr_at(epoch)``.
PyTorch's ``step()`` uses recursive forms (multiply the current rate by a factor), which
equal the closed forms when the schedule is the only thing changing the learning rate;
they differ only by floating-point rounding. Typical loop::

    opt = SGD(params, lr=0.1, momentum=0.9)
    sched = CosineAnnealingLR(opt, T_max=50)
    for epoch in range(50):
        for xb, yb in batches:
            ...; opt.step()
        sched.step()

Chapter: :ref:`chap-lr-schedules`.

Examples
--------
>>> from nnlib.optim import SGD
>>> from nnlib.parameter import Parameter
>>> opt = SGD([Parameter([0.0])], lr=0.1)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> rates = []
>>> for epoch in range(5):
...     rates.append(opt.lr)
...     sched.step()
>>> rates
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

import math

from nnlib._validation import check_instance, check_int, check_nonnegative, check_positive
from nnlib.optim import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


class LRScheduler:
    """Base class: records ``base_lr``, counts epochs, writes ``lr_at(epoch)`` into the optimizer.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
        The optimizer whose ``lr`` the schedule sets.
    """

    def __init__(self, optimizer):
        self.optimizer = check_instance(optimizer, "optimizer", Optimizer, "an nnlib.optim optimizer")
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        self._set_lr(self.lr_at(0))

    def lr_at(self, epoch):
        """The learning rate at ``epoch`` (an integer >= 0), from the closed form."""
        raise NotImplementedError

    def _set_lr(self, lr):
        self.optimizer.lr = float(lr)
        self._last_lr = [float(lr)]

    def step(self):
        """Advance one epoch and set the optimizer's learning rate to ``lr_at(last_epoch)``."""
        self.last_epoch += 1
        self._set_lr(self.lr_at(self.last_epoch))

    def get_last_lr(self):
        """The learning rate this schedule set last, as a one-element list (PyTorch's shape)."""
        return list(self._last_lr)

    def _check_epoch(self, epoch):
        return check_int(epoch, "epoch", minimum=0)


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    .. math:: \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        :math:`s \ge 1`, the number of epochs between two decays.
    gamma : float, default 0.1
        The factor :math:`\gamma > 0`.
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = check_int(step_size, "step_size", minimum=1)
        self.gamma = check_positive(gamma, "gamma")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        n_decays = self._check_epoch(epoch) // self.step_size  # floor(t / s)
        return self.base_lr * self.gamma**n_decays


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch.

    .. math:: \eta_t = \eta_0 \, \gamma^{t}

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        The factor :math:`\gamma > 0` (below 1 to decay).
    """

    def __init__(self, optimizer, gamma):
        self.gamma = check_positive(gamma, "gamma")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return self.base_lr * self.gamma ** self._check_epoch(epoch)


class CosineAnnealingLR(LRScheduler):
    r"""Half a cosine from the base learning rate down to ``eta_min`` over ``T_max`` epochs.

    .. math:: \eta_t = \eta_{\min} + \frac{\eta_0 - \eta_{\min}}{2}
              \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    The closed form (PyTorch's documented formula). Past ``T_max`` it continues the cosine,
    back up to :math:`\eta_0` at :math:`2T_{\max}`, as PyTorch does. PyTorch's ``step()``
    uses an equivalent recursive form, which equals this one when the schedule is the only
    thing changing the learning rate. Loshchilov and Hutter (2017), without restarts.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Number of epochs from :math:`\eta_0` to :math:`\eta_{\min}`, >= 1.
    eta_min : float, default 0
        The lowest learning rate, >= 0.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max = check_int(T_max, "T_max", minimum=1)
        self.eta_min = check_nonnegative(eta_min, "eta_min")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        t = self._check_epoch(epoch)
        cosine = math.cos(math.pi * t / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + cosine) / 2


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing that restarts at the base learning rate; each cycle ``T_mult`` times longer.

    .. math:: \eta_t = \eta_{\min} + \frac{\eta_0 - \eta_{\min}}{2}
              \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)

    Cycle :math:`i = 0, 1, \dots` lasts :math:`T_i = T_0 T_{mult}^i` epochs and
    :math:`T_{cur}` counts the epochs since the last restart. For ``T_mult == 1``,
    :math:`T_{cur} = t \bmod T_0`; otherwise cycle :math:`i` starts at epoch
    :math:`T_0 (T_{mult}^i - 1)/(T_{mult} - 1)`. (SGDR, Loshchilov and Hutter 2017.)
    Integer epochs only; ``cycle_at(t)`` gives :math:`(T_{cur}, T_i)`.
    :ref:`chap-lr-schedules` plots it.

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int
        Length of the first cycle, >= 1.
    T_mult : int, default 1
        Growth factor of the cycle length, an integer >= 1.
    eta_min : float, default 0
        The lowest learning rate, >= 0.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0):
        self.T_0 = check_int(T_0, "T_0", minimum=1)
        self.T_mult = check_int(T_mult, "T_mult", minimum=1)
        self.eta_min = check_nonnegative(eta_min, "eta_min")
        super().__init__(optimizer)

    def cycle_at(self, epoch):
        """Return ``(T_cur, T_i)``: epochs since the last restart and the current cycle's length."""
        epoch = self._check_epoch(epoch)
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        # integer arithmetic instead of PyTorch's float log, which misrounds e.g. log(8, 2)
        cycle_length, cycle_start = self.T_0, 0
        while epoch >= cycle_start + cycle_length:
            cycle_start += cycle_length
            cycle_length *= self.T_mult
        return epoch - cycle_start, cycle_length

    def lr_at(self, epoch):
        t_cur, t_i = self.cycle_at(epoch)
        cosine = math.cos(math.pi * t_cur / t_i)
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + cosine) / 2
