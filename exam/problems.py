"""Numeric exam problems: new numbers for each exam number (a random seed), answers computed by ``nnlib``.

Each ``make_*`` function takes a ``numpy.random.Generator`` and returns a :class:`Problem`
whose ``statement`` and ``solution`` are MyST markdown. The numbers in ``solution`` come from
``nnlib`` (losses, layers, optimizers, schedules, ``nnlib.data.minibatches``); this module only
draws inputs, formats, and writes the qualitative parts of the key (explanations, a described
sketch of a schedule). The few closed forms that are not a library call (the stability bound
$2/L$, the best fixed step $2/(a_1 + a_2)$, the smoothed target's largest logit gap) are checked
in the key against an ``nnlib`` run, and every number is held by ``tests/test_exam_practice.py``
against a computation written out independently.

``PROBLEM_AREAS`` in :mod:`exam.practice` groups the makers into the four parts of a paper.
"""

from dataclasses import dataclass, field

import numpy as np

from nnlib.activations import softmax
from nnlib.data import minibatches
from nnlib.losses import MAE, MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Hinge, Huber, KLDivergence
from nnlib.nn import Linear, ReLU, Sequential, Sigmoid, Tanh
from nnlib.optim import SGD, Adagrad, Adam, HeavyBall, RMSprop
from nnlib.parameter import Parameter
from nnlib.schedules import CosineAnnealingLR, CosineAnnealingWarmRestarts, ExponentialLR, StepLR

#: weights and biases are drawn from this grid (one decimal, never 0) so that hand arithmetic stays short
WEIGHT_GRID = np.array([-0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1,
                        0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
DIGITS = 4


@dataclass
class Problem:
    """One exam problem: a title, its points, the statement and the worked solution (MyST markdown)."""

    title: str
    points: int
    statement: str
    solution: str
    answers: dict = field(default_factory=dict)  # the key's numbers by name, for tests and reuse
    minutes: int = 10  # the time a prepared student needs, for the paper's length
    givens: dict = field(default_factory=dict)  # the drawn inputs by name (all shown in the statement)
    kind: str = ""  # the problem type's slug (exam.types.TYPES), e.g. "momentum" or "schedule-cosine"


def fmt(value, digits=DIGITS):
    """Format a number for the key: ``digits`` decimals, no ``-0.0000``."""
    text = f"{float(value):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def given(value):
    """Format a number of the statement (drawn from a short grid): as short as it is exact."""
    return f"{float(value):g}"


def _vector(values, digits=DIGITS):
    return "(" + ",\\ ".join(fmt(v, digits) for v in np.ravel(values)) + ")"


def make_network_problem(rng):
    """Forward and backward pass of the 2-2-1 sigmoid network with BCE (chapter "Worked example")."""
    w = {name: float(rng.choice(WEIGHT_GRID)) for name in
         ("w11", "w21", "b1", "w12", "w22", "b2", "w13", "w23", "b3")}
    x = rng.choice([-1.0, 0.5, 1.0, 2.0], size=2)
    y = float(rng.integers(0, 2))
    lr = float(rng.choice([0.1, 0.5, 1.0]))

    # nnlib's Linear holds weight[j, i]: input i -> neuron j (PyTorch's layout); the exam notes write w_{ij}.
    hidden = Linear(2, 2, weight=[[w["w11"], w["w21"]], [w["w12"], w["w22"]]], bias=[w["b1"], w["b2"]])
    output = Linear(2, 1, weight=[[w["w13"], w["w23"]]], bias=[w["b3"]])
    model = Sequential(hidden, Sigmoid(), output, Sigmoid())
    loss = BinaryCrossEntropy()
    inputs, target = x.reshape(1, 2), np.array([[y]])

    z_hidden = hidden.forward(inputs)
    a_hidden = model[1].forward(z_hidden)
    z_out = output.forward(a_hidden)
    y_hat = model[3].forward(z_out)
    value = loss(target, y_hat)
    # backward, one layer at a time, to show each delta
    delta_out = model[3].backward(loss.grad(target, y_hat))
    delta_hidden = model[1].backward(output.backward(delta_out))
    hidden.backward(delta_hidden)
    grads = {
        "w11": hidden.weight.grad[0, 0], "w21": hidden.weight.grad[0, 1], "b1": hidden.bias.grad[0],
        "w12": hidden.weight.grad[1, 0], "w22": hidden.weight.grad[1, 1], "b2": hidden.bias.grad[1],
        "w13": output.weight.grad[0, 0], "w23": output.weight.grad[0, 1], "b3": output.bias.grad[0],
    }
    SGD(model.parameters(), lr=lr).step()
    new = {"w13": output.weight.value[0, 0], "b1": hidden.bias.value[0]}

    answers = {
        "z1": z_hidden[0, 0], "a1": a_hidden[0, 0], "z2": z_hidden[0, 1], "a2": a_hidden[0, 1],
        "z3": z_out[0, 0], "y_hat": y_hat[0, 0], "loss": value,
        "delta3": delta_out[0, 0], "delta1": delta_hidden[0, 0], "delta2": delta_hidden[0, 1],
        **{f"dL/d{name}": grad for name, grad in grads.items()},
        "new_w13": new["w13"], "new_b1": new["b1"],
    }
    a = {key: fmt(v) for key, v in answers.items()}
    statement = f"""\
The 2-2-1 network of the course: two inputs, two sigmoid hidden neurons, one sigmoid output,
binary cross-entropy loss,

$$\\begin{{aligned}}
z_1 &= w_{{11}}x_1 + w_{{21}}x_2 + b_1, \\qquad a_1 = \\sigma(z_1),\\\\
z_2 &= w_{{12}}x_1 + w_{{22}}x_2 + b_2, \\qquad a_2 = \\sigma(z_2),\\\\
z_3 &= w_{{13}}a_1 + w_{{23}}a_2 + b_3, \\qquad \\hat y = \\sigma(z_3).
\\end{{aligned}}$$

Input $x = ({given(x[0])}, {given(x[1])})$, label $y = {given(y)}$, learning rate $\\eta = {given(lr)}$.
Weights: $w_{{11}} = {given(w['w11'])}$, $w_{{21}} = {given(w['w21'])}$, $b_1 = {given(w['b1'])}$;
$w_{{12}} = {given(w['w12'])}$, $w_{{22}} = {given(w['w22'])}$, $b_2 = {given(w['b2'])}$;
$w_{{13}} = {given(w['w13'])}$, $w_{{23}} = {given(w['w23'])}$, $b_3 = {given(w['b3'])}$.

1. Forward pass: compute $z_1, a_1, z_2, a_2, z_3, \\hat y$ and the loss $L$.
2. Backward pass: compute $\\delta_3 = \\partial L/\\partial z_3$, $\\delta_1$, $\\delta_2$ and the
   gradient of $L$ with respect to all nine weights and biases.
3. One gradient-descent step: the new $w_{{13}}$ and $b_1$.
"""
    solution = f"""\
**Forward pass.** $z_1 = {a['z1']}$, $a_1 = \\sigma(z_1) = {a['a1']}$; $z_2 = {a['z2']}$,
$a_2 = {a['a2']}$; $z_3 = {a['z3']}$, $\\hat y = {a['y_hat']}$.
Loss $L = -[y\\log\\hat y + (1-y)\\log(1-\\hat y)] = {a['loss']}$.

**Backward pass.** For a sigmoid output with BCE the factors $\\partial L/\\partial\\hat y$ and
$\\sigma'(z_3)$ combine into $\\delta_3 = \\hat y - y = {a['delta3']}$.
Hidden deltas $\\delta_k = w_{{k3}}\\,\\delta_3\\,a_k(1-a_k)$: $\\delta_1 = {a['delta1']}$,
$\\delta_2 = {a['delta2']}$.

| parameter | gradient | parameter | gradient | parameter | gradient |
|---|---|---|---|---|---|
| $w_{{11}}$ | {a['dL/dw11']} | $w_{{12}}$ | {a['dL/dw12']} | $w_{{13}}$ | {a['dL/dw13']} |
| $w_{{21}}$ | {a['dL/dw21']} | $w_{{22}}$ | {a['dL/dw22']} | $w_{{23}}$ | {a['dL/dw23']} |
| $b_1$ | {a['dL/db1']} | $b_2$ | {a['dL/db2']} | $b_3$ | {a['dL/db3']} |

($\\partial L/\\partial w_{{ik}} = \\delta_k x_i$ for the hidden layer,
$\\partial L/\\partial w_{{k3}} = \\delta_3 a_k$, $\\partial L/\\partial b_k = \\delta_k$.)

**Update.** $w_{{13}} \\leftarrow w_{{13}} - \\eta\\,\\partial L/\\partial w_{{13}} = {a['new_w13']}$,
$b_1 \\leftarrow {a['new_b1']}$.
"""
    return Problem("Forward and backward pass of a 2-2-1 network", 10, statement, solution, answers,
                   minutes=20, givens={**w, "x": x.tolist(), "y": y, "lr": lr}, kind="network")


def make_adam_problem(rng):
    """Two Adam steps on two parameters (chapter "Adaptive methods")."""
    theta = rng.choice(WEIGHT_GRID, size=2)
    gradient_grid = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]
    g1 = rng.choice(gradient_grid, size=2, replace=False)
    g2 = rng.choice(gradient_grid, size=2, replace=False)
    lr = float(rng.choice([0.1, 0.01, 0.05]))
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    parameter = Parameter(theta, "theta")
    optimizer = Adam([parameter], lr=lr, betas=(beta1, beta2), eps=eps)
    answers, rows = {}, []
    for t, gradient in ((1, g1), (2, g2)):
        parameter.grad[...] = gradient
        optimizer.step()
        state = optimizer.state[parameter]
        answers[f"m{t}"] = state["exp_avg"].copy()
        answers[f"v{t}"] = state["exp_avg_sq"].copy()
        answers[f"mhat{t}"] = answers[f"m{t}"] / (1 - beta1**t)
        answers[f"vhat{t}"] = answers[f"v{t}"] / (1 - beta2**t)
        answers[f"theta{t}"] = parameter.value.copy()
        rows.append(f"| {t} | ${_vector(gradient, 1)}$ | ${_vector(answers[f'm{t}'])}$ | "
                    f"${_vector(answers[f'v{t}'], 8)}$ | ${_vector(answers[f'mhat{t}'])}$ | "
                    f"${_vector(answers[f'vhat{t}'], 6)}$ | ${_vector(answers[f'theta{t}'])}$ |")
    table = "\n".join(rows)
    statement = f"""\
Adam with $\\eta = {given(lr)}$, $\\beta_1 = {beta1}$, $\\beta_2 = {beta2}$, $\\epsilon = 10^{{-8}}$
(PyTorch's form, $m_0 = v_0 = 0$) starts at $\\theta_0 = ({given(theta[0])}, {given(theta[1])})$.
The gradients of the first two steps are $g_1 = ({given(g1[0])}, {given(g1[1])})$ and
$g_2 = ({given(g2[0])}, {given(g2[1])})$.

1. Compute $m_t$, $v_t$, the bias-corrected $\\hat m_t, \\hat v_t$ and $\\theta_t$ for $t = 1, 2$.
2. Explain why the first step moves each coordinate by almost exactly $\\eta$, whatever the size of $g_1$.
"""
    solution = f"""\
$m_t = \\beta_1 m_{{t-1}} + (1-\\beta_1) g_t$, $v_t = \\beta_2 v_{{t-1}} + (1-\\beta_2) g_t^2$,
$\\theta_t = \\theta_{{t-1}} - \\eta\\,\\hat m_t / (\\sqrt{{\\hat v_t}} + \\epsilon)$ with
$\\hat m_t = m_t/(1-\\beta_1^t)$, $\\hat v_t = v_t/(1-\\beta_2^t)$.

| $t$ | $g_t$ | $m_t$ | $v_t$ | $\\hat m_t$ | $\\hat v_t$ | $\\theta_t$ |
|---|---|---|---|---|---|---|
{table}

At $t = 1$: $\\hat m_1 = g_1$ and $\\hat v_1 = g_1^2$, so the step is
$\\eta\\, g_1/(|g_1| + \\epsilon) \\approx \\eta\\,\\operatorname{{sign}}(g_1)$: the bias correction makes
the first step's size independent of the gradient's scale.
"""
    flat = {f"{name}[{i}]": float(value[i]) for name, value in answers.items() for i in range(2)}
    return Problem("One Adam step, then another", 8, statement, solution, flat, minutes=14,
                   givens={"theta0": theta.tolist(), "g": [g1.tolist(), g2.tolist()], "lr": lr,
                           "beta1": beta1, "beta2": beta2, "eps": eps}, kind="adam")


def make_huber_problem(rng):
    """Huber cost and gradient of three predictions (chapter "Regression losses")."""
    delta = float(rng.choice([0.5, 1.0, 2.0]))
    y_true = rng.choice([0.0, 1.0, 2.0, 3.0], size=3)
    residuals = rng.choice([-3.0, -1.5, -0.5, 0.25, 0.5, 1.0, 2.5, 4.0], size=3, replace=False)
    if rng.integers(0, 2) == 1 and not np.any(np.abs(residuals) == delta):
        residuals[int(rng.integers(0, 3))] = delta * rng.choice([-1.0, 1.0])  # a sample on the seam
    y_pred = y_true + residuals
    loss = Huber(delta=delta, reduction="mean")
    value = loss(y_true, y_pred)
    gradient = loss.grad(y_true, y_pred)
    per_sample = Huber(delta=delta, reduction="none")(y_true, y_pred)
    branches = []
    for i, d in enumerate(y_pred - y_true):
        if abs(d) < delta:
            why = f"$\\lvert d\\rvert = {given(abs(d))} < \\delta$: quadratic (MSE-like) piece"
        elif abs(d) > delta:
            why = f"$\\lvert d\\rvert = {given(abs(d))} > \\delta$: linear (MAE-like) piece"
        else:
            why = (f"$\\lvert d\\rvert = \\delta = {given(delta)}$ exactly, on the seam. Either piece may be "
                   f"used: the quadratic one gives $\\tfrac12\\delta^2 = {fmt(0.5 * delta**2)}$, the linear "
                   f"one $\\delta(\\delta - \\tfrac12\\delta) = {fmt(0.5 * delta**2)}$, and both slopes are "
                   f"$\\pm\\delta$, so value and gradient agree (the formula sheet and `nnlib` write "
                   "$\\le$ and take the quadratic piece, PyTorch writes $<$ and takes the linear one)")
        branches.append(f"- sample {i + 1}: $d = {given(d)}$, {why}; $\\ell = {fmt(per_sample[i])}$.")
    branch_text = "\n".join(branches)
    statement = f"""\
Targets $y = ({', '.join(given(v) for v in y_true)})$, predictions
$\\hat y = ({', '.join(given(v) for v in y_pred)})$, Huber loss with $\\delta = {given(delta)}$ and
the mean over the three samples.

1. Compute each sample's loss and the cost.
2. Compute the gradient of the cost with respect to $\\hat y$. Which samples does Huber treat like MSE,
   which like MAE?
"""
    solution = f"""\
With $d = \\hat y - y$: $\\ell(d) = \\tfrac12 d^2$ if $|d| \\le \\delta$,
else $\\delta(|d| - \\tfrac12\\delta)$;
$\\partial\\ell/\\partial\\hat y = d$ if $|d| \\le \\delta$, else $\\delta\\operatorname{{sign}}(d)$.

{branch_text}

Per-sample losses ${_vector(per_sample)}$, cost $J = {fmt(value)}$.
Gradient of the mean: $\\partial J/\\partial\\hat y = {_vector(gradient)}$ (each pointwise derivative
divided by $N = 3$). Samples with $|d| \\le \\delta$ get the quadratic (MSE-like) piece, the others
the linear (MAE-like) piece, whose gradient is capped at $\\pm\\delta/N$.
"""
    answers = {"cost": value, **{f"loss[{i}]": v for i, v in enumerate(per_sample)},
               **{f"grad[{i}]": v for i, v in enumerate(gradient)}}
    return Problem("Huber loss: value and gradient", 6, statement, solution, answers, minutes=10,
                   givens={"delta": delta, "y": y_true.tolist(), "y_hat": y_pred.tolist()}, kind="huber")


def make_cross_entropy_problem(rng):
    """Softmax cross-entropy from logits, value and gradient (chapter "Classification losses")."""
    logits = rng.choice([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0], size=3, replace=False)
    label = int(rng.integers(0, 3))
    smoothing = 0.0  # label smoothing has its own problem, make_label_smoothing_problem
    one_hot = np.eye(3)[[label]]
    loss = CategoricalCrossEntropy(from_logits=True, label_smoothing=smoothing)
    value = loss(one_hot, logits.reshape(1, 3))
    gradient = loss.grad(one_hot, logits.reshape(1, 3))[0]
    smoothing_text = ("" if smoothing == 0 else
                      f" with label smoothing $\\varepsilon = {given(smoothing)}$ "
                      "(target $(1-\\varepsilon)y + \\varepsilon/C$)")
    probabilities = softmax(logits.reshape(1, 3))[0]
    target_text = ("the one-hot target" if smoothing == 0 else
                   "the smoothed target $(1-\\varepsilon)y + \\varepsilon/C$")
    statement = f"""\
A 3-class classifier outputs the logits $z = ({', '.join(given(v) for v in logits)})$ for one sample
whose true class is class {label + 1} (of 1, 2, 3). Categorical cross-entropy on the softmax{smoothing_text}.

1. Compute the softmax probabilities and the loss.
2. Compute $\\partial L/\\partial z$ and say why it is so simple.
"""
    solution = f"""\
$\\operatorname{{softmax}}(z) = {_vector(probabilities)}$;
$L = -\\sum_c t_c \\log \\operatorname{{softmax}}(z)_c = {fmt(value)}$,
with $t$ {target_text}.
$\\partial L/\\partial z = \\operatorname{{softmax}}(z) - t = {_vector(gradient)}$: softmax and the log
of cross-entropy cancel, so the gradient is "prediction minus target" (the same form as sigmoid with BCE).
"""
    answers = {"loss": value, **{f"grad[{i}]": v for i, v in enumerate(gradient)}}
    return Problem("Cross-entropy: value and gradient", 6, statement, solution, answers, minutes=10,
                   givens={"z": logits.tolist(), "label": label}, kind="cross-entropy")


SCHEDULES = ("step", "exponential", "cosine")  # warm restarts: make_warm_restart_problem



def make_schedule_problem(rng, schedule=None):
    """The learning rate of a schedule at a given epoch (chapter "Learning-rate schedules").

    ``schedule`` (one of ``SCHEDULES``) fixes the schedule; ``None`` (a paper's draw) draws it
    from ``rng`` first, so ``make_exam`` draws exactly what it always drew.
    """
    if schedule is None:
        kind = SCHEDULES[int(rng.integers(0, len(SCHEDULES)))]
    elif schedule in SCHEDULES:
        kind = schedule
    else:
        raise ValueError(f"schedule must be one of {SCHEDULES} or None, got {schedule!r}")
    lr0 = float(rng.choice([0.1, 0.05, 0.01]))
    optimizer = SGD([Parameter([0.0], "theta")], lr=lr0)
    if kind == "step":
        step_size, gamma = int(rng.choice([3, 5, 10])), float(rng.choice([0.1, 0.5]))
        epoch = int(rng.integers(step_size, 4 * step_size))  # one to three decays
        schedule = StepLR(optimizer, step_size=step_size, gamma=gamma)
        described = f"`StepLR` with step size $s = {step_size}$ and $\\gamma = {given(gamma)}$"
        formula = "\\eta_t = \\eta_0\\,\\gamma^{\\lfloor t/s\\rfloor}"
        settings = {"step_size": step_size, "gamma": gamma}
    elif kind == "exponential":
        gamma = float(rng.choice([0.9, 0.95, 0.8]))
        epoch = int(rng.integers(2, 11))
        schedule = ExponentialLR(optimizer, gamma=gamma)
        described = f"`ExponentialLR` with $\\gamma = {given(gamma)}$"
        formula = "\\eta_t = \\eta_0\\,\\gamma^{t}"
        settings = {"gamma": gamma}
    elif kind == "cosine":
        t_max = int(rng.choice([10, 20, 30]))
        epoch = int(rng.integers(1, t_max))
        schedule = CosineAnnealingLR(optimizer, T_max=t_max)
        settings = {"t_max": t_max}
        described = f"`CosineAnnealingLR` with $T_{{\\max}} = {t_max}$, $\\eta_{{\\min}} = 0$"
        formula = "\\eta_t = \\eta_{\\min} + \\tfrac12(\\eta_0 - \\eta_{\\min})(1 + \\cos(\\pi t/T_{\\max}))"
    for _ in range(epoch):
        schedule.step()
    value = schedule.get_last_lr()[0]
    statement = f"""\
A run starts with learning rate $\\eta_0 = {given(lr0)}$ and uses {described}, stepped once per epoch
(epochs counted from $t = 0$). What is the learning rate during epoch $t = {epoch}$? Sketch the schedule
over the first 25 epochs.
"""
    rates = [schedule.lr_at(t) for t in range(25)]
    if kind == "step":
        drops = list(range(step_size, 25, step_size))
        sketch = (f"a staircase: flat at $\\eta_0 = {given(lr0)}$ for epochs 0-{step_size - 1}, "
                  "then a drop by "
                  f"the factor {given(gamma)} at each of the epochs {', '.join(map(str, drops))}; the last "
                  f"step (epochs {drops[-1]}-24) is at {rates[-1]:.6g}.")
    elif kind == "exponential":
        sketch = (f"a smooth geometric decay, every epoch {given(gamma)} times the one before: "
                  f"{rates[0]:.6g} at epoch 0, {rates[5]:.6g} at 5, {rates[10]:.6g} at 10, "
                  f"{rates[24]:.6g} at 24; steep at first, flatter later (a straight line on a log axis).")
    else:
        sketch = (f"half a cosine from $\\eta_0 = {given(lr0)}$ at epoch 0 to 0 at epoch "
                  f"$T_{{\\max}} = {t_max}$: "
                  f"flat at first, steepest at epoch {t_max // 2} (where it is $\\eta_0/2$ = "
                  f"{schedule.lr_at(t_max // 2):.6g}), flat again near 0")
        if t_max < 25:
            sketch += (f"; past $T_{{\\max}}$ the closed form (PyTorch's too) climbs back up along the "
                       f"cosine, to {rates[24]:.6g} at epoch 24")
        sketch += "."
    solution = f"""\
${formula}$, so at $t = {epoch}$: $\\eta_{{{epoch}}} = {value:.6g}$.

*Sketch* (learning rate against epoch, 0-24): {sketch}
"""
    return Problem(f"A learning-rate schedule ({kind.replace('_', ' ')})", 4, statement, solution,
                   {"kind": kind, "lr": value, "rates": rates}, minutes=6,
                   givens={"lr0": lr0, "epoch": epoch, **settings}, kind=f"schedule-{kind}")


# ------------------------------------------------------------------------------------------------
# More losses: MAE against MSE, hinge, KL divergence, label smoothing
# ------------------------------------------------------------------------------------------------


def _list(values):
    return ", ".join(given(v) for v in values)


def make_mae_mse_problem(rng):
    """MSE and MAE of the same predictions, one of them an outlier (chapter "Regression losses")."""
    y_true = rng.choice([0.0, 1.0, 2.0, 3.0], size=4)
    residuals = np.array([0.0, *rng.choice([-1.0, -0.5, 0.5, 1.0], size=2, replace=False),
                          rng.choice([-6.0, -5.0, 4.0, 5.0])])
    rng.shuffle(residuals)
    y_pred = y_true + residuals
    mse, mae = MSE(), MAE()
    answers = {"mse": mse(y_true, y_pred), "mae": mae(y_true, y_pred)}
    mse_grad, mae_grad = mse.grad(y_true, y_pred), mae.grad(y_true, y_pred)
    for i in range(4):
        answers[f"mse_grad[{i}]"] = mse_grad[i]
        answers[f"mae_grad[{i}]"] = mae_grad[i]
    outlier = int(np.argmax(np.abs(residuals)))
    exact = int(np.flatnonzero(residuals == 0)[0])
    share = abs(mse_grad[outlier]) / np.abs(mse_grad).sum()
    answers["outlier_share"] = share
    statement = f"""\
Targets $y = ({_list(y_true)})$ and predictions $\\hat y = ({_list(y_pred)})$ (mean over the four samples).

1. Compute the MSE and the MAE cost.
2. Compute the gradient of each cost with respect to $\\hat y$. What does MAE's gradient do for sample
   {exact + 1}, which is predicted exactly?
3. Which fraction of the total gradient size $\\sum_i\\lvert\\partial J/\\partial\\hat y_i\\rvert$ does
   sample {outlier + 1} take under MSE, and under MAE? What does that say about outliers?
"""
    solution = f"""\
Residuals $d = \\hat y - y = ({_list(residuals)})$.
MSE $= \\frac14\\sum d^2 = {fmt(answers['mse'])}$, MAE
$= \\frac14\\sum\\lvert d\\rvert = {fmt(answers['mae'])}$.

$\\partial\\,\\mathrm{{MSE}}/\\partial\\hat y = \\frac24 d = {_vector(mse_grad)}$;
$\\partial\\,\\mathrm{{MAE}}/\\partial\\hat y = \\frac14\\operatorname{{sign}}(d) = {_vector(mae_grad)}$.
Sample {exact + 1} has $d = 0$, where $\\lvert d\\rvert$ has a kink: the subgradient $0$ is used (as PyTorch's
`L1Loss` does), so that sample does not move.

Sample {outlier + 1} ($d = {given(residuals[outlier])}$) takes {fmt(share)} of MSE's total gradient but only
{fmt(1 / 3)} of MAE's (each nonzero residual counts $\\frac14$): under MSE the outlier dominates the update,
under MAE it counts like any other wrong sample.
"""
    return Problem("MSE against MAE with an outlier", 6, statement, solution, answers, minutes=10,
                   givens={"y": y_true.tolist(), "y_hat": y_pred.tolist()}, kind="mae-mse")


def make_hinge_problem(rng):
    """Hinge loss of four scores: margins, losses, (sub)gradients (chapter "Margins and divergences")."""
    labels = rng.choice([-1.0, 1.0], size=4)
    margins = rng.choice([-1.5, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0], size=4, replace=False)
    if not np.any(margins == 1.0) and rng.integers(0, 2) == 1:
        margins[int(rng.integers(0, 4))] = 1.0  # a point exactly on the margin
    scores = labels * margins
    loss = Hinge(reduction="mean")
    per_sample = Hinge(reduction="none")(labels, scores)
    gradient = loss.grad(labels, scores)
    answers = {"cost": loss(labels, scores),
               **{f"loss[{i}]": v for i, v in enumerate(per_sample)},
               **{f"grad[{i}]": v for i, v in enumerate(gradient)}}
    notes = []
    for i, m in enumerate(labels * scores):
        if m > 1:
            notes.append(f"sample {i + 1}: margin {given(m)} > 1, correct with room to spare, no loss, "
                         "no gradient")
        elif m == 1:
            notes.append(f"sample {i + 1}: margin exactly 1, on the kink: the loss is 0 and the subgradient "
                         "$0$ is used (any value between $-y$ and $0$ is a valid subgradient; $0$ says "
                         "the point already has the margin it needs)")
        elif m > 0:
            notes.append(f"sample {i + 1}: margin {given(m)}, correct but inside the margin: loss "
                         f"{fmt(1 - m)}, gradient $-y/N$")
        else:
            notes.append(f"sample {i + 1}: margin {given(m)} $\\le 0$, misclassified (or on the boundary): "
                         f"loss {fmt(1 - m)}, gradient $-y/N$")
    note_text = "\n".join(f"- {n}." for n in notes)
    statement = f"""\
A linear classifier gives the scores $s = ({_list(scores)})$ to four samples with labels
$y = ({_list(labels)})$ ($y \\in \\{{-1, +1\\}}$). Hinge loss $\\max(0, 1 - ys)$, mean over the samples.

1. Compute each margin $ys$, each sample's loss and the cost.
2. Compute $\\partial J/\\partial s$. Which samples no longer influence the classifier, and why?
"""
    solution = f"""\
Margins $ys = ({_list(labels * scores)})$; losses ${_vector(per_sample)}$, cost $J = {fmt(answers['cost'])}$.
$\\partial J/\\partial s = {_vector(gradient)}$ ($-y_i/4$ where $y_i s_i < 1$, else $0$).

{note_text}

Samples with $ys > 1$ have zero gradient, and so has a sample exactly on the margin ($ys = 1$) with the
subgradient $0$: only points inside the margin or misclassified move the boundary. The support vectors are the
points on or inside the margin ($ys \\le 1$).
"""
    return Problem("Hinge loss: margins and subgradients", 6, statement, solution, answers, minutes=10,
                   givens={"y": labels.tolist(), "s": scores.tolist()}, kind="hinge")


#: probability vectors over three classes with short decimals (all entries > 0)
DISTRIBUTIONS = [(0.5, 0.3, 0.2), (0.7, 0.2, 0.1), (0.4, 0.4, 0.2), (0.6, 0.3, 0.1), (0.25, 0.5, 0.25),
                 (0.2, 0.2, 0.6), (0.1, 0.8, 0.1), (0.3, 0.3, 0.4)]


#: |D(P||Q) - D(Q||P)| at or below this counts as equal. The difference is sum_c (p_c + q_c) ln(p_c / q_c),
#: exactly 0 for some pairs of DISTRIBUTIONS ((0.2, 0.2, 0.6) and (0.3, 0.3, 0.4): both directions are
#: 0.2 ln 1.5). Rounding leaves a few 1e-16 of an exact 0 (three terms below 2 in size); two directions
#: that do differ, differ by 5e-4 or more, so the key prints them different at 4 decimals. Both are held
#: by tests/test_exam_generator.py over all 56 ordered pairs; the tolerance lies far from each.
SYMMETRIC_TOLERANCE = 1e-12


def _kl_symmetry_text(p, q):
    """The key's answer to "is the KL divergence a distance?": true whether or not this pair is symmetric."""
    kl = KLDivergence(reduction="sum")
    if abs(kl(p, q) - kl(q, p)) > SYMMETRIC_TOLERANCE:
        return ("both are $\\ge 0$ (zero only for equal distributions), but they differ, so the divergence "
                "is not symmetric and not a distance.")
    other = next(np.array(r) for r in DISTRIBUTIONS  # a distribution for which the two directions differ
                 if abs(kl(p, np.array(r)) - kl(np.array(r), p)) > SYMMETRIC_TOLERANCE)
    return ("both are $\\ge 0$ (zero only for equal distributions) and, for this pair, equal: their "
            "difference $\\sum_c (p_c + q_c)\\ln(p_c/q_c)$ is exactly 0 here. That is a coincidence of "
            f"these two distributions, not a property of KL: with $R = ({_list(other)})$, "
            f"$D_{{KL}}(P\\Vert R) = {fmt(kl(p, other))}$ but $D_{{KL}}(R\\Vert P) = {fmt(kl(other, p))}$. "
            "The divergence is not symmetric in general, so it is not a distance.")


def make_kl_problem(rng):
    """KL divergence both ways, its gradient, and cross-entropy = entropy + KL (chapter 4)."""
    i, j = rng.choice(len(DISTRIBUTIONS), size=2, replace=False)
    return kl_problem(np.array(DISTRIBUTIONS[i]), np.array(DISTRIBUTIONS[j]))


def kl_problem(p, q):
    """The KL problem for the data's distribution ``p`` and the model's ``q`` (two of ``DISTRIBUTIONS``)."""
    kl = KLDivergence(reduction="sum")
    forward, backward = kl(p, q), kl(q, p)
    gradient = kl.grad(p, q)
    cross_entropy = CategoricalCrossEntropy(reduction="sum")
    h_pq = cross_entropy(p.reshape(1, 3), q.reshape(1, 3))
    h_p = cross_entropy(p.reshape(1, 3), p.reshape(1, 3))
    answers = {"kl_pq": forward, "kl_qp": backward, "h_pq": h_pq, "h_p": h_p,
               **{f"grad[{k}]": v for k, v in enumerate(gradient)}}
    statement = f"""\
The data's distribution over three classes is $P = ({_list(p)})$; a model predicts $Q = ({_list(q)})$.
Use natural logarithms.

1. Compute $D_{{KL}}(P\\Vert Q)$ and $D_{{KL}}(Q\\Vert P)$. Is the KL divergence a distance?
2. Compute $\\partial D_{{KL}}(P\\Vert Q)/\\partial q_c$ for each class.
3. Compute the cross-entropy $H(P, Q)$ and the entropy $H(P)$, and check that
   $H(P, Q) = H(P) + D_{{KL}}(P\\Vert Q)$. Why does minimizing cross-entropy over $Q$ minimize the KL
   divergence?
"""
    solution = f"""\
$D_{{KL}}(P\\Vert Q) = \\sum_c p_c\\ln(p_c/q_c) = {fmt(forward)}$ and $D_{{KL}}(Q\\Vert P) = {fmt(backward)}$:
{_kl_symmetry_text(p, q)}

$\\partial D_{{KL}}(P\\Vert Q)/\\partial q_c = -p_c/q_c = {_vector(gradient)}$.

$H(P, Q) = -\\sum_c p_c\\ln q_c = {fmt(h_pq)}$, $H(P) = -\\sum_c p_c\\ln p_c = {fmt(h_p)}$, and
${fmt(h_p)} + {fmt(forward)} = {fmt(h_p + forward)}$. $H(P)$ does not depend on $Q$, so the two have the
same minimizer ($Q = P$) and the same gradient with respect to $Q$.
"""
    return Problem("KL divergence and cross-entropy", 6, statement, solution, answers, minutes=10,
                   givens={"p": p.tolist(), "q": q.tolist()}, kind="kl")


def make_label_smoothing_problem(rng):
    """Cross-entropy with and without label smoothing; the loss it cannot go below (chapter 3)."""
    n_classes = int(rng.choice([3, 4]))
    logits = rng.choice([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0], size=n_classes, replace=False)
    label = int(rng.integers(0, n_classes))
    eps = float(rng.choice([0.1, 0.2]))
    one_hot = np.eye(n_classes)[[label]]
    z = logits.reshape(1, n_classes)
    smooth = CategoricalCrossEntropy(from_logits=True, label_smoothing=eps)
    plain = CategoricalCrossEntropy(from_logits=True)
    target = (1 - eps) * one_hot[0] + eps / n_classes
    floor = CategoricalCrossEntropy()(target.reshape(1, -1), target.reshape(1, -1))  # H(t): p = t
    gap = np.log(target[label] / target[(label + 1) % n_classes])
    # the gap's logits, e.g. (gap, 0, 0): their smoothed loss is the floor (checked by nnlib)
    best_logits = np.where(np.arange(n_classes) == label, gap, 0.0).reshape(1, -1)
    answers = {"plain": plain(one_hot, z), "smooth": smooth(one_hot, z), "floor": floor, "gap": gap,
               "floor_check": smooth(one_hot, best_logits),
               **{f"target[{c}]": v for c, v in enumerate(target)},
               **{f"grad[{c}]": v for c, v in enumerate(smooth.grad(one_hot, z)[0])}}
    statement = f"""\
A {n_classes}-class classifier outputs the logits $z = ({_list(logits)})$; the true class is class
{label + 1}. Label smoothing with $\\varepsilon = {given(eps)}$.

1. Write the smoothed target $t = (1-\\varepsilon)y + \\varepsilon/C$.
2. Compute the cross-entropy without and with smoothing, and $\\partial L/\\partial z$ with smoothing.
3. What is the lowest loss the smoothed target allows, and for which logits? Why does smoothing keep the
   model from becoming over-confident?
"""
    solution = f"""\
$t = {_vector(target)}$ ($1 - \\varepsilon + \\varepsilon/C$ for the true class, $\\varepsilon/C$ elsewhere).

Softmax $p = {_vector(softmax(z)[0])}$. Without smoothing
$L = -\\ln p_{{{label + 1}}} = {fmt(answers['plain'])}$;
with smoothing $L = -\\sum_c t_c\\ln p_c = {fmt(answers['smooth'])}$.
$\\partial L/\\partial z = p - t = {_vector(smooth.grad(one_hot, z)[0])}$.

The loss is smallest when $p = t$, and then equals the entropy of $t$:
$-\\sum_c t_c\\ln t_c = {fmt(floor)}$, not 0. That needs finite logits: the true class's logit
${fmt(gap)} = \\ln\\frac{{{fmt(target[label])}}}{{{fmt(target[(label + 1) % n_classes])}}}$ above the others
(e.g. $z = {_vector(best_logits[0])}$, whose smoothed loss `nnlib` gives as {fmt(answers['floor_check'])}).
Without smoothing the minimum 0 is only approached as the true logit goes to $+\\infty$; with smoothing
a larger gap *raises* the loss again, so the logits stay bounded and the probabilities below 1.
"""
    return Problem("Label smoothing", 6, statement, solution, answers, minutes=10,
                   givens={"z": logits.tolist(), "label": label, "eps": eps}, kind="label-smoothing")


# ------------------------------------------------------------------------------------------------
# Optimizers: momentum, Nesterov, RMSprop, AdaGrad; the stability bound; batches and epochs
# ------------------------------------------------------------------------------------------------


def _quadratic_run(optimizer_factory, a, theta0, steps):
    """Run an nnlib optimizer on J = a/2 theta^2; return the rows (t, g_t, buffer or None, theta_t)."""
    parameter = Parameter([theta0], "theta")
    optimizer = optimizer_factory([parameter])
    rows = []
    for t in range(1, steps + 1):
        g = a * parameter.value[0]
        parameter.grad[...] = g
        optimizer.step()
        state = optimizer.state[parameter]
        buffer = state.get("momentum_buffer", state.get("velocity"))
        rows.append((t, g, None if buffer is None else float(np.ravel(buffer)[0]), float(parameter.value[0])))
    return rows


def make_momentum_problem(rng, nesterov=False):
    """Three momentum (or Nesterov) steps on a 1-D quadratic, PyTorch's form (chapter "Momentum")."""
    a = float(rng.choice([1.0, 2.0, 4.0]))
    theta0 = float(rng.choice([-2.0, -1.0, 1.0, 2.0]))
    lr = float(rng.choice([0.1, 0.2]))
    mu = float(rng.choice([0.5, 0.9]))
    rows = _quadratic_run(lambda ps: SGD(ps, lr=lr, momentum=mu, nesterov=nesterov), a, theta0, 3)
    plain = _quadratic_run(lambda ps: SGD(ps, lr=lr), a, theta0, 3)
    answers = {}
    for t, g, b, theta in rows:
        answers[f"g{t}"], answers[f"b{t}"], answers[f"theta{t}"] = g, b, theta
    answers["gd_theta3"] = plain[-1][3]
    mom3, gd3 = rows[-1][3], plain[-1][3]
    if mom3 * theta0 < 0:
        compare = ("the momentum run has already overshot the minimum at 0 (its $\\theta_3$ has the other "
                   "sign) because the buffer keeps pushing after the gradient shrinks, while plain gradient "
                   "descent approaches 0 from one side" if gd3 * theta0 >= 0 else
                   "both runs have overshot the minimum at 0 (their $\\theta_3$ has the other sign)")
    elif abs(mom3) < abs(gd3):
        compare = ("the momentum run is closer to the minimum at 0: the buffer adds up the "
                   "consistent gradients")
    else:
        compare = ("plain gradient descent is closer to the minimum at 0 after three steps; momentum's "
                   "advantage shows on longer, ill-conditioned runs")
    table = "\n".join(f"| {t} | {fmt(g)} | {fmt(b)} | {fmt(theta)} |" for t, g, b, theta in rows)
    if nesterov:
        rule = ("$b_t = \\mu b_{t-1} + g_t$, $\\theta_t = \\theta_{t-1} - \\eta\\,(g_t + \\mu b_t)$ "
                "(PyTorch's Nesterov form, $b_0 = 0$)")
        part2 = ("In one or two sentences: what does Nesterov momentum do differently from classical "
                 "momentum, and why does the step $g_t + \\mu b_t$ express it?")
        heavy = ""
        key2 = ("Classical momentum steps along the buffer $b_t$. Nesterov takes the gradient where the "
                "momentum is about to carry the parameters (the look-ahead point); in PyTorch's rewritten "
                "form this becomes the step $g_t + \\mu b_t$: the new gradient counts once more, so a step "
                "that would overshoot is corrected one step earlier.")
    else:
        rule = ("$b_t = \\mu b_{t-1} + g_t$, $\\theta_t = \\theta_{t-1} - \\eta\\,b_t$ "
                "(PyTorch's form, $b_0 = 0$)")
        part2 = ("The exam notes write momentum as $v_t = \\beta v_{t-1} + \\eta g_t$, "
                 "$\\theta_t = \\theta_{t-1} - v_t$ with $\\beta = \\mu$. Compute $v_1, v_2, v_3$ and "
                 "say how they "
                 "relate to $b_t$.")
        notes_rows = _quadratic_run(lambda ps: HeavyBall(ps, lr=lr, momentum=mu), a, theta0, 3)
        for t, _, v, theta in notes_rows:
            answers[f"v{t}"] = v
            answers[f"notes_theta{t}"] = theta
        heavy = ", ".join(f"$v_{t} = {fmt(v)}$" for t, _, v, _ in notes_rows)
        key2 = (f"{heavy}: $v_t = \\eta b_t$ at every step (here $\\eta = {given(lr)}$), so the iterates are "
                "the same. The two forms differ only when the learning rate changes during training.")
    statement = f"""\
Minimize $J(\\theta) = \\tfrac12\\cdot{given(a)}\\,\\theta^2$ (so $g = {given(a)}\\,\\theta$) from
$\\theta_0 = {given(theta0)}$ with
{'Nesterov' if nesterov else 'heavy-ball'} momentum, $\\eta = {given(lr)}$, $\\mu = {given(mu)}$: {rule}.

1. Compute $g_t$, $b_t$ and $\\theta_t$ for $t = 1, 2, 3$. Compare $\\theta_3$ with plain gradient descent's.
2. {part2}
"""
    solution = f"""\
| $t$ | $g_t = {given(a)}\\,\\theta_{{t-1}}$ | $b_t$ | $\\theta_t$ |
|---|---|---|---|
{table}

Plain gradient descent ($\\theta_t = (1 - \\eta a)\\,\\theta_{{t-1}}$) reaches
$\\theta_3 = {fmt(answers['gd_theta3'])}$; {compare}.

{key2}
"""
    title = "Nesterov momentum: three steps" if nesterov else "Momentum: three steps"
    return Problem(title, 6, statement, solution, answers, minutes=10,
                   givens={"a": a, "theta0": theta0, "lr": lr, "mu": mu},
                   kind="nesterov" if nesterov else "momentum")


def make_nesterov_problem(rng):
    """Three Nesterov steps (chapter "Momentum and Nesterov")."""
    return make_momentum_problem(rng, nesterov=True)


def make_adaptive_problem(rng, kind=None):
    """Two RMSprop steps or three AdaGrad steps on two parameters (chapter "Adaptive methods")."""
    kind = kind or ("rmsprop", "adagrad")[int(rng.integers(0, 2))]
    theta = rng.choice(WEIGHT_GRID, size=2)
    grid = [-4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0]
    n_steps = 2 if kind == "rmsprop" else 3
    gradients = [rng.choice(grid, size=2, replace=False) for _ in range(n_steps)]
    lr = float(rng.choice([0.01, 0.1]))
    parameter = Parameter(theta, "theta")
    if kind == "rmsprop":
        alpha = float(rng.choice([0.9, 0.99]))
        optimizer = RMSprop([parameter], lr=lr, alpha=alpha, eps=1e-8)
        accumulator, rule = "square_avg", (
            "$v_t = \\alpha v_{t-1} + (1-\\alpha) g_t^2$, "
            "$\\theta_t = \\theta_{t-1} - \\eta\\, g_t/(\\sqrt{v_t} + \\epsilon)$, $v_0 = 0$")
        settings = f"$\\eta = {given(lr)}$, $\\alpha = {given(alpha)}$, $\\epsilon = 10^{{-8}}$"
        name = "v"
    else:
        alpha = None
        optimizer = Adagrad([parameter], lr=lr, eps=1e-10)
        accumulator, rule = "sum", (
            "$G_t = G_{t-1} + g_t^2$, "
            "$\\theta_t = \\theta_{t-1} - \\eta\\, g_t/(\\sqrt{G_t} + \\epsilon)$, $G_0 = 0$")
        settings = f"$\\eta = {given(lr)}$, $\\epsilon = 10^{{-10}}$"
        name = "G"
    answers, rows = {}, []
    for t, gradient in enumerate(gradients, start=1):
        parameter.grad[...] = gradient
        optimizer.step()
        acc = optimizer.state[parameter][accumulator].copy()
        for i in range(2):
            answers[f"{name}{t}[{i}]"] = acc[i]
            answers[f"theta{t}[{i}]"] = parameter.value[i]
        rows.append(f"| {t} | ${_vector(gradient, 1)}$ | ${_vector(acc)}$ | ${_vector(parameter.value)}$ |")
    table = "\n".join(rows)
    grads_text = ", ".join(f"$g_{t} = ({given(g[0])}, {given(g[1])})$" for t, g in enumerate(gradients, 1))
    if kind == "rmsprop":
        first = lr / np.sqrt(1 - alpha)
        answers["first_step"] = first
        part2 = ("Show that the first step moves each coordinate by $\\eta/\\sqrt{1-\\alpha}$ "
                 "whatever the size "
                 "of $g_1$. What does Adam do about this?")
        key2 = (f"$v_1 = (1-\\alpha) g_1^2$, so the step is $\\eta g_1/\\sqrt{{(1-\\alpha) g_1^2}} = "
                f"\\eta\\operatorname{{sign}}(g_1)/\\sqrt{{1-\\alpha}} = {fmt(first)}$ in each coordinate "
                f"({fmt(1 / np.sqrt(1 - alpha))} times $\\eta$): $v$ starts at 0 and is far too small "
                "at first. "
                "Adam divides its averages by $1 - \\beta^t$ (bias correction), which makes the first step "
                "about $\\eta$.")
        title = "RMSprop: two steps"
    else:
        part2 = ("The gradient of a coordinate keeps the same size from step to step. What happens to its "
                 "step size, and why is that good for sparse features but bad for long training runs?")
        key2 = ("$G_t$ only grows, so the step $\\eta\\lvert g\\rvert/\\sqrt{G_t}$ shrinks like "
                "$1/\\sqrt t$ even "
                "for a constant gradient. A rarely active (sparse) feature has a small $G_t$ and keeps large "
                "steps when it does appear; on long runs every step eventually becomes tiny and training "
                "stalls, which RMSprop's moving average avoids.")
        title = "AdaGrad: three steps"
    statement = f"""\
{'RMSprop' if kind == 'rmsprop' else 'AdaGrad'} with {settings} (PyTorch's form: {rule}) starts at
$\\theta_0 = ({given(theta[0])}, {given(theta[1])})$. The gradients are {grads_text}.

1. Compute ${name}_t$ and $\\theta_t$ for every step.
2. {part2}
"""
    solution = f"""\
| $t$ | $g_t$ | ${name}_t$ | $\\theta_t$ |
|---|---|---|---|
{table}

{key2}
"""
    givens = {"theta0": theta.tolist(), "g": [g.tolist() for g in gradients], "lr": lr, "alpha": alpha}
    return Problem(title, 6, statement, solution, answers, minutes=10, givens=givens, kind=kind)


def make_rmsprop_problem(rng):
    return make_adaptive_problem(rng, "rmsprop")


def make_adagrad_problem(rng):
    return make_adaptive_problem(rng, "adagrad")


def make_stability_problem(rng):
    """The stability bound 2/L of gradient descent on a 2-D quadratic (chapter "Optimization basics")."""
    a1 = float(rng.choice([1.0, 2.0]))
    a2 = float(rng.choice([5.0, 8.0, 10.0, 20.0]))
    bound = 2 / a2
    lr = float(rng.choice([0.5, 0.9, 1.1, 1.5])) * bound  # below or above the bound
    lr = float(f"{lr:.3g}")
    theta0 = np.array([1.0, 1.0])
    parameter = Parameter(theta0.copy(), "theta")
    optimizer = SGD([parameter], lr=lr)
    history = [theta0.copy()]
    for _ in range(3):
        parameter.grad[...] = np.array([a1, a2]) * parameter.value
        optimizer.step()
        history.append(parameter.value.copy())
    factors = history[1] / history[0]  # one nnlib step from (1, 1): the factors 1 - lr * a_i
    best = 2 / (a1 + a2)
    answers = {"bound": bound, "best_lr": best, "best_rate": (a2 - a1) / (a2 + a1),
               **{f"factor[{i}]": factors[i] for i in range(2)},
               **{f"theta3[{i}]": history[3][i] for i in range(2)}}
    behaviour = []
    for i, f in enumerate(factors):
        if abs(f) < 1:
            kind = "converges" + (" monotonically" if f >= 0 else ", oscillating in sign")
        elif abs(f) == 1:
            kind = "neither converges nor diverges"
        else:
            kind = "diverges" + (", oscillating in sign with growing size" if f < 0 else "")
        behaviour.append(f"$\\theta_{i + 1}$: factor $1 - \\eta a_{i + 1} = {fmt(f)}$, {kind}")
    statement = f"""\
Gradient descent on
$J(\\theta) = \\tfrac12\\left({given(a1)}\\,\\theta_1^2 + {given(a2)}\\,\\theta_2^2\\right)$
from $\\theta_0 = (1, 1)$.

1. For which learning rates does gradient descent converge? Give the bound and say which coordinate sets it.
2. With $\\eta = {given(lr)}$: compute $\\theta_3$ and describe what each coordinate does.
3. The run is as slow as its slower coordinate: the one whose factor $\\lvert 1 - \\eta a_i\\rvert$ is the
   larger. Which fixed $\\eta$ makes this larger factor as small as possible, and what is it then?
"""
    solution = f"""\
Each step multiplies coordinate $i$ by $1 - \\eta a_i$ (the gradient is $(a_1\\theta_1, a_2\\theta_2)$), so it
converges iff $\\lvert 1 - \\eta a_i\\rvert < 1$, i.e. $0 < \\eta < 2/a_i$, for both: $0 < \\eta < 2/L$ with
$L = \\max a_i = {given(a2)}$, the largest curvature: $\\eta < {fmt(bound)}$.

With $\\eta = {given(lr)}$ (`nnlib`'s `SGD`, three steps): $\\theta_3 = {_vector(history[3])}$.
{'; '.join(behaviour)}.

The larger factor is smallest where the two have the same size, $1 - \\eta a_1 = -(1 - \\eta a_2)$, i.e.
$\\eta = 2/(a_1 + a_2) = {fmt(best)}$; then both shrink by
$\\frac{{a_2 - a_1}}{{a_2 + a_1}} = {fmt(answers['best_rate'])}$ per step.
The larger the condition number $a_2/a_1$, the closer this is to 1: ill-conditioned problems are slow.
(The flat coordinate $\\theta_1$ alone would shrink faster with a larger $\\eta$, but then the steep one
shrinks more slowly, and at $\\eta = 2/L$ not at all: below $2/(a_1 + a_2)$ the flat coordinate is the
slower one, above it the steep one.)
"""
    return Problem("The stability bound of gradient descent", 5, statement, solution, answers, minutes=8,
                   givens={"a1": a1, "a2": a2, "lr": lr}, kind="stability")


def make_batches_problem(rng):
    """Updates per epoch for batch GD, SGD and mini-batches (chapter "Batch GD, SGD, mini-batch")."""
    n = int(rng.choice([1000, 1200, 2500, 6000, 10_000]))
    batch = int(rng.choice([16, 32, 64, 128, 256]))
    epochs = int(rng.choice([5, 10, 20]))
    X, y = np.zeros((n, 1)), np.zeros(n)
    counts = {}
    for name, size in (("batch", n), ("sgd", 1), ("mini", batch)):
        sizes = [len(yb) for _, yb in minibatches(X, y, size, shuffle=False)]
        counts[name] = (len(sizes), sizes[-1])
    answers = {"batch_updates": counts["batch"][0], "sgd_updates": counts["sgd"][0],
               "mini_updates": counts["mini"][0], "last_batch": counts["mini"][1],
               "total_updates": counts["mini"][0] * epochs}
    statement = f"""\
A training set has $N = {n}$ samples. Training runs for {epochs} epochs.

1. How many parameter updates does one epoch make with batch gradient descent, with SGD (one sample per
   update), and with mini-batches of $B = {batch}$ (the last, partial batch kept)? How many samples are in
   the last mini-batch?
2. How many updates does the whole mini-batch run make?
3. Which of the three gives the exact gradient of the cost, which the noisiest, and why is the mini-batch
   the usual choice?
"""
    solution = f"""\
Batch GD: {answers['batch_updates']} update per epoch. SGD: $N = {answers['sgd_updates']}$ updates.
Mini-batches: $\\lceil N/B\\rceil = \\lceil {n}/{batch}\\rceil = {answers['mini_updates']}$ updates; the
last batch
holds ${n} - {answers['mini_updates'] - 1}\\cdot{batch} = {answers['last_batch']}$ samples
(counted with `nnlib.data.minibatches`).

Whole run: ${epochs}\\cdot{answers['mini_updates']} = {answers['total_updates']}$ updates.

Batch GD's gradient is exact (the mean over all $N$ samples) but costs a pass over the data per update; SGD's
one-sample gradient is unbiased but the noisiest. A mini-batch gradient is unbiased with variance about
$1/B$ of SGD's, and its $B$ samples run as one vectorized matrix product: many cheap, fairly accurate updates
per epoch.
"""
    return Problem("Batches, updates and epochs", 4, statement, solution, answers, minutes=6,
                   givens={"n": n, "batch": batch, "epochs": epochs}, kind="batches")


# ------------------------------------------------------------------------------------------------
# Backpropagation: one hidden layer's deltas; learning-rate warm restarts
# ------------------------------------------------------------------------------------------------

ACTIVATIONS = {"sigmoid": (Sigmoid, "\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))"),
               "tanh": (Tanh, "\\tanh'(z) = 1 - \\tanh^2 z"),
               "relu": (ReLU, "\\operatorname{relu}'(z) = [z > 0]")}


def make_hidden_delta_problem(rng):
    """A hidden layer's deltas from the next layer's (chapter "Backpropagation in matrix form")."""
    name = ("sigmoid", "tanh", "relu")[int(rng.integers(0, 3))]
    layer_class, derivative = ACTIVATIONS[name]
    z = rng.choice([-1.5, -1.0, -0.5, 0.5, 1.0, 2.0], size=3, replace=False)
    weights = rng.choice(WEIGHT_GRID, size=(2, 3))
    delta_next = rng.choice([-0.4, -0.2, -0.1, 0.1, 0.3, 0.5], size=2, replace=False)
    x_i = float(rng.choice([-1.0, 0.5, 1.0, 2.0]))
    activation = layer_class()
    a = activation.forward(z.reshape(1, 3))
    following = Linear(3, 2, weight=weights, bias=[0.0, 0.0])
    following.forward(a)
    signal = following.backward(delta_next.reshape(1, 2))  # dL/da = delta_next W
    delta = activation.backward(signal)[0]  # times f'(z)
    answers = {**{f"signal[{j}]": signal[0, j] for j in range(3)},
               **{f"delta[{j}]": delta[j] for j in range(3)},
               **{f"dW2[{k},{j}]": following.weight.grad[k, j] for k in range(2) for j in range(3)},
               "dw_x": delta[1] * x_i}
    # f'(z) from the layer itself (also where the signal is 0)
    probe = layer_class()
    probe.forward(z.reshape(1, 3))
    fprime = probe.backward(np.ones((1, 3)))[0]
    for j in range(3):
        answers[f"fprime[{j}]"] = fprime[j]
    w_rows = " \\\\ ".join(" & ".join(given(w) for w in row) for row in weights)
    statement = f"""\
A hidden layer of three {name} neurons has the pre-activations $z = ({_list(z)})$ for one sample. The
next layer
has the weights $W = \\begin{{pmatrix}} {w_rows} \\end{{pmatrix}}$ (row $k$: the weights into neuron $k$
of the
next layer) and its deltas are $\\delta^{{next}} = ({_list(delta_next)})$.

1. Compute $\\partial L/\\partial a = W^\\top\\delta^{{next}}$ for the three hidden neurons, $f'(z)$, and
   the hidden
   deltas $\\delta_j = (\\partial L/\\partial a_j)\\, f'(z_j)$.
2. Hidden neuron 2 receives the input $x_i = {given(x_i)}$ through the weight $w_{{i2}}$. What is
   $\\partial L/\\partial w_{{i2}}$?
3. Compute $\\partial L/\\partial W$ for the next layer's weights.
"""
    a_vec = _vector(a[0])
    solution = f"""\
$\\partial L/\\partial a_j = \\sum_k w_{{kj}}\\,\\delta^{{next}}_k$: ${_vector(signal[0])}$.
${derivative}$ at $z$: ${_vector(fprime)}$. Hidden deltas (elementwise product): $\\delta = {_vector(delta)}$.

$\\partial L/\\partial w_{{i2}} = \\delta_2\\, x_i$
$= {fmt(delta[1])}\\cdot{given(x_i)} = {fmt(answers['dw_x'])}$.

The next layer's weight gradient is $\\delta^{{next}}_k a_j$ with $a = f(z) = {a_vec}$:
rows ${_vector(following.weight.grad[0])}$ and ${_vector(following.weight.grad[1])}$
(in matrix form $\\partial L/\\partial W = \\delta^{{next\\top}} a$, the shape of $W$). Computed with
`nnlib`'s
`Linear.backward` and `{layer_class.__name__}.backward`.
"""
    return Problem("The deltas of a hidden layer", 5, statement, solution, answers, minutes=8,
                   givens={"activation": name, "z": z.tolist(), "W": weights.tolist(),
                           "delta_next": delta_next.tolist(), "x_i": x_i}, kind="hidden-delta")


def make_warm_restart_problem(rng):
    """Cosine annealing with warm restarts: where it restarts, two rates, a sketch (chapter 10)."""
    t_0, t_mult = int(rng.choice([4, 5, 10])), int(rng.choice([1, 2]))
    lr0 = float(rng.choice([0.1, 0.05]))
    eta_min = float(rng.choice([0.0, 0.001]))
    optimizer = SGD([Parameter([0.0], "theta")], lr=lr0)
    schedule = CosineAnnealingWarmRestarts(optimizer, T_0=t_0, T_mult=t_mult, eta_min=eta_min)
    horizon = 40
    restarts = [t for t in range(1, horizon) if schedule.cycle_at(t)[0] == 0]
    mid = int(rng.integers(restarts[0] + 1, restarts[1] if len(restarts) > 1 else horizon))
    before = restarts[0] - 1
    for _ in range(mid):
        schedule.step()
    answers = {"lr_mid": schedule.get_last_lr()[0], "lr_before": schedule.lr_at(before),
               "lr_restart": schedule.lr_at(restarts[0]), "restarts": restarts}
    t_cur, t_i = schedule.cycle_at(mid)
    lengths = [t_0 * t_mult**i for i in range(len(restarts) + 1)]
    growth = (f" and every arc is {t_mult} times as long as the one before" if t_mult > 1
              else ", every arc equally long")
    statement = f"""\
`CosineAnnealingWarmRestarts` with $\\eta_0 = {given(lr0)}$, $\\eta_{{\\min}} = {given(eta_min)}$,
$T_0 = {t_0}$ and
$T_{{mult}} = {t_mult}$, stepped once per epoch from $t = 0$:
$\\eta_t = \\eta_{{\\min}} + \\tfrac12(\\eta_0 - \\eta_{{\\min}})(1 + \\cos(\\pi T_{{cur}}/T_i))$.

1. At which epochs before epoch {horizon} does the rate jump back to $\\eta_0$?
2. Compute the learning rate at epochs {before} and {mid}.
3. Sketch the schedule over epochs 0-{horizon - 1} and say what the restarts are for.
"""
    solution = f"""\
Cycle $i$ lasts $T_i = T_0 T_{{mult}}^{{\\,i}}$ epochs:
{', '.join(map(str, lengths[:len(restarts) + 1]))}, ...
The restarts are at epochs {', '.join(map(str, restarts))}.

Epoch {before} is the last of the first cycle ($T_{{cur}} = {before}$, $T_0 = {t_0}$):
$\\eta_{{{before}}} = {answers['lr_before']:.6g}$, close to $\\eta_{{\\min}}$; one epoch later it is back at
{answers['lr_restart']:.6g}. Epoch {mid} has $T_{{cur}} = {t_cur}$ in a cycle of $T_i = {t_i}$:
$\\eta_{{{mid}}} = {answers['lr_mid']:.6g}$.

*Sketch* (rate against epoch): a saw-tooth of cosine arcs. Each arc starts at {given(lr0)}, falls slowly,
then fastest at mid-cycle, then flattens towards {given(eta_min)}; at each restart epoch the rate jumps
straight back to {given(lr0)}{growth}.
The restarts let training leave a sharp minimum and explore with a large rate again, then settle with a
small one.
"""
    return Problem("Learning-rate warm restarts", 5, statement, solution, answers, minutes=8,
                   givens={"lr0": lr0, "eta_min": eta_min, "t_0": t_0, "t_mult": t_mult,
                           "before": before, "mid": mid, "restart": restarts[0]}, kind="warm-restart")
