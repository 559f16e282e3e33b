"""nnlib.activations: values worked out by hand, derivatives against central differences and
SymPy, stability at |z| = 1000, and bad input."""

import math
import warnings

import numpy as np
import pytest
import sympy as sp

from nnlib import activations as act


def central_difference(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


def test_sigmoid_by_hand():
    # sigmoid(0) = 1/2; sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; sigmoid(-ln 3) = 1/4
    np.testing.assert_allclose(act.sigmoid([0.0, math.log(3), -math.log(3)]), [0.5, 0.75, 0.25])
    # the exam notes, step 3: sigmoid(0.3) = 1 / (1 + e^-0.3)
    assert float(act.sigmoid(0.3)) == pytest.approx(1 / (1 + math.exp(-0.3)))


def test_relu_and_tanh_by_hand():
    np.testing.assert_array_equal(act.relu([-2.0, 0.0, 3.5]), [0.0, 0.0, 3.5])
    np.testing.assert_array_equal(act.relu_derivative([-2.0, 0.0, 3.5]), [0.0, 0.0, 1.0])
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6; tanh'(ln 2) = 1 - 0.36 = 0.64
    assert float(act.tanh(math.log(2))) == pytest.approx(0.6)
    assert float(act.tanh_derivative(math.log(2))) == pytest.approx(0.64)


def test_softmax_and_log_softmax_by_hand():
    # z = [0, ln 2, ln 3]: e^z = [1, 2, 3], total 6 -> [1/6, 2/6, 3/6]; shifting z changes nothing
    z = np.array([[0.0, math.log(2), math.log(3)], [10.0, 10 + math.log(2), 10 + math.log(3)]])
    np.testing.assert_allclose(act.softmax(z), [[1 / 6, 1 / 3, 1 / 2]] * 2)
    np.testing.assert_allclose(act.log_softmax(z), np.log([[1 / 6, 1 / 3, 1 / 2]] * 2))
    # one row given as a vector
    np.testing.assert_allclose(act.softmax(z[0]), [1 / 6, 1 / 3, 1 / 2])


@pytest.mark.parametrize(
    ("f", "df"),
    [(act.sigmoid, act.sigmoid_derivative), (act.tanh, act.tanh_derivative), (act.relu, act.relu_derivative)],
    ids=["sigmoid", "tanh", "relu"],
)
def test_derivatives_match_central_differences(f, df):
    z = np.array([-3.1, -0.7, 0.2, 0.9, 4.0])
    np.testing.assert_allclose(df(z), central_difference(f, z), rtol=1e-7, atol=1e-9)


def test_sigmoid_derivative_matches_sympy():
    s = sp.Symbol("s", real=True)
    derivative = sp.lambdify(s, sp.diff(1 / (1 + sp.exp(-s)), s), "numpy")
    z = np.linspace(-6, 6, 25)
    np.testing.assert_allclose(act.sigmoid_derivative(z), derivative(z), rtol=1e-12)


def test_softmax_jacobian_matches_central_differences():
    z = np.array([[0.3, -1.2, 2.0], [0.0, 0.5, -0.5]])
    pairs = ((act.softmax_derivative(z), act.softmax), (act.log_softmax_derivative(z), act.log_softmax))
    for jacobian, f in pairs:
        assert jacobian.shape == (2, 3, 3)
        for j in range(3):
            step = np.zeros_like(z)
            step[:, j] = 1e-6
            numeric = (f(z + step) - f(z - step)) / 2e-6  # column j: d output_i / d z_j
            np.testing.assert_allclose(jacobian[:, :, j], numeric, rtol=1e-6, atol=1e-9)


def test_large_inputs_are_finite_without_warnings():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outputs = [
            act.sigmoid(z), act.sigmoid_derivative(z), act.tanh(z), act.tanh_derivative(z),
            act.softmax(z), act.log_softmax(z), act.softmax_derivative(z), act.log_softmax_derivative(z),
        ]
    for output in outputs:
        assert np.all(np.isfinite(output))
    # sigmoid(+-1000) is exactly 1 and 0 in float64; log_softmax keeps the huge gaps exact
    np.testing.assert_array_equal(act.sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
    np.testing.assert_array_equal(act.log_softmax([1000.0, -1000.0, 0.0]), [0.0, -2000.0, -1000.0])
    assert act.softmax(z).sum() == pytest.approx(1.0)


def test_bad_input():
    with pytest.raises(ValueError, match="z contains 1 NaN"):
        act.sigmoid([0.0, np.nan])
    with pytest.raises(ValueError, match="infinite"):
        act.softmax([0.0, np.inf])
    with pytest.raises(TypeError, match="z must be"):
        act.relu("abc")
    with pytest.raises(ValueError, match="at least one dimension"):
        act.softmax(1.0)
