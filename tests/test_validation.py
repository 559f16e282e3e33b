"""nnlib._validation: every check accepts what it should, converts it, and names the argument it rejects."""

import numpy as np
import pytest

from nnlib._validation import (
    as_finite_array,
    as_generator,
    as_samples,
    check_bool,
    check_class_labels,
    check_decay_rate,
    check_fraction,
    check_int,
    check_nonnegative,
    check_open_fraction,
    check_pair,
    check_parameters,
    check_plus_minus_one,
    check_positive,
    check_positive_where,
    check_probability_rows,
)
from nnlib.parameter import Parameter


def test_check_bool():
    assert check_bool(np.bool_(True), "flag") is True
    for bad in (1, 0, "yes", None):
        with pytest.raises(TypeError, match="flag must be True or False"):
            check_bool(bad, "flag")


def test_check_int():
    assert check_int(np.int64(3), "n", minimum=1) == 3
    assert type(check_int(np.int64(3), "n")) is int
    for bad in (True, 2.0, "2", None):
        with pytest.raises(TypeError, match="n must be an integer"):
            check_int(bad, "n")
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        check_int(0, "n", minimum=1)


@pytest.mark.parametrize(
    ("check", "accepted", "refused"),
    [
        (check_positive, [1e-300, 2, np.float64(0.5)], [0, -1.0]),
        (check_nonnegative, [0, 0.0, 3], [-1e-300, -2]),
        (check_fraction, [0, 0.5, 1], [-0.1, 1.1]),
        (check_open_fraction, [1e-9, 0.5, 0.999], [0, 1, 1.5]),
        (check_decay_rate, [0, 0.9, 0.999], [1, -0.1, 1.5]),
    ],
    ids=["positive", "nonnegative", "fraction", "open_fraction", "decay_rate"],
)
def test_number_ranges(check, accepted, refused):
    for value in accepted:
        result = check(value, "x")
        assert result == value and type(result) is float
    for value in refused:
        with pytest.raises(ValueError, match=r"x must"):
            check(value, "x")
    for value in (np.nan, np.inf):
        with pytest.raises(ValueError, match="x must be a finite number"):
            check(value, "x")
    for value in (True, "0.5", None, [0.5]):
        with pytest.raises(TypeError, match="x must be a number"):
            check(value, "x")


def test_check_pair():
    assert check_pair((0.9, 0.999), "betas") == (0.9, 0.999)
    for bad in ((0.9,), 0.9, (1, 2, 3)):
        with pytest.raises(ValueError, match="betas must be a pair"):
            check_pair(bad, "betas")


def test_as_generator_is_seeded_and_reproducible():
    first = as_generator(None).normal(size=3)
    np.testing.assert_array_equal(first, np.random.default_rng(0).normal(size=3))  # None means seed 0
    np.testing.assert_array_equal(as_generator(7).normal(size=3), np.random.default_rng(7).normal(size=3))
    generator = np.random.default_rng(1)
    assert as_generator(generator) is generator
    for bad in ("seed", 1.5, True):
        with pytest.raises(TypeError, match="rng must be an integer seed or a numpy.random.Generator"):
            as_generator(bad)


def test_as_finite_array():
    assert as_finite_array([1, 2], "x").dtype == np.float64
    with pytest.raises(ValueError, match=r"x contains 1 NaN value\(s\) \(first at index 1\)"):
        as_finite_array([0.0, np.nan], "x")
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        as_finite_array([True], "x")


def test_as_samples():
    X, y = as_samples([[1, 2], [3, 4]], [0, 1])
    assert X.shape == (2, 2) and y.shape == (2,)
    with pytest.raises(ValueError, match="X has 2 samples but y has 1"):
        as_samples([[1, 2], [3, 4]], [0])
    with pytest.raises(ValueError, match="needs at least 3"):
        as_samples([[1, 2], [3, 4]], [0, 1], minimum=3)


def test_probability_rows():
    check_probability_rows(np.array([[0.25, 0.75], [1.0, 0.0]]), "p")
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], found 1.5"):
        check_probability_rows(np.array([[1.5, -0.5]]), "p")
    with pytest.raises(ValueError, match=r"p must hold probability rows that sum to 1.*row 1 sums to 0.9"):
        check_probability_rows(np.array([[0.5, 0.5], [0.4, 0.5]]), "p")


def test_class_labels_and_plus_minus_one():
    check_class_labels(np.array([0.0, 2.0]), "y", n_classes=3)
    for bad in (3.0, -1.0, 0.5):
        with pytest.raises(ValueError, match=r"y class labels must be integers in 0\.\.2"):
            check_class_labels(np.array([0.0, bad]), "y", n_classes=3)
    check_plus_minus_one(np.array([1.0, -1.0]), "y")
    with pytest.raises(ValueError, match=r"y labels must be -1 or \+1 for the hinge loss, found 0.0"):
        check_plus_minus_one(np.array([1.0, 0.0]), "y")


def test_positive_where():
    p = np.array([[0.5, 0.5, 0.0]])
    check_positive_where(np.array([[0.5, 0.5, 0.0]]), p, "q", "p")  # q = 0 only where p = 0
    with pytest.raises(ValueError, match=r"infinite: q \(Q\) is 0.0 at index \(0, 1\) where p \(P\) is 0.5"):
        check_positive_where(np.array([[1.0, 0.0, 0.0]]), p, "q", "p")


def test_check_parameters():
    a, b = Parameter([1.0]), Parameter([2.0])
    assert check_parameters(iter([a, b])) == [a, b]
    with pytest.raises(TypeError, match="single Parameter"):
        check_parameters(a)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Parameter, got ndarray"):
        check_parameters([a, np.ones(1)])
    with pytest.raises(ValueError, match="more than once"):
        check_parameters([a, a])
    with pytest.raises(ValueError, match="params is empty"):
        check_parameters([])
