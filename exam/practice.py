"""Generate a practice exam and its answer key from a seed.

Usage (from the repository root)::

    python -m exam.practice --seed 7 --out practice     # or: make practice SEED=7

writes ``practice/exam_seed7.md`` and ``practice/key_seed7.md``. The same seed gives the same exam;
every number in the key is computed by ``nnlib`` (see ``exam.problems``).
"""

import argparse
from pathlib import Path

import numpy as np

from exam.concepts import CONCEPTS
from exam.problems import (
    make_adam_problem,
    make_cross_entropy_problem,
    make_huber_problem,
    make_network_problem,
    make_schedule_problem,
)

N_CONCEPTS = 4
CONCEPT_POINTS = 3


def make_exam(seed):
    """Return the list of problems of the exam for ``seed``: numeric first, then conceptual."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    loss_problem = make_huber_problem if rng.integers(0, 2) == 0 else make_cross_entropy_problem
    problems = [make_network_problem(rng), make_adam_problem(rng), loss_problem(rng),
                make_schedule_problem(rng)]
    picks = np.sort(rng.choice(len(CONCEPTS), size=N_CONCEPTS, replace=False))
    concepts = [CONCEPTS[i] for i in picks]
    return problems, concepts


def render(seed, part, title=True, links=False):
    """The exam (``part="exam"``) or its key (``part="key"``) for ``seed`` as MyST markdown.

    ``title=False`` leaves out the title (a book page has its own); ``links=True`` adds a
    ``{ref}`` to the chapter behind each conceptual answer (for the book, not for a loose file).
    """
    if part not in ("exam", "key"):
        raise ValueError(f"part must be 'exam' or 'key', got {part!r}")
    problems, concepts = make_exam(seed)
    total = sum(p.points for p in problems) + CONCEPT_POINTS * len(concepts)
    lines = []
    if title:
        heading = "Practice exam" if part == "exam" else "Practice exam: answer key"
        lines += [f"# {heading} (seed {seed})", ""]
    if part == "exam":
        lines += [f"{total} points. Show your working; give numbers to four decimals. "
                  "A calculator is allowed.", ""]
    else:
        lines += ["Every number below was computed by `nnlib` in double precision and rounded to four "
                  "decimals (learning rates to six significant digits).", ""]
    for number, problem in enumerate(problems, start=1):
        lines += [f"## Problem {number}: {problem.title} ({problem.points} points)", ""]
        lines += [problem.statement if part == "exam" else problem.solution, ""]
    start = len(problems) + 1
    lines += [f"## Problems {start}-{start + len(concepts) - 1}: concepts "
              f"({CONCEPT_POINTS} points each)", ""]
    for number, (question, answer, label) in enumerate(concepts, start=start):
        lines += [f"**{number}.** {question}", ""]
        if part == "key":
            source = f" (See {{ref}}`{label}`.)" if links else ""
            lines += [f"*Answer.* {answer}{source}", ""]
    return "\n".join(lines).rstrip() + "\n"


def write(seed, out):
    """Write ``exam_seed<seed>.md`` and ``key_seed<seed>.md`` into ``out``; return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for part in ("exam", "key"):
        path = out / f"{part}_seed{seed}.md"
        path.write_text(render(seed, part), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m exam.practice", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True, help="which exam (a non-negative integer)")
    parser.add_argument("--out", default="practice", help="output folder (default: practice)")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, got {args.seed}")
    for path in write(args.seed, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
