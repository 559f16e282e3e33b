r"""Layers and ``Sequential``: the forward and backward passes of a small network.

:ref:`chap-chain-rule`, :ref:`chap-worked-example` and :ref:`chap-backprop-matrix` teach what
these classes compute; :ref:`chap-training-cycle` trains them. Every layer works on a batch: its input has
shape ``(N, features)``, one row per sample, and no Python loop runs over the samples.

Each layer has

* ``forward(x)``: the output, caching what ``backward`` needs;
* ``backward(grad_out)``: given :math:`\partial L/\partial \text{output}`, it *adds*
  :math:`\partial L/\partial \theta` to ``theta.grad`` for each of its parameters (so two
  backward passes give twice the gradient, as in PyTorch; ``zero_grad`` resets) and returns
  :math:`\partial L/\partial x`;
* ``parameters()``: the list of its :class:`~nnlib.parameter.Parameter` objects, which an
  optimizer of ``nnlib.optim`` updates *in place* (layers never rebind ``.value``).

Weight layout (as in PyTorch): ``Linear(n_in, n_out).weight.value`` has shape
``(n_out, n_in)`` and the layer computes :math:`Y = X W^\top + b`. Row ``j`` of ``W`` holds the
weights *into* output neuron ``j``; so the exam notes' :math:`w_{ij}` ("from input ``i`` to
neuron ``j``") is ``weight.value[j - 1, i - 1]``.

Examples
--------
One forward and backward pass through a 2-1 layer and a sigmoid:

>>> model = Sequential(Linear(2, 1, weight=[[0.7, 0.5]], bias=[0.3]), Sigmoid())
>>> y_hat = model.forward([[1.0, 0.0]])          # sigmoid(0.7 + 0.3) = sigmoid(1)
>>> y_hat.round(4)
array([[0.7311]])
>>> dL_dx = model.backward(np.ones_like(y_hat))  # dL/dy_hat = 1
>>> model[0].weight.grad.round(4)                # sigmoid'(1) * x
array([[0.1966, 0.    ]])
"""

import numpy as np

from nnlib import activations
from nnlib._validation import (
    as_finite_array,
    as_generator,
    check_choice,
    check_instance,
    check_int,
)
from nnlib.parameter import Parameter

__all__ = ["Parameter", "Layer", "Linear", "Sigmoid", "ReLU", "Tanh", "Softmax", "Sequential"]

INITS = ("glorot", "he")


class Layer:
    """Base class: naming for error messages, the batch check and the forward cache.

    ``label`` is what error messages call the layer: the class name, and inside a
    :class:`Sequential` also its position there, e.g. ``"Linear #3"``.
    """

    def __init__(self):
        self.label = type(self).__name__
        self._cache = None

    def __call__(self, x):
        return self.forward(x)

    def describe(self):
        """The label with the layer's sizes, e.g. ``"Linear #3 (in 3, out 1)"``."""
        return self.label

    def parameters(self):
        """The layer's trainable parameters (none for an activation layer)."""
        return []

    def zero_grad(self):
        """Set the gradient of every parameter to zero."""
        for parameter in self.parameters():
            parameter.zero_grad()

    def _check_batch(self, x, n_features=None):
        """``x`` as a finite float64 batch of shape (N, features), with ``n_features`` columns if given."""
        x = as_finite_array(x, "x")
        if x.ndim != 2:
            raise ValueError(
                f"{self.describe()} expected x of shape (N, features), one row per sample; "
                f"got shape {x.shape}"
            )
        if n_features is not None and x.shape[1] != n_features:
            raise ValueError(
                f"{self.describe()} expected input with {n_features} features, got shape {x.shape}"
            )
        return x

    def _cached(self):
        """What the last ``forward`` stored, or a ``RuntimeError`` if forward has not run."""
        if self._cache is None:
            raise RuntimeError(
                f"{self.describe()}: backward called before forward; run forward(x) first, "
                "backward uses what forward cached"
            )
        return self._cache

    def _check_grad(self, grad_out, expected_shape):
        grad_out = as_finite_array(grad_out, "grad_out")
        if grad_out.shape != expected_shape:
            raise ValueError(
                f"{self.describe()} backward expected grad_out of shape {expected_shape} "
                f"(the shape of its last output), got shape {grad_out.shape}"
            )
        return grad_out


class Linear(Layer):
    r"""Fully connected layer :math:`Y = X W^\top + b`.

    .. math::

        Y &= X W^\top + \mathbf 1 b^\top, \\
        \frac{\partial L}{\partial W} &= \Big(\frac{\partial L}{\partial Y}\Big)^{\!\top} X, \\
        \frac{\partial L}{\partial b} &= \sum_{n} \frac{\partial L}{\partial Y_{n,:}}, \\
        \frac{\partial L}{\partial X} &= \frac{\partial L}{\partial Y}\, W

    with ``X`` of shape ``(N, n_in)``, ``W`` of shape ``(n_out, n_in)`` (PyTorch's layout) and
    ``b`` of shape ``(n_out,)``. :ref:`chap-backprop-matrix` derives the three gradients.

    Parameters
    ----------
    n_in, n_out : int
        Number of input features and of output neurons.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the initial weights; ``None`` means seed 0, so a layer built
        twice starts from the same weights. Pass one shared generator to all layers of a
        network so that they draw different numbers.
    init : {"glorot", "he"}, default "glorot"
        Glorot (Xavier) uniform, :math:`W \sim U(-s, s)` with :math:`s = \sqrt{6/(n_{in}+n_{out})}`
        (for sigmoid and tanh), or He normal, :math:`W \sim \mathcal N(0, 2/n_{in})` (for ReLU).
        Biases start at 0.
    weight, bias : array_like, optional
        Exact initial values, shapes ``(n_out, n_in)`` and ``(n_out,)`` (see :meth:`set_weights`).

    Examples
    --------
    >>> layer = Linear(2, 1, weight=[[0.7, 0.5]], bias=[0.3])
    >>> layer.forward([[1.0, 0.0]])
    array([[1.]])
    """

    def __init__(self, n_in, n_out, rng=None, init="glorot", weight=None, bias=None):
        super().__init__()
        self.n_in = check_int(n_in, "n_in", minimum=1)
        self.n_out = check_int(n_out, "n_out", minimum=1)
        init = check_choice(init, "init", INITS)
        generator = as_generator(rng)
        if init == "glorot":
            limit = np.sqrt(6.0 / (self.n_in + self.n_out))
            start = generator.uniform(-limit, limit, size=(self.n_out, self.n_in))
        else:
            start = generator.normal(0.0, np.sqrt(2.0 / self.n_in), size=(self.n_out, self.n_in))
        self.weight = Parameter(start, "weight")
        self.bias = Parameter(np.zeros(self.n_out), "bias")
        if weight is not None or bias is not None:
            self.set_weights(
                self.weight.value if weight is None else weight,
                self.bias.value if bias is None else bias,
            )

    def describe(self):
        return f"{self.label} (in {self.n_in}, out {self.n_out})"

    def set_weights(self, weight, bias):
        """Overwrite the weights and biases in place with exact values.

        ``weight`` has shape ``(n_out, n_in)``: ``weight[j, i]`` connects input ``i`` to
        output neuron ``j``. ``bias`` has shape ``(n_out,)``.
        """
        for parameter, new, shape in (
            (self.weight, weight, (self.n_out, self.n_in)),
            (self.bias, bias, (self.n_out,)),
        ):
            name = f"{parameter.name} of {self.describe()}"
            new = as_finite_array(new, name)
            if new.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got shape {new.shape}")
            parameter.value[...] = new

    def parameters(self):
        return [self.weight, self.bias]

    def forward(self, x):
        x = self._check_batch(x, n_features=self.n_in)
        self._cache = x  # backward needs X
        return x @ self.weight.value.T + self.bias.value  # Y = X W^T + b

    def backward(self, grad_out):
        x = self._cached()
        grad_out = self._check_grad(grad_out, (x.shape[0], self.n_out))
        self.weight.grad += grad_out.T @ x  # dL/dW = (dL/dY)^T X
        self.bias.grad += grad_out.sum(axis=0)  # dL/db = column sums of dL/dY
        return grad_out @ self.weight.value  # dL/dX = dL/dY W


class _Elementwise(Layer):
    r"""An activation applied elementwise: backward is :math:`\partial L/\partial a \odot f'(z)`."""

    function = None
    derivative = None

    def forward(self, x):
        z = self._check_batch(x)
        self._cache = z
        return type(self).function(z)

    def backward(self, grad_out):
        z = self._cached()
        grad_out = self._check_grad(grad_out, z.shape)
        return grad_out * type(self).derivative(z)


class Sigmoid(_Elementwise):
    r"""Sigmoid layer :math:`a = \sigma(z)`.

    Backward: :math:`\partial L/\partial z = \partial L/\partial a \odot \sigma(z)(1-\sigma(z))`.

    Calls :func:`nnlib.activations.sigmoid` and :func:`~nnlib.activations.sigmoid_derivative`.
    """

    function = staticmethod(activations.sigmoid)
    derivative = staticmethod(activations.sigmoid_derivative)


class ReLU(_Elementwise):
    r"""ReLU layer :math:`a = \max(0, z)`.

    Backward: :math:`\partial L/\partial z = \partial L/\partial a \odot [z > 0]`.

    Calls :func:`nnlib.activations.relu` and :func:`~nnlib.activations.relu_derivative`.
    """

    function = staticmethod(activations.relu)
    derivative = staticmethod(activations.relu_derivative)


class Tanh(_Elementwise):
    r"""Tanh layer :math:`a = \tanh z`.

    Backward: :math:`\partial L/\partial z = \partial L/\partial a \odot (1 - \tanh^2 z)`.

    Calls :func:`nnlib.activations.tanh` and :func:`~nnlib.activations.tanh_derivative`.
    """

    function = staticmethod(activations.tanh)
    derivative = staticmethod(activations.tanh_derivative)


class Softmax(Layer):
    r"""Softmax over the features of each row, :math:`p_k = e^{z_k}/\sum_j e^{z_j}`.

    Backward is the Jacobian-vector product with :math:`\partial p_i/\partial z_j = p_i(\delta_{ij} - p_j)`
    (:func:`nnlib.activations.softmax_derivative`), row by row without forming the Jacobian:

    .. math::

        \frac{\partial L}{\partial z_j} &= \sum_i g_i\, p_i(\delta_{ij} - p_j) \\
        &= p_j \Big(g_j - \sum_i g_i p_i\Big), \qquad g = \frac{\partial L}{\partial p}

    For training, prefer no Softmax layer and ``CategoricalCrossEntropy(from_logits=True)``:
    the combined gradient :math:`p - y` is cheaper and stable (:ref:`chap-training-cycle`).
    """

    def forward(self, x):
        z = self._check_batch(x)
        p = activations.softmax(z)
        self._cache = p
        return p

    def backward(self, grad_out):
        p = self._cached()
        grad_out = self._check_grad(grad_out, p.shape)
        return p * (grad_out - np.sum(grad_out * p, axis=1, keepdims=True))


class Sequential(Layer):
    r"""Layers applied one after the other; backward runs them in reverse order.

    ``forward`` feeds each layer's output to the next; ``backward`` passes
    :math:`\partial L/\partial \text{output}` from the last layer to the first (the chain rule,
    :ref:`chap-backprop-matrix`); ``parameters()`` concatenates the layers' lists
    in order. Each layer is labelled with its 1-based position, e.g. ``"Linear #3"``, and its
    parameters are named e.g. ``"Linear #3 weight"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = Sequential(Linear(2, 3, rng=rng), Sigmoid(), Linear(3, 1, rng=rng))
    >>> [p.name for p in model.parameters()]
    ['Linear #1 weight', 'Linear #1 bias', 'Linear #3 weight', 'Linear #3 bias']
    """

    def __init__(self, *layers):
        super().__init__()
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        for position, layer in enumerate(layers, start=1):
            check_instance(layer, f"layer {position} of Sequential", Layer, "an nnlib.nn layer")
            layer.label = f"{type(layer).__name__} #{position}"
            for parameter in layer.parameters():
                parameter.name = f"{layer.label} {parameter.name.split()[-1]}"
        self.layers = list(layers)

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def parameters(self):
        return [parameter for layer in self.layers for parameter in layer.parameters()]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        self._cache = True  # forward has run (each layer caches its input)
        return x

    def backward(self, grad_out):
        self._cached()
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out
