"""Benchmark the grader (``make bench``): one submission, then a class of 100 with --jobs 2.

Targets (issue 10, sandbox included): one submission in at most 3 s; 100 submissions with
--jobs 2 in at most 90 s. It also measures the sandbox's start-up cost per kernel: the time
until a kernel answers, in bubblewrap and without it (the median of a few of each).
The class is the warm-up master's own solutions (every question answered and checked: the slow
case), one file per student id, so the master is rerun for every id as in a real class; every
tenth file is the student version (nothing answered).

Usage: python scripts/bench_grader.py [--count 100] [--jobs 2]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "exercises" / "00_warmup.ipynb"


def timed(command):
    start = time.monotonic()
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.monotonic() - start
    if completed.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed with exit code {completed.returncode}:\n{completed.stderr}")
    return seconds


def kernel_start(enabled, count=5, unprivileged=False):
    """Median seconds until a fresh kernel answers: in the sandbox, as a user of its own, or plain."""
    from grader.run.kernel import Kernel
    from grader.run.sandbox import SandboxLimits

    times = []
    for _ in range(count):
        start = time.monotonic()
        kernel = Kernel(limits=replace(SandboxLimits(), enabled=enabled, unprivileged=unprivileged))
        kernel.execute("1", 30)
        times.append(time.monotonic() - start)
        kernel.shutdown()
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kernels", type=int, default=5, help="kernels started to time the sandbox")
    parser.add_argument(
        "--no-sandbox", action="store_true", help="grade without the sandbox (to compare on a busy machine)"
    )
    args = parser.parse_args()
    sandboxed, plain = kernel_start(True, args.kernels), kernel_start(False, args.kernels)
    print(
        f"kernel start-up: {sandboxed:.2f} s in the sandbox, {plain:.2f} s without "
        f"(sandbox cost {sandboxed - plain:+.2f} s per kernel, median of {args.kernels})"
    )
    from grader.run.sandbox import unprivileged_problem

    cause = unprivileged_problem()
    if cause:
        print(f"kernel start-up as a user of its own (--unprivileged): not measurable here: {cause}")
    else:
        own_user = kernel_start(False, args.kernels, unprivileged=True)
        cost = own_user - plain
        print(f"kernel start-up as a user of its own (--unprivileged): {own_user:.2f} s (cost {cost:+.2f} s)")
    grade = [
        sys.executable,
        "-m",
        "grader",
        "grade",
        *(["--no-sandbox"] if args.no_sandbox else []),
        str(MASTER),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-grader-") as tmp:
        tmp = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "grader", "release", str(MASTER), "--out", str(tmp / "student")],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        one = timed(grade + [str(MASTER), "--student-id", "s000", "--json", str(tmp / "results.json")])
        print(f"one submission (command line, full marks):        {one:6.1f} s   (target <= 3 s)")
        folder = tmp / "class"
        folder.mkdir()
        for index in range(args.count):
            source = tmp / "student" / MASTER.name if index % 10 == 9 else MASTER
            shutil.copy(source, folder / f"s{index:03d}.ipynb")
        many = timed(
            grade + [str(folder), "--jobs", str(args.jobs), "--csv", str(tmp / "class.csv"), "--quiet"]
        )
        print(
            f"{args.count} submissions with --jobs {args.jobs}:{'':15}{many:6.1f} s   (target <= 90 s)"
            f"   {many / args.count:.2f} s per submission"
        )
    return 0 if one <= 3 and many <= 90 else 1


if __name__ == "__main__":
    sys.exit(main())
