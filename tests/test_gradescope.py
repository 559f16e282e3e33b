"""The Gradescope autograder zip, run in a simulated Gradescope layout on this machine.

The zip's ``run_autograder`` runs with a temporary folder mounted at ``/autograder`` (bubblewrap) and
``python3`` on ``PATH`` being this project's environment, as ``setup.sh`` leaves it on Gradescope. Its
``results.json`` must give the master full marks, a stub 0, a wrong submission what ``python -m grader
grade`` gives it, and nothing to a submission that reads ``/autograder/source`` from its kernel.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from grader_support import container_view

from grader.report.gradescope import build_zip, find_submission, student_id_from_metadata

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "exercises" / "00_warmup.ipynb"
STUB = ROOT / "student" / "00_warmup.ipynb"
BWRAP = shutil.which("bwrap")
STUDENT = {"email": "ada@example.org", "id": 4711, "name": "Ada", "sid": "s0042"}


def project_pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if version:
            pins[name.lower().replace("_", "-")] = version
    return pins


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    return build_zip(MASTER, tmp_path_factory.mktemp("zip") / "warmup-autograder.zip")


def test_zip_follows_gradescopes_layout(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "master.ipynb", "requirements.txt"} <= names
        for script in ("setup.sh", "run_autograder"):
            assert (archive.getinfo(script).external_attr >> 16) & 0o111, f"{script} must be executable"
        assert "project/nnlib/losses.py" in names and "project/grader/cli.py" in names
        setup = archive.read("setup.sh").decode()
        assert "python3.11" in setup and "bubblewrap" in setup and "/usr/local/bin/python3" in setup
        pins = archive.read("requirements.txt").decode().split()
    project = project_pins()
    assert len(pins) >= 20
    for pin in pins:  # the same versions as the course's own environment
        name, version = pin.split("==")
        assert project.get(name.lower().replace("_", "-")) == version, pin


def test_student_id_comes_from_the_metadata(tmp_path):
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({"users": [STUDENT]}))
    assert student_id_from_metadata(metadata) == "s0042"
    metadata.write_text(json.dumps({"users": [{"email": "bo@example.org", "id": 1, "sid": None}]}))
    assert student_id_from_metadata(metadata) == "bo@example.org"
    metadata.write_text("not json")
    assert student_id_from_metadata(metadata) is None


def test_the_submitted_notebook_is_found_whatever_its_name(tmp_path):
    assert find_submission(tmp_path) is None
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "Mein Notebook (1).ipynb").write_text("{}")
    assert find_submission(tmp_path).name == "Mein Notebook (1).ipynb"


def test_a_symbolic_link_is_never_the_submission(tmp_path):
    # an upload holding a link to /autograder/source/master.ipynb scored full marks before links were skipped
    master = tmp_path / "source" / "master.ipynb"
    master.parent.mkdir()
    master.write_text("{}")
    submission = tmp_path / "submission"
    (submission / "linked").mkdir(parents=True)
    (submission / "warmup.ipynb").symlink_to(master)
    (submission / "folder.ipynb").mkdir()
    (submission / "via").symlink_to(master.parent)
    assert find_submission(submission) is None
    (submission / "linked" / "mine.ipynb").write_text("{}")
    assert find_submission(submission).name == "mine.ipynb"


def wrong_submission(path):
    """The master with its first answer changed to a wrong number: one question must fail."""
    notebook = nbformat.read(MASTER, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("grader", {}).get("role") == "answer":
            name = cell.metadata["grader"]["answer"]
            cell.source += f"\n{name} = 12345.678  # a wrong answer"
            break
    nbformat.write(notebook, path)
    return path


def master_reader(path):
    """A submission whose answers are the master's, if its kernel can read /autograder/source."""
    notebook = nbformat.read(STUB, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(
        "import json, pathlib\n"
        "for _p in pathlib.Path('/autograder/source').rglob('*.ipynb'):\n"
        "    for _c in json.loads(_p.read_text())['cells']:\n"
        "        if _c['metadata'].get('grader', {}).get('role') in ('answer', 'parameters'):\n"
        "            exec(''.join(_c['source']))\n"
    ))
    for cell in notebook.cells:  # drop the stubs, so that the master's answers (if read) stay defined
        if "raise NotImplementedError" in cell.source:
            cell.source = "pass"
    nbformat.write(notebook, path)
    return path


def run_in_simulated_gradescope(autograder_zip, submission, tmp_path, environment=None, binds=()):
    """``run_autograder`` in a fresh container view with ``/autograder`` laid out as Gradescope does.

    ``environment``: variables added to the container's; ``binds``: (host folder, path inside).
    """
    layout = tmp_path / "autograder"
    (layout / "source").mkdir(parents=True)
    (layout / "submission").mkdir()
    (layout / "results").mkdir()
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(layout / "source")
    os.chmod(layout / "source" / "run_autograder", 0o755)
    shutil.copy(submission, layout / "submission" / "my homework.ipynb")
    (layout / "submission_metadata.json").write_text(json.dumps({"users": [STUDENT]}))
    python3 = tmp_path / "python3"  # what setup.sh leaves on Gradescope's PATH: the course's environment
    python3.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python3.chmod(0o755)
    variables = {"PATH": "/opt/course/bin:/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
    variables.update(environment or {})
    command = [BWRAP, *container_view(), "--ro-bind", str(python3), "/opt/course/bin/python3"]
    for host, inside in binds:
        command += ["--bind", str(host), inside]
    # the host's own /proc and /dev: the grader's sandboxes inside may only mount a proc that nothing hides
    command += ["--bind", str(layout), "/autograder"]
    command += ["--dev-bind", "/dev", "/dev", "--bind", "/proc", "/proc"]
    command += ["--die-with-parent", "--clearenv"]
    for key, value in variables.items():
        command += ["--setenv", key, value]
    command += ["--", "/autograder/source/run_autograder"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    results = json.loads((layout / "results" / "results.json").read_text())
    used_fallback = "kernels run as users of their own" in completed.stderr
    assert used_fallback == ("GRADER_BWRAP" in variables), completed.stderr
    return results


def graded_by_the_command_line(submission, tmp_path):
    out = tmp_path / "cli.json"
    command = [sys.executable, "-m", "grader", "grade", str(MASTER), str(submission)]
    command += ["--student-id", STUDENT["sid"], "--json", str(out)]
    completed = subprocess.run(command, capture_output=True, text=True)
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return json.loads(out.read_text())


def scores(results):
    return {test["number"]: test["score"] for test in results["tests"]}


# Where the container forbids namespaces, run_autograder grades with every kernel as a user of its
# own (grader.run.unprivileged); a bwrap that cannot be found stands for one that cannot work.
NO_BWRAP = {"GRADER_BWRAP": "/nonexistent/bwrap"}
ISOLATIONS = {"sandbox": None, "fallback": NO_BWRAP}


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("kind", ["master", "stub", "wrong"])
def test_run_autograder_grades_as_the_command_line_does(kind, isolation, autograder_zip, tmp_path):
    assert BWRAP, "bubblewrap is missing: make test installs it (scripts/ensure_bwrap.sh)"
    path = tmp_path / f"{kind}.ipynb"
    if kind == "wrong":
        submission = wrong_submission(path)
    else:
        submission = Path(shutil.copy(MASTER if kind == "master" else STUB, path))
    on_gradescope = run_in_simulated_gradescope(autograder_zip, submission, tmp_path, ISOLATIONS[isolation])
    on_the_command_line = graded_by_the_command_line(submission, tmp_path)
    assert scores(on_gradescope) == scores(on_the_command_line)
    assert on_gradescope["score"] == on_the_command_line["score"]
    expected = {"master": on_gradescope["max_score"], "stub": 0}.get(kind)
    if expected is not None:
        assert on_gradescope["score"] == expected
    else:
        assert 0 < on_gradescope["score"] < on_gradescope["max_score"]
    assert all(test["visibility"] == "after_published" for test in on_gradescope["tests"])
    assert on_gradescope["extra_data"]["student_id"] == STUDENT["sid"]


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_kernel_finds_nothing_in_autograder_source(isolation, autograder_zip, tmp_path):
    reader = master_reader(tmp_path / "reader.ipynb")
    results = run_in_simulated_gradescope(autograder_zip, reader, tmp_path, ISOLATIONS[isolation])
    assert results["score"] == 0, [(t["number"], t["output"]) for t in results["tests"] if t["score"]]


HOSTILE_CELL = r"""
import json, os, pathlib, time
_seen = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups()}
def _try(name, action):
    try:
        action()
        _seen[name] = "done"
    except Exception as error:
        _seen[name] = type(error).__name__
_try("list_source", lambda: os.listdir("/autograder/source"))
_try("read_metadata", lambda: open("/autograder/submission_metadata.json").read())
_try("write_results", lambda: open("/autograder/results/results.json", "w").write("{}"))
_try("plant_in_results", lambda: open("/autograder/results/planted", "w").write("x"))
_try("plant_in_source", lambda: open("/autograder/source/planted.py", "w").write("x"))
_try("read_grader_environment", lambda: open(f"/proc/{os.getppid()}/environ").read())
_try("read_grader_memory", lambda: open(f"/proc/{os.getppid()}/mem", "rb").read(1))
_others = []
for _pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
    try:
        os.kill(_pid, 0)  # 0: only asks whether a signal could be sent
        if os.stat(f"/proc/{_pid}").st_uid != os.getuid():
            _others.append(_pid)
    except OSError:
        pass
_seen["signalable_others"] = _others
if os.fork() == 0:  # a daemon that tries to outlive the grader and rewrite the results
    os.setsid()
    if os.fork() == 0:
        time.sleep(6)
        open(f"/drop/outlived-{os.getpid()}", "w").write("x")
        try:
            open("/autograder/results/results.json", "w").write("{}")
        finally:
            os._exit(0)
    os._exit(0)
pathlib.Path(f"/drop/report-{os.getpid()}.json").write_text(json.dumps(_seen))
"""


def test_the_fallback_keeps_a_hostile_kernel_in_its_own_user(autograder_zip, tmp_path):
    notebook = nbformat.read(MASTER, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(HOSTILE_CELL))
    hostile = tmp_path / "hostile.ipynb"
    nbformat.write(notebook, hostile)
    drop = tmp_path / "drop"  # the only folder the test can read that the kernel can write
    drop.mkdir()
    drop.chmod(0o1777)
    results = run_in_simulated_gradescope(autograder_zip, hostile, tmp_path, NO_BWRAP, [(drop, "/drop")])
    written = (tmp_path / "autograder" / "results" / "results.json").read_text()
    assert results["score"] == results["max_score"]  # the attacks changed nothing of the grading
    reports = sorted(drop.glob("report-*.json"))  # one per kernel of the submission (q4, q5, q8 forbid)
    assert reports, "the hostile cell did not run"
    for report in reports:
        seen = json.loads(report.read_text())
        assert seen["uid"] >= 1_000_000 and seen["gid"] == seen["uid"] and seen["groups"] == []
        for attempt in ("list_source", "read_metadata", "write_results", "plant_in_results",
                        "plant_in_source", "read_grader_environment", "read_grader_memory"):
            assert seen[attempt] == "PermissionError", (attempt, seen[attempt])
        assert seen["signalable_others"] == []
    time.sleep(8)  # the daemon would have woken up by now
    assert not list(drop.glob("outlived-*")), "a process of the kernel outlived the grading"
    assert (tmp_path / "autograder" / "results" / "results.json").read_text() == written
    assert not (tmp_path / "autograder" / "results" / "planted").exists()


def test_a_submission_the_grader_could_not_grade_gets_no_results_not_zero(tmp_path, monkeypatch, capsys):
    """Exit 4 of the grader ("not graded, rerun"): run_autograder writes no results.json and exits 4,
    so Gradescope shows a failed run that Regrade fixes, never a score of 0."""
    from grader.report import gradescope

    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), root / "submission" / "work.ipynb")
    monkeypatch.setattr(gradescope.os, "geteuid", lambda: 1000)  # not as root: nothing to close here
    monkeypatch.setattr(gradescope, "isolation_flags", lambda: ([], None))
    monkeypatch.setattr(
        gradescope.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 4, "", "")
    )
    assert gradescope.main(["--root", str(root)]) == 4
    assert not (root / "results" / "results.json").exists()
    assert "not graded, rerun" in capsys.readouterr().err
