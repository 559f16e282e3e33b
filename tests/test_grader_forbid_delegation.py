"""A question that asks for what nnlib already has forbids nnlib's module (attack: delegate to it).

The warm-up asks for ``mse``, ``mse_grad`` and an MSE node's ``backward`` (nnlib.losses has them),
optimization for Adam's ``step`` and the warm-restarts schedule (nnlib.optim, nnlib.schedules),
backprop for a Linear layer's ``backward`` (nnlib.nn). Before their masters said ``forbid``, a
submission whose answers only call nnlib scored full marks on those questions (seen: 6/6, 6/6 and
3/3 on them). Now each of them scores 0, while the rest of the same submission, and the master's own
answers, keep their marks.
"""

import csv
import json
from pathlib import Path

import pytest
from grader_support import run_cli, write

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"

DELEGATE = {
    "00_warmup": {
        "q4": "from nnlib.losses import MSE\n\n\ndef mse(y_true, y_pred):\n"
        "    return float(MSE()(y_true, y_pred))\n",
        "q5": "from nnlib.losses import MSE\n\n\ndef mse_grad(y_true, y_pred):\n"
        "    return MSE().grad(y_true, y_pred)\n",
        "q8": "from nnlib.losses import MSE\n\n\nclass MSECost:\n"
        "    def __init__(self, y_true):\n        self.y_true = np.asarray(y_true, dtype=float)\n\n"
        "    def forward(self, y_pred):\n        self.y_pred = np.asarray(y_pred, dtype=float)\n"
        "        return np.mean((self.y_true - self.y_pred) ** 2)\n\n"
        "    def backward(self, grad_out):\n        return grad_out * MSE().grad(self.y_true, self.y_pred)\n",
    },
    "optimization": {
        "q4": "from nnlib.optim import Adam\n\n\nclass MyAdam:\n"
        "    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):\n"
        "        self.params = list(params)\n        self.lr, self.betas, self.eps = lr, betas, eps\n"
        "        self.inner = Adam(self.params, lr=lr, betas=betas, eps=eps)\n        self.t = 0\n"
        "        self.m = [np.zeros_like(p.value) for p in self.params]\n"
        "        self.v = [np.zeros_like(p.value) for p in self.params]\n\n"
        "    def step(self):\n        self.inner.step()\n        self.t += 1\n"
        "        for i, p in enumerate(self.params):\n"
        "            self.m[i] = self.inner.state[p]['exp_avg'].copy()\n"
        "            self.v[i] = self.inner.state[p]['exp_avg_sq'].copy()\n",
        "q6": "from nnlib.optim import SGD\nfrom nnlib.parameter import Parameter\n"
        "from nnlib.schedules import CosineAnnealingWarmRestarts\n\n\n"
        "def warm_restarts_lr(t, base_lr, T_0, T_mult, eta_min):\n"
        "    optimizer = SGD([Parameter([0.0])], lr=base_lr)\n"
        "    return CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min).lr_at(t)\n",
    },
    "backprop": {
        "q7": "from nnlib.nn import Linear\n\n\nclass MyLinear:\n"
        "    def __init__(self, n_in, n_out):\n        rng = np.random.default_rng(0)\n"
        "        self.W = Parameter(rng.normal(size=(n_out, n_in)), 'W')\n"
        "        self.b = Parameter(np.zeros(n_out), 'b')\n\n"
        "    def parameters(self):\n        return [self.W, self.b]\n\n"
        "    def forward(self, x):\n        self.x = np.asarray(x, dtype=float)\n"
        "        return self.x @ self.W.value.T + self.b.value\n\n"
        "    def backward(self, grad_out):\n"
        "        inner = Linear(self.x.shape[1], len(self.b.value), weight=self.W.value, bias=self.b.value)\n"
        "        inner.forward(self.x)\n        grad_x = inner.backward(grad_out)\n"
        "        self.W.grad += inner.weight.grad\n        self.b.grad += inner.bias.grad\n"
        "        return grad_x\n",
    },
}


def _master_copy(name):
    notebook = json.loads((EXERCISES / f"{name}.ipynb").read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    return notebook


def _with_answers(notebook, answers):
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "answer" and info.get("id") in answers:
            cell["source"] = answers[info["id"]]
    return notebook


@pytest.fixture(scope="module", params=sorted(DELEGATE))
def graded(request, tmp_path_factory):
    name = request.param
    folder = tmp_path_factory.mktemp(f"class-{name}")
    write(_master_copy(name), folder / "honest.ipynb")
    write(_with_answers(_master_copy(name), DELEGATE[name]), folder / "delegates.ipynb")
    csv_path = folder.parent / f"{name}.csv"
    master = EXERCISES / f"{name}.ipynb"
    completed = run_cli("grade", master, folder, "--csv", csv_path, "--jobs", "2", "--quiet")
    assert completed.returncode in (0, 1), completed.stderr[-3000:]
    with open(csv_path, encoding="utf-8", newline="") as stream:
        return name, {row["submission"]: row for row in csv.DictReader(stream)}


def test_answers_that_delegate_to_nnlib_score_nothing(graded):
    name, rows = graded
    honest, delegates = rows["honest.ipynb"], rows["delegates.ipynb"]
    assert honest["total"] == honest["max_score"], honest
    for qid in DELEGATE[name]:
        assert float(delegates[qid]) == 0.0, (qid, delegates)
        assert delegates[f"{qid}_status"] == "failed", (qid, delegates)
    lost = sum(float(honest[qid]) for qid in DELEGATE[name])
    assert float(delegates["total"]) == float(honest["total"]) - lost, delegates
