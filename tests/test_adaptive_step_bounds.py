"""The adaptive methods cannot blow up: each step is at most a fixed multiple of the learning rate.

Chapter 9 says so (the race: "they cannot blow up on any surface"). The bounds are derived by hand, not
read from nnlib's output (eta = 1 below, so a step is measured in learning rates):

- AdaGrad: s_t >= g_t^2, so a step eta |g_t| / (sqrt(s_t) + eps) is at most eta;
- RMSprop: v_t >= (1 - alpha) g_t^2, so a step is at most eta / sqrt(1 - alpha), 10 eta at alpha = 0.99,
  reached by a jump after a long quiet stretch;
- Adam: Cauchy-Schwarz on m_t bounds |m_hat_t| / sqrt(v_hat_t) by
  (1 - beta_1) / sqrt(1 - beta_2) / sqrt(1 - beta_1^2 / beta_2), about 7.2703 at the defaults, for every t
  (the bias corrections only lower it at small t); a gradient that grows by beta_2 / beta_1 per step after a
  long quiet stretch comes close to it.
"""

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nnlib.optim import Adagrad, Adam, RMSprop
from nnlib.parameter import Parameter

ADAM_BOUND = 0.1 / np.sqrt(0.001) / np.sqrt(1 - 0.81 / 0.999)  # 7.2703...

gradients = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=200)
# a long quiet stretch, then a gradient that keeps growing: the worst case for Adam
QUIET_THEN_GROWING = [0.0] * 20000 + list((0.999 / 0.9) ** np.arange(300))


def longest_step(make_optimizer, stream):
    """The longest step, in units of the learning rate 1, over a gradient stream."""
    param = Parameter([0.0])
    optimizer = make_optimizer([param])
    longest = 0.0
    for g in stream:
        before = param.value[0]
        param.grad[...] = g
        optimizer.step()
        longest = max(longest, abs(param.value[0] - before))
    return longest


@settings(max_examples=200, deadline=None)
@given(gradients)
@example([0.0] * 50 + [1.0])
def test_adagrad_step_is_at_most_the_learning_rate(stream):
    assert longest_step(lambda ps: Adagrad(ps, lr=1.0), stream) <= 1.0 + 1e-12


@settings(max_examples=200, deadline=None)
@given(gradients)
@example([0.0] * 2000 + [1.0])
def test_rmsprop_step_is_at_most_ten_learning_rates(stream):
    assert longest_step(lambda ps: RMSprop(ps, lr=1.0), stream) <= 10.0 + 1e-9


@settings(max_examples=200, deadline=None)
@given(gradients)
@example(QUIET_THEN_GROWING)
def test_adam_step_is_at_most_the_cauchy_schwarz_bound(stream):
    assert longest_step(lambda ps: Adam(ps, lr=1.0), stream) <= ADAM_BOUND + 1e-9


def test_the_bounds_are_reached():
    """The bounds are tight: a jump reaches RMSprop's, a growing gradient nearly reaches Adam's."""
    assert longest_step(lambda ps: RMSprop(ps, lr=1.0), [0.0] * 2000 + [1.0]) > 10.0 - 1e-5
    assert longest_step(lambda ps: Adam(ps, lr=1.0), QUIET_THEN_GROWING) > ADAM_BOUND - 1e-3
