"""Schedules against their closed forms (values worked out by hand) and against PyTorch's recursive forms."""

import math

import numpy as np
import pytest

from nnlib.optim import SGD, Adam
from nnlib.parameter import Parameter
from nnlib.schedules import CosineAnnealingLR, CosineAnnealingWarmRestarts, ExponentialLR, StepLR


def make_opt(lr=1.0):
    return SGD([Parameter([0.0])], lr=lr)


def lrs_by_stepping(schedule, n_epochs):
    """get_last_lr()[0] at epochs 0..n_epochs, checking it equals the optimizer's lr each time."""
    values = [schedule.get_last_lr()[0]]
    for _ in range(n_epochs):
        schedule.step()
        assert schedule.get_last_lr() == [schedule.optimizer.lr]
        values.append(schedule.get_last_lr()[0])
    return np.array(values)


C1 = (1 + math.cos(math.pi / 4)) / 2  # 0.8535533...
C3 = (1 + math.cos(3 * math.pi / 4)) / 2  # 0.1464466...


def test_construction_records_base_lr_and_epoch_zero():
    opt = make_opt(0.3)
    sched = StepLR(opt, step_size=2)
    assert sched.base_lr == 0.3 and sched.last_epoch == 0
    assert sched.get_last_lr() == [0.3] and opt.lr == 0.3
    sched.step()
    assert sched.last_epoch == 1


def test_step_lr_by_hand():
    # 0.1 * 0.5^floor(t/3): three epochs at 0.1, three at 0.05, three at 0.025, ...
    expected = [0.1] * 3 + [0.05] * 3 + [0.025] * 3 + [0.0125] * 3
    np.testing.assert_allclose(lrs_by_stepping(StepLR(make_opt(0.1), 3, gamma=0.5), 11), expected, rtol=1e-15)


def test_step_lr_default_gamma_is_a_tenth():
    np.testing.assert_allclose(lrs_by_stepping(StepLR(make_opt(1.0), 2), 5), [1, 1, 0.1, 0.1, 0.01, 0.01])


def test_exponential_lr_closed_form_at_many_epochs():
    lrs = lrs_by_stepping(ExponentialLR(make_opt(0.2), gamma=0.9), 100)
    np.testing.assert_allclose(lrs[:4], [0.2, 0.18, 0.162, 0.1458], rtol=1e-14)  # 0.2 * 0.9^t by hand
    np.testing.assert_allclose(lrs, 0.2 * 0.9 ** np.arange(101), rtol=1e-12)


def test_cosine_annealing_by_hand_including_past_t_max():
    # T_max 4, base 1, eta_min 0: (1 + cos(pi t/4))/2 -> 1, 0.854, 0.5, 0.146, 0, then back up to 1 at t = 8
    lrs = lrs_by_stepping(CosineAnnealingLR(make_opt(1.0), T_max=4), 8)
    np.testing.assert_allclose(lrs, [1, C1, 0.5, C3, 0, C3, 0.5, C1, 1], atol=1e-15)


def test_cosine_annealing_eta_min_and_pytorch_recursive_form():
    # PyTorch's recursive step (torch/optim/lr_scheduler.py, CosineAnnealingLR.get_lr), written out:
    # lr_t = eta_min + (lr_{t-1} - eta_min) (1 + cos(pi t/T)) / (1 + cos(pi (t-1)/T)), with a special
    # case where the denominator vanishes ((t - 1 - T) % 2T == 0):
    # lr_t = lr_{t-1} + (base - eta_min)(1 - cos(pi/T))/2
    base, eta_min, T = 0.5, 0.05, 7
    lrs = lrs_by_stepping(CosineAnnealingLR(make_opt(base), T_max=T, eta_min=eta_min), 60)
    recursive = [base]
    for t in range(1, 61):
        previous = recursive[-1]
        if (t - 1 - T) % (2 * T) == 0:
            recursive.append(previous + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2)
        else:
            ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
            recursive.append(eta_min + (previous - eta_min) * ratio)
    np.testing.assert_allclose(lrs, recursive, rtol=1e-12)
    assert lrs[T] == pytest.approx(eta_min, abs=1e-15)


def test_warm_restarts_t_mult_1_by_hand():
    # T_0 = 4: t mod 4 -> 1, 0.854, 0.5, 0.146, restart 1, ...
    lrs = lrs_by_stepping(CosineAnnealingWarmRestarts(make_opt(1.0), T_0=4), 9)
    np.testing.assert_allclose(lrs, [1, C1, 0.5, C3, 1, C1, 0.5, C3, 1, C1], atol=1e-15)


def test_warm_restarts_t_mult_2_by_hand():
    # T_0 = 2, T_mult = 2: cycles [0, 2), [2, 6), [6, 14), [14, 30)
    sched = CosineAnnealingWarmRestarts(make_opt(1.0), T_0=2, T_mult=2)
    lrs = lrs_by_stepping(sched, 14)
    expected = [1, 0.5, 1, C1, 0.5, C3, 1] + [(1 + math.cos(math.pi * k / 8)) / 2 for k in range(1, 8)] + [1]
    np.testing.assert_allclose(lrs, expected, atol=1e-15)
    assert sched.cycle_at(13) == (7, 8) and sched.cycle_at(14) == (0, 16) and sched.cycle_at(29) == (15, 16)


@pytest.mark.parametrize(
    ("T_0", "T_mult", "eta_min"), [(1, 2, 0.0), (3, 3, 0.01), (5, 2, 0.001), (10, 1, 0.0)]
)
def test_warm_restarts_equal_pytorch_recursive_counter(T_0, T_mult, eta_min):
    # PyTorch's step() without an epoch: T_cur += 1; if T_cur >= T_i: T_cur -= T_i; T_i *= T_mult
    base = 0.1
    lrs = lrs_by_stepping(CosineAnnealingWarmRestarts(make_opt(base), T_0, T_mult, eta_min), 400)
    t_cur, t_i, expected = 0, T_0, [base]
    for _ in range(400):
        t_cur += 1
        if t_cur >= t_i:
            t_cur, t_i = t_cur - t_i, t_i * T_mult
        expected.append(eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
    np.testing.assert_allclose(lrs, expected, rtol=1e-13)


def test_restart_where_a_float_logarithm_would_misround():
    # math.log(1000, 10) = 2.9999999999999996: a float-log closed form would put epoch 999 (T_0 1, T_mult 10)
    # in the wrong cycle. Cycles: [0,1), [1,11), [11,111), [111,1111): epoch 1110 is the last of cycle 3
    sched = CosineAnnealingWarmRestarts(make_opt(1.0), T_0=1, T_mult=10)
    assert sched.cycle_at(110) == (99, 100) and sched.cycle_at(111) == (0, 1000)
    assert sched.cycle_at(1110) == (999, 1000) and sched.cycle_at(1111) == (0, 10000)


def test_schedule_drives_the_optimizer():
    # SGD on f = x (gradient 1), lr 1 then 0.1 after 2 epochs: x = 0 - 1 - 1 - 0.1 = -2.1
    p = Parameter([0.0])
    opt = SGD([p], lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.1)
    for _ in range(3):
        p.grad[...] = 1.0
        opt.step()
        sched.step()
    assert p.value[0] == pytest.approx(-2.1, abs=1e-14)


def test_lr_at_matches_stepping_and_works_with_adam():
    sched = CosineAnnealingLR(Adam([Parameter([0.0])], lr=0.01), T_max=10)
    np.testing.assert_allclose(lrs_by_stepping(sched, 25), [sched.lr_at(t) for t in range(26)], rtol=0)


BAD = [
    (lambda: StepLR(make_opt(), step_size=0), ValueError, "step_size"),
    (lambda: StepLR(make_opt(), step_size=2.5), TypeError, "step_size"),
    (lambda: StepLR(make_opt(), step_size=2, gamma=-0.1), ValueError, "gamma"),
    (lambda: ExponentialLR(make_opt(), gamma=0), ValueError, "gamma"),
    (lambda: CosineAnnealingLR(make_opt(), T_max=0), ValueError, "T_max"),
    (lambda: CosineAnnealingLR(make_opt(), T_max=10, eta_min=-1), ValueError, "eta_min"),
    (lambda: CosineAnnealingWarmRestarts(make_opt(), T_0=0), ValueError, "T_0"),
    (lambda: CosineAnnealingWarmRestarts(make_opt(), T_0=5.0), TypeError, "T_0"),
    (lambda: CosineAnnealingWarmRestarts(make_opt(), T_0=5, T_mult=0), ValueError, "T_mult"),
    (lambda: CosineAnnealingWarmRestarts(make_opt(), T_0=5, T_mult=1.5), TypeError, "T_mult"),
    (lambda: CosineAnnealingWarmRestarts(make_opt(), T_0=5, eta_min=-0.1), ValueError, "eta_min"),
    (lambda: StepLR("not an optimizer", step_size=2), TypeError, "optimizer"),
    (lambda: StepLR(make_opt(), step_size=2).lr_at(-1), ValueError, "epoch"),
]


@pytest.mark.parametrize(("make", "error", "name"), BAD)
def test_bad_arguments_raise_naming_them(make, error, name):
    with pytest.raises(error, match=name):
        make()
