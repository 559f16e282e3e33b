"""Benchmark: one training step of a 784-256-10 MLP against numpy's raw matmul speed.

Run with ``make bench`` (or ``python scripts/bench_training.py``); not a test.

The model is Linear(784, 256) - ReLU - Linear(256, 10), trained with
``CategoricalCrossEntropy(from_logits=True)`` and ``Adam`` on a synthetic batch of 128 samples,
in float64 (nnlib's only dtype: ``Parameter`` stores float64). One step is forward, loss
gradient, backward and ``Adam.step``. Its matmul FLOPs are counted as

    forward   2 N (784*256 + 256*10)
    backward  twice that (dL/dW and dL/dX for each Linear layer)

and the achieved GFLOP/s is compared with the same six matmuls done by bare numpy.

When PyTorch can be imported, the same step is also timed in PyTorch (float64, the same
weights, ``nn.CrossEntropyLoss`` and ``torch.optim.Adam``), in turn with nnlib's, and
the script prints the ratio of the two times, nnlib / PyTorch. PyTorch is not a dependency
of the course; to get the comparison, run the script with a separate environment that has
both numpy and torch, with nnlib on the path::

    python3.11 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy==2.4.6   # numpy as in requirements.txt
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /tmp/torchvenv/bin/python scripts/bench_training.py

``--no-torch`` skips the comparison even where PyTorch is installed. On a machine whose
cores are shared with other work, run both libraries on one thread each
(``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1``): two BLAS thread pools waiting for busy cores
make the multi-threaded timings vary tenfold from run to run.
"""

import argparse
import statistics
import time

import numpy as np

from nnlib.losses import CategoricalCrossEntropy
from nnlib.nn import Linear, ReLU, Sequential
from nnlib.optim import Adam

N_IN, N_HIDDEN, N_OUT = 784, 256, 10


def interleaved_seconds(functions, repeats, warmup):
    """Median times of functions timed in turn, one call each per round, so that all see the same load."""
    for _ in range(warmup):
        for function in functions:
            function()
    times = [[] for _ in functions]
    for _ in range(repeats):
        for function, samples in zip(functions, times, strict=True):
            start = time.perf_counter()
            function()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


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


def torch_training_step(model, x, labels):
    """The same step in PyTorch (float64, the same initial weights), or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    net = torch.nn.Sequential(
        torch.nn.Linear(N_IN, N_HIDDEN), torch.nn.ReLU(), torch.nn.Linear(N_HIDDEN, N_OUT)
    ).double()
    with torch.no_grad():
        for ours, theirs in ((model[0], net[0]), (model[2], net[2])):
            theirs.weight.copy_(torch.from_numpy(ours.weight.value))
            theirs.bias.copy_(torch.from_numpy(ours.bias.value))
    inputs, targets = torch.from_numpy(x), torch.from_numpy(labels)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        criterion(net(inputs), targets).backward()
        optimizer.step()

    step.version = f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-torch", action="store_true", help="skip the comparison with PyTorch")
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
    torch_step = None if args.no_torch else torch_training_step(model, x, labels)
    functions = [training_step, raw_matmuls] + ([torch_step] if torch_step else [])
    step, raw, *torch_time = interleaved_seconds(functions, args.repeats, args.warmup)
    parts = {
        "forward": lambda: model.forward(x),
        "loss gradient": lambda: loss.grad(y, model[2]._cache @ w2.T),
        "backward": lambda: model.backward(loss.grad(y, model.forward(x))),
        "Adam step": optimizer.step,
    }
    print(f"784-256-10 MLP, batch {args.batch}, float64")
    print(f"median of {args.repeats} runs after {args.warmup} warm-up runs; "
          "the measured steps run in turn, so that all see the same load")
    forward_flops = flops / 3
    print(
        f"matmul FLOPs per step: {flops / 1e6:.1f} M "
        f"(forward {forward_flops / 1e6:.1f} M, backward {2 * forward_flops / 1e6:.1f} M)"
    )
    print(f"raw numpy matmuls     : {raw * 1e3:8.3f} ms  {flops / raw / 1e9:7.2f} GFLOP/s")
    print(f"nnlib training step   : {step * 1e3:8.3f} ms  {flops / step / 1e9:7.2f} GFLOP/s")
    print(f"training step / raw   : {raw / step:8.1%} of the raw matmul throughput (target >= 50%)")
    if torch_step:
        print(f"PyTorch training step : {torch_time[0] * 1e3:8.3f} ms  ({torch_step.version})")
        print(f"nnlib / PyTorch time  : {step / torch_time[0]:8.2f} (below 1: nnlib is faster)")
    else:
        print("PyTorch training step : not measured (PyTorch not importable, or --no-torch)")
    print("time per part (each measured alone; backward includes a forward):")
    for name, part in parts.items():
        print(f"  {name:<14}: {median_seconds(part, args.repeats // 2, 5) * 1e3:8.3f} ms")
    print("float32: not measured, nnlib stores every Parameter in float64")


if __name__ == "__main__":
    main()
