"""Practice exams for the course: ``python -m exam.practice --seed N --out DIR`` (``make practice SEED=N``).

``exam.problems`` draws the numeric problems from a seed and lets ``nnlib`` compute every answer;
``exam.concepts`` holds the conceptual questions with model answers; ``exam.practice`` assembles
an exam and its answer key as MyST markdown. The book's sample exam pages render the same text at
build time (``_ext/practice_exam.py``), so every number on them was computed by ``nnlib``.
"""
