"""Gradients of nnlib.losses against central differences, for every loss and reduction, and
properties every loss must have (non-negative, zero at a perfect prediction, KL >= 0)."""

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

REDUCTIONS = ["none", "mean", "sum"]


def central_difference(function, x, h):
    """d(function)/dx by (f(x + h e_i) - f(x - h e_i)) / 2h, one coordinate at a time."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        gradient[index] = (function(x + step) - function(x - step)) / (2 * h)
    return gradient


def summed(loss, y_true):
    """The scalar whose gradient ``loss.grad`` returns: the reduced value ("none": the sum)."""
    return lambda y_pred: float(np.sum(loss(y_true, y_pred)))


def _away_from_kinks(rng, shape, kinks, margin=0.05):
    """Normal numbers at least ``margin`` away from every value in ``kinks``."""
    x = rng.normal(size=shape) * 2
    for kink in kinks:
        close = np.abs(x - kink) < margin
        x[close] += 2 * margin
    return x


def regression_cases():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(4, 3))
    residual = _away_from_kinks(rng, (4, 3), kinks=[0.0, 0.7, -0.7, 1.0, -1.0])
    return y, y + residual


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "make_loss",
    [lambda r: MSE(reduction=r), lambda r: MAE(reduction=r), lambda r: Huber(reduction=r),
     lambda r: Huber(delta=0.7, reduction=r)],
    ids=["MSE", "MAE", "Huber1", "Huber0.7"],
)
def test_regression_gradients_match_central_differences(make_loss, reduction):
    loss = make_loss(reduction)
    y, p = regression_cases()
    numeric = central_difference(summed(loss, y), p, h=1e-6)
    np.testing.assert_allclose(loss.grad(y, p), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_probability_gradient_matches_central_differences(reduction):
    rng = np.random.default_rng(1)
    y = rng.uniform(0, 1, size=(5, 2))
    y[0] = [0.0, 1.0]
    p = rng.uniform(0.05, 0.95, size=(5, 2))
    loss = BinaryCrossEntropy(reduction=reduction)
    numeric = central_difference(summed(loss, y), p, h=1e-7)
    np.testing.assert_allclose(loss.grad(y, p), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_logit_gradient_matches_central_differences(reduction):
    rng = np.random.default_rng(2)
    y = rng.uniform(0, 1, size=(6,))
    z = rng.normal(size=(6,)) * 4
    loss = BinaryCrossEntropy(from_logits=True, reduction=reduction)
    numeric = central_difference(summed(loss, y), z, h=1e-6)
    np.testing.assert_allclose(loss.grad(y, z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("target_kind", ["labels", "one_hot", "soft", "unnormalised"])
def test_cce_logit_gradient_matches_central_differences(reduction, smoothing, target_kind):
    rng = np.random.default_rng(3)
    n, c = 4, 3
    z = rng.normal(size=(n, c)) * 3
    labels = rng.integers(0, c, size=n)
    targets = {
        "labels": labels.astype(float),
        "one_hot": np.eye(c)[labels],
        "soft": rng.dirichlet(np.ones(c), size=n),
        "unnormalised": rng.uniform(0, 1, size=(n, c)),
    }[target_kind]
    loss = CategoricalCrossEntropy(from_logits=True, label_smoothing=smoothing, reduction=reduction)
    numeric = central_difference(summed(loss, targets), z, h=1e-6)
    np.testing.assert_allclose(loss.grad(targets, z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cce_probability_gradient_matches_central_differences(reduction, smoothing):
    # steps of 1e-8 keep the perturbed rows inside the 1e-6 row-sum tolerance
    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.ones(3) * 3, size=4)
    y = rng.dirichlet(np.ones(3), size=4)
    loss = CategoricalCrossEntropy(label_smoothing=smoothing, reduction=reduction)
    numeric = central_difference(summed(loss, y), p, h=1e-8)
    np.testing.assert_allclose(loss.grad(y, p), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_gradient_matches_central_differences(reduction):
    rng = np.random.default_rng(5)
    y = rng.choice([-1.0, 1.0], size=(3, 3))
    s = _away_from_kinks(rng, (3, 3), kinks=[1.0, -1.0])
    loss = Hinge(reduction=reduction)
    numeric = central_difference(summed(loss, y), s, h=1e-6)
    np.testing.assert_allclose(loss.grad(y, s), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (5,)])
def test_kl_gradient_matches_central_differences(reduction, shape):
    rng = np.random.default_rng(6)
    rows = shape[0] if len(shape) == 2 else 1
    P = rng.dirichlet(np.ones(shape[-1]), size=rows).reshape(shape)
    Q = rng.dirichlet(np.ones(shape[-1]) * 3, size=rows).reshape(shape)
    loss = KLDivergence(reduction=reduction)
    numeric = central_difference(summed(loss, P), Q, h=1e-8)
    np.testing.assert_allclose(loss.grad(P, Q), numeric, rtol=1e-5, atol=1e-6)


def test_mean_is_sum_over_the_number_of_losses():
    # elementwise losses divide by the number of elements, row losses by the number of rows
    rng = np.random.default_rng(7)
    y, p = regression_cases()
    for cls in (MSE, MAE, Huber):
        assert cls()(y, p) == pytest.approx(cls(reduction="sum")(y, p) / y.size)
        np.testing.assert_allclose(cls().grad(y, p), cls(reduction="sum").grad(y, p) / y.size)
    z = rng.normal(size=(5, 4))
    labels = rng.integers(0, 4, size=5).astype(float)
    cce_mean = CategoricalCrossEntropy(from_logits=True)
    cce_sum = CategoricalCrossEntropy(from_logits=True, reduction="sum")
    assert cce_mean(labels, z) == pytest.approx(cce_sum(labels, z) / 5)
    np.testing.assert_allclose(cce_mean.grad(labels, z), cce_sum.grad(labels, z) / 5)


# ------------------------------------------------------------------ properties


def test_every_loss_is_non_negative_on_random_inputs():
    rng = np.random.default_rng(8)
    for _ in range(50):
        y, p = rng.normal(size=7), rng.normal(size=7) * 3
        for loss in (MSE(reduction="none"), MAE(reduction="none"), Huber(0.5, reduction="none")):
            assert (loss(y, p) >= 0).all()
        probs, targets = rng.uniform(0, 1, size=7), rng.uniform(0, 1, size=7)
        assert (BinaryCrossEntropy(reduction="none")(targets, probs) >= 0).all()
        assert (BinaryCrossEntropy(True, reduction="none")(targets, p) >= 0).all()
        assert (Hinge(reduction="none")(rng.choice([-1.0, 1.0], size=7), p) >= 0).all()
        P, Q = rng.dirichlet(np.ones(4), size=3), rng.dirichlet(np.ones(4), size=3)
        assert (KLDivergence(reduction="none")(P, Q) >= 0).all()
        assert (CategoricalCrossEntropy(reduction="none")(P, Q) >= 0).all()


def test_every_loss_is_zero_at_a_perfect_prediction():
    y = np.array([0.3, -1.2, 5.0])
    for loss in (MSE(), MAE(), Huber()):
        assert loss(y, y) == 0.0
        np.testing.assert_array_equal(loss.grad(y, y), 0.0)
    labels = np.array([0.0, 1.0, 1.0])
    assert BinaryCrossEntropy()(labels, labels) == 0.0
    one_hot = np.eye(3)
    assert CategoricalCrossEntropy()(one_hot, one_hot) == 0.0
    assert Hinge()([1.0, -1.0], [1.0, -3.0]) == 0.0  # margin >= 1 counts as perfect
    P = np.array([[0.2, 0.8], [1.0, 0.0]])
    assert KLDivergence()(P, P) == 0.0


def test_kl_is_at_least_zero_and_cross_entropy_is_entropy_plus_kl():
    # H(P, Q) = H(P) + D(P || Q), with H(P) = CCE(P, P) computed by nnlib on the same rows
    rng = np.random.default_rng(9)
    P, Q = rng.dirichlet(np.ones(5), size=20), rng.dirichlet(np.ones(5), size=20)
    kl = KLDivergence(reduction="none")(P, Q)
    assert (kl >= 0).all()
    entropy = -(P * np.log(P)).sum(axis=1)
    cross_entropy = CategoricalCrossEntropy(reduction="none")(P, Q)
    np.testing.assert_allclose(cross_entropy, entropy + kl)


def test_edge_cases_are_finite_without_warnings():
    # pytest turns warnings into errors (pyproject.toml); the values must also be finite
    values = [
        BinaryCrossEntropy(reduction="none")([0.0, 1.0, 0.5], [1.0, 0.0, 0.0]),
        BinaryCrossEntropy(reduction="none").grad([0.0, 1.0, 0.5], [1.0, 0.0, 1.0]),
        BinaryCrossEntropy(True, reduction="none")([0.0, 1.0], [1000.0, -1000.0]),
        BinaryCrossEntropy(True).grad([0.0, 1.0], [1000.0, -1000.0]),
        CategoricalCrossEntropy(reduction="none")([0, 1], [[0.0, 1.0], [1.0, 0.0]]),
        CategoricalCrossEntropy().grad([0, 1], [[0.0, 1.0], [1.0, 0.0]]),
        CategoricalCrossEntropy(True, 0.1, reduction="none")([0, 1], [[1000.0, -1000.0], [1000.0, -1000.0]]),
        CategoricalCrossEntropy(True, 0.1).grad([0, 1], [[1000.0, -1000.0], [1000.0, -1000.0]]),
        KLDivergence(reduction="none")([[1.0, 0.0]], [[1e-300, 1.0]]),
        KLDivergence().grad([[1.0, 0.0]], [[1e-300, 1.0]]),
        Hinge()([1.0, -1.0], [1e6, 1e6]),
    ]
    for value in values:
        assert np.all(np.isfinite(value))
