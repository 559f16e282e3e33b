"""MSE: the loss of the foundation chapter. Expected numbers are worked out by hand in the comments."""

import numpy as np
import pytest

from nnlib.losses import MSE


def test_seed_single_point():
    # seed 001 section 1: prediction 0.8, target 1.0 -> (0.8 - 1.0)^2 = 0.04
    assert MSE()([1.0], [0.8]) == pytest.approx(0.04, abs=1e-15)


@pytest.fixture
def data():
    # residuals y_pred - y_true = [0.5, -1, 2, 0]; squares = [0.25, 1, 4, 0]; sum 5.25
    y_true = np.array([1.0, 2.0, -1.0, 3.0])
    y_pred = np.array([1.5, 1.0, 1.0, 3.0])
    return y_true, y_pred


def test_reductions_by_hand(data):
    y_true, y_pred = data
    np.testing.assert_allclose(MSE(reduction="none")(y_true, y_pred), [0.25, 1.0, 4.0, 0.0])
    assert MSE(reduction="sum")(y_true, y_pred) == pytest.approx(5.25)
    assert MSE(reduction="mean")(y_true, y_pred) == pytest.approx(5.25 / 4)
    assert MSE()(y_true, y_pred) == pytest.approx(1.3125)  # the default reduction is the mean


def test_gradients_by_hand(data):
    y_true, y_pred = data
    # d/dy_pred (y_pred - y)^2 = 2 (y_pred - y) = [1, -2, 4, 0]
    np.testing.assert_allclose(MSE(reduction="none").grad(y_true, y_pred), [1.0, -2.0, 4.0, 0.0])
    np.testing.assert_allclose(MSE(reduction="sum").grad(y_true, y_pred), [1.0, -2.0, 4.0, 0.0])
    np.testing.assert_allclose(MSE(reduction="mean").grad(y_true, y_pred), [0.25, -0.5, 1.0, 0.0])


def test_mean_divides_by_number_of_elements():
    # a (2, 3) array of residuals 1: mean of six ones is 1, each gradient 2*1/6
    y_true = np.zeros((2, 3))
    y_pred = np.ones((2, 3))
    assert MSE()(y_true, y_pred) == pytest.approx(1.0)
    np.testing.assert_allclose(MSE().grad(y_true, y_pred), np.full((2, 3), 1 / 3))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gradient_matches_central_differences(reduction):
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.normal(size=(2, 5, 3))
    loss = MSE(reduction=reduction)
    h = 1e-6
    numeric = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        step = np.zeros_like(y_pred)
        step[index] = h
        numeric[index] = (np.sum(loss(y_true, y_pred + step)) - np.sum(loss(y_true, y_pred - step))) / (2 * h)
    np.testing.assert_allclose(loss.grad(y_true, y_pred), numeric, rtol=1e-7, atol=1e-9)


def test_perfect_prediction_is_zero_and_losses_are_non_negative():
    rng = np.random.default_rng(2)
    y = rng.normal(size=10)
    assert MSE()(y, y) == 0.0
    assert (MSE(reduction="none")(y, rng.normal(size=10)) >= 0).all()


def test_shape_mismatch_is_refused_not_broadcast():
    with pytest.raises(ValueError, match=r"y_pred has shape \(3, 1\) but y_true has shape \(3,\)"):
        MSE()(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"y_pred has shape \(3,\) but y_true has shape \(3, 1\)"):
        MSE().grad(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("argument", ["y_true", "y_pred"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_refused_naming_the_argument(argument, bad):
    arrays = {"y_true": np.array([1.0, 2.0, 3.0]), "y_pred": np.array([1.0, 2.0, 3.0])}
    arrays[argument][1] = bad
    kind = "NaN" if np.isnan(bad) else "infinite"
    with pytest.raises(ValueError, match=rf"{argument} contains 1 {kind} value\(s\) \(first at index 1\)"):
        MSE()(arrays["y_true"], arrays["y_pred"])


def test_unknown_reduction():
    with pytest.raises(ValueError, match="reduction must be one of 'none', 'mean', 'sum', got 'average'"):
        MSE(reduction="average")


@pytest.mark.parametrize("bad", ["abc", [True, False], [1 + 2j, 0j], [[1.0, 2.0], [3.0]]])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError, match="y_true must be an array of"):
        MSE()(bad, [1.0, 2.0])


def test_inputs_are_not_modified():
    y_true = np.array([1.0, 2.0])
    y_pred = np.array([0.0, 0.0])
    MSE().grad(y_true, y_pred)
    np.testing.assert_array_equal(y_pred, [0.0, 0.0])
    np.testing.assert_array_equal(y_true, [1.0, 2.0])
