"""Tests of nnlib.nn: layers, Sequential, shapes, errors and gradient accumulation.

Expected numbers are hand calculations written out below, an explicit Jacobian (a second
method for Softmax), or central differences (nnlib.gradcheck, tested in test_gradcheck.py).
"""

import math

import numpy as np
import pytest

from nnlib import activations
from nnlib.gradcheck import gradient_check
from nnlib.losses import MSE
from nnlib.nn import Linear, Parameter, ReLU, Sequential, Sigmoid, Softmax, Tanh
from nnlib.optim import SGD
from nnlib.parameter import Parameter as ParameterFromModule


def test_parameter_is_reexported():
    assert Parameter is ParameterFromModule


def test_linear_forward_by_hand():
    # W = [[1, 2], [3, 4], [5, 6]] (3 outputs, 2 inputs), b = [0.5, -1, 0]
    # x = [1, -1]:  y = [1-2+0.5, 3-4-1, 5-6+0] = [-0.5, -2, -1]
    layer = Linear(2, 3, weight=[[1, 2], [3, 4], [5, 6]], bias=[0.5, -1, 0])
    assert layer.weight.value.shape == (3, 2)
    np.testing.assert_allclose(layer.forward([[1.0, -1.0]]), [[-0.5, -2.0, -1.0]], rtol=0, atol=1e-15)


def test_linear_backward_by_hand():
    # two samples x = [[1, 2], [3, -1]], grad_out = [[1], [2]] for W = [[0.5, -1]], b = [0]
    # dL/dW = sum_n g_n x_n = 1*[1, 2] + 2*[3, -1] = [7, 0];  dL/db = 1 + 2 = 3
    # dL/dx_n = g_n * W = [[0.5, -1], [1, -2]]
    layer = Linear(2, 1, weight=[[0.5, -1.0]], bias=[0.0])
    layer.forward([[1.0, 2.0], [3.0, -1.0]])
    grad_x = layer.backward([[1.0], [2.0]])
    np.testing.assert_array_equal(layer.weight.grad, [[7.0, 0.0]])
    np.testing.assert_array_equal(layer.bias.grad, [3.0])
    np.testing.assert_array_equal(grad_x, [[0.5, -1.0], [1.0, -2.0]])


def test_set_weights_in_place_and_checked():
    layer = Linear(2, 2)
    value = layer.weight.value
    layer.set_weights([[1, 2], [3, 4]], [5, 6])
    assert layer.weight.value is value  # optimizers hold this array: it must not be rebound
    np.testing.assert_array_equal(value, [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match=r"must have shape \(2, 2\), got shape \(2,\)"):
        layer.set_weights([1, 2], [5, 6])


def test_seeded_initialisation():
    a, b, c = Linear(50, 30, rng=1), Linear(50, 30, rng=1), Linear(50, 30, rng=2)
    np.testing.assert_array_equal(a.weight.value, b.weight.value)
    assert not np.array_equal(a.weight.value, c.weight.value)
    np.testing.assert_array_equal(a.bias.value, np.zeros(30))
    limit = math.sqrt(6 / 80)  # Glorot: sqrt(6 / (n_in + n_out))
    assert np.abs(a.weight.value).max() <= limit and np.abs(a.weight.value).max() > 0.9 * limit
    he = Linear(400, 300, rng=0, init="he")
    assert abs(he.weight.value.std() - math.sqrt(2 / 400)) < 0.02 * math.sqrt(2 / 400)
    with pytest.raises(ValueError, match="init"):
        Linear(2, 2, init="xavier")
    with pytest.raises(ValueError, match="n_in must be an integer >= 1"):
        Linear(0, 2)


def test_shape_error_names_the_layer_and_both_shapes():
    model = Sequential(Linear(2, 3), Sigmoid(), Linear(3, 1))
    with pytest.raises(
        ValueError, match=r"Linear #1 \(in 2, out 3\) expected input with 2 features, got shape \(4, 5\)"
    ):
        model.forward(np.ones((4, 5)))
    layer = model[2]
    with pytest.raises(
        ValueError, match=r"Linear #3 \(in 3, out 1\) expected input with 3 features, got shape \(4, 2\)"
    ):
        layer.forward(np.ones((4, 2)))


def test_one_dimensional_input_is_refused():
    with pytest.raises(ValueError, match=r"shape \(N, features\).*got shape \(2,\)"):
        Linear(2, 1).forward([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Sigmoid.*shape \(N, features\)"):
        Sigmoid().forward([1.0, 2.0])


@pytest.mark.parametrize(
    "layer", [Linear(2, 2), Sigmoid(), ReLU(), Tanh(), Softmax(), Sequential(Linear(2, 1))]
)
def test_backward_before_forward_is_an_error(layer):
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.ones((1, 2)))


def test_grad_out_shape_is_checked():
    layer = Sigmoid()
    layer.forward(np.zeros((3, 2)))
    with pytest.raises(
        ValueError, match=r"Sigmoid backward expected grad_out of shape \(3, 2\).*got shape \(3, 1\)"
    ):
        layer.backward(np.ones((3, 1)))


def test_non_layer_in_sequential_is_a_type_error():
    with pytest.raises(TypeError, match="layer 2 of Sequential"):
        Sequential(Linear(1, 1), np.tanh)


def test_backward_accumulates():
    rng = np.random.default_rng(3)
    model = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng))
    x, grad_out = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    model.forward(x)
    model.backward(grad_out)
    once = [p.grad.copy() for p in model.parameters()]
    model.forward(x)
    model.backward(grad_out)
    for p, g in zip(model.parameters(), once, strict=True):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-14)
    model.zero_grad()
    assert all(not p.grad.any() for p in model.parameters())


def test_sequential_parameters_in_order_with_names():
    first, second = Linear(2, 3), Linear(3, 1)
    model = Sequential(first, ReLU(), second)
    params = model.parameters()
    assert params == [first.weight, first.bias, second.weight, second.bias]
    assert [p.name for p in params] == [
        "Linear #1 weight",
        "Linear #1 bias",
        "Linear #3 weight",
        "Linear #3 bias",
    ]
    assert len(model) == 3 and model[1].parameters() == []


def test_activation_layers_by_hand():
    z = np.array([[-1.0, 0.5, 2.0]])
    g = np.array([[1.0, 2.0, -1.0]])
    s = 1 / (1 + np.exp(-z))  # written out, not via nnlib
    layer = Sigmoid()
    np.testing.assert_allclose(layer.forward(z), s, rtol=1e-15)
    np.testing.assert_allclose(layer.backward(g), g * s * (1 - s), rtol=1e-14)
    layer = ReLU()
    np.testing.assert_array_equal(layer.forward(z), [[0.0, 0.5, 2.0]])
    np.testing.assert_array_equal(layer.backward(g), [[0.0, 2.0, -1.0]])
    layer = Tanh()
    np.testing.assert_allclose(layer.forward(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(g), g * (1 - np.tanh(z) ** 2), rtol=1e-14)


def test_softmax_backward_equals_explicit_jacobian():
    rng = np.random.default_rng(0)
    z, g = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    layer = Softmax()
    p = layer.forward(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    # second method: the full Jacobian J[n, i, j] = dp_i/dz_j, then dL/dz_j = sum_i g_i J_ij
    jacobian = activations.softmax_derivative(z)
    expected = np.einsum("ni,nij->nj", g, jacobian)
    np.testing.assert_allclose(layer.backward(g), expected, rtol=1e-12, atol=1e-15)


def test_softmax_backward_by_hand_two_classes():
    # z = [0, 0]: p = [1/2, 1/2]; g = [1, 0]: dL/dz_j = p_j (g_j - sum g p)
    #   = 1/2 * ([1, 0] - 1/2) = [1/4, -1/4]
    layer = Softmax()
    layer.forward([[0.0, 0.0]])
    np.testing.assert_allclose(layer.backward([[1.0, 0.0]]), [[0.25, -0.25]], rtol=1e-15)


@pytest.mark.parametrize("layer", [Linear(3, 2, rng=5), Sigmoid(), ReLU(), Tanh(), Softmax()])
def test_gradient_check_every_layer(layer):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3))
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU inputs away from its kink
    n_out = layer.forward(x).shape[1]
    result = gradient_check(layer, MSE(), x, rng.normal(size=(4, n_out)))
    assert result.passed, result.table()
    assert result.max_rel_error < 1e-7


def test_layers_leave_values_in_place_for_optimizers():
    model = Sequential(Linear(2, 2), Sigmoid(), Linear(2, 1))
    values = [p.value for p in model.parameters()]
    optimizer = SGD(model.parameters(), lr=0.1)
    x = np.array([[1.0, 2.0]])
    optimizer.zero_grad()
    model.backward(MSE().grad([[1.0]], model.forward(x)))
    before = [v.copy() for v in values]
    optimizer.step()
    for p, v, b in zip(model.parameters(), values, before, strict=True):
        assert p.value is v
        np.testing.assert_allclose(v, b - 0.1 * p.grad, rtol=1e-15)
