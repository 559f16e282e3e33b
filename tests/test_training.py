"""nnlib.training: fit_line's gradient descent held against least squares (np.polyfit) and exact lines."""

import numpy as np
import pytest

from nnlib import losses
from nnlib.losses import MSE
from nnlib.training import fit_line


def test_fit_line_with_mse_is_least_squares():
    rng = np.random.default_rng(5)
    x = np.linspace(-3, 3, 40)
    y = 2.0 * x + 1.0 + rng.normal(scale=0.5, size=x.size)
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(fit_line(MSE(), x, y), (slope, intercept), rtol=1e-6)


@pytest.mark.parametrize("loss_name", ["MSE", "MAE", "Huber"])
def test_fit_line_recovers_an_exact_line(loss_name):
    x = np.linspace(-3, 3, 40).reshape(-1, 1)  # a column works as well as a vector
    w, b = fit_line(getattr(losses, loss_name)(), x, -1.5 * x + 0.5, steps=6000)
    # 1e-2: MAE's subgradient steps, sign(residual)/N with a decaying step size, close in slowly
    assert w == pytest.approx(-1.5, abs=1e-2)
    assert b == pytest.approx(0.5, abs=1e-2)


def test_fit_line_refuses_mismatched_shapes_and_bad_steps():
    with pytest.raises(ValueError, match="y_pred has shape"):
        fit_line(MSE(), np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        fit_line(MSE(), np.zeros(4), np.zeros(4), steps=-1)
