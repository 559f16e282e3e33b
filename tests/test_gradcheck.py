"""Tests of nnlib.gradcheck, and gradient checks of Sequential models with every loss.

The numerical gradient is tested against derivatives worked out by hand; the gradient check
must catch a deliberately wrong backward.
"""

import numpy as np
import pytest

from nnlib import losses
from nnlib.gradcheck import gradient_check, numerical_gradient, relative_error
from nnlib.nn import Layer, Linear, Parameter, ReLU, Sequential, Sigmoid, Softmax, Tanh


def test_numerical_gradient_of_a_cubic():
    # f(x) = sum x^3 + x0*x1, so df/dx0 = 3 x0^2 + x1 and df/dx1 = 3 x1^2 + x0
    x = np.array([2.0, -1.0])
    original = x.copy()
    gradient = numerical_gradient(lambda: np.sum(x**3) + x[0] * x[1], x)
    np.testing.assert_allclose(gradient, [3 * 4 - 1, 3 * 1 + 2], rtol=1e-9)
    np.testing.assert_array_equal(x, original)  # restored after the perturbations


def test_numerical_gradient_refuses_a_copy():
    with pytest.raises(TypeError, match="float64 numpy array"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])


def test_relative_error_by_hand():
    # |a - n| = |[1, 0] - [1, 0.1]| = 0.1;  |a| + |n| = 1 + sqrt(1.01)
    assert relative_error([1.0, 0.0], [1.0, 0.1]) == pytest.approx(0.1 / (1 + np.sqrt(1.01)), rel=1e-14)
    assert relative_error([0.0], [0.0]) == 0.0


class ScaledWrongLinear(Linear):
    """A Linear layer whose weight gradient is off by a factor 2 (a typical mistake)."""

    def backward(self, grad_out):
        grad_x = super().backward(grad_out)
        self.weight.grad *= 2.0
        return grad_x


class SwappedInputGradient(Layer):
    """y = x * w (w one row, scaling each feature); backward returns grad_out * w with w's entries swapped."""

    def __init__(self):
        super().__init__()
        self.w = Parameter([[1.0, 3.0]], "w")

    def parameters(self):
        return [self.w]

    def forward(self, x):
        self._cache = np.asarray(x, dtype=float)
        return self._cache * self.w.value

    def backward(self, grad_out):
        self.w.grad += np.sum(grad_out * self._cache, axis=0, keepdims=True)
        return grad_out * self.w.value[:, ::-1]  # the mistake: features mixed up


def test_gradient_check_catches_a_wrong_weight_gradient():
    rng = np.random.default_rng(0)
    model = Sequential(ScaledWrongLinear(3, 2, rng=rng), Tanh())
    result = gradient_check(model, losses.MSE(), rng.normal(size=(4, 3)), rng.normal(size=(4, 2)))
    assert not result.passed and not bool(result)
    weight_row, bias_row, input_row = result.rows
    assert weight_row.rel_error == pytest.approx(1 / 3, rel=1e-5)  # |2g - g| / (|2g| + |g|)
    assert bias_row.rel_error < 1e-7 and input_row.rel_error < 1e-7
    assert "FAILED" in result.table() and "NO" in result.table()


def test_gradient_check_catches_a_wrong_input_gradient():
    rng = np.random.default_rng(1)
    result = gradient_check(
        SwappedInputGradient(), losses.MSE(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    )
    assert result.rows[0].rel_error < 1e-7  # w's gradient is right
    assert result.rows[1].name == "input x" and result.rows[1].rel_error > 1e-2


def test_gradient_check_result_table_and_bool():
    rng = np.random.default_rng(2)
    model = Sequential(Linear(2, 2, rng=rng), Sigmoid())
    result = gradient_check(model, losses.MSE(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    assert result and result.passed
    assert [row.name for row in result.rows] == ["Linear #1 weight", "Linear #1 bias", "input x"]
    assert "passed (tolerance 1e-07" in result.table()
    # the parameters' gradients are those of one backward pass, not accumulated over the check
    np.testing.assert_allclose(model[0].weight.grad, result.rows[0].analytic, rtol=0)


def test_gradient_check_needs_a_reduced_loss():
    with pytest.raises(ValueError, match="reduction 'mean' or 'sum'"):
        gradient_check(Sigmoid(), losses.MSE(reduction="none"), np.zeros((1, 1)), np.zeros((1, 1)))


def _one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]


def _cases():
    rng = np.random.default_rng(7)
    n, c = 5, 3
    labels = rng.integers(0, c, size=n)
    binary = rng.integers(0, 2, size=(n, 1)).astype(float)
    probs = rng.dirichlet(np.ones(c), size=n)
    regression = rng.normal(size=(n, c))
    signs = np.where(rng.random((n, 1)) < 0.5, -1.0, 1.0)

    def net(last=None, n_out=c):
        r = np.random.default_rng(11)
        layers = [Linear(4, 6, rng=r), Tanh(), Linear(6, 5, rng=r), ReLU(), Linear(5, n_out, rng=r)]
        return Sequential(*layers, *([last] if last else []))

    cases = []
    for reduction in ("mean", "sum"):
        cases += [
            (f"MSE {reduction}", net(), losses.MSE(reduction=reduction), regression),
            (f"MAE {reduction}", net(), losses.MAE(reduction=reduction), regression),
            (f"Huber {reduction}", net(), losses.Huber(delta=0.5, reduction=reduction), regression),
            (
                f"BCE probs {reduction}",
                net(Sigmoid(), 1),
                losses.BinaryCrossEntropy(reduction=reduction),
                binary,
            ),
            (
                f"BCE logits {reduction}",
                net(None, 1),
                losses.BinaryCrossEntropy(from_logits=True, reduction=reduction),
                binary,
            ),
            (
                f"CCE probs {reduction}",
                net(Softmax()),
                losses.CategoricalCrossEntropy(reduction=reduction),
                _one_hot(labels, c),
            ),
            (
                f"CCE logits {reduction}",
                net(),
                losses.CategoricalCrossEntropy(from_logits=True, reduction=reduction),
                _one_hot(labels, c),
            ),
            (
                f"CCE logits smoothed {reduction}",
                net(),
                losses.CategoricalCrossEntropy(from_logits=True, label_smoothing=0.1, reduction=reduction),
                probs,
            ),
            (
                f"CCE integer labels {reduction}",
                net(Softmax()),
                losses.CategoricalCrossEntropy(reduction=reduction),
                labels,
            ),
            (f"Hinge {reduction}", net(None, 1), losses.Hinge(reduction=reduction), signs),
            (f"KL {reduction}", net(Softmax()), losses.KLDivergence(reduction=reduction), probs),
        ]
    return cases


@pytest.mark.parametrize(
    ("name", "model", "loss", "y_true"), _cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_sequential_gradient_check_with_every_loss(name, model, loss, y_true):
    x = np.random.default_rng(3).normal(size=(5, 4))
    result = gradient_check(model, loss, x, y_true)
    assert result.passed, f"{name}\n{result.table()}"
    assert result.max_rel_error < 1e-7
    assert len(result.rows) == len(model.parameters()) + 1


def test_gradient_check_table_prints_round_off_as_a_bound():
    """Round-off is shown as '< 1e-08' (its digits change with the CPU); a real error with its value."""
    rng = np.random.default_rng(0)
    model = Sequential(ScaledWrongLinear(3, 2, rng=rng), Tanh())
    lines = gradient_check(model, losses.MSE(), rng.normal(size=(4, 3)), rng.normal(size=(4, 2))).table()
    weight_line, bias_line, input_line = lines.splitlines()[1:4]
    # the wrong weight gradient is 2g against g: relative error |2g - g| / (|2g| + |g|) = 1/3
    assert weight_line.split()[-2:] == ["3.3e-01", "NO"]
    assert bias_line.split()[-5:] == ["<", "1e-08", "<", "1e-08", "yes"]
    assert input_line.endswith("< 1e-08  yes")
