"""The attacks of issue 10, each tried from a student version, with honest submissions beside them.

Each attack is what a student could write in a cell: find the master notebook, outlive the
kernel and rewrite the results, write into the grader's or the libraries' folders, use the
network or unbounded memory, crash the grader with huge values or SymPy texts, walk the stack
into the grader's query and drop checks, flood the grader with a huge report or output, run
past every limit, break a class run. None may earn a point, leave a file or process on the
host, reach the network, or change another submission's grade.

``GRADER_ATTACKS_NO_SANDBOX=1`` runs the same tests with ``--no-sandbox``: most of them then
fail, which shows that they can (the markers the attacks write are removed afterwards).
"""

import csv
import glob
import http.server
import json
import os
import secrets
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy
import pytest
from grader_support import run_cli, student_version, write

import grader
from grader.grade import Limits, grade
from grader.master.notebook import parse_master
from grader.master.release import master_paths
from grader.run.kernel import MAX_MESSAGE, PARSE_LIMIT
from grader.run.protocol import REPORT_LIMIT
from grader.run.sandbox import SandboxLimits

ROOT = Path(__file__).resolve().parent.parent
MASTERS = master_paths(ROOT / "exercises")
WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
LOSSES = ROOT / "exercises" / "losses.ipynb"
KINDS = ROOT / "tests" / "grader_cases" / "kinds_master.ipynb"
NO_SANDBOX = os.environ.get("GRADER_ATTACKS_NO_SANDBOX") == "1"
SANDBOX_FLAGS = ["--no-sandbox"] if NO_SANDBOX else []


def limits(**changes):
    base = Limits(cell_timeout=20.0, submission_timeout=120.0)
    base.sandbox = replace(SandboxLimits(), enabled=not NO_SANDBOX)
    return replace(base, **changes)


def code_cell(text):
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}




def master_copy(master):
    """The master with its hidden cells removed: every answer is the reference solution."""
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    return notebook


def answer_index(notebook, qid):
    return next(
        i
        for i, c in enumerate(notebook["cells"])
        if c["metadata"].get("grader", {}).get("role") == "answer" and c["metadata"]["grader"]["id"] == qid
    )


def set_answer(notebook, qid, text):
    notebook["cells"][answer_index(notebook, qid)]["source"] = text




def statuses(result):
    return {q.id: q.status for q in result.questions}


def record(name, result):
    """Print the score (shown with -s; the no-sandbox run's numbers go into the issue's note)."""
    print(f"[attack] {name}: {result.score:g}/{result.max_score:g} {statuses(result)}")


FIND_THE_MASTER = r"""
import json, os, time
_found = set()
_pid = os.getpid()
for _ in range(8):  # the kernel's parents: their command lines and working folders
    try:
        _ppid = int(open(f"/proc/{_pid}/stat").read().rsplit(")", 1)[1].split()[1])
        _cmd = open(f"/proc/{_ppid}/cmdline", "rb").read().split(b"\0")
        _cwd = os.readlink(f"/proc/{_ppid}/cwd")
    except (OSError, ValueError, IndexError):
        break
    for _arg in _cmd:
        _arg = _arg.decode(errors="replace")
        _path = _arg if os.path.isabs(_arg) else os.path.join(_cwd, _arg)
        if _arg.endswith(".ipynb") and os.path.isfile(_path):
            _found.add(_path)
    _pid = _ppid
_start = time.monotonic()
for _top in ("/", os.path.expanduser("~"), "/work", "/tmp"):  # the file system
    for _dir, _subdirs, _files in os.walk(_top):
        if time.monotonic() - _start > 8:
            break
        _subdirs[:] = [d for d in _subdirs if d not in ("proc", "sys", "dev", ".git", "site-packages")]
        _found.update(os.path.join(_dir, f) for f in _files if f.endswith(".ipynb"))
for _path in sorted(_found):
    try:
        _nb = json.load(open(_path, encoding="utf-8"))
    except Exception:
        continue
    for _cell in _nb.get("cells", []):
        _src = "".join(_cell.get("source", ""))
        if _cell.get("cell_type") == "code" and "### BEGIN SOLUTION" in _src:
            try:
                exec(_src, globals())
            except Exception:
                pass
"""


@pytest.mark.parametrize("master", MASTERS, ids=[path.stem for path in MASTERS])
def test_the_master_cannot_be_found(master, tmp_path):
    notebook = student_version(master)
    notebook["cells"].append(code_cell(FIND_THE_MASTER))
    result = grade(parse_master(master), write(notebook, tmp_path / "attack.ipynb"), limits=limits())
    record(f"find the master ({master.stem})", result)
    assert result.score == 0, statuses(result)


ESCAPE = r'''
import os, subprocess, sys
_code = """
import os, time
open({marker!r}, "w").write("escaped")
time.sleep(4)
open({results!r}, "w").write('{{"score": 11, "max_score": 11, "tests": []}}')
open({marker!r}, "w").write("rewrote the results")
"""
subprocess.Popen([sys.executable, "-c", _code], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
'''


def _processes_with(token):
    found = []
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if token.encode() in Path(path).read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


def test_a_process_cannot_outlive_the_run_or_rewrite_results(tmp_path):
    token = secrets.token_hex(8)
    results, marker = tmp_path / "results.json", f"/tmp/attack-{token}"
    notebook = student_version(WARMUP)
    notebook["cells"].append(code_cell(ESCAPE.format(marker=marker, results=str(results)) + f"# {token}"))
    completed = run_cli(
        "grade", WARMUP, write(notebook, tmp_path / "s.ipynb"), "--json", results, *SANDBOX_FLAGS
    )
    time.sleep(6)  # longer than the escaped process waits
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
        print(f"[attack] escape: results score {data['score']}, marker {os.path.exists(marker)}")
        assert completed.returncode == 1, completed.stderr
        assert data["score"] == 0 and len(data["tests"]) == 8
        assert not os.path.exists(marker), "the submission left a file in the host's /tmp"
        assert not _processes_with(token), "a process of the submission outlived the grading run"
    finally:
        Path(marker).unlink(missing_ok=True)


def _targets(token):
    """Where an attacker would plant code that later runs import: our own folders, not the user's."""
    folders = [
        Path(grader.__file__).parent,
        ROOT / "nnlib",
        Path(numpy.__file__).parent,
        Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages",
        Path.home() / ".ipython" / "profile_default" / "startup",
    ]
    return [folder / f"zz_attack_{token}.py" for folder in folders]


def test_the_environment_is_read_only(tmp_path):
    token = secrets.token_hex(8)
    targets = _targets(token)
    attack = "import os\n" + "".join(
        f"try:\n    os.makedirs({str(t.parent)!r}, exist_ok=True)\n"
        f"    open({str(t)!r}, 'w').write('# a marker of the attack test')\nexcept OSError:\n    pass\n"
        for t in targets
    )
    notebook = student_version(WARMUP)
    notebook["cells"].insert(2, code_cell(attack))
    try:
        result = grade(parse_master(WARMUP), write(notebook, tmp_path / "s.ipynb"), limits=limits())
        written = [str(t) for t in targets if t.exists()]
        record("write into the environment", result)
        print(f"[attack] files planted: {written}")
        assert result.score == 0
        assert not written, f"the submission wrote {written}"
    finally:
        for target in targets:
            target.unlink(missing_ok=True)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.hits.append(self.path)
        body = b"0.5"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_no_network_and_bounded_memory(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        notebook = master_copy(WARMUP)
        set_answer(
            notebook,
            "q1",
            "import numpy as np\n_big = np.ones(6 * 2**30 // 8)\n_big[::512] = 2.0\n"
            "loss_one = (y_true_p[0] - y_pred_p[0]) ** 2 + 0 * float(_big[0])",
        )
        set_answer(
            notebook,
            "q2",
            "import urllib.request\n"
            f"urllib.request.urlopen('http://127.0.0.1:{port}/leak', timeout=5).read()\n"
            "cost_mean = np.mean((y_true_p - y_pred_p) ** 2)",
        )
        result = grade(parse_master(WARMUP), write(notebook, tmp_path / "s.ipynb"), limits=limits())
    finally:
        server.shutdown()
        server.server_close()
    record("6 GiB and the host's loopback", result)
    print(f"[attack] HTTP requests that reached the host: {_Recorder.hits}")
    assert not _Recorder.hits, "the submission reached a server on the host"
    assert result.questions[0].status != "passed" and result.questions[1].status != "passed"
    assert [q.status for q in result.questions[2:]] == ["passed"] * 6  # the honest answers keep their marks


@pytest.mark.parametrize(
    "srepr_text",
    ["Integer(1e999)", "Pow(Integer(10), Integer(1000000000), evaluate=True)"],
    ids=["inf-integer", "evaluate-true"],
)
def test_huge_values_and_sympy_texts_are_bounded(srepr_text, tmp_path):
    notebook = master_copy(WARMUP)
    set_answer(notebook, "q1", "loss_one = 10**400")
    set_answer(notebook, "q3", "cost_sum = [10**400, -(10**400)]")
    index = answer_index(notebook, "q6")
    notebook["cells"].insert(
        index + 1,
        code_cell(f"sp.srepr = lambda *args, **kwargs: {srepr_text!r}\nimport sympy\nsympy.srepr = sp.srepr"),
    )
    start = time.monotonic()
    result = grade(parse_master(WARMUP), write(notebook, tmp_path / "s.ipynb"), limits=limits())
    seconds = time.monotonic() - start
    record(f"huge values, srepr {srepr_text}", result)
    got = statuses(result)
    assert got["q1"] == "failed" and got["q3"] == "failed" and got["q6"] in ("failed", "error"), got
    assert [got[q] for q in ("q2", "q4", "q5", "q7", "q8")] == ["passed"] * 5
    assert seconds < 60


STACK_WALK = """
import sys


def _empty_the_graders_lists():
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                value.clear()
            if isinstance(value, dict):
                for key in ("param_grads", "state"):
                    if key in value:
                        value[key] = {"t": "list", "v": []}
                spec = value.get("spec")
                if isinstance(spec, dict):
                    for key in ("param_grads", "state"):
                        spec[key] = {"t": "list", "v": []}
        frame = frame.f_back
"""


def test_walking_the_stack_cannot_drop_checks(tmp_path):
    notebook = master_copy(KINDS)
    notebook["cells"].insert(1, code_cell(STACK_WALK))
    set_answer(
        notebook,
        "dense",
        "class Dense:\n"
        "    def __init__(self, n_in, n_out):\n"
        "        self.W = Parameter(np.zeros((n_in, n_out)), 'W')\n"
        "        self.b = Parameter(np.zeros(n_out), 'b')\n\n"
        "    def forward(self, x):\n"
        "        _empty_the_graders_lists()\n"
        "        self.x = x\n"
        "        return x @ self.W.value + self.b.value\n\n"
        "    def backward(self, grad_out):\n"
        "        _empty_the_graders_lists()\n"
        "        return grad_out @ self.W.value.T  # W.grad and b.grad never filled\n",
    )
    set_answer(
        notebook,
        "adam",
        "class MyAdam:\n"
        "    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):\n"
        "        self.params, self.lr = list(params), lr\n"
        "        self.m, self.v, self.t = [], [], 0\n\n"
        "    def step(self):\n"
        "        _empty_the_graders_lists()\n"
        "        for p in self.params:\n"
        "            p.value -= self.lr * np.sign(p.grad)  # Adam's first step only, no state\n",
    )
    result = grade(parse_master(KINDS), write(notebook, tmp_path / "s.ipynb"), limits=limits())
    record("walk the stack into the query", result)
    got = statuses(result)
    assert got["dense"] != "passed" and got["adam"] != "passed", got
    assert got["sigmoid"] == "passed"  # the honest answer beside them


HUGE_REPORT = """
import json

_dumps = json.dumps


def _huge(value, *args, **kwargs):  # only the grader's report grows: the kernel's messages stay valid
    if isinstance(value, dict) and "answer" in value:
        return "x" * {size}
    return _dumps(value, *args, **kwargs)


json.dumps = _huge
"""


# The three ways a report can be too large, by the size of the message that carries it: read and refused
# (over REPORT_LIMIT characters), counted but not parsed (over PARSE_LIMIT bytes) and dropped unread by ZMQ
# (over MAX_MESSAGE bytes, which disconnects the shell channel: told at once, not after the time limit).
HUGE_SIZES = {
    "read, over REPORT_LIMIT": (REPORT_LIMIT + PARSE_LIMIT) // 2,
    "not parsed, over PARSE_LIMIT": (PARSE_LIMIT + MAX_MESSAGE) // 2,
    "dropped by ZMQ, over MAX_MESSAGE": MAX_MESSAGE + (4 << 20),
}


@pytest.mark.parametrize("size", HUGE_SIZES.values(), ids=HUGE_SIZES.keys())
def test_huge_reports_and_rich_outputs_are_capped(tmp_path, size):
    assert REPORT_LIMIT < PARSE_LIMIT < MAX_MESSAGE  # the three sizes above fall between them
    notebook = master_copy(WARMUP)
    index = answer_index(notebook, "q1")
    notebook["cells"].insert(
        index + 1,
        code_cell(
            "from IPython.display import display\n"
            "display({'image/png': 'A' * 20_000_000, 'text/plain': 'an image'}, raw=True)"
        ),
    )
    notebook["cells"].append(code_cell(HUGE_REPORT.replace("{size}", str(size))))
    result = grade(parse_master(WARMUP), write(notebook, tmp_path / "s.ipynb"), limits=limits())
    record(f"{size:,}-character report, 20 MB image", result)
    assert result.score == 0
    # every question says why, none waited for its time limit (an oversized reply is seen at once)
    assert all(q.status == "error" and "larger than" in q.message for q in result.questions), result.questions
    assert any("printed more than" in note for note in result.notes)


def test_a_submission_has_a_wall_clock_limit(tmp_path):
    notebook = master_copy(WARMUP)
    for number in range(5):
        notebook["cells"].insert(3, code_cell(f"import time\ntime.sleep(2.5)  # slow cell {number}"))
    sigint_proof = (
        "    import signal\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass"
    )
    for qid, name in (("q4", "mse"), ("q5", "mse_grad")):
        set_answer(notebook, qid, f"def {name}(y_true, y_pred):\n{sigint_proof}\n")
    start = time.monotonic()
    result = grade(
        parse_master(WARMUP),
        write(notebook, tmp_path / "s.ipynb"),
        limits=limits(cell_timeout=3.0, question_timeout=3.0, submission_timeout=15.0),
    )
    seconds = time.monotonic() - start
    record("slow cells and SIGINT-proof answers", result)
    print(f"[attack] took {seconds:.1f} s")
    assert statuses(result)["q4"] == "timeout" and statuses(result)["q5"] == "timeout"
    assert seconds < 15.0 + 25.0  # the master's run and the kernels' start come on top of the 15 s
    # no note says that the submission ran out of time (issue 20: the student's code decides it)
    assert not any("time limit" in note for note in result.notes), result.notes


PARENT_FOLDERS = r"""
import os


def _parent_folders():
    found, pid = [], os.getpid()
    for _ in range(8):
        try:
            ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
            args = open(f"/proc/{ppid}/cmdline", "rb").read().split(bytes(1))
            cwd = os.readlink(f"/proc/{ppid}/cwd")
        except (OSError, ValueError, IndexError):
            return found
        for arg in args:
            path = os.path.join(cwd, arg.decode(errors="replace"))
            if arg and os.path.isdir(path):
                found.append(path)
        pid = ppid
    return found
"""

# The class folder, found the way the attacker found it: on a parent's command line.
BLANKER = (
    PARENT_FOLDERS
    + r"""
for _folder in _parent_folders():
    for _name in os.listdir(_folder):
        if _name.endswith(".ipynb") and _name != "blanker.ipynb":
            try:
                open(os.path.join(_folder, _name), "w").close()
            except OSError:
                pass
"""
)

# Only the kernel's parent and grandparent, as in the issue: without the sandbox they are the
# grading worker and the class run itself, nothing else of the machine.
KILLER = r"""
import os, signal
_parent = os.getppid()
_grandparent = int(open(f"/proc/{_parent}/stat").read().rsplit(")", 1)[1].split()[1])
for _pid in (_parent, _grandparent):
    if _pid > 1:
        try:
            os.kill(_pid, signal.SIGKILL)
        except OSError:
            pass
"""

# The work folders of the other kernels of this run: siblings of this kernel's own folder.
PLANTER = r"""
import glob, os
_mine = os.path.dirname(os.getcwd())
_places = [os.getcwd()] + glob.glob(os.path.join(os.path.dirname(_mine), "gk-*", "work"))
for _place in _places:
    try:
        open(os.path.join(_place, "numpy.py"), "w").write("raise ImportError('planted')")
    except OSError:
        pass
"""


def test_a_class_run_cannot_be_broken(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "reports"
    folder.mkdir()
    honest = master_copy(WARMUP)
    names = ["alice.ipynb", "alice.zip", "bob.ipynb", "carol\nnewline.ipynb"]
    for name in names:
        write(honest, folder / name)
    for name, attack in (("blanker", BLANKER), ("killer", KILLER), ("planter", PLANTER)):
        notebook = student_version(WARMUP)
        notebook["cells"].insert(2, code_cell(attack))
        write(notebook, folder / f"{name}.ipynb")
    (folder / os.fsdecode(b"bad\xff.ipynb")).write_text(json.dumps(honest), encoding="utf-8")
    (folder / "zed.ipynb").mkdir()  # a folder: refused, listed at the end
    private_tmp = tmp_path / "tmp"  # this run's kernels live here: the planter cannot reach other runs'
    private_tmp.mkdir()
    completed = run_cli(
        "grade",
        WARMUP,
        folder,
        "--jobs",
        "2",
        "--csv",
        tmp_path / "class.csv",
        "--json-dir",
        out,
        "--quiet",
        *SANDBOX_FLAGS,
        env=dict(os.environ, TMPDIR=str(private_tmp)),
    )
    print(f"[attack] class run: exit {completed.returncode}\n{completed.stdout}")
    assert completed.returncode == 0, completed.stderr
    with open(tmp_path / "class.csv", encoding="utf-8", newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert len(rows) == 8, sorted(rows)
    for name in names:  # a file name is shown escaped, printable ASCII only (issue 20)
        shown = name.replace("\n", "\\x0a")
        assert (rows[shown]["total"], rows[shown]["max_score"]) == ("11", "11"), rows[shown]
    for name in ("blanker.ipynb", "killer.ipynb", "planter.ipynb"):
        assert rows[name]["total"] == "0"
    bad = next(row for name, row in rows.items() if name.startswith("bad"))
    assert bad["total"] == "0" and bad["q1_status"] == "error"
    reports = sorted(path.name for path in out.iterdir())
    assert "alice.ipynb.json" in reports and "alice.zip.json" in reports and len(reports) == 8, reports
    assert "refused: 'zed.ipynb'" in completed.stdout
    assert all(json.loads((out / r).read_text(encoding="utf-8"))["max_score"] == 11 for r in reports)


def test_forbidden_helpers_score_zero(tmp_path):
    notebook = student_version(LOSSES)
    set_answer(
        notebook,
        "q5",
        "def huber_grad(y_true, y_pred, delta):\n    return Huber(delta).grad(y_true, y_pred)\n",
    )
    set_answer(
        notebook,
        "q4",
        "import sys\n\n\ndef bce_with_logits(y_true, z):\n    sys.setprofile(None)\n"
        "    return float(BinaryCrossEntropy(from_logits=True)(y_true, z))\n",
    )
    result = grade(parse_master(LOSSES), write(notebook, tmp_path / "s.ipynb"), limits=limits())
    record("forbidden nnlib.losses", result)
    by_id = {q.id: q for q in result.questions}
    assert by_id["q5"].status == "failed" and "forbids" in by_id["q5"].message, by_id["q5"]
    assert by_id["q4"].status == "failed" and "forbid" in by_id["q4"].message, by_id["q4"]
    assert result.score == 0


def test_forbidden_import_in_the_answer_cell_is_a_hint_not_a_mark(tmp_path):
    """Issue 20: the rule holds by absence. An answer that imports the forbidden module but computes
    without it is right (it scored 0 when a static scan decided); the feedback names the import."""
    notebook = master_copy(LOSSES)
    set_answer(
        notebook,
        "q5",
        "from nnlib import losses as _l\n\n\ndef huber_grad(y_true, y_pred, delta):\n"
        "    d = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)\n"
        "    return np.clip(d, -delta, delta) / d.size\n",
    )
    result = grade(parse_master(LOSSES), write(notebook, tmp_path / "s.ipynb"), limits=limits())
    by_id = {q.id: q for q in result.questions}
    assert all(q.status == "passed" for q in result.questions), statuses(result)
    for qid in ("q4", "q5"):  # both forbid nnlib.losses; every cell of the student's own is scanned
        assert "nnlib.losses" in (by_id[qid].hint or "") and "stub" in by_id[qid].hint, by_id[qid]
    assert by_id["q1"].hint is None, by_id["q1"]  # q1 forbids nothing


def test_without_bwrap_the_grader_refuses_and_names_the_cause(tmp_path):
    env = dict(os.environ, GRADER_BWRAP=str(tmp_path / "no-such-bwrap"))
    refused = run_cli("grade", WARMUP, WARMUP, "--quiet", env=env)
    assert refused.returncode == 2
    assert "bubblewrap is not installed" in refused.stderr and "--no-sandbox" in refused.stderr
    allowed = run_cli("grade", WARMUP, WARMUP, "--quiet", "--no-sandbox", env=env)
    assert allowed.returncode == 0 and allowed.stdout.strip() == "Total: 11/11"
    assert "WARNING: --no-sandbox" in allowed.stderr


WORKER_KILLER = r"""
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
"""


def test_a_dead_grading_worker_is_replaced(tmp_path):
    # Without the sandbox the kernel's parent is the grading worker: this submission kills it.
    # The pool is restarted, the submissions it held are graded again one by one, and the one
    # that kills its worker again is "not graded, rerun" (exit 4, no CSV row, never 0 points);
    # the others keep their marks.
    folder = tmp_path / "class"
    folder.mkdir()
    # Each kernel of this run leaves a token in its working folder (inside its kernel folder):
    # a kernel folder left behind is found by its token, whatever other tests, running at the
    # same time on other workers, keep in /tmp meanwhile.
    token = f"run-{secrets.token_hex(8)}"
    mark = code_cell(f"open({token!r}, 'w').close()")
    honest = master_copy(WARMUP)
    honest["cells"].insert(2, mark)
    for name in ("ann.ipynb", "ben.ipynb", "cid.ipynb"):
        write(honest, folder / name)
    notebook = student_version(WARMUP)
    notebook["cells"].insert(2, code_cell(WORKER_KILLER))
    notebook["cells"].insert(2, mark)
    write(notebook, folder / "a_killer.ipynb")  # first: the others are still queued when it strikes
    private_tmp = tmp_path / "tmp"  # the killed worker cannot clean its kernels' folders: the run's root does
    private_tmp.mkdir()
    completed = run_cli(
        "grade",
        WARMUP,
        folder,
        "--jobs",
        "2",
        "--csv",
        tmp_path / "class.csv",
        "--quiet",
        "--no-sandbox",
        env=dict(os.environ, TMPDIR=str(private_tmp)),
    )
    assert completed.returncode == 4, completed.stderr
    with open(tmp_path / "class.csv", encoding="utf-8", newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert [rows[name]["total"] for name in ("ann.ipynb", "ben.ipynb", "cid.ipynb")] == ["11"] * 3
    assert "a_killer.ipynb" not in rows
    assert "a_killer.ipynb: not graded, rerun" in completed.stdout
    # this TMPDIR is too long for a kernel's socket paths: its folders went to /tmp, and were left there
    # by the killed worker (6 a run) until the run's root moved to /tmp as well
    left = [
        path
        for pattern in ("/tmp/gk-*/work/", "/tmp/gr-*/gk-*/work/", f"{private_tmp}/**/")
        for path in glob.glob(pattern + token, recursive=True)
    ]
    assert not left, left
