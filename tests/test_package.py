"""The package itself: ``import nnlib`` reaches every submodule, and none of them imports in a cycle.

Each check runs in a fresh interpreter, so that a module imported earlier by another test
cannot hide a missing import or an import cycle.
"""

import subprocess
import sys

import pytest

import nnlib

MODULES = [f"nnlib.{name}" for name in nnlib.SUBMODULES] + [
    "nnlib._validation",
    "nnlib._lazy",
    "nnlib.symbolic.losses",
    "nnlib.symbolic.optim",
    "nnlib.symbolic.network",
]


def run_python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_nnlib_gives_its_submodules():
    code = (
        "import nnlib\n"
        "print(nnlib.losses.MSE()([1.0, 2.0], [1.5, 2.0]), nnlib.optim.Adam.__name__, "
        "nnlib.symbolic.network.NOTES_EXAMPLE['lr'])"
    )
    # (0.25 + 0) / 2 = 0.125; the notes' learning rate is 0.1
    assert run_python(code) == "0.125 Adam 0.1"


def test_submodules_are_imported_only_when_used():
    code = (
        "import sys, nnlib\n"
        "print(sorted(name for name in nnlib.SUBMODULES if f'nnlib.{name}' in sys.modules))\n"
        "nnlib.losses\n"
        "print(sorted(name for name in nnlib.SUBMODULES if f'nnlib.{name}' in sys.modules))"
    )
    # losses imports activations and data (one_hot), nothing else
    assert run_python(code).splitlines() == ["[]", "['activations', 'data', 'losses']"]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports_on_its_own(module):
    assert run_python(f"import {module}; print('ok')") == "ok"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'loss'"):
        nnlib.loss  # noqa: B018
    assert set(nnlib.SUBMODULES) <= set(dir(nnlib))


# The chapters show these methods with ``literalinclude :pyobject: Class.method``, which finds
# them by parsing the file: each must be defined in that class's own body, in that file.
LOSSES = ("MSE", "MAE", "Huber", "BinaryCrossEntropy", "CategoricalCrossEntropy", "Hinge", "KLDivergence")
INCLUDED = {
    "nnlib/losses.py": ["Loss.__call__"]
    + [f"{loss}.{method}" for loss in LOSSES for method in ("_per_sample", "_per_sample_grad")],
    "nnlib/optim.py": [f"{name}._update" for name in ("SGD", "HeavyBall", "Adagrad", "RMSprop", "Adam")],
    "nnlib/nn.py": ["Linear.forward", "Linear.backward", "Sequential.forward", "Sequential.backward"],
    "nnlib/schedules.py": ["StepLR.lr_at", "CosineAnnealingLR.lr_at", "CosineAnnealingWarmRestarts.lr_at"],
}


@pytest.mark.parametrize("path", INCLUDED)
def test_methods_the_chapters_include_are_defined_in_their_files(path):
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).parent.parent / path).read_text())
    defined = {
        f"{node.name}.{item.name}"
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef)
    }
    missing = [name for name in INCLUDED[path] if name not in defined]
    assert not missing, f"{path} no longer defines {missing}, which chapters include"
