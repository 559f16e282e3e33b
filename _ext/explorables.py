"""Explorable figures: the ``{explorable}`` directive and the grids nnlib computes for it at build time.

A figure a reader can move (sliders and selectors, drawn in plain SVG by ``_static/explore/*.js``)
beside the still figure it extends. Every number it shows is computed here, by nnlib, when the book
is built: each figure's grid (one entry per value its controls can take) is written into the build
output as ``_static/explore/data/<name>.js`` (a ``<script>`` file, so the page works opened from
disk), and the page's script only looks values up and draws them.

Why grids and not the update rules in JavaScript: the controls take a few hundred to a thousand
discrete values per figure, so the whole grid weighs 0.1 to 0.5 MB; in exchange no rule is written
twice (once in nnlib, once in JavaScript) and nothing in the browser recomputes what Python can.

``.. explorable:: gd`` (or ``momentum``, ``adaptive``, ``schedules``, ``network``) emits an empty
``<div>`` the script fills; without JavaScript, and in the PDF (the directive emits nothing for
LaTeX), the still figure above it stands. ``python _ext/explorables.py NAME`` prints a grid as JSON
(the Node tests read it from there).
"""

import json
import math
import os
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
from docutils import nodes
from docutils.parsers.rst import Directive, directives

FIGURES = ("gd", "momentum", "adaptive", "schedules", "network")
PATH_DECIMALS = 3  # path coordinates for drawing only (a pixel is about 0.01 of these windows)
SIGNIFICANT = 13  # digits kept of a value the page shows (relative error <= 5e-14; pages stay under 2.5 MB)


def shown(value):
    """A float to the SIGNIFICANT digits the data file keeps (it prints 4)."""
    return float(f"{value:.{SIGNIFICANT}g}")


# ---------------------------------------------------------------- chapter 6: GD on a parabola
def gd_grid():
    r"""Gradient descent on :math:`J(\theta) = \tfrac{L}{2}\theta^2` (chapter 6's parabola, L = 4).

    For each :math:`\eta = k/100`, k = 0..60 (0 to 0.6, beyond 2/L = 0.5): the path and the cost of
    20 steps from :math:`\theta_0 = 1` (``nnlib.functions.descend`` with ``SGD``), the factor
    :math:`1 - \eta L` and the regime from the exact comparison of :math:`\eta L` with 1 and 2.
    """
    from nnlib.functions import Quadratic, descend
    from nnlib.optim import SGD

    curvature = 4
    parabola = Quadratic([[float(curvature)]])
    points = []
    for k in range(61):
        lr = k / 100
        path = descend(parabola, [1.0], lambda ps, lr=lr: SGD(ps, lr=lr), 20)
        product = Fraction(k, 100) * curvature  # eta L, exactly
        if k == 0:
            regime = "still"
        elif product < 1:
            regime = "monotone"
        elif product == 1:
            regime = "one-step"
        elif product < 2:
            regime = "oscillating"
        elif product == 2:
            regime = "boundary"
        else:
            regime = "diverging"
        points.append({"lr": lr, "factor": 1 - lr * curvature, "regime": regime,
                       "path": path[:, 0].tolist(), "cost": parabola(path).tolist()})
    theta = np.linspace(-2.2, 2.2, 89)
    return {"L": curvature, "theta0": 1.0, "bound": 2 / curvature, "points": points,
            "curve": np.column_stack([theta, parabola(theta[:, None])]).round(PATH_DECIMALS).tolist()}


# ---------------------------------------------------------------- chapter 8: momentum
def iteration_matrix(method, lr, beta, eigenvalue):
    r"""The linear map of one step on :math:`J = \tfrac{\lambda}{2}\theta^2`, state :math:`(\theta, v)`.

    Heavy ball (``HeavyBall``: :math:`v' = \beta v + \eta\lambda\theta`, :math:`\theta' = \theta - v'`)
    and Nesterov (``SGD(nesterov=True)``: :math:`b' = \beta b + \lambda\theta`,
    :math:`\theta' = \theta - \eta(\lambda\theta + \beta b')`). Its spectral radius is the rate.
    """
    h = lr * eigenvalue
    if method == "heavy ball":
        return np.array([[1 - h, -beta], [h, beta]])
    return np.array([[1 - h * (1 + beta), -lr * beta**2], [eigenvalue, beta]])


def momentum_rate(method, lr, beta, eigenvalues):
    """Worst contraction factor per step over the eigenvalues (> 1: diverges)."""
    return max(float(np.max(np.abs(np.linalg.eigvals(iteration_matrix(method, lr, beta, lam)))))
               for lam in eigenvalues)


def momentum_grid():
    r"""Heavy ball and Nesterov on chapter 8's bowl :math:`\mathrm{diag}(1, 50)` from (-2, 0.6).

    :math:`\eta = 0.004k`, k = 1..20, and :math:`\beta = 0.05j`, j = 0..19: 40 steps of each method
    (nnlib), its rate, and Polyak's optimum :math:`\eta^* = 4/(\sqrt L + \sqrt\mu)^2`,
    :math:`\beta^* = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`. A path is stored flat, in
    thousandths (``[x0, y0, x1, y1, ...]``), up to the first point outside the drawn window
    (2.4, 1.1); rates and costs in full.
    """
    from nnlib.functions import Quadratic, descend
    from nnlib.optim import SGD, HeavyBall

    mu, big_l = 1.0, 50.0
    bowl = Quadratic(np.diag([mu, big_l]))
    start = [-2.0, 0.6]
    lrs = [round(0.004 * k, 3) for k in range(1, 21)]
    n_steps = 40
    betas = [round(0.05 * j, 2) for j in range(20)]
    makers = {
        "heavy ball": lambda lr, beta: (lambda ps: HeavyBall(ps, lr=lr, momentum=beta)),
        "Nesterov": lambda lr, beta: (lambda ps: SGD(ps, lr=lr, momentum=beta, nesterov=beta > 0)),
    }
    methods = {}
    for name, make in makers.items():
        rates, paths, costs, best = [], [], [], []
        for lr in lrs:
            row = [momentum_rate(name, lr, beta, (mu, big_l)) for beta in betas]
            best.append(int(np.argmin(row)))
            rates.extend(row)
            for beta in betas:
                path = descend(bowl, start, make(lr, beta), n_steps)
                # for drawing: up to the first point outside the window, in thousandths, flat
                # (x0, y0, x1, y1, ...): the page stays under 2.5 MB
                outside = np.nonzero((np.abs(path[:, 0]) > 2.4) | (np.abs(path[:, 1]) > 1.1))[0]
                shown = path if outside.size == 0 else path[:outside[0] + 1]
                paths.append(np.round(shown * 1000).astype(int).ravel().tolist())
                costs.append(float(bowl(path[-1])))
        verdict = ["converges" if r < 1 - 1e-12 else "diverges" if r > 1 + 1e-12 else "boundary"
                   for r in rates]
        methods[name] = {"rate": rates, "verdict": verdict, "path": paths, "final_cost": costs,
                         "best_beta_index": best}
    kappa = big_l / mu
    best_lr = 4 / (math.sqrt(big_l) + math.sqrt(mu)) ** 2
    best_beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    levels = [0.05, 0.2, 0.5, 1.0, 2.0]  # J = mu t1^2 / 2 + L t2^2 / 2 = c: ellipses inside the window
    return {"mu": mu, "L": big_l, "start": start, "lrs": lrs, "betas": betas, "methods": methods,
            "n_steps": n_steps,
            "contours": [[math.sqrt(2 * c / mu), math.sqrt(2 * c / big_l)] for c in levels],
            "optimum": {"lr": best_lr, "beta": best_beta,
                        "rate": momentum_rate("heavy ball", best_lr, best_beta, (mu, big_l))}}


# ---------------------------------------------------------------- chapter 9: adaptive methods
def adaptive_grid():
    """GD, momentum 0.9, RMSprop and Adam (PyTorch defaults) on Rosenbrock from (-1.2, 1), 300 steps.

    One learning rate for all four, from 1e-4 to 0.3: the paths (a diverging run stops early, as
    ``descend`` stops it), the length of every step and the final cost.
    """
    from nnlib.functions import Rosenbrock, descend
    from nnlib.optim import SGD, Adam, RMSprop

    valley = Rosenbrock()
    start, n_steps = [-1.2, 1.0], 300
    lrs = [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
    makers = {
        "gradient descent": lambda lr: (lambda ps: SGD(ps, lr=lr)),
        "momentum 0.9": lambda lr: (lambda ps: SGD(ps, lr=lr, momentum=0.9)),
        "RMSprop": lambda lr: (lambda ps: RMSprop(ps, lr=lr)),
        "Adam": lambda lr: (lambda ps: Adam(ps, lr=lr)),
    }
    runs = {}
    for name, make in makers.items():
        runs[name] = []
        for lr in lrs:
            path = descend(valley, start, make(lr), n_steps)
            steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
            finite = bool(np.all(np.isfinite(path))) and len(path) == n_steps + 1
            runs[name].append({
                # for drawing: thousandths, flat (x0, y0, x1, y1, ...)
                "path": np.round((path if finite else path[:-1]) * 1000).astype(int).ravel().tolist(),
                "steps": [float(f"{s:.4g}") for s in steps if np.isfinite(s)],  # drawn only (log scale)
                "diverged": not finite,
                "n_steps": len(path) - 1,
                "final_cost": float(valley(path[-1])) if finite else None,
                "final": path[-1].tolist() if finite else None,
                "longest_step": float(max(s for s in steps if np.isfinite(s))),  # shown in the text
            })
    xs = -1.6 + (np.arange(32) + 0.5) * 3.1 / 32  # cell centres of the backdrop's 32 x 22 cells
    ys = -0.5 + (np.arange(22) + 0.5) * 2.2 / 22
    heat = np.log10(valley(np.stack(np.meshgrid(xs, ys), axis=-1)) + 1e-3)
    return {"lrs": lrs, "start": start, "minimum": valley.minimizer.tolist(), "runs": runs,
            "n_steps": n_steps,
            "window": [[-1.6, 1.5], [-0.5, 1.7]], "heat": np.round(heat, 2).tolist()}


# ---------------------------------------------------------------- chapter 10: schedules
SCHEDULE_PARAMETERS = {
    "StepLR": {"step_size": [5, 10, 20, 30, 50], "gamma": [0.1, 0.2, 0.5, 0.9]},
    "ExponentialLR": {"gamma": [0.8, 0.85, 0.9, 0.95, 0.97, 0.99]},
    "CosineAnnealingLR": {"T_max": [10, 20, 25, 50, 100], "eta_min": [0.0, 0.001, 0.01, 0.02, 0.05]},
    "CosineAnnealingWarmRestarts": {"T_0": [1, 2, 5, 10, 20, 30], "T_mult": [1, 2, 3],
                                    "eta_min": [0.0, 0.001, 0.01, 0.02, 0.05]},
}


def schedules_grid():
    """Every schedule of ``nnlib.schedules`` at every combination of the values above, base rate 0.1.

    The rate at epochs 0..99 as ``get_last_lr()`` reads it before each ``step()`` (chapter 10's
    ``lr_curve``); the key of a curve is the name and the index of each parameter's value, in the
    order above: ``StepLR|3|0`` is ``StepLR(step_size=30, gamma=0.1)``.
    """
    import itertools

    from nnlib import schedules
    from nnlib.optim import SGD
    from nnlib.parameter import Parameter

    curves = {}
    for name, grid in SCHEDULE_PARAMETERS.items():
        for indices in itertools.product(*(range(len(values)) for values in grid.values())):
            kwargs = {p: grid[p][k] for p, k in zip(grid, indices, strict=True)}
            schedule = getattr(schedules, name)(SGD([Parameter([0.0])], lr=0.1), **kwargs)
            rates = []
            for _ in range(100):
                rates.append(schedule.get_last_lr()[0])
                schedule.step()
            curves["|".join([name, *map(str, indices)])] = rates
    return {"base_lr": 0.1, "epochs": 100, "parameters": SCHEDULE_PARAMETERS, "curves": curves}


# ---------------------------------------------------------------- chapter 12: the 2-2-1 network
NETWORK_FIELDS = ("z1", "a1", "z2", "a2", "z3", "y_hat", "L", "delta1", "delta2", "delta3")
NETWORK_RANGE = [round(-2 + 0.1 * k, 1) for k in range(41)]  # -2.0, -1.9, ..., 2.0


def network_state(x, label, params):
    """Forward values, deltas, gradients and the updated parameters of the notes' 2-2-1 network, by nnlib."""
    from nnlib.losses import BinaryCrossEntropy
    from nnlib.nn import Linear, Sequential, Sigmoid
    from nnlib.symbolic import network

    W1, b1, W2, b2 = network.layer_arrays(params)
    model = Sequential(Linear(2, 2, weight=W1, bias=b1), Sigmoid(),
                       Linear(2, 1, weight=W2, bias=b2), Sigmoid())
    bce = BinaryCrossEntropy()
    xs, ys = np.array([x], dtype=float), np.array([[label]], dtype=float)
    z_hidden = model[0].forward(xs)
    a_hidden = model[1].forward(z_hidden)
    z_out = model[2].forward(a_hidden)
    y_hat = model[3].forward(z_out)
    delta3 = model[3].backward(bce.grad(ys, y_hat))
    delta_hidden = model[1].backward(model[2].backward(delta3))
    model[0].backward(delta_hidden)
    hidden, output = model[0], model[2]
    grad = {"w_11": hidden.weight.grad[0, 0], "w_21": hidden.weight.grad[0, 1], "b_1": hidden.bias.grad[0],
            "w_12": hidden.weight.grad[1, 0], "w_22": hidden.weight.grad[1, 1], "b_2": hidden.bias.grad[1],
            "w_13": output.weight.grad[0, 0], "w_23": output.weight.grad[0, 1], "b_3": output.bias.grad[0]}
    lr = network.NOTES_EXAMPLE["lr"]
    return {"z1": z_hidden[0, 0], "a1": a_hidden[0, 0], "z2": z_hidden[0, 1], "a2": a_hidden[0, 1],
            "z3": z_out[0, 0], "y_hat": y_hat[0, 0], "L": float(bce(ys, y_hat)),
            "delta1": delta_hidden[0, 0], "delta2": delta_hidden[0, 1], "delta3": delta3[0, 0],
            "grad": {k: float(v) for k, v in grad.items()},
            "updated": {k: params[k] - lr * float(grad[k]) for k in grad}}


def network_grid():
    """The notes' example with one quantity (x1, x2 or a parameter) set to -2.0..2.0 and y 0 or 1.

    Key ``quantity|value|y``; the value's text is the slider's (``-0.5``, ``0.0``, ``1.2``). A state
    is a list: the ``NETWORK_FIELDS``, then the nine gradients, then the nine updated parameters
    (the notes' order of the parameters).
    """
    from nnlib.symbolic import network

    example = network.NOTES_EXAMPLE
    quantities = ["x1", "x2"] + list(example["params"])
    states = {}
    for quantity in quantities:
        for value in NETWORK_RANGE:
            for label in (0, 1):
                x = list(example["x"])
                params = dict(example["params"])
                if quantity == "x1":
                    x[0] = value
                elif quantity == "x2":
                    x[1] = value
                else:
                    params[quantity] = value
                state = network_state(x, label, params)
                states[f"{quantity}|{value:.1f}|{label}"] = (
                    [shown(state[k]) for k in NETWORK_FIELDS]
                    + [shown(state["grad"][p]) for p in example["params"]]
                    + [shown(state["updated"][p]) for p in example["params"]])
    return {"example": {"x": list(example["x"]), "y": example["y"], "params": example["params"],
                        "lr": example["lr"]},
            "quantities": quantities, "values": NETWORK_RANGE, "fields": list(NETWORK_FIELDS),
            "states": states}


GRIDS = {"gd": gd_grid, "momentum": momentum_grid, "adaptive": adaptive_grid,
         "schedules": schedules_grid, "network": network_grid}


# ---------------------------------------------------------------- Sphinx
class explorable_node(nodes.General, nodes.Element):
    """Placeholder: HTML gets the figure's container, every other writer nothing."""


class ExplorableDirective(Directive):
    """``.. explorable:: NAME`` with the figure's caption as its content (one line)."""

    required_arguments = 1
    has_content = True
    option_spec = {"label": directives.unchanged}

    def run(self):
        name = self.arguments[0]
        if name not in FIGURES:
            raise self.error(f"explorable: unknown figure {name!r}; one of {FIGURES}")
        env = self.state.document.settings.env
        pages = getattr(env, "explorable_pages", {})
        pages.setdefault(env.docname, set()).add(name)
        env.explorable_pages = pages
        node = explorable_node()
        node["name"] = name
        node["caption"] = " ".join(self.content).strip()
        return [node]


def _withheld():
    """The students' site (COURSE_HIDE_SOLUTIONS=1) withholds the sample exam's key; an explorable's dense
    grid holds, by chance, most four-decimal numbers, that key's among them, so there the still figures stand
    alone (tests/built/test_student_site.py)."""
    return os.environ.get("COURSE_HIDE_SOLUTIONS") == "1"


def visit_html(self, node):
    if _withheld():
        raise nodes.SkipNode
    caption = node["caption"] or "Explore the figure above."
    self.body.append(
        f'<section class="explore" id="explore-{node["name"]}" data-figure="{node["name"]}" '
        f'aria-labelledby="explore-{node["name"]}-title" hidden>'
        f'<h3 class="explore-title" id="explore-{node["name"]}-title">{self.encode(caption)}</h3>'
        f'</section>')
    raise nodes.SkipNode


def skip(self, node):
    raise nodes.SkipNode


def _merge(app, env, docnames, other):
    pages = getattr(env, "explorable_pages", {})
    pages.update(getattr(other, "explorable_pages", {}))
    env.explorable_pages = pages


def _purge(app, env, docname):
    getattr(env, "explorable_pages", {}).pop(docname, None)


def write_data(name, outdir):
    """Write ``_static/explore/data/<name>.js``: ``window.EXPLORE_DATA[name] = {...}``."""
    target = Path(outdir) / "_static" / "explore" / "data" / f"{name}.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(GRIDS[name](), allow_nan=False, separators=(",", ":"))
    target.write_text(f"window.EXPLORE_DATA = window.EXPLORE_DATA || {{}};\n"
                      f"window.EXPLORE_DATA[{json.dumps(name)}] = {payload};\n")


def _is_ours(asset):
    """True for a script or style sheet of _static/explore/ (Jupyter Book lists every one on every page)."""
    return "explore/" in (getattr(asset, "filename", "") or str(asset))


def _page_assets(app, pagename, templatename, context, doctree):
    """Pages with a figure load the scripts, the style and their data in order; other pages none of them."""
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [asset for asset in assets if not _is_ours(asset)]
    names = getattr(app.env, "explorable_pages", {}).get(pagename)
    if not names or app.builder.format != "html" or _withheld():
        return
    app.add_css_file("explore/explore.css")
    app.add_js_file("explore/explore.js")
    for name in sorted(names):
        write_data(name, app.outdir)
        app.add_js_file(f"explore/data/{name}.js")
        app.add_js_file(f"explore/{name}.js")


def _always_outdated(app, env, added, changed, removed):
    """The five pages are written in every build, so their data files are always there and fresh
    (nnlib may have changed though the notebooks did not)."""
    return sorted(set(getattr(env, "explorable_pages", {})) - set(removed))


def setup(app):
    app.add_node(explorable_node, html=(visit_html, None), latex=(skip, None), text=(skip, None),
                 man=(skip, None), texinfo=(skip, None))
    app.add_directive("explorable", ExplorableDirective)
    app.connect("env-merge-info", _merge)
    app.connect("env-purge-doc", _purge)
    app.connect("env-get-outdated", _always_outdated)
    app.connect("html-page-context", _page_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # python _ext/explorables.py NAME: the grid as JSON (for the Node tests)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(json.dumps(GRIDS[sys.argv[1]](), allow_nan=False))
