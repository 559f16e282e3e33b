"""Values and gradients of nnlib.losses on inputs worked out by hand, reductions, and bad input.

Every expected number is written out as arithmetic in a comment; logarithms come from the
standard library's ``math.log`` (an independent implementation), never from nnlib.
"""

import math
import warnings

import numpy as np
import pytest

from nnlib.losses import (
    MAE,
    MSE,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Hinge,
    Huber,
    KLDivergence,
)

Y3 = [1.0, 2.0, 3.0]
P3 = [1.5, 2.0, 1.0]  # residuals d = y_pred - y_true = [0.5, 0, -2]


# ------------------------------------------------------------------ regression


def test_mse_by_hand():
    # squares: 0.25, 0, 4 -> sum 4.25, mean 4.25 / 3; gradient 2 d = [1, 0, -4]
    np.testing.assert_allclose(MSE(reduction="none")(Y3, P3), [0.25, 0.0, 4.0])
    assert MSE(reduction="sum")(Y3, P3) == pytest.approx(4.25)
    assert MSE(reduction="mean")(Y3, P3) == pytest.approx(4.25 / 3)
    assert MSE()(Y3, P3) == pytest.approx(4.25 / 3)  # the default reduction is the mean
    np.testing.assert_allclose(MSE(reduction="sum").grad(Y3, P3), [1.0, 0.0, -4.0])
    np.testing.assert_allclose(MSE(reduction="none").grad(Y3, P3), [1.0, 0.0, -4.0])
    np.testing.assert_allclose(MSE().grad(Y3, P3), [1 / 3, 0.0, -4 / 3])


def test_mse_by_hand_second_set():
    # residuals y_pred - y_true = [0.5, -1, 2, 0]; squares [0.25, 1, 4, 0], sum 5.25, mean 1.3125
    # gradient 2 d = [1, -2, 4, 0]; the mean's is that over 4
    y_true, y_pred = [1.0, 2.0, -1.0, 3.0], [1.5, 1.0, 1.0, 3.0]
    np.testing.assert_allclose(MSE(reduction="none")(y_true, y_pred), [0.25, 1.0, 4.0, 0.0])
    assert MSE(reduction="sum")(y_true, y_pred) == pytest.approx(5.25)
    assert MSE()(y_true, y_pred) == pytest.approx(1.3125)
    np.testing.assert_allclose(MSE(reduction="none").grad(y_true, y_pred), [1.0, -2.0, 4.0, 0.0])
    np.testing.assert_allclose(MSE(reduction="sum").grad(y_true, y_pred), [1.0, -2.0, 4.0, 0.0])
    np.testing.assert_allclose(MSE().grad(y_true, y_pred), [0.25, -0.5, 1.0, 0.0])


def test_mse_notes_example():
    # the exam notes, section 1: predicted 0.8, actual 1.0 -> (0.8 - 1.0)^2 = 0.04
    assert MSE()([1.0], [0.8]) == pytest.approx(0.04, abs=1e-15)


@pytest.mark.parametrize("shape", [(2, 2), (2, 3)])
def test_mse_mean_divides_by_all_elements_of_a_matrix(shape):
    # residuals all 1: the squares' mean is 1 whatever the shape; each gradient is 2 * 1 / (rows * columns)
    # (2 x 3: 2/6 = 1/3; dividing by the 2 rows instead would give 1)
    n_elements = shape[0] * shape[1]
    assert MSE()(np.zeros(shape), np.ones(shape)) == pytest.approx(1.0)
    np.testing.assert_allclose(MSE().grad(np.zeros(shape), np.ones(shape)), np.full(shape, 2 / n_elements))


def test_mae_by_hand():
    # |d| = 0.5, 0, 2 -> sum 2.5, mean 2.5 / 3; gradient sign(d) = [1, 0 (kink: subgradient 0), -1]
    np.testing.assert_allclose(MAE(reduction="none")(Y3, P3), [0.5, 0.0, 2.0])
    assert MAE(reduction="sum")(Y3, P3) == pytest.approx(2.5)
    assert MAE()(Y3, P3) == pytest.approx(2.5 / 3)
    np.testing.assert_array_equal(MAE(reduction="none").grad(Y3, P3), [1.0, 0.0, -1.0])
    np.testing.assert_allclose(MAE().grad(Y3, P3), [1 / 3, 0.0, -1 / 3])


def test_huber_by_hand_default_delta():
    # delta = 1: |d| = 0.5 -> 0.5 * 0.25 = 0.125; 0 -> 0; |d| = 2 -> 1 * (2 - 0.5) = 1.5; sum 1.625
    # gradient: d inside (0.5, 0), delta * sign(d) outside (-1)
    np.testing.assert_allclose(Huber(reduction="none")(Y3, P3), [0.125, 0.0, 1.5])
    assert Huber(reduction="sum")(Y3, P3) == pytest.approx(1.625)
    assert Huber()(Y3, P3) == pytest.approx(1.625 / 3)
    np.testing.assert_allclose(Huber(reduction="none").grad(Y3, P3), [0.5, 0.0, -1.0])


def test_huber_other_deltas_and_the_boundary():
    # delta = 0.5: |d| = 0.5 is on the boundary: 0.5 * 0.25 = 0.125 (= 0.5 * (0.5 - 0.25), both pieces);
    # |d| = 2 -> 0.5 * (2 - 0.25) = 0.875; gradient [0.5, 0, -0.5]
    np.testing.assert_allclose(Huber(delta=0.5, reduction="none")(Y3, P3), [0.125, 0.0, 0.875])
    np.testing.assert_allclose(Huber(delta=0.5, reduction="none").grad(Y3, P3), [0.5, 0.0, -0.5])
    # delta = 3: everything inside -> half the squares: 0.125, 0, 2; gradient d
    np.testing.assert_allclose(Huber(delta=3.0, reduction="none")(Y3, P3), [0.125, 0.0, 2.0])
    np.testing.assert_allclose(Huber(delta=3.0, reduction="none").grad(Y3, P3), [0.5, 0.0, -2.0])


def test_huber_notes_form_is_the_same_function():
    # the exam notes: 1/2 d^2 if |d| < delta else delta |d| - delta^2 / 2, written here in plain arithmetic
    delta = 1.3
    d = np.linspace(-4, 4, 801)
    notes_form = np.array([0.5 * x * x if abs(x) < delta else delta * abs(x) - delta**2 / 2 for x in d])
    huber = Huber(delta=delta, reduction="none")
    np.testing.assert_allclose(huber(np.zeros_like(d), d), notes_form, atol=1e-12)


# ------------------------------------------------------------------ binary cross-entropy


def test_bce_probabilities_by_hand():
    # y = 1, p = 0.8 -> -ln 0.8; y = 0, p = 0.25 -> -ln 0.75
    # gradient (p - y) / (p (1 - p)): (0.8 - 1) / 0.16 = -1.25; 0.25 / 0.1875 = 4/3
    y, p = [1.0, 0.0], [0.8, 0.25]
    expected = [-math.log(0.8), -math.log(0.75)]
    np.testing.assert_allclose(BinaryCrossEntropy(reduction="none")(y, p), expected)
    assert BinaryCrossEntropy()(y, p) == pytest.approx(sum(expected) / 2)
    np.testing.assert_allclose(BinaryCrossEntropy(reduction="none").grad(y, p), [-1.25, 4 / 3])
    np.testing.assert_allclose(BinaryCrossEntropy().grad(y, p), [-0.625, 2 / 3])


def test_bce_notes_confident_mistake():
    # the exam notes, section 2B: predicting 0.99 for label 0 -> -ln(1 - 0.99) = -ln 0.01 = 4.60517...
    assert BinaryCrossEntropy()([0.0], [0.99]) == pytest.approx(4.605170185988091)


def test_bce_soft_target():
    # y = 0.3, p = 0.6: -(0.3 ln 0.6 + 0.7 ln 0.4); gradient (0.6 - 0.3) / 0.24 = 1.25
    value = BinaryCrossEntropy(reduction="sum")([0.3], [0.6])
    assert value == pytest.approx(-(0.3 * math.log(0.6) + 0.7 * math.log(0.4)))
    np.testing.assert_allclose(BinaryCrossEntropy(reduction="sum").grad([0.3], [0.6]), [1.25])


def test_bce_clamps_the_log_at_minus_100_like_pytorch():
    # p = 0 with y = 1: -max(ln 0, -100) = 100; p = 1 with y = 0 likewise; perfect 0/1 predictions: 0
    y, p = [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(BinaryCrossEntropy(reduction="none")(y, p), [100.0, 100.0, 0.0, 0.0])
        gradient = BinaryCrossEntropy(reduction="none").grad(y, p)
    # PyTorch: (p - y) / max(p (1 - p), 1e-12) -> -1 / 1e-12, 1 / 1e-12, 0, 0
    np.testing.assert_allclose(gradient, [-1e12, 1e12, 0.0, 0.0])


def test_bce_logits_by_hand():
    # z = 0, y = 1: max(0,0) - 0 + ln(1 + 1) = ln 2; gradient sigmoid(0) - 1 = -0.5
    # z = 2, y = 0: 2 - 0 + ln(1 + e^-2); gradient 1 / (1 + e^-2)
    # z = -3, y = 1: 0 + 3 + ln(1 + e^-3); gradient 1 / (1 + e^3) - 1
    y, z = [1.0, 0.0, 1.0], [0.0, 2.0, -3.0]
    expected = [math.log(2), 2 + math.log(1 + math.exp(-2)), 3 + math.log(1 + math.exp(-3))]
    loss = BinaryCrossEntropy(from_logits=True, reduction="none")
    np.testing.assert_allclose(loss(y, z), expected)
    np.testing.assert_allclose(
        loss.grad(y, z), [-0.5, 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(3)) - 1]
    )


def test_bce_logits_agrees_with_probabilities_away_from_the_clamp():
    # BCE(y, sigmoid(z)) computed by hand with math.exp and math.log
    z, y = [-2.0, 0.5, 1.5], [0.0, 1.0, 0.2]
    p = [1 / (1 + math.exp(-v)) for v in z]
    by_hand = [-(t * math.log(q) + (1 - t) * math.log(1 - q)) for t, q in zip(y, p, strict=True)]
    np.testing.assert_allclose(BinaryCrossEntropy(from_logits=True, reduction="none")(y, z), by_hand)


def test_bce_logits_extreme_logits_are_finite_without_warnings():
    # z = 1000, y = 0: 1000 + ln(1 + e^-1000) = 1000; z = -1000, y = 1: 0 + 1000 + 0 = 1000;
    # right with certainty: 0. Gradients sigmoid(z) - y: 1, -1, 0, 0
    y, z = [0.0, 1.0, 1.0, 0.0], [1000.0, -1000.0, 1000.0, -1000.0]
    loss = BinaryCrossEntropy(from_logits=True, reduction="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(loss(y, z), [1000.0, 1000.0, 0.0, 0.0])
        np.testing.assert_array_equal(loss.grad(y, z), [1.0, -1.0, 0.0, 0.0])


# ------------------------------------------------------------------ categorical cross-entropy


def test_cce_probabilities_labels_and_one_hot_agree():
    # row 0: label 1, p = [0.2, 0.5, 0.3] -> -ln 0.5; row 1: label 2, p = [0.1, 0.1, 0.8] -> -ln 0.8
    p = [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]
    expected = [-math.log(0.5), -math.log(0.8)]
    loss = CategoricalCrossEntropy(reduction="none")
    np.testing.assert_allclose(loss([1, 2], p), expected)
    np.testing.assert_allclose(loss([[0, 1, 0], [0, 0, 1]], p), expected)
    # "mean" divides by N = 2 rows (not by the 6 entries)
    assert CategoricalCrossEntropy()([1, 2], p) == pytest.approx(sum(expected) / 2)
    # gradient -y_k / p_k: row 0 [0, -1/0.5, 0] = [0, -2, 0]; row 1 [0, 0, -1/0.8 = -1.25]; mean halves
    np.testing.assert_allclose(loss.grad([1, 2], p), [[0, -2, 0], [0, 0, -1.25]])
    np.testing.assert_allclose(CategoricalCrossEntropy().grad([1, 2], p), [[0, -1, 0], [0, 0, -0.625]])


def test_cce_label_smoothing_by_hand():
    # eps = 0.3, C = 3: target (1 - 0.3) * [0, 1, 0] + 0.1 = [0.1, 0.8, 0.1]
    # loss -(0.1 ln 0.2 + 0.8 ln 0.5 + 0.1 ln 0.3); gradient [-0.1/0.2, -0.8/0.5, -0.1/0.3]
    p = [[0.2, 0.5, 0.3]]
    loss = CategoricalCrossEntropy(label_smoothing=0.3, reduction="sum")
    assert loss([1], p) == pytest.approx(-(0.1 * math.log(0.2) + 0.8 * math.log(0.5) + 0.1 * math.log(0.3)))
    np.testing.assert_allclose(loss.grad([1], p), [[-0.5, -1.6, -1 / 3]])


def test_cce_logits_by_hand():
    # z = [0, 0, 0], label 0: softmax = 1/3 each -> ln 3; gradient p - y = [1/3 - 1, 1/3, 1/3]
    # z = [ln 1, ln 2, ln 3] (softmax [1/6, 2/6, 3/6]), label 2: -ln(1/2) = ln 2; gradient [1/6, 1/3, -1/2]
    z = [[0.0, 0.0, 0.0], [0.0, math.log(2), math.log(3)]]
    loss = CategoricalCrossEntropy(from_logits=True, reduction="none")
    np.testing.assert_allclose(loss([0, 2], z), [math.log(3), math.log(2)])
    np.testing.assert_allclose(loss.grad([0, 2], z), [[-2 / 3, 1 / 3, 1 / 3], [1 / 6, 1 / 3, -0.5]])


def test_cce_logits_label_smoothing_gradient_is_p_minus_smoothed_target():
    # eps = 0.3, C = 3, label 0 -> target [0.8, 0.1, 0.1]; z = 0 -> p = 1/3 each
    # loss = -(sum target) * ln(1/3) = ln 3; gradient [1/3 - 0.8, 1/3 - 0.1, 1/3 - 0.1]
    loss = CategoricalCrossEntropy(from_logits=True, label_smoothing=0.3, reduction="sum")
    assert loss([0], [[0.0, 0.0, 0.0]]) == pytest.approx(math.log(3))
    np.testing.assert_allclose(loss.grad([0], [[0.0, 0.0, 0.0]]), [[1 / 3 - 0.8, 1 / 3 - 0.1, 1 / 3 - 0.1]])


def test_cce_logits_soft_targets_not_summing_to_one():
    # y = [0.5, 0.5, 0.5] (sum S = 1.5), z = 0: loss = -1.5 ln(1/3) = 1.5 ln 3;
    # gradient S * p - y = 1.5/3 - 0.5 = 0 in every class
    loss = CategoricalCrossEntropy(from_logits=True, reduction="sum")
    assert loss([[0.5, 0.5, 0.5]], [[0.0, 0.0, 0.0]]) == pytest.approx(1.5 * math.log(3))
    np.testing.assert_allclose(loss.grad([[0.5, 0.5, 0.5]], [[0.0, 0.0, 0.0]]), [[0.0, 0.0, 0.0]], atol=1e-15)
    # y = [1, 1, 0] (S = 2), z = [0, ln 2, ln 3] -> p = [1/6, 1/3, 1/2]:
    # loss = -(ln(1/6) + ln(1/3)) = ln 18; gradient 2 p - y = [1/3 - 1, 2/3 - 1, 1]
    z = [[0.0, math.log(2), math.log(3)]]
    assert loss([[1.0, 1.0, 0.0]], z) == pytest.approx(math.log(18))
    np.testing.assert_allclose(loss.grad([[1.0, 1.0, 0.0]], z), [[-2 / 3, -1 / 3, 1.0]])


def test_cce_zero_probability_is_clamped_and_finite():
    # the true class has p = 0: -max(ln 0, -100) = 100, gradient 0 (the clamped log is flat there);
    # a zero-probability class that is not the target contributes 0 * (-100) = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = CategoricalCrossEntropy(reduction="none")
        np.testing.assert_array_equal(loss([0, 1], [[0.0, 1.0], [0.0, 1.0]]), [100.0, 0.0])
        np.testing.assert_array_equal(loss.grad([0, 1], [[0.0, 1.0], [0.0, 1.0]]), [[0.0, 0.0], [0.0, -1.0]])


def test_cce_extreme_logits_finite_without_warnings():
    # z = [1000, -1000]: log-softmax = [0, -2000]; label 1 -> 2000, label 0 -> 0
    loss = CategoricalCrossEntropy(from_logits=True, reduction="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(loss([1, 0], [[1000.0, -1000.0]] * 2), [2000.0, 0.0])
        np.testing.assert_array_equal(loss.grad([1, 0], [[1000.0, -1000.0]] * 2), [[1.0, -1.0], [0.0, 0.0]])


def test_cce_rows_within_tolerance_are_accepted():
    # 1e-7 away from summing to 1 is inside the documented 1e-6 tolerance
    CategoricalCrossEntropy()([0], [[0.5, 0.5 + 1e-7]])
    with pytest.raises(ValueError, match=r"y_pred.*sum to 1.*row 0"):
        CategoricalCrossEntropy()([0], [[0.5, 0.5 + 1e-5]])


# ------------------------------------------------------------------ hinge and KL


def test_hinge_by_hand():
    # y s = 2 -> max(0, -1) = 0; y s = -0.5 -> 1.5; y s = -1 -> 2; y s = 1 (kink) -> 0
    # gradient -y where 1 - y s > 0: [0, -(-1) = 1, -1, 0 (kink choice)]
    y, s = [1.0, -1.0, 1.0, 1.0], [2.0, 0.5, -1.0, 1.0]
    np.testing.assert_allclose(Hinge(reduction="none")(y, s), [0.0, 1.5, 2.0, 0.0])
    assert Hinge()(y, s) == pytest.approx(3.5 / 4)
    np.testing.assert_array_equal(Hinge(reduction="none").grad(y, s), [0.0, 1.0, -1.0, 0.0])
    np.testing.assert_allclose(Hinge().grad(y, s), [0.0, 0.25, -0.25, 0.0])


def test_kl_by_hand():
    # P = [0.5, 0.5], Q = [0.25, 0.75]: 0.5 ln 2 + 0.5 ln(2/3) = 0.5 ln(4/3); gradient -p/q = [-2, -2/3]
    # P = [1, 0], Q = [0.5, 0.5]: 1 ln 2 + 0 (0 ln 0 = 0); gradient [-2, 0]
    P, Q = [[0.5, 0.5], [1.0, 0.0]], [[0.25, 0.75], [0.5, 0.5]]
    np.testing.assert_allclose(KLDivergence(reduction="none")(P, Q), [0.5 * math.log(4 / 3), math.log(2)])
    assert KLDivergence()(P, Q) == pytest.approx((0.5 * math.log(4 / 3) + math.log(2)) / 2)
    np.testing.assert_allclose(KLDivergence(reduction="none").grad(P, Q), [[-2, -2 / 3], [-2, 0]])
    np.testing.assert_allclose(KLDivergence().grad(P, Q), [[-1, -1 / 3], [-1, 0]])


def test_kl_is_asymmetric():
    # D(P||Q) = 0.5 ln(4/3); D(Q||P) = 0.25 ln(0.5) + 0.75 ln(1.5)
    reverse = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert KLDivergence()([0.25, 0.75], [0.5, 0.5]) == pytest.approx(reverse)
    assert KLDivergence()([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 * math.log(4 / 3))


def test_kl_one_row_as_a_vector():
    # a (C,) input is one row: N = 1, "none" gives a 0-d array
    value = KLDivergence(reduction="none")([0.5, 0.5], [0.25, 0.75])
    assert value.shape == ()
    np.testing.assert_allclose(KLDivergence().grad([0.5, 0.5], [0.25, 0.75]), [-2, -2 / 3])


def test_kl_q_zero_where_p_positive_is_an_error():
    with pytest.raises(ValueError, match=r"infinite.*y_pred"):
        KLDivergence()([[0.5, 0.5]], [[1.0, 0.0]])
    # q = 0 where p = 0 is fine: 0 * ln(0/0) counts as 0 -> 1 * ln(1/1) = 0
    assert KLDivergence()([[1.0, 0.0]], [[1.0, 0.0]]) == 0.0


def test_kl_tiny_q_has_a_finite_value_but_an_overflowing_gradient():
    # q = 1e-310 (subnormal) where p = 1: D = 1 * ln(1 / 1e-310) = 310 ln 10 = 713.8..., finite;
    # the gradient -p/q = -1e310 exceeds float64 (max ~1.8e308): a ValueError, never -inf
    P, Q = [[1.0, 0.0]], [[1e-310, 1.0]]
    assert KLDivergence()(P, Q) == pytest.approx(-math.log(1e-310))
    with pytest.raises(ValueError, match="overflows float64"):
        KLDivergence().grad(P, Q)


# ------------------------------------------------------------------ bad input, every loss

ALL_LOSSES = [
    (MSE, [0.2, 0.7], [0.3, 0.4]),
    (MAE, [0.2, 0.7], [0.3, 0.4]),
    (Huber, [0.2, 0.7], [0.3, 0.4]),
    (BinaryCrossEntropy, [0.0, 1.0], [0.3, 0.4]),
    (Hinge, [-1.0, 1.0], [0.3, 0.4]),
    (KLDivergence, [[0.2, 0.8]], [[0.5, 0.5]]),
    (CategoricalCrossEntropy, [[0.0, 1.0]], [[0.5, 0.5]]),
]
IDS = [cls.__name__ for cls, _, _ in ALL_LOSSES]


@pytest.mark.parametrize(("cls", "y_true", "y_pred"), ALL_LOSSES, ids=IDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("argument", ["y_true", "y_pred"])
def test_nan_and_inf_are_rejected(cls, y_true, y_pred, bad, argument):
    arrays = {"y_true": np.array(y_true, float), "y_pred": np.array(y_pred, float)}
    arrays[argument].flat[0] = bad
    with pytest.raises(ValueError, match=argument):
        cls()(arrays["y_true"], arrays["y_pred"])
    with pytest.raises(ValueError, match=argument):
        cls().grad(arrays["y_true"], arrays["y_pred"])


@pytest.mark.parametrize(("cls", "y_true", "y_pred"), ALL_LOSSES, ids=IDS)
def test_shapes_are_never_broadcast(cls, y_true, y_pred):
    y_true = np.array(y_true, float)
    with pytest.raises(ValueError, match="shape"):
        cls()(y_true[..., None], y_pred)
    with pytest.raises(ValueError, match="shape"):
        cls().grad(y_true[..., None], y_pred)


@pytest.mark.parametrize("cls", [c for c, _, _ in ALL_LOSSES], ids=IDS)
def test_unknown_reduction_lists_the_options(cls):
    with pytest.raises(ValueError, match=r"reduction must be one of 'none', 'mean', 'sum', got 'avg'"):
        cls(reduction="avg")


@pytest.mark.parametrize(("cls", "y_true", "y_pred"), ALL_LOSSES, ids=IDS)
def test_non_numeric_input_is_a_type_error(cls, y_true, y_pred):
    with pytest.raises(TypeError, match="y_pred"):
        cls()(y_true, ["a", "b"])
    with pytest.raises(TypeError, match="y_true"):
        cls()("ab", y_pred)
    with pytest.raises(TypeError, match="y_pred"):
        cls().grad(y_true, np.array(y_pred) > 0.35)  # booleans are not numbers here


def test_shape_mismatch_message_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_pred has shape \(3, 1\) but y_true has shape \(3,\)"):
        MSE()(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"y_pred has shape \(3,\) but y_true has shape \(3, 1\)"):
        MSE().grad(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("argument", ["y_true", "y_pred"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_message_says_how_many_and_where(argument, bad):
    arrays = {"y_true": np.array([1.0, 2.0, 3.0]), "y_pred": np.array([1.0, 2.0, 3.0])}
    arrays[argument][1] = bad
    kind = "NaN" if np.isnan(bad) else "infinite"
    with pytest.raises(ValueError, match=rf"{argument} contains 1 {kind} value\(s\) \(first at index 1\)"):
        MSE()(arrays["y_true"], arrays["y_pred"])


@pytest.mark.parametrize("bad", ["abc", [True, False], [1 + 2j, 0j], [[1.0, 2.0], [3.0]]])
def test_strings_booleans_complex_and_ragged_input_are_type_errors(bad):
    with pytest.raises(TypeError, match="y_true must be an array of"):
        MSE()(bad, [1.0, 2.0])


@pytest.mark.parametrize(("cls", "y_true", "y_pred"), ALL_LOSSES, ids=IDS)
def test_inputs_are_not_modified(cls, y_true, y_pred):
    y_true, y_pred = np.array(y_true, float), np.array(y_pred, float)
    before = y_true.copy(), y_pred.copy()
    cls()(y_true, y_pred)
    cls().grad(y_true, y_pred)
    np.testing.assert_array_equal(y_true, before[0])
    np.testing.assert_array_equal(y_pred, before[1])


def test_overflowing_values_raise_instead_of_warning():
    with pytest.raises(ValueError, match="overflows"):
        MSE()([1e200], [-1e200])


@pytest.mark.parametrize("delta", [0.0, -1.0, np.nan])
def test_huber_delta_must_be_positive(delta):
    with pytest.raises(ValueError, match="delta"):
        Huber(delta=delta)


def test_bce_probabilities_out_of_range():
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\]"):
        BinaryCrossEntropy()([1.0], [1.2])
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        BinaryCrossEntropy()([-1.0], [0.2])
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        BinaryCrossEntropy(from_logits=True)([2.0], [5.0])
    # logits may be any real number
    BinaryCrossEntropy(from_logits=True)([1.0], [-7.0])


def test_from_logits_must_be_a_bool():
    with pytest.raises(TypeError, match="from_logits"):
        BinaryCrossEntropy(from_logits="yes")
    with pytest.raises(TypeError, match="from_logits"):
        CategoricalCrossEntropy(from_logits=1)


@pytest.mark.parametrize("labels", [[3], [-1], [0.5]])
def test_cce_labels_outside_the_classes(labels):
    with pytest.raises(ValueError, match=r"y_true class labels must be integers in 0\.\.2"):
        CategoricalCrossEntropy()(labels, [[0.2, 0.3, 0.5]])


def test_cce_needs_two_dimensional_predictions():
    with pytest.raises(ValueError, match=r"y_pred must have shape \(N, C\)"):
        CategoricalCrossEntropy()([0.0, 1.0], [0.5, 0.5])


def test_cce_probability_checks():
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\]"):
        CategoricalCrossEntropy()([0], [[1.5, -0.5]])
    with pytest.raises(ValueError, match=r"y_pred.*row 1"):
        CategoricalCrossEntropy()([0, 0], [[0.5, 0.5], [0.5, 0.6]])
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        CategoricalCrossEntropy()([[2.0, -1.0]], [[0.5, 0.5]])
    # logits need not be probabilities
    CategoricalCrossEntropy(from_logits=True)([0], [[3.0, -8.0]])


@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_label_smoothing_range(smoothing):
    with pytest.raises(ValueError, match="label_smoothing"):
        CategoricalCrossEntropy(label_smoothing=smoothing)


@pytest.mark.parametrize("labels", [[0.0, 1.0], [2.0, 1.0], [0.5, -1.0]])
def test_hinge_refuses_labels_other_than_plus_minus_one(labels):
    with pytest.raises(ValueError, match=r"y_true labels must be -1 or \+1.*2\*y - 1"):
        Hinge()(labels, [0.3, 0.4])


def test_kl_rows_must_be_distributions():
    with pytest.raises(ValueError, match=r"y_true.*sum to 1.*row 1"):
        KLDivergence()([[0.5, 0.5], [0.5, 0.6]], [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"y_pred.*sum to 1"):
        KLDivergence()([0.5, 0.5], [0.3, 0.3])
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\]"):
        KLDivergence()([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match=r"y_pred must have shape"):
        KLDivergence()(np.full((1, 1, 2), 0.5), np.full((1, 1, 2), 0.5))
