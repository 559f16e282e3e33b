"""The practice site's problem types: a slug, the maker that draws one, and the chapter that teaches it.

Nineteen types: the 17 makers of :data:`exam.practice.PROBLEM_AREAS`, with the schedule maker split
into its three schedules (``schedule-step``, ``schedule-exponential``, ``schedule-cosine``). Each
maker's :class:`~exam.problems.Problem` carries its slug as ``kind``.
"""

from functools import partial

from exam import problems

#: slug -> (maker taking a numpy Generator, the docname of the chapter that teaches it), in course order
TYPES = {
    "huber": (problems.make_huber_problem, "chapters/02_regression_losses"),
    "mae-mse": (problems.make_mae_mse_problem, "chapters/02_regression_losses"),
    "cross-entropy": (problems.make_cross_entropy_problem, "chapters/03_classification_losses"),
    "label-smoothing": (problems.make_label_smoothing_problem, "chapters/03_classification_losses"),
    "hinge": (problems.make_hinge_problem, "chapters/04_margins_divergences"),
    "kl": (problems.make_kl_problem, "chapters/04_margins_divergences"),
    "stability": (problems.make_stability_problem, "chapters/06_optimization_basics"),
    "batches": (problems.make_batches_problem, "chapters/07_gradient_descent_variants"),
    "momentum": (problems.make_momentum_problem, "chapters/08_momentum_nesterov"),
    "nesterov": (problems.make_nesterov_problem, "chapters/08_momentum_nesterov"),
    "adagrad": (problems.make_adagrad_problem, "chapters/09_adaptive_methods"),
    "rmsprop": (problems.make_rmsprop_problem, "chapters/09_adaptive_methods"),
    "adam": (problems.make_adam_problem, "chapters/09_adaptive_methods"),
    "schedule-step": (partial(problems.make_schedule_problem, schedule="step"), "chapters/10_lr_schedules"),
    "schedule-exponential": (
        partial(problems.make_schedule_problem, schedule="exponential"),
        "chapters/10_lr_schedules",
    ),
    "schedule-cosine": (
        partial(problems.make_schedule_problem, schedule="cosine"),
        "chapters/10_lr_schedules",
    ),
    "warm-restart": (problems.make_warm_restart_problem, "chapters/10_lr_schedules"),
    "network": (problems.make_network_problem, "chapters/12_worked_example"),
    "hidden-delta": (problems.make_hidden_delta_problem, "chapters/13_backprop_matrix_form"),
}
