"""Generate a practice exam and its answer key; the exam number is the random seed of its draws.

Usage (from the repository root)::

    python -m exam.practice --seed 7 --out practice     # or: make practice SEED=7

writes ``practice/exam_seed7.md`` and ``practice/key_seed7.md``: practice exam number 7. The
same number (the random seed) always gives the same exam; every number in the key is computed
by ``nnlib`` (see ``exam.problems``).

How a paper is put together (``make_exam``): one numeric problem from each of the four areas
of ``PROBLEM_AREAS`` (a 2-2-1 network's forward and backward pass; a loss; an optimizer; a short
problem on gradient-descent dynamics, batches, schedules or a hidden layer), each area's problem
drawn uniformly from its types, then ``N_CONCEPTS`` conceptual questions from as many different
chapters. Each problem carries the minutes a prepared student needs; the paper states its total
time, between 60 and 90 minutes for every exam number (``tests/test_exam_practice.py`` checks
200 of them).
"""

import argparse
from pathlib import Path

import numpy as np

from exam.concepts import CONCEPTS
from exam.problems import (
    make_adagrad_problem,
    make_adam_problem,
    make_batches_problem,
    make_cross_entropy_problem,
    make_hidden_delta_problem,
    make_hinge_problem,
    make_huber_problem,
    make_kl_problem,
    make_label_smoothing_problem,
    make_mae_mse_problem,
    make_momentum_problem,
    make_nesterov_problem,
    make_network_problem,
    make_rmsprop_problem,
    make_schedule_problem,
    make_stability_problem,
    make_warm_restart_problem,
)

#: the four parts of a paper and the problem types each draws from (uniformly)
PROBLEM_AREAS = {
    "backpropagation": (make_network_problem,),
    "losses": (make_huber_problem, make_mae_mse_problem, make_cross_entropy_problem,
               make_label_smoothing_problem, make_hinge_problem, make_kl_problem),
    "optimizers": (make_momentum_problem, make_nesterov_problem, make_adagrad_problem,
                   make_rmsprop_problem, make_adam_problem),
    "dynamics": (make_stability_problem, make_batches_problem, make_schedule_problem,
                 make_warm_restart_problem, make_hidden_delta_problem),
}
N_CONCEPTS = 5
CONCEPT_POINTS = 3
CONCEPT_MINUTES = 4


def _check_exam_number(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed (the exam number) must be a non-negative integer, got {seed!r}")
    return int(seed)


def make_exam(seed):
    """Return ``(problems, concepts)`` of exam number ``seed`` (its random seed).

    One problem per area of ``PROBLEM_AREAS``, in that order, then ``N_CONCEPTS`` conceptual
    questions ``(question, answer, chapter label)`` from different chapters, in course order.
    """
    rng = np.random.default_rng(_check_exam_number(seed))
    problems = []
    for makers in PROBLEM_AREAS.values():
        maker = makers[int(rng.integers(0, len(makers)))]
        problems.append(maker(rng))
    chapters = list(dict.fromkeys(label for _, _, label in CONCEPTS))  # course order
    picked = sorted(rng.choice(len(chapters), size=N_CONCEPTS, replace=False))
    concepts = []
    for index in picked:
        pool = [concept for concept in CONCEPTS if concept[2] == chapters[index]]
        concepts.append(pool[int(rng.integers(0, len(pool)))])
    return problems, concepts


def minutes(problems, concepts):
    """The time the paper allows: the problems' minutes plus ``CONCEPT_MINUTES`` per question."""
    return sum(problem.minutes for problem in problems) + CONCEPT_MINUTES * len(concepts)


def render(seed, part, title=True, links=False):
    """The exam (``part="exam"``) or its key (``part="key"``) of exam number ``seed``, as MyST markdown.

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
        lines += [f"# {heading} number {seed}", ""]
    if part == "exam":
        lines += [f"Practice exam number {seed} (`make practice SEED={seed}` draws it again). "
                  f"{total} points, {minutes(problems, concepts)} minutes. Show your working; give "
                  "numbers to four decimals. A calculator and the formula sheet are allowed.", ""]
    else:
        lines += [f"Key of practice exam number {seed}. Every number below was computed by `nnlib` in "
                  "double precision and rounded to four decimals (learning rates to six significant "
                  "digits).", ""]
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
    parser.add_argument("--seed", type=int, required=True,
                        help="the exam number: the random seed that draws its numbers and questions "
                             "(a non-negative integer; the same number gives the same exam)")
    parser.add_argument("--out", default="practice", help="output folder (default: practice)")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed (the exam number) must be a non-negative integer, got {args.seed}")
    for path in write(args.seed, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
