"""Benchmark: one training step of a 784-256-10 MLP against numpy's raw matmul speed.

Run with ``make bench`` (or ``python scripts/bench_training.py``); not a test.

The model is Linear(784, 256) - ReLU - Linear(256, 10), trained with
``CategoricalCrossEntropy(from_logits=True)`` and ``Adam`` on a synthetic batch of 128 samples,
in float64 (nnlib's only dtype: ``Parameter`` stores float64). One step is forward, loss
gradient, backward and ``Adam.step``. Its matmul FLOPs are counted as

    forward   2 N (784*256 + 256*10)
    backward  twice that (dL/dW and dL/dX for each Linear layer)

and the achieved GFLOP/s is compared with the same six matmuls done by bare numpy.
"""

import argparse
import statistics
import time

import numpy as np

from nnlib.losses import CategoricalCrossEntropy
from nnlib.nn import Linear, ReLU, Sequential
from nnlib.optim import Adam

N_IN, N_HIDDEN, N_OUT = 784, 256, 10


def interleaved_seconds(first, second, repeats, warmup):
    """Median times of two functions timed alternately, so that both see the same machine load."""
    for _ in range(warmup):
        first()
        second()
    times_first, times_second = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        first()
        middle = time.perf_counter()
        second()
        times_first.append(middle - start)
        times_second.append(time.perf_counter() - middle)
    return statistics.median(times_first), statistics.median(times_second)


def median_seconds(function, repeats, warmup):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_flops(batch):
    forward = 2 * batch * (N_IN * N_HIDDEN + N_HIDDEN * N_OUT)
    return 3 * forward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.batch, N_IN))
    labels = rng.integers(0, N_OUT, size=args.batch)
    y = np.eye(N_OUT)[labels]
    model = Sequential(Linear(N_IN, N_HIDDEN, rng=rng, init="he"), ReLU(), Linear(N_HIDDEN, N_OUT, rng=rng))
    loss = CategoricalCrossEntropy(from_logits=True)
    optimizer = Adam(model.parameters(), lr=1e-3)

    def training_step():
        optimizer.zero_grad()
        logits = model.forward(x)
        model.backward(loss.grad(y, logits))
        optimizer.step()

    w1, w2 = model[0].weight.value, model[2].weight.value
    h = rng.normal(size=(args.batch, N_HIDDEN))
    g1, g2 = rng.normal(size=(args.batch, N_HIDDEN)), rng.normal(size=(args.batch, N_OUT))

    def raw_matmuls():  # the same six products, nothing else
        x @ w1.T
        h @ w2.T
        g2.T @ h
        g2 @ w2
        g1.T @ x
        g1 @ w1

    flops = matmul_flops(args.batch)
    step, raw = interleaved_seconds(training_step, raw_matmuls, args.repeats, args.warmup)
    parts = {
        "forward": lambda: model.forward(x),
        "loss gradient": lambda: loss.grad(y, model[2]._cache @ w2.T),
        "backward": lambda: model.backward(loss.grad(y, model.forward(x))),
        "Adam step": optimizer.step,
    }
    print(f"784-256-10 MLP, batch {args.batch}, float64")
    print(f"median of {args.repeats} runs after {args.warmup} warm-up runs; step and raw matmuls alternate")
    forward_flops = flops / 3
    print(
        f"matmul FLOPs per step: {flops / 1e6:.1f} M "
        f"(forward {forward_flops / 1e6:.1f} M, backward {2 * forward_flops / 1e6:.1f} M)"
    )
    print(f"raw numpy matmuls     : {raw * 1e3:8.3f} ms  {flops / raw / 1e9:7.2f} GFLOP/s")
    print(f"nnlib training step   : {step * 1e3:8.3f} ms  {flops / step / 1e9:7.2f} GFLOP/s")
    print(f"training step / raw   : {raw / step:8.1%} of the raw matmul throughput (target >= 50%)")
    print("time per part (each measured alone; backward includes a forward):")
    for name, part in parts.items():
        print(f"  {name:<14}: {median_seconds(part, args.repeats // 2, 5) * 1e3:8.3f} ms")
    print("float32: not measured, nnlib stores every Parameter in float64")


if __name__ == "__main__":
    main()
