"""The grader's own machinery: a fair CPU share per sandbox, and its failures are never a grade.

Issue 20, item 6. Before: in a class run with ``--jobs 2``, a notebook that forked busy loops in
sessions of their own starved the submission graded beside it (the kernel's scheduler gives
each session an equal share), and a kernel that did not start became "internal grader error",
0 points. After: each sandbox is one cpu cgroup of at most one CPU (as root), and a submission on
which the machinery fails is graded again once, else listed as "not graded, rerun" (exit 4).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grader_support import ROOT, run_cli, write

from grader.run import kernel as kernel_module
from grader.run import sandbox
from grader.run.kernel import Kernel
from grader.run.sandbox import SandboxLimits

WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
FULL = "11"  # the warm-up's points

HOG = """\
import os
for _ in range(100):
    if os.fork() == 0:
        os.setsid()  # a session of its own: one more equal share for the scheduler's autogroups
        while True:
            pass
"""


def master_copy():
    """The master with its solutions, without its hidden cells: a submission with full marks."""
    notebook = json.loads(WARMUP.read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    return notebook


def code_cell(source):
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def rows(csv_path):
    return {line.split(",")[0]: line.split(",") for line in Path(csv_path).read_text().splitlines()[1:]}


# -- a fair share of the CPU --------------------------------------------------------------------


def test_a_sandbox_is_one_cpu_cgroup_of_at_most_one_cpu():
    """The kernel and every process it forks, in sessions of their own too, share one quota of one CPU."""
    kernel = Kernel(limits=SandboxLimits())
    try:
        assert kernel.cgroup is not None and kernel.cgroup.cpu_path, "no cpu cgroup: run the grader as root"
        path = Path(kernel.cgroup.cpu_path)
        v2 = (path / "cpu.max").exists()
        quota = (path / ("cpu.max" if v2 else "cpu.cfs_quota_us")).read_text().split()
        period = quota[1] if v2 else (path / "cpu.cfs_period_us").read_text().strip()
        assert int(quota[0]) == int(period) > 0, (quota, period)  # one CPU's time per period
        code = (
            "import os, time\n"
            "for _ in range(4):\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        end = time.monotonic() + 5\n"
            "        while time.monotonic() < end: pass\n"
            "        os._exit(0)\n"
        )
        assert kernel.execute(code, 60).status == "ok"
        members = {int(pid) for pid in (path / "cgroup.procs").read_text().split()}
        assert kernel.process.pid in members and len(members) >= 4 + 3, members  # bwrap, its init, the kernel
    finally:
        kernel.shutdown()
    assert not path.exists(), "the cgroup is removed with the kernel"


BIG_OUTPUT = (
    "from IPython.display import display\n"
    "display({{'image/png': 'A' * {size}, 'text/plain': 'x'}}, raw=True)"
)


@pytest.mark.parametrize("during", ["run", "after the time limit", "a loop until the time limit"])
def test_an_output_dropped_by_zmq_does_not_cost_the_later_outputs(during):
    """ZMQ drops an output over MAX_MESSAGE by disconnecting the iopub socket, which never came back:
    every later output was lost and every later execution waited INTERRUPT_GRACE for its idle status."""
    size = kernel_module.MAX_MESSAGE + (1 << 20)
    kernel = Kernel(limits=SandboxLimits())
    try:
        if during == "run":
            dropped = kernel.execute(BIG_OUTPUT.format(size=size), 60)
            assert dropped.status == "ok" and dropped.truncated
        elif during == "after the time limit":  # the output comes while the grader interrupts the cell
            code = "import signal, time\nsignal.signal(signal.SIGINT, lambda *_: None)\ntime.sleep(2)\n"
            dropped = kernel.execute(code + BIG_OUTPUT.format(size=size), 1)
            assert dropped.status == "timeout"
        else:  # drops while the new socket waits for its welcome, and queued ones after the interrupt
            loop = "while True:\n    " + BIG_OUTPUT.format(size=size).replace("\n", "\n    ")
            dropped = kernel.execute(loop, 3)
            assert dropped.status == "timeout" and dropped.truncated
        for number in range(3):
            later = kernel.execute(f"print('still here', {number})\n{number} * 2", 60)
            assert later.status == "ok" and not later.truncated, later
            assert later.stdout == f"still here {number}\n{number * 2}", later.stdout
    finally:
        kernel.shutdown()


def test_a_cpu_hog_does_not_cost_a_classmate_marks(tmp_path):
    """3 honest notebooks beside one that forks 100 busy loops in sessions of their own, --jobs 2.

    Before (no cpu cgroup): the hog's neighbour scored 5/11, its cells and questions timed out
    (53 s for the class); after: every honest notebook has full marks (49 s, the hog's 40 s limit).
    """
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("h1", "h2", "h3"):
        write(master_copy(), folder / f"{name}.ipynb")
    hog = master_copy()
    hog["cells"][1:1] = [code_cell(HOG)] + [code_cell("import time\ntime.sleep(25)")] * 10  # lives 40 s
    write(hog, folder / "a_hog.ipynb")  # graded first, beside h1, h2 and h3 in turn
    start = time.monotonic()
    completed = run_cli(
        "grade",
        WARMUP,
        folder,
        "--jobs",
        "2",
        "--csv",
        tmp_path / "c.csv",
        "--quiet",
        "--submission-time-limit",
        "40",
    )
    print(f"class of 3 honest + 1 hog, --jobs 2: {time.monotonic() - start:.1f} s")
    assert completed.returncode == 0, completed.stderr[-3000:]
    graded = rows(tmp_path / "c.csv")
    for name in ("h1", "h2", "h3"):
        assert graded[f"{name}.ipynb"][2] == FULL, graded[f"{name}.ipynb"]


# -- a failure of the machinery is never a grade ------------------------------------------------

#: Runs the grader with its kernel launch broken while tokens last: each launch that takes a token
#: (one file of TOKENS, removed) starts a process that exits at once, so the kernel "did not start".
#: It is the __main__ module, so the class run's spawned workers import it too, and are broken alike.
INJECT = """\
import os, sys
from grader import cli
from grader.run import sandbox

TOKENS = {tokens!r}
_launch = sandbox.kernel_argv
_grade = cli.grade


def broken_launch(channel, connection_file, limits, user=None):
    for token in sorted(os.listdir(TOKENS)):
        try:
            os.unlink(os.path.join(TOKENS, token))
        except FileNotFoundError:
            continue  # another worker took it
        return [sys.executable, "-c", "pass"]
    return _launch(channel, connection_file, limits, user=user)


def dying_grade(master, path, *args, **kwargs):
    if str(path).endswith("dies.ipynb"):
        os._exit(9)  # the grading process dies
    return _grade(master, path, *args, **kwargs)


sandbox.kernel_argv = broken_launch
cli.grade = dying_grade
if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
"""


def broken_grader(tmp_path, failures):
    """The path of a grader whose next ``failures`` kernel launches fail (see INJECT)."""
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    for index in range(failures):
        (tokens / f"{index:04d}").touch()
    script = tmp_path / "broken_grader.py"
    script.write_text(INJECT.format(tokens=str(tokens)))
    return script


def run_broken(script, *args):
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)], capture_output=True, text=True, timeout=900, cwd=ROOT
    )


def test_a_kernel_that_never_starts_is_not_graded_never_zero(tmp_path):
    """Before: exit 3 (one submission) and 0 points with "internal grader error" (a class, exit 0)."""
    honest = write(master_copy(), tmp_path / "honest.ipynb")
    script = broken_grader(tmp_path, failures=1000)
    completed = run_broken(script, "grade", WARMUP, honest, "--json", tmp_path / "r.json")
    assert completed.returncode == 4, (completed.returncode, completed.stderr[-3000:])
    assert "not graded, rerun" in completed.stderr and "Traceback" not in completed.stderr
    assert not (tmp_path / "r.json").exists(), "no results.json: not a grade"
    folder = tmp_path / "class"
    folder.mkdir()
    write(master_copy(), folder / "alice.ipynb")
    write(master_copy(), folder / "bob.ipynb")
    completed = run_broken(script, "grade", WARMUP, folder, "--jobs", "2", "--csv", tmp_path / "c.csv")
    assert completed.returncode == 4, (completed.returncode, completed.stderr[-3000:])
    assert completed.stdout.count("not graded, rerun") == 2, completed.stdout
    assert rows(tmp_path / "c.csv") == {}, "no row of 0 points"


def test_a_transient_kernel_failure_is_retried_and_graded(tmp_path):
    """The first launch fails (the submission's kernel), the retry is graded: full marks, exit 0."""
    honest = write(master_copy(), tmp_path / "honest.ipynb")
    completed = run_broken(broken_grader(tmp_path, failures=1), "grade", WARMUP, honest, "--quiet")
    assert completed.returncode == 0, (completed.returncode, completed.stderr[-3000:])
    assert f"Total: {FULL}/{FULL}" in completed.stdout


def test_a_kernel_that_fails_to_restart_mid_grade_is_not_a_grade(tmp_path):
    """A restart that fails inside a grade (the grade went on, 0 for the rest) makes it no grade.

    The submission kills its kernel when its q4 answer (a function) is called; the kernel that replaces it
    does not start. Before: graded, the questions after it "could not judge", exit 1.
    """
    notebook = master_copy()
    for cell in notebook["cells"]:
        if cell["metadata"].get("grader", {}).get("id") == "q4":
            cell["source"] += "\nimport os\nmse = lambda *a, **k: os._exit(1)\n"
    submission = write(notebook, tmp_path / "crashes.ipynb")
    tokens_after = 2  # launches 1 and 2 (the submission's kernel, the master's) work; every later one fails
    script = broken_grader(tmp_path, failures=0)
    text = script.read_text().replace(
        "def broken_launch(channel, connection_file, limits, user=None):\n",
        "LAUNCHES = [0]\n\n\ndef broken_launch(channel, connection_file, limits, user=None):\n"
        f"    LAUNCHES[0] += 1\n    if LAUNCHES[0] > {tokens_after}:\n"
        "        return [sys.executable, '-c', 'pass']\n",
    )
    script.write_text(text)
    completed = run_broken(script, "grade", WARMUP, submission, "--quiet")
    assert completed.returncode == 4, (completed.returncode, completed.stdout, completed.stderr[-3000:])
    assert "not graded, rerun" in completed.stderr


def test_a_grading_process_that_dies_twice_is_not_graded(tmp_path):
    """Before: "crashed", 0 points, exit 0; after: no row, "not graded, rerun", exit 4; the rest graded."""
    folder = tmp_path / "class"
    folder.mkdir()
    write(master_copy(), folder / "alice.ipynb")
    write(master_copy(), folder / "dies.ipynb")
    script = broken_grader(tmp_path, failures=0)
    completed = run_broken(script, "grade", WARMUP, folder, "--csv", tmp_path / "c.csv", "--quiet")
    assert completed.returncode == 4, (completed.returncode, completed.stderr[-3000:])
    assert "dies.ipynb: not graded, rerun (the grading process died while grading this submission)" in (
        completed.stdout
    )
    graded = rows(tmp_path / "c.csv")
    assert set(graded) == {"alice.ipynb"} and graded["alice.ipynb"][2] == FULL


def test_a_kernel_process_that_cannot_be_created_is_a_start_failure(monkeypatch, tmp_path):
    """No process at all (no such program here) counts as a kernel that did not start; its folder goes."""
    monkeypatch.setattr(sandbox, "kernel_argv", lambda *args, **kwargs: [str(tmp_path / "no-such-program")])
    monkeypatch.setattr(kernel_module.tempfile, "tempdir", str(tmp_path))
    before = kernel_module.start_failures()
    with pytest.raises(kernel_module.KernelStartFailed):
        Kernel(limits=SandboxLimits())
    assert kernel_module.start_failures() == before + 1
    assert not list(tmp_path.glob("gk-*")), "its folder is removed"
