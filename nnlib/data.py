r"""Mini-batches and small data sets for the chapters.

* :func:`minibatches` cuts ``(X, y)`` into shuffled batches, one pass over the data (an
  *epoch*). ``batch_size=len(X)`` is batch gradient descent, ``1`` is stochastic gradient
  descent, anything between is mini-batch gradient descent.
* :class:`DataLoader` does the same for many epochs, reshuffling each time from one seeded
  generator (PyTorch's name; a much smaller class).
* :func:`train_val_split`, :func:`standardize`, :func:`one_hot`: preparation helpers.
* :func:`load_digits`, :func:`load_breast_cancer`, :func:`load_diabetes`, :func:`make_two_moons`:
  scikit-learn's bundled data sets and generator (no download). scikit-learn is imported
  only when one of them is called.

Chapter: :ref:`chap-gd-variants`.
"""

import numpy as np

from nnlib._validation import (
    as_finite_array,
    as_generator,
    as_samples,
    check_bool,
    check_int,
    check_ndim,
    check_nonnegative,
    check_open_fraction,
)

__all__ = [
    "minibatches",
    "DataLoader",
    "train_val_split",
    "standardize",
    "one_hot",
    "load_digits",
    "load_breast_cancer",
    "load_diabetes",
    "make_two_moons",
]


def minibatches(X, y, batch_size, rng=None, shuffle=True):
    r"""Return an iterator over ``(X_batch, y_batch)`` pairs covering the data once.

    The sample order is a permutation drawn from ``rng`` (or the original order when
    ``shuffle=False``); consecutive slices of ``batch_size`` rows form the batches, and the
    last, partial batch is kept, so an epoch has :math:`\lceil N / B \rceil` batches.

    Parameters
    ----------
    X : array, shape (N, ...)
    y : array, shape (N, ...)
        Same number of rows as ``X``.
    batch_size : int
        ``B >= 1``; ``N`` (or more) gives one batch (batch GD), ``1`` gives SGD.
    rng : int, numpy.random.Generator or None, default None
        The seed or generator of the shuffle. Pass the same Generator every epoch to get a
        new order each epoch; None means seed 0.
    shuffle : bool, default True

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    X, y = as_samples(X, y)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    order = as_generator(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    return ((X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size))


class DataLoader:
    r"""Iterate over ``(X_batch, y_batch)`` each epoch, reshuffled from one seeded generator.

    ``for xb, yb in loader`` is one epoch; iterating again gives the next epoch with a new
    order. ``len(loader)`` is the number of batches per epoch, :math:`\lceil N / B \rceil`.

    Parameters
    ----------
    X, y : arrays with the same number of rows
    batch_size : int
    shuffle : bool, default True
    seed : int, default 0
    """

    def __init__(self, X, y, batch_size, shuffle=True, seed=0):
        self.X, self.y = as_samples(X, y)
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        self.shuffle = check_bool(shuffle, "shuffle")
        self.rng = as_generator(seed, "seed")

    def __len__(self):
        return -(-len(self.X) // self.batch_size)

    def __iter__(self):
        return minibatches(self.X, self.y, self.batch_size, rng=self.rng, shuffle=self.shuffle)


def train_val_split(X, y, val_fraction=0.2, rng=None):
    """Split into training and validation sets after a seeded shuffle.

    Returns ``X_train, X_val, y_train, y_val`` (scikit-learn's order). The validation set has
    ``round(val_fraction * N)`` samples, at least one, and the training set keeps at least one.
    """
    X, y = as_samples(X, y, minimum=2)
    val_fraction = check_open_fraction(val_fraction, "val_fraction")
    n_val = min(max(1, round(val_fraction * len(X))), len(X) - 1)
    order = as_generator(rng).permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return X[train], X[val], y[train], y[val]


def standardize(X_train, *X_others):
    r"""Standardize with the *training* statistics: :math:`(x - \mu_{train}) / \sigma_{train}` per column.

    Further arrays (validation, test) are transformed with the same mean and standard
    deviation, so no information leaks from them. Constant columns (:math:`\sigma = 0`) are
    only centred. Returns one array if only ``X_train`` is given, else a tuple.
    """
    X_train = as_finite_array(X_train, "X_train")
    check_ndim(X_train, "X_train", (2,), "(samples, features), 2-D")
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    results = [(X_train - mean) / std]
    for index, X in enumerate(X_others):
        X = as_finite_array(X, f"X_others[{index}]")
        if X.ndim != 2 or X.shape[1] != X_train.shape[1]:
            raise ValueError(f"X_others[{index}] has shape {X.shape}; expected (n, {X_train.shape[1]})")
        results.append((X - mean) / std)
    return results[0] if not X_others else tuple(results)


def one_hot(labels, n_classes=None):
    """One-hot rows for integer class labels: ``labels`` (N,) -> float array (N, C).

    ``n_classes`` defaults to ``max(labels) + 1``; labels must be integers in [0, C).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integers, got dtype {labels.dtype} "
                         f"and shape {labels.shape}")
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), found {labels.min()}..{labels.max()}")
    return np.eye(n_classes)[labels]


def load_digits():
    """scikit-learn's 8x8 digits: ``X`` (1797, 64) scaled to [0, 1] (pixel / 16), ``y`` (1797,) labels 0-9."""
    from sklearn.datasets import load_digits as _load

    data = _load()
    return data.data / 16.0, data.target.astype(np.int64)


def load_breast_cancer():
    """scikit-learn's breast-cancer data: ``X`` (569, 30) raw features, ``y`` (569,) in {0, 1} (1 = benign).

    Standardize ``X`` with :func:`standardize` before gradient descent: its columns differ in
    scale by four orders of magnitude.
    """
    from sklearn.datasets import load_breast_cancer as _load

    data = _load()
    return data.data.astype(np.float64), data.target.astype(np.int64)


def load_diabetes():
    """scikit-learn's diabetes regression data: ``X`` (442, 10), ``y`` (442,) disease progression (25-346)."""
    from sklearn.datasets import load_diabetes as _load

    data = _load()
    return data.data.astype(np.float64), data.target.astype(np.float64)


def make_two_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles (scikit-learn's ``make_moons``): ``X`` (N, 2), ``y`` (N,) in {0, 1}."""
    from sklearn.datasets import make_moons

    n_samples = check_int(n_samples, "n_samples", minimum=2)
    noise = check_nonnegative(noise, "noise")
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)
