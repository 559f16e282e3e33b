"""Forbidden helpers by absence (issue 20, item 4): a question that forbids a module is judged in a
kernel where that module's code is not there, so no way of reaching it earns the question's points.

Each attack below is a losses notebook whose q4 and q5 (both ``forbid = ["nnlib.losses"]``) call
nnlib's own ``BinaryCrossEntropy`` and ``Huber`` through a way around the old inspection (a static
scan of the cells and a profiler watching the answer's calls). Seen on the grader before this
change (commit f9573f6), q4 + q5 out of 4 points:

- ``magic`` (a ``%%capture`` cell that ``ast`` cannot parse, the calls run in a ``_thread``): 4/4
- ``exec_thread`` (``getattr(builtins, "ex" + "ec")`` runs a thread helper from a string): 4/4
- ``source_exec`` (``nnlib/losses.py`` read and run under another name): 4/4
- ``subprocess`` (``python -c 'import nnlib.losses ...'`` computes each answer): 4/4
- ``reload`` (``importlib.reload`` through ``sys.modules``), ``reimport`` (every ``nnlib``
  module deleted from ``sys.modules``, then imported again), ``bytecode`` (every readable
  ``losses*.py``/``.pyc`` on ``sys.path`` loaded and run): 0/4 (the profiler saw the calls)

After: 0/4 each. The master's own answers, with q1 (which forbids nothing) answered with nnlib's
``Huber``, keep 12/12; the student version scores 0.
"""

import csv
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from grader_support import run_cli, student_version, write

from grader.run.kernel import Kernel
from grader.run.sandbox import SandboxLimits

ROOT = Path(__file__).resolve().parent.parent
LOSSES = ROOT / "exercises" / "losses.ipynb"
Q4 = "float(BinaryCrossEntropy(from_logits=True)(y_true, z))"
Q5 = "Huber(delta).grad(y_true, y_pred)"

THREAD_HELPER = (
    "import _thread as _t\n\n\ndef _in_thread(f):\n    def inner(*a):\n"
    "        box, lock = [], _t.allocate_lock()\n        lock.acquire()\n\n"
    "        def run():\n            try:\n                box.append(f(*a))\n"
    "            finally:\n                lock.release()\n\n"
    "        _t.start_new_thread(run, ())\n        lock.acquire()\n        return box[0]\n"
    "    return inner\n"
)
IN_THREAD = ("_in_thread(lambda y_true, z: {q4})", "_in_thread(lambda y_true, y_pred, delta: {q5})")
PLAIN = ("lambda y_true, z: {q4}", "lambda y_true, y_pred, delta: {q5}")
SUBPROCESS_HELPER = r"""
import json as _j
import subprocess as _sp
import sys as _sys


def _via_python(expression):
    def inner(*args):
        code = (
            "import json, sys\nimport numpy as np\nimport nnlib.los" + "ses as L\n"
            "a = [np.array(x) if isinstance(x, list) else x for x in json.loads(sys.stdin.read())]\n"
            "print(json.dumps(np.asarray(" + expression + ", dtype=float).tolist()))\n"
        )
        sent = _j.dumps([np.asarray(x).tolist() for x in args])
        done = _sp.run([_sys.executable, "-c", code], input=sent, capture_output=True, text=True, check=True)
        value = _j.loads(done.stdout)
        return float(value) if isinstance(value, float) else np.array(value)
    return inner
"""
ATTACKS = {
    "magic": ("%%capture\n" + THREAD_HELPER, *IN_THREAD),
    "exec_thread": (
        f"import builtins as _b\n_run = getattr(_b, 'ex' + 'ec')\n_ns = {{}}\n_run({THREAD_HELPER!r}, _ns)\n"
        "_in_thread = _ns['_in_thread']\n",
        *IN_THREAD,
    ),
    "source_exec": (
        "import builtins as _b\nimport os as _os\n\nimport nnlib as _n\n\n"
        "_run = getattr(_b, 'ex' + 'ec')\n_ns = {'__name__': 'mine'}\n"
        "_run(open(_os.path.join(_n.__path__[0], 'loss' + 'es.py')).read(), _ns)\n"
        "BinaryCrossEntropy, Huber = _ns['BinaryCrossEntropy'], _ns['Huber']\n",
        *PLAIN,
    ),
    "reload": (
        "import sys as _s\n\n_m = _s.modules['nnlib.loss' + 'es']\n_m = _s.modules['importlib'].reload(_m)\n"
        "BinaryCrossEntropy, Huber = _m.BinaryCrossEntropy, _m.Huber\n",
        *PLAIN,
    ),
    "reimport": (
        "import sys as _s\n\nfor _k in [k for k in _s.modules if k.startswith('nnlib')]:\n"
        "    del _s.modules[_k]\n"
        "_m = _s.modules['importlib'].import_module('nnlib.loss' + 'es')\n"
        "BinaryCrossEntropy, Huber = _m.BinaryCrossEntropy, _m.Huber\n",
        *PLAIN,
    ),
    "bytecode": (
        "import builtins as _b\nimport marshal as _ma\nimport os as _os\nimport sys as _s\n\n"
        "_run = getattr(_b, 'ex' + 'ec')\n"
        "for _top in [p for p in _s.path if _os.path.isdir(p)]:\n"
        "    for _dir, _subs, _files in _os.walk(_top):\n"
        "        for _f in _files:\n"
        "            if not _f.startswith('loss' + 'es'):\n                continue\n"
        "            try:\n                _data = open(_os.path.join(_dir, _f), 'rb').read()\n"
        "                _code = _ma.loads(_data[16:]) if _f.endswith('.pyc') else _data\n"
        "                _ns = {'__name__': 'mine'}\n                _run(_code, _ns)\n"
        "                if isinstance(_ns.get('Huber'), type):\n"
        "                    BinaryCrossEntropy, Huber = _ns['BinaryCrossEntropy'], _ns['Huber']\n"
        "            except Exception:\n                pass\n",
        *PLAIN,
    ),
    "subprocess": (
        SUBPROCESS_HELPER,
        '_via_python("L.BinaryCrossEntropy(from_logits=True)(*a)")',
        '_via_python("L.Huber(a[2]).grad(a[0], a[1])")',
    ),
}
Q1_WITH_HUBER = "huber_total = float(Huber(delta_p, reduction='sum')(y_true_r, y_pred_r))\n"


def _set_answer(notebook, qid, text):
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "answer" and info.get("id") == qid:
            cell["source"] = text
            return
    raise AssertionError(f"no answer cell {qid}")


def _master_copy():
    notebook = json.loads(LOSSES.read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    return notebook


def _attack(helper, q4, q5):
    notebook = _master_copy()  # every other answer right: only q4 and q5 are at stake
    position = next(
        i for i, c in enumerate(notebook["cells"]) if "nnlib.losses import" in "".join(c["source"])
    )
    notebook["cells"].insert(
        position + 1,
        {"cell_type": "code", "metadata": {}, "source": helper, "outputs": [], "execution_count": None},
    )
    _set_answer(notebook, "q4", f"bce_with_logits = {q4.format(q4=Q4)}\n")
    _set_answer(notebook, "q5", f"huber_grad = {q5.format(q5=Q5)}\n")
    return notebook


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    honest = _master_copy()
    _set_answer(honest, "q1", Q1_WITH_HUBER)  # q1 forbids nothing: nnlib's Huber is allowed there
    write(honest, folder / "honest.ipynb")
    write(student_version(LOSSES), folder / "stub.ipynb")
    for name, parts in ATTACKS.items():
        write(_attack(*parts), folder / f"{name}.ipynb")
    csv_path = folder.parent / "class.csv"
    completed = run_cli("grade", LOSSES, folder, "--csv", csv_path, "--jobs", "2", "--quiet")
    assert completed.returncode in (0, 1), completed.stderr[-3000:]
    with open(csv_path, encoding="utf-8", newline="") as stream:
        return {row["submission"]: row for row in csv.DictReader(stream)}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_no_way_to_a_forbidden_module_scores(class_run, name):
    row = class_run[f"{name}.ipynb"]
    assert (float(row["q4"]), float(row["q5"])) == (0.0, 0.0), row
    assert float(row["total"]) == 8.0, row  # every question that does not forbid it: full marks


def test_the_master_scores_full_and_the_stub_zero(class_run):
    honest, stub = class_run["honest.ipynb"], class_run["stub.ipynb"]
    assert honest["total"] == honest["max_score"] == "12", honest
    assert honest["q1_status"] == "passed", honest  # nnlib.losses used where it is allowed
    assert float(stub["total"]) == 0.0, stub


def test_the_use_of_the_stub_is_named_in_the_feedback(tmp_path):
    notebook = _attack("", *PLAIN)  # the course's own imports: the names are the stub's
    completed = run_cli(
        "grade", LOSSES, write(notebook, tmp_path / "s.ipynb"), "--json", tmp_path / "r.json", "--quiet"
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    tests = {t["name"].split()[0]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    for qid in ("q4", "q5"):
        assert tests[qid]["score"] == 0 and "forbids" in tests[qid]["output"], tests[qid]


MARKER = b"Keras' names and argument order"  # a line of nnlib/losses.py's docstring, kept in its bytecode

FIND_COPIES = rf"""
import os
_hits = []
for _dir, _subs, _files in os.walk("/"):
    _subs[:] = [d for d in _subs if _dir != "/" or d not in ("proc", "sys", "dev")]
    for _f in _files:
        if _f.startswith("losses") or _f.endswith((".pyc", ".zip", ".whl", ".egg")):
            try:
                with open(os.path.join(_dir, _f), "rb") as _s:
                    if {MARKER!r} in _s.read():
                        _hits.append(os.path.join(_dir, _f))
            except OSError:
                pass
print(sorted(set(_hits)))
"""


def test_no_copy_of_the_forbidden_source_is_readable_in_the_kernel():
    """No file the kernel can read (the losses* files, bytecode and archives) holds the module's text."""
    assert MARKER in (ROOT / "nnlib" / "losses.py").read_bytes()
    kernel = Kernel(limits=replace(SandboxLimits(), absent=("nnlib.losses",)))
    try:
        found = kernel.execute(FIND_COPIES, 120)
    finally:
        kernel.shutdown()
    assert found.status == "ok", found
    assert found.stdout.strip() == "[]", found.stdout
    control = Kernel()  # the same search in an ordinary kernel finds the module (the search works)
    try:
        seen = control.execute(FIND_COPIES, 120)
    finally:
        control.shutdown()
    assert "losses.py" in seen.stdout, seen.stdout


# -- the fallback without bubblewrap: each kernel as a user of its own (grader.run.unprivileged) -------------

WAYS_IN = r"""
import importlib, json, os, subprocess, sys
import nnlib
found = {}

def _real(get):
    try:
        return "real" if isinstance(get().Huber, type) else "stub"
    except Exception as error:
        return type(error).__name__

found["import"] = _real(lambda: importlib.import_module("nnlib.losses"))
found["reload"] = _real(lambda: importlib.reload(importlib.import_module("nnlib.losses")))

def _again():
    for name in [n for n in sys.modules if n.startswith("nnlib")]:
        del sys.modules[name]
    return importlib.import_module("nnlib.losses")

found["reimport"] = _real(_again)

def _source():
    space = {"__name__": "mine"}
    with open(os.path.join(nnlib.__path__[0], "losses.py")) as stream:
        exec(stream.read(), space)
    return type("copy", (), space)

found["source"] = _real(_source)
done = subprocess.run([sys.executable, "-c", "import nnlib.losses as L; print(isinstance(L.Huber, type))"],
                      capture_output=True, text=True)
found["subprocess"] = "real" if done.stdout.strip() == "True" else "stub"
print(json.dumps(found))
"""

IN_CONTAINER = r"""
import json, os, sys
from dataclasses import replace
from grader.run.kernel import Kernel
from grader.run.sandbox import SandboxLimits
plain = replace(SandboxLimits(), enabled=False, unprivileged=True)
seen = {}
for label, limits in (("forbid", replace(plain, absent=("nnlib.losses",))), ("control", plain)):
    kernel = Kernel(limits=limits)
    try:
        done = kernel.execute(sys.argv[1], 120)
        seen[label] = json.loads(done.stdout) if done.status == "ok" else done.status + done.evalue
    finally:
        kernel.shutdown()
seen["acl left"] = os.listxattr(sys.argv[2])
print(json.dumps(seen))
"""


def test_the_fallback_closes_the_module_to_the_kernels_own_user():
    """Without bwrap the module's file and bytecode get an ACL entry denying the kernel's uid.

    In a container view like Gradescope's (the course installed where root may write, as setup.sh
    does): every way in gives the stub or nothing; an ordinary kernel beside it gets the module.
    """
    from grader_support import container_view
    from test_grader_unprivileged import BWRAP

    nnlib = ROOT / "nnlib"  # writable by root in the container view, as setup.sh installs it
    command = [BWRAP, *container_view(), "--dev-bind", "/dev", "/dev"]
    command += ["--bind", "/proc", "/proc", "--die-with-parent", "--chdir", "/tmp", "--clearenv"]
    for key, value in {
        "PATH": "/usr/bin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
    }.items():
        command += ["--setenv", key, value]
    command += ["--", sys.executable, "-c", IN_CONTAINER, WAYS_IN, str(nnlib / "losses.py")]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    assert set(seen["forbid"].values()) <= {"stub", "PermissionError", "ModuleNotFoundError"}, seen
    assert seen["forbid"]["import"] == "stub", seen
    assert seen["control"] == dict.fromkeys(seen["forbid"], "real"), seen
    assert seen["acl left"] == [], seen  # the kernel's user was given its access back when it ended


def test_a_forbidden_package_takes_its_submodules_with_it():
    """``forbid = ["nnlib.symbolic"]``: the package is the stub, its modules are gone, the others stay."""
    probe = (
        "import importlib\nfound = {}\n"
        "for name in ('nnlib.symbolic', 'nnlib.symbolic.losses', 'nnlib.losses'):\n"
        "    try:\n        found[name] = (importlib.import_module(name).__doc__ or '').split(':')[0]\n"
        "    except ImportError as error:\n        found[name] = type(error).__name__\n"
        "print(found)\n"
    )
    kernel = Kernel(limits=replace(SandboxLimits(), absent=("nnlib.symbolic",)))
    try:
        done = kernel.execute(probe, 60)
    finally:
        kernel.shutdown()
    assert done.stdout.strip() == str(
        {
            "nnlib.symbolic": "nnlib.symbolic is absent",
            "nnlib.symbolic.losses": "ModuleNotFoundError",
            "nnlib.losses": "Loss functions",
        }
    ), done


def _master_with_q4_forbid(tmp_path, line):
    notebook = json.loads(LOSSES.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "hidden" and info.get("id") == "q4":
            source = "".join(cell["source"])
            cell["source"] = source.replace('forbid = ["nnlib.losses", "nnlib.symbolic"]\n', line)
            assert cell["source"] != source
    return write(notebook, tmp_path / "master.ipynb")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('forbid = ["sys"]\n', "built into Python or compiled"),  # no file to put a stub over
        ('forbid = ["nnlib.losses"]\nforbid.append("nnlib.nn")\n', "its run gave another list"),
    ],
)
def test_a_forbid_list_the_grader_cannot_enforce_stops_the_grading(tmp_path, line, message):
    master = _master_with_q4_forbid(tmp_path, line)
    completed = run_cli("grade", master, master, "--quiet")
    assert completed.returncode == 2, completed.stderr[-2000:]
    assert message in completed.stderr, completed.stderr[-2000:]
