"""Optimizers: one and two steps worked out by hand, state, zero_grad, bad hyperparameters.

Hand calculations use plain scalar arithmetic written out in the comments; nnlib is only
asked for the result it is checked against.
"""

import math

import numpy as np
import pytest

from nnlib.optim import SGD, Adagrad, Adam, AdamW, HeavyBall, RMSprop
from nnlib.parameter import Parameter
from nnlib.schedules import StepLR


def run_1d(optimizer_class, grads, x0=1.0, **kwargs):
    """Run on a scalar parameter with the given sequence of gradients; return the values after each step."""
    p = Parameter([x0])
    opt = optimizer_class([p], **kwargs)
    values = []
    for g in grads:
        p.grad[...] = g
        opt.step()
        values.append(float(p.value[0]))
    return values


# ---------------------------------------------------------------- SGD


def test_sgd_plain_step_by_hand():
    p = Parameter([1.0, -2.0])
    p.grad[...] = [0.5, 1.0]
    SGD([p], lr=0.1).step()
    # [1 - 0.1*0.5, -2 - 0.1*1] = [0.95, -2.1]
    np.testing.assert_allclose(p.value, [0.95, -2.1], rtol=0, atol=1e-15)


def test_sgd_default_lr_is_pytorch_2x_default():
    p = Parameter([1.0])
    p.grad[...] = 1.0
    opt = SGD([p])
    opt.step()
    assert opt.lr == 1e-3
    assert p.value[0] == pytest.approx(1 - 1e-3, abs=1e-15)


def test_sgd_weight_decay_by_hand():
    p = Parameter([1.0, -2.0])
    p.grad[...] = [0.5, 1.0]
    SGD([p], lr=0.1, weight_decay=0.1).step()
    # g = [0.5 + 0.1*1, 1 + 0.1*(-2)] = [0.6, 0.8]; p = [1 - 0.06, -2 - 0.08]
    np.testing.assert_allclose(p.value, [0.94, -2.08], rtol=0, atol=1e-15)


def test_sgd_momentum_two_steps_by_hand():
    # step 1: b = g = 2 (no decay on the first step), p = 1 - 0.1*2 = 0.8
    # step 2: b = 0.9*2 + 1 = 2.8,                     p = 0.8 - 0.1*2.8 = 0.52
    values = run_1d(SGD, [2.0, 1.0], lr=0.1, momentum=0.9)
    np.testing.assert_allclose(values, [0.8, 0.52], rtol=0, atol=1e-14)


def test_sgd_dampening_by_hand():
    # step 1: b = g = 2 (dampening not applied on the first step), p = 0.8
    # step 2: b = 0.9*2 + (1 - 0.5)*1 = 2.3, p = 0.8 - 0.23 = 0.57
    values = run_1d(SGD, [2.0, 1.0], lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(values, [0.8, 0.57], rtol=0, atol=1e-14)


def test_sgd_nesterov_by_hand():
    # step 1: b = 2, step direction g + mu*b = 2 + 1.8 = 3.8, p = 1 - 0.38 = 0.62
    # step 2: b = 0.9*2 + 1 = 2.8, direction 1 + 0.9*2.8 = 3.52, p = 0.62 - 0.352 = 0.268
    values = run_1d(SGD, [2.0, 1.0], lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(values, [0.62, 0.268], rtol=0, atol=1e-14)


def test_sgd_momentum_with_weight_decay_by_hand():
    # step 1: g = 2 + 0.5*1 = 2.5, b = 2.5, p = 1 - 0.25 = 0.75
    # step 2: g = 1 + 0.5*0.75 = 1.375, b = 0.5*2.5 + 1.375 = 2.625, p = 0.75 - 0.2625 = 0.4875
    values = run_1d(SGD, [2.0, 1.0], lr=0.1, momentum=0.5, weight_decay=0.5)
    np.testing.assert_allclose(values, [0.75, 0.4875], rtol=0, atol=1e-14)


def test_gradient_descent_on_quadratic_matches_closed_form():
    # f(x) = a/2 x^2, f'(x) = a x: each step multiplies x by (1 - lr*a), so x_t = (1 - lr*a)^t x_0
    a, lr, x0 = 3.0, 0.1, 2.0
    p = Parameter([x0])
    opt = SGD([p], lr=lr)
    for t in range(1, 41):
        p.grad[...] = a * p.value
        opt.step()
        assert p.value[0] == pytest.approx((1 - lr * a) ** t * x0, rel=1e-12)


# ---------------------------------------------------------------- the exam notes' momentum form


def test_heavy_ball_by_hand():
    # v1 = 0.9*0 + 0.1*2 = 0.2, p = 0.8; v2 = 0.9*0.2 + 0.1*1 = 0.28, p = 0.52 (= PyTorch's, see below)
    np.testing.assert_allclose(run_1d(HeavyBall, [2.0, 1.0], lr=0.1, momentum=0.9), [0.8, 0.52], atol=1e-14)


def _quadratic_run(optimizer_class, schedule=None, steps=30):
    # f(x, y) = (x^2 + 10 y^2)/2, gradient (x, 10 y)
    p = Parameter([1.0, 1.0])
    opt = optimizer_class([p], lr=0.05, momentum=0.9)
    sched = StepLR(opt, step_size=5, gamma=0.5) if schedule else None
    path = []
    for _ in range(steps):
        p.grad[...] = p.value * [1.0, 10.0]
        opt.step()
        if sched:
            sched.step()
        path.append(p.value.copy())
    return np.array(path)


def test_notes_momentum_equals_pytorch_form_at_constant_lr():
    # v_t = lr * b_t by induction when lr is constant, so the trajectories coincide
    np.testing.assert_allclose(_quadratic_run(HeavyBall), _quadratic_run(SGD), rtol=1e-12, atol=1e-14)


def test_notes_momentum_differs_from_pytorch_form_under_a_schedule():
    heavy, pytorch = _quadratic_run(HeavyBall, True), _quadratic_run(SGD, True)
    # identical for the first 5 steps (lr still constant) ...
    np.testing.assert_allclose(heavy[:5], pytorch[:5], rtol=1e-12, atol=1e-14)
    # ... then different: the heavy ball keeps the old lr inside its velocity
    assert np.abs(heavy[5:] - pytorch[5:]).max() > 1e-3


def test_notes_momentum_vs_pytorch_after_an_lr_change_by_hand():
    # f = x^2/2 (g = x), x0 = 1, lr 0.1 for step 1 and 0.05 for step 2, mu = 0.9
    # heavy ball: v1 = 0.1*1 = 0.1, x1 = 0.9; v2 = 0.9*0.1 + 0.05*0.9 = 0.135, x2 = 0.765
    # PyTorch:    b1 = 1, x1 = 0.9;          b2 = 0.9*1 + 0.9 = 1.8, x2 = 0.9 - 0.05*1.8 = 0.81
    results = []
    for cls in (HeavyBall, SGD):
        p = Parameter([1.0])
        opt = cls([p], lr=0.1, momentum=0.9)
        for lr in (0.1, 0.05):
            opt.lr = lr
            p.grad[...] = p.value
            opt.step()
        results.append(p.value[0])
    assert results[0] == pytest.approx(0.765, abs=1e-14)
    assert results[1] == pytest.approx(0.81, abs=1e-14)


# ---------------------------------------------------------------- Adagrad


def test_adagrad_two_steps_by_hand():
    # step 1: s = 4, p = 1 - 0.1*2/(2 + 1e-10); step 2: s = 5, p -= 0.1*1/(sqrt(5) + 1e-10)
    p1 = 1 - 0.1 * 2 / (2 + 1e-10)
    p2 = p1 - 0.1 / (math.sqrt(5) + 1e-10)
    np.testing.assert_allclose(run_1d(Adagrad, [2.0, 1.0], lr=0.1), [p1, p2], rtol=1e-14)


def test_adagrad_lr_decay_initial_accumulator_and_weight_decay_by_hand():
    # s0 = 1, lr_decay 0.5, weight_decay 0.1, eps 0.01
    # step 1: g = 2 + 0.1*1 = 2.1, s = 1 + 4.41 = 5.41, lr_1 = 0.1, p1 = 1 - 0.1*2.1/(sqrt(5.41) + 0.01)
    p1 = 1 - 0.1 * 2.1 / (math.sqrt(5.41) + 0.01)
    # step 2: g = 1 + 0.1*p1, s = 5.41 + g^2, lr_2 = 0.1/(1 + 1*0.5), p2 = p1 - lr_2*g/(sqrt(s) + 0.01)
    g2 = 1 + 0.1 * p1
    p2 = p1 - 0.1 / 1.5 * g2 / (math.sqrt(5.41 + g2**2) + 0.01)
    values = run_1d(Adagrad, [2.0, 1.0], lr=0.1, lr_decay=0.5, weight_decay=0.1,
                    initial_accumulator_value=1.0, eps=0.01)
    np.testing.assert_allclose(values, [p1, p2], rtol=1e-14)


def test_adagrad_effective_step_shrinks_like_one_over_sqrt_t():
    # constant gradient 1: s_t = t, step_t = lr / sqrt(t) (eps negligible)
    values = run_1d(Adagrad, [1.0] * 5, x0=0.0, lr=1.0, eps=0.0)
    steps = -np.diff([0.0] + values)
    expected = [1, 1 / math.sqrt(2), 1 / math.sqrt(3), 0.5, 1 / math.sqrt(5)]
    np.testing.assert_allclose(steps, expected, rtol=1e-14)


# ---------------------------------------------------------------- RMSprop


def test_rmsprop_first_step_by_hand():
    # v = 0.01*4 = 0.04, sqrt = 0.2, p = 1 - 0.01*2/(0.2 + 1e-8) (about 1 - 0.1)
    np.testing.assert_allclose(run_1d(RMSprop, [2.0], lr=0.01), [1 - 0.02 / (0.2 + 1e-8)], rtol=1e-14)


def test_rmsprop_two_steps_by_hand():
    # step 2: v = 0.99*0.04 + 0.01*1 = 0.0496
    p1 = 1 - 0.02 / (0.2 + 1e-8)
    p2 = p1 - 0.01 * 1 / (math.sqrt(0.0496) + 1e-8)
    np.testing.assert_allclose(run_1d(RMSprop, [2.0, 1.0], lr=0.01), [p1, p2], rtol=1e-14)


def test_rmsprop_centered_by_hand():
    # v = 0.04, gbar = 0.01*2 = 0.02, denominator sqrt(0.04 - 0.0004) + 1e-8
    expected = 1 - 0.01 * 2 / (math.sqrt(0.0396) + 1e-8)
    np.testing.assert_allclose(run_1d(RMSprop, [2.0], lr=0.01, centered=True), [expected], rtol=1e-14)


def test_rmsprop_momentum_by_hand():
    # step 1: buf = 2/(0.2 + eps) ~ 10, p = 1 - 0.01*buf
    # step 2: v = 0.0496, buf = 0.9*buf + 1/(sqrt(0.0496) + eps), p -= 0.01*buf
    buf1 = 2 / (0.2 + 1e-8)
    buf2 = 0.9 * buf1 + 1 / (math.sqrt(0.0496) + 1e-8)
    expected = [1 - 0.01 * buf1, 1 - 0.01 * buf1 - 0.01 * buf2]
    np.testing.assert_allclose(run_1d(RMSprop, [2.0, 1.0], lr=0.01, momentum=0.9), expected, rtol=1e-14)


def test_rmsprop_weight_decay_and_alpha_by_hand():
    # alpha 0.5, weight_decay 0.5: g = 2 + 0.5*1 = 2.5, v = 0.5*6.25 = 3.125
    # p = 1 - 0.1*2.5/(sqrt(3.125) + 1e-8)
    expected = 1 - 0.1 * 2.5 / (math.sqrt(3.125) + 1e-8)
    values = run_1d(RMSprop, [2.0], lr=0.1, alpha=0.5, weight_decay=0.5)
    np.testing.assert_allclose(values, [expected], rtol=1e-14)


# ---------------------------------------------------------------- Adam, AdamW


def test_adam_two_steps_by_hand():
    # step 1: m = 0.1*2 = 0.2, v = 0.001*4 = 0.004; m/(1-0.9) = 2, v/(1-0.999) = 4; p = 1 - 0.1*2/(2 + 1e-8)
    p1 = 1 - 0.1 * 2 / (2 + 1e-8)
    # step 2: m = 0.9*0.2 + 0.1*1 = 0.28, v = 0.999*0.004 + 0.001*1 = 0.004996
    m_hat = 0.28 / (1 - 0.9**2)
    v_hat = 0.004996 / (1 - 0.999**2)
    p2 = p1 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(run_1d(Adam, [2.0, 1.0], lr=0.1), [p1, p2], rtol=1e-13)


def test_adam_first_step_moves_by_lr_whatever_the_gradient_scale():
    # m_hat = g, v_hat = g^2: the step is lr * g/|g| (eps aside), for g = 1e-3 as for g = 1e3
    for g in (1e-3, 1e3):
        assert run_1d(Adam, [g], lr=0.1, eps=0.0)[0] == pytest.approx(0.9, abs=1e-15)


def test_adam_l2_weight_decay_by_hand():
    # weight_decay 0.1 added to the gradient: g1 = 2 + 0.1*1 = 2.1; step 1 moves by lr (m_hat/sqrt(v_hat) = 1)
    p1 = 1 - 0.1 * 2.1 / (2.1 + 1e-8)
    g2 = 1 + 0.1 * p1
    m = 0.9 * (0.1 * 2.1) + 0.1 * g2
    v = 0.999 * (0.001 * 2.1**2) + 0.001 * g2**2
    p2 = p1 - 0.1 / (1 - 0.9**2) * m / (math.sqrt(v) / math.sqrt(1 - 0.999**2) + 1e-8)
    np.testing.assert_allclose(run_1d(Adam, [2.0, 1.0], lr=0.1, weight_decay=0.1), [p1, p2], rtol=1e-13)


def test_adam_amsgrad_uses_the_running_maximum_by_hand():
    # betas (0.9, 0.5) so that v can decrease: v1 = 0.5*4 = 2, v2 = 0.5*2 + 0.5*0.01 = 1.005 < 2
    # step 1: m1 = 0.2 -> m_hat 2, v_hat = 2/0.5 = 4 -> p1 = 1 - 0.1*2/(2 + 1e-8)
    p1 = 1 - 0.1 * 2 / (2 + 1e-8)
    # step 2: m2 = 0.9*0.2 + 0.1*0.1 = 0.19 -> m_hat = 0.19/0.19 = 1
    # amsgrad: denominator sqrt(max(2, 1.005))/sqrt(1 - 0.25); plain Adam: sqrt(1.005)/sqrt(0.75)
    p2_ams = p1 - 0.1 * 1.0 / (math.sqrt(2) / math.sqrt(0.75) + 1e-8)
    p2_plain = p1 - 0.1 * 1.0 / (math.sqrt(1.005) / math.sqrt(0.75) + 1e-8)
    ams = run_1d(Adam, [2.0, 0.1], lr=0.1, betas=(0.9, 0.5), amsgrad=True)
    plain = run_1d(Adam, [2.0, 0.1], lr=0.1, betas=(0.9, 0.5))
    np.testing.assert_allclose(ams, [p1, p2_ams], rtol=1e-13)
    np.testing.assert_allclose(plain, [p1, p2_plain], rtol=1e-13)


def test_adamw_decoupled_weight_decay_by_hand():
    # shrink first: p = 1*(1 - 0.1*0.1) = 0.99, then the Adam step on the raw gradient 2: -0.1*2/(2 + 1e-8)
    p1 = 0.99 - 0.1 * 2 / (2 + 1e-8)
    # step 2: p = p1*(0.99), m = 0.28, v = 0.004996 as in plain Adam (the decay never enters m, v)
    p2 = p1 * 0.99 - 0.1 * (0.28 / (1 - 0.9**2)) / (math.sqrt(0.004996 / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(run_1d(AdamW, [2.0, 1.0], lr=0.1, weight_decay=0.1), [p1, p2], rtol=1e-13)


def test_adamw_default_weight_decay_and_amsgrad():
    p = Parameter([1.0])
    assert AdamW([p]).weight_decay == 1e-2
    # amsgrad path with decoupled decay, betas (0.9, 0.5): as in the amsgrad test, on p*(1 - 0.1*0.2)
    p1 = 0.98 - 0.1 * 2 / (2 + 1e-8)
    p2 = p1 * 0.98 - 0.1 * 1.0 / (math.sqrt(2) / math.sqrt(0.75) + 1e-8)
    values = run_1d(AdamW, [2.0, 0.1], lr=0.1, betas=(0.9, 0.5), weight_decay=0.2, amsgrad=True)
    np.testing.assert_allclose(values, [p1, p2], rtol=1e-13)


# ---------------------------------------------------------------- state, in-place updates, zero_grad


ALL = [
    (SGD, {"lr": 0.1}), (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}), (HeavyBall, {"lr": 0.1}),
    (Adagrad, {}), (RMSprop, {"centered": True, "momentum": 0.5}), (Adam, {"amsgrad": True}), (AdamW, {}),
]


@pytest.mark.parametrize(("cls", "kwargs"), ALL)
def test_updates_in_place_and_counts_steps_per_parameter(cls, kwargs):
    weight, bias = Parameter(np.ones((2, 3)), "w"), Parameter(np.zeros(3), "b")
    held = weight.value  # what a layer holds
    opt = cls([weight, bias], **kwargs)
    assert opt.state[weight]["step"] == 0
    for _ in range(3):
        weight.grad[...] = 1.0
        bias.grad[...] = -1.0
        opt.step()
    assert weight.value is held
    assert np.all(held < 1.0) and np.all(bias.value > 0.0)
    assert opt.state[weight]["step"] == opt.state[bias]["step"] == 3


def test_adam_state_holds_the_moving_averages():
    # constant gradient 1: m_t = 1 - 0.9^t and v_t = 1 - 0.999^t (the biased averages)
    p = Parameter([0.0, 0.0])
    opt = Adam([p])
    for _ in range(4):
        p.grad[...] = 1.0
        opt.step()
    np.testing.assert_allclose(opt.state[p]["exp_avg"], 1 - 0.9**4, rtol=1e-14)
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"], 1 - 0.999**4, rtol=1e-12)


def test_zero_grad_resets_every_gradient_in_place():
    a, b = Parameter([1.0, 2.0]), Parameter([[3.0]])
    a.grad[...], b.grad[...] = 5.0, -1.0
    held = a.grad
    SGD([a, b], lr=0.1).zero_grad()
    assert a.grad is held
    assert np.all(a.grad == 0) and np.all(b.grad == 0)


def test_zero_gradient_leaves_parameters_unchanged_for_plain_sgd():
    p = Parameter([1.0, -1.0])
    SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.value, [1.0, -1.0])


def test_lr_attribute_is_used_at_each_step():
    # p = 1 - 0.1*1 = 0.9, then lr 0.5: p = 0.9 - 0.5*1 = 0.4
    p = Parameter([1.0])
    opt = SGD([p], lr=0.1)
    p.grad[...] = 1.0
    opt.step()
    opt.lr = 0.5
    opt.step()
    assert p.value[0] == pytest.approx(0.4, abs=1e-15)


def test_accepts_a_generator_of_parameters():
    params = [Parameter([1.0]), Parameter([2.0])]
    opt = Adam(p for p in params)
    assert opt.params == params


# ---------------------------------------------------------------- bad input

p0 = Parameter([1.0])

BAD = [
    (lambda: SGD([p0], lr=-0.1), "lr"),
    (lambda: SGD([p0], lr=0.1, momentum=-0.5), "momentum"),
    (lambda: SGD([p0], lr=0.1, weight_decay=-1), "weight_decay"),
    (lambda: SGD([p0], lr=0.1, dampening=1.5), "dampening"),
    (lambda: SGD([p0], lr=0.1, nesterov=True), "nesterov"),
    (lambda: SGD([p0], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (lambda: SGD([p0], lr=float("nan")), "lr"),
    (lambda: HeavyBall([p0], lr=0.1, momentum=1.0), "momentum"),
    (lambda: Adagrad([p0], lr=-1), "lr"),
    (lambda: Adagrad([p0], lr_decay=-0.1), "lr_decay"),
    (lambda: Adagrad([p0], eps=-1e-10), "eps"),
    (lambda: Adagrad([p0], weight_decay=-0.1), "weight_decay"),
    (lambda: Adagrad([p0], initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda: RMSprop([p0], alpha=1.0), "alpha"),
    (lambda: RMSprop([p0], alpha=-0.1), "alpha"),
    (lambda: RMSprop([p0], eps=-1), "eps"),
    (lambda: RMSprop([p0], momentum=-1), "momentum"),
    (lambda: RMSprop([p0], weight_decay=-1), "weight_decay"),
    (lambda: RMSprop([p0], lr=-0.01), "lr"),
    (lambda: Adam([p0], lr=-1e-3), "lr"),
    (lambda: Adam([p0], betas=(1.0, 0.999)), r"betas\[0\]"),
    (lambda: Adam([p0], betas=(0.9, -0.1)), r"betas\[1\]"),
    (lambda: Adam([p0], betas=(0.9,)), "betas"),
    (lambda: Adam([p0], eps=-1e-8), "eps"),
    (lambda: Adam([p0], weight_decay=-1e-2), "weight_decay"),
    (lambda: AdamW([p0], weight_decay=-1e-2), "weight_decay"),
    (lambda: AdamW([p0], betas=(0.9, 1.5)), r"betas\[1\]"),
    (lambda: SGD([], lr=0.1), "params is empty"),
    (lambda: SGD([p0, p0], lr=0.1), "more than once"),
]


@pytest.mark.parametrize(("make", "name"), BAD)
def test_bad_hyperparameters_raise_naming_them(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: SGD(p0, lr=0.1), "single Parameter"),
        (lambda: SGD([np.ones(2)], lr=0.1), r"params\[0\]"),
        (lambda: SGD(3, lr=0.1), "iterable"),
        (lambda: SGD([p0], lr="0.1"), "lr"),
        (lambda: SGD([p0], lr=0.1, momentum=0.9, nesterov="yes"), "nesterov"),
        (lambda: Adam([p0], amsgrad=1), "amsgrad"),
        (lambda: RMSprop([p0], centered=None), "centered"),
    ],
)
def test_wrong_types_raise_type_error(make, name):
    with pytest.raises(TypeError, match=name):
        make()


def test_negative_lr_set_later_is_caught_at_step():
    p = Parameter([1.0])
    opt = SGD([p], lr=0.1)
    opt.lr = -0.1
    with pytest.raises(ValueError, match="lr"):
        opt.step()


def test_rebound_gradient_with_wrong_shape_is_caught():
    p = Parameter([1.0, 2.0])
    opt = Adam([p])
    p.grad = np.zeros(3)
    with pytest.raises(ValueError, match="grad has shape"):
        opt.step()
