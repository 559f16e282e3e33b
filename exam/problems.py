"""Numeric exam problems: new numbers for each exam number (a random seed), answers computed by ``nnlib``.

Each ``make_*`` function takes a ``numpy.random.Generator`` and returns a :class:`Problem`
whose ``statement`` and ``solution`` are MyST markdown. The numbers in ``solution`` come from
``nnlib`` (losses, layers, optimizers, schedules); this module only draws inputs and formats.
"""

from dataclasses import dataclass, field

import numpy as np

from nnlib.activations import softmax
from nnlib.losses import BinaryCrossEntropy, CategoricalCrossEntropy, Huber
from nnlib.nn import Linear, Sequential, Sigmoid
from nnlib.optim import SGD, Adam
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

$$z_1 = w_{{11}}x_1 + w_{{21}}x_2 + b_1,\\quad z_2 = w_{{12}}x_1 + w_{{22}}x_2 + b_2,\\quad
a_k = \\sigma(z_k),\\quad z_3 = w_{{13}}a_1 + w_{{23}}a_2 + b_3,\\quad \\hat y = \\sigma(z_3).$$

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
    return Problem("Forward and backward pass of a 2-2-1 network", 10, statement, solution, answers)


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
    return Problem("One Adam step, then another", 8, statement, solution, flat)


def make_huber_problem(rng):
    """Huber cost and gradient of three predictions (chapter "Regression losses")."""
    delta = float(rng.choice([0.5, 1.0, 2.0]))
    y_true = rng.choice([0.0, 1.0, 2.0, 3.0], size=3)
    y_pred = y_true + rng.choice([-3.0, -1.5, -0.5, 0.25, 0.5, 1.0, 2.5, 4.0], size=3, replace=False)
    loss = Huber(delta=delta, reduction="mean")
    value = loss(y_true, y_pred)
    gradient = loss.grad(y_true, y_pred)
    per_sample = Huber(delta=delta, reduction="none")(y_true, y_pred)
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

Per-sample losses ${_vector(per_sample)}$, cost $J = {fmt(value)}$.
Gradient of the mean: $\\partial J/\\partial\\hat y = {_vector(gradient)}$ (each pointwise derivative
divided by $N = 3$). Samples with $|d| \\le \\delta$ get the quadratic (MSE-like) piece, the others
the linear (MAE-like) piece, whose gradient is capped at $\\pm\\delta/N$.
"""
    answers = {"cost": value, **{f"loss[{i}]": v for i, v in enumerate(per_sample)},
               **{f"grad[{i}]": v for i, v in enumerate(gradient)}}
    return Problem("Huber loss: value and gradient", 6, statement, solution, answers)


def make_cross_entropy_problem(rng):
    """Softmax cross-entropy from logits, value and gradient (chapter "Classification losses")."""
    logits = rng.choice([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0], size=3, replace=False)
    label = int(rng.integers(0, 3))
    smoothing = float(rng.choice([0.0, 0.1]))
    one_hot = np.eye(3)[[label]]
    loss = CategoricalCrossEntropy(from_logits=True, label_smoothing=smoothing)
    value = loss(one_hot, logits.reshape(1, 3))
    gradient = loss.grad(one_hot, logits.reshape(1, 3))[0]
    smoothing_text = ("" if smoothing == 0 else
                      f" with label smoothing $\\varepsilon = {given(smoothing)}$ "
                      "(target $(1-\\varepsilon)y + \\varepsilon/C$)")
    probabilities = softmax(logits.reshape(1, 3))[0]
    statement = f"""\
A 3-class classifier outputs the logits $z = ({', '.join(given(v) for v in logits)})$ for one sample
whose true class is class {label + 1} (of 1, 2, 3). Categorical cross-entropy on the softmax{smoothing_text}.

1. Compute the softmax probabilities and the loss.
2. Compute $\\partial L/\\partial z$ and say why it is so simple.
"""
    solution = f"""\
$\\operatorname{{softmax}}(z) = {_vector(probabilities)}$;
$L = -\\sum_c t_c \\log \\operatorname{{softmax}}(z)_c = {fmt(value)}$,
with $t$ the (smoothed) one-hot target.
$\\partial L/\\partial z = \\operatorname{{softmax}}(z) - t = {_vector(gradient)}$: softmax and the log
of cross-entropy cancel, so the gradient is "prediction minus target" (the same form as sigmoid with BCE).
"""
    answers = {"loss": value, **{f"grad[{i}]": v for i, v in enumerate(gradient)}}
    return Problem("Cross-entropy: value and gradient", 6, statement, solution, answers)


SCHEDULES = ("step", "exponential", "cosine", "warm_restarts")


def make_schedule_problem(rng):
    """The learning rate of a schedule at a given epoch (chapter "Learning-rate schedules")."""
    kind = SCHEDULES[int(rng.integers(0, len(SCHEDULES)))]
    lr0 = float(rng.choice([0.1, 0.05, 0.01]))
    optimizer = SGD([Parameter([0.0], "theta")], lr=lr0)
    if kind == "step":
        step_size, gamma = int(rng.choice([3, 5, 10])), float(rng.choice([0.1, 0.5]))
        epoch = int(rng.integers(step_size, 4 * step_size))  # one to three decays
        schedule = StepLR(optimizer, step_size=step_size, gamma=gamma)
        described = f"`StepLR` with step size $s = {step_size}$ and $\\gamma = {given(gamma)}$"
        formula = "\\eta_t = \\eta_0\\,\\gamma^{\\lfloor t/s\\rfloor}"
    elif kind == "exponential":
        gamma = float(rng.choice([0.9, 0.95, 0.8]))
        epoch = int(rng.integers(2, 11))
        schedule = ExponentialLR(optimizer, gamma=gamma)
        described = f"`ExponentialLR` with $\\gamma = {given(gamma)}$"
        formula = "\\eta_t = \\eta_0\\,\\gamma^{t}"
    elif kind == "cosine":
        t_max = int(rng.choice([10, 20, 30]))
        epoch = int(rng.integers(1, t_max))
        schedule = CosineAnnealingLR(optimizer, T_max=t_max)
        described = f"`CosineAnnealingLR` with $T_{{\\max}} = {t_max}$, $\\eta_{{\\min}} = 0$"
        formula = "\\eta_t = \\eta_{\\min} + \\tfrac12(\\eta_0 - \\eta_{\\min})(1 + \\cos(\\pi t/T_{\\max}))"
    else:
        t_0, t_mult = int(rng.choice([4, 5, 10])), int(rng.choice([1, 2]))
        epoch = int(rng.integers(t_0 + 1, 3 * t_0 + 1))  # after the first restart
        schedule = CosineAnnealingWarmRestarts(optimizer, T_0=t_0, T_mult=t_mult)
        described = (f"`CosineAnnealingWarmRestarts` with $T_0 = {t_0}$, $T_{{mult}} = {t_mult}$, "
                     "$\\eta_{\\min} = 0$")
        formula = ("\\eta_t = \\eta_{\\min} + \\tfrac12(\\eta_0 - \\eta_{\\min})"
                   "(1 + \\cos(\\pi T_{cur}/T_i))")
    for _ in range(epoch):
        schedule.step()
    value = schedule.get_last_lr()[0]
    statement = f"""\
A run starts with learning rate $\\eta_0 = {given(lr0)}$ and uses {described}, stepped once per epoch
(epochs counted from $t = 0$). What is the learning rate during epoch $t = {epoch}$? Sketch the schedule
over the first 25 epochs.
"""
    solution = f"""\
${formula}$, so at $t = {epoch}$: $\\eta_{{{epoch}}} = {value:.6g}$.
"""
    return Problem(f"A learning-rate schedule ({kind.replace('_', ' ')})", 4, statement, solution,
                   {"kind": kind, "lr": value})
