"""nnlib.data: mini-batches, splits and the small data sets."""

import numpy as np
import pytest

from nnlib.data import (
    DataLoader,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_two_moons,
    minibatches,
    one_hot,
    standardize,
    train_val_split,
)


def toy(n=10):
    # row i of X is [i, 10 i] and y[i] = i, so a batch shows which samples it holds
    X = np.stack([np.arange(n), 10 * np.arange(n)], axis=1).astype(float)
    return X, np.arange(n)


def test_unshuffled_batches_by_hand():
    X, y = toy(5)
    batches = list(minibatches(X, y, 2, shuffle=False))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]  # last partial batch kept
    np.testing.assert_array_equal(batches[2][0], [[4.0, 40.0]])


@pytest.mark.parametrize(
    ("batch_size", "sizes"), [(64, [64, 64, 64, 8]), (200, [200]), (500, [200]), (1, [1] * 200)]
)
def test_batch_sizes_and_every_sample_once(batch_size, sizes):
    X, y = toy(200)
    batches = list(minibatches(X, y, batch_size, rng=3))
    assert [len(yb) for _, yb in batches] == sizes
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(200))
    for xb, yb in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb[:, 0], yb)


def test_shuffling_is_seeded():
    X, y = toy(50)
    first = [yb.tolist() for _, yb in minibatches(X, y, 7, rng=1)]
    again = [yb.tolist() for _, yb in minibatches(X, y, 7, rng=1)]
    other = [yb.tolist() for _, yb in minibatches(X, y, 7, rng=2)]
    assert first == again and first != other
    default = [yb.tolist() for _, yb in minibatches(X, y, 7)]
    assert default == [yb.tolist() for _, yb in minibatches(X, y, 7, 0)]  # no rng means seed 0


def test_dataloader_reshuffles_each_epoch_reproducibly():
    X, y = toy(23)
    loader = DataLoader(X, y, batch_size=5, seed=4)
    assert len(loader) == 5  # ceil(23 / 5)
    epoch1 = np.concatenate([yb for _, yb in loader])
    epoch2 = np.concatenate([yb for _, yb in loader])
    assert not np.array_equal(epoch1, epoch2)
    np.testing.assert_array_equal(np.sort(epoch2), np.arange(23))
    replay = DataLoader(X, y, batch_size=5, seed=4)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in replay]), epoch1)


def test_train_val_split_sizes_and_disjoint():
    X, y = toy(50)
    X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.2, rng=0)
    assert len(y_val) == 10 and len(y_train) == 40
    assert set(y_train).isdisjoint(y_val) and set(y_train) | set(y_val) == set(range(50))
    np.testing.assert_array_equal(X_val[:, 0], y_val)


def test_standardize_uses_training_statistics():
    # train column 0: [1, 3] -> mean 2, std 1; column 1 constant 5 -> only centred
    X_train = np.array([[1.0, 5.0], [3.0, 5.0]])
    X_val = np.array([[5.0, 6.0]])
    train, val = standardize(X_train, X_val)
    np.testing.assert_allclose(train, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(val, [[3.0, 1.0]])  # (5 - 2)/1, (6 - 5)/1
    np.testing.assert_allclose(standardize(X_train), train)


def test_one_hot_by_hand():
    np.testing.assert_array_equal(one_hot([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot([0, 1], n_classes=4).shape == (2, 4)


def test_bundled_data_sets():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.min() == 0.0 and X.max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10))
    X, y = load_breast_cancer()
    assert X.shape == (569, 30) and set(y.tolist()) == {0, 1}
    X, y = load_diabetes()
    assert X.shape == (442, 10) and y.shape == (442,)
    X, y = make_two_moons(100, noise=0.05, seed=1)
    assert X.shape == (100, 2) and np.bincount(y).tolist() == [50, 50]
    np.testing.assert_array_equal(make_two_moons(100, noise=0.05, seed=1)[0], X)


@pytest.mark.parametrize(
    ("make", "error", "text"),
    [
        (lambda: minibatches(np.zeros((5, 2)), np.zeros(4), 2), ValueError, "5 samples but y has 4"),
        (lambda: minibatches(np.zeros((5, 2)), np.zeros(5), 0), ValueError, "batch_size"),
        (lambda: minibatches(np.zeros((5, 2)), np.zeros(5), 2.0), TypeError, "batch_size"),
        (lambda: minibatches(np.zeros((5, 2)), np.zeros(5), 2, rng="seed"), TypeError, "rng"),
        (lambda: minibatches(np.zeros((0, 2)), np.zeros(0), 2), ValueError, "empty"),
        (lambda: DataLoader(np.zeros((5, 2)), np.zeros(3), 2), ValueError, "same length"),
        (lambda: train_val_split(np.zeros((5, 2)), np.zeros(5), 1.0), ValueError, "val_fraction"),
        (lambda: standardize(np.zeros((3, 2)), np.zeros((3, 3))), ValueError, r"X_others\[0\]"),
        (lambda: standardize(np.zeros(3)), ValueError, "2-D"),
        (lambda: one_hot([0, 3], n_classes=3), ValueError, "labels must lie"),
        (lambda: one_hot([0.5, 1.0]), ValueError, "integers"),
    ],
)
def test_bad_input(make, error, text):
    with pytest.raises(error, match=text):
        make()
