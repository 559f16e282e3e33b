"""Gradescope: the autograder zip of an exercise set, and what runs inside Gradescope's container.

``python -m grader gradescope exercises/losses.ipynb --out losses-autograder.zip`` writes a zip laid
out as Gradescope's autograder specification asks (https://gradescope-autograders.readthedocs.io):

=================  =====================================================================================
``setup.sh``       run once, as root, when Gradescope builds the image (Ubuntu 22.04): Python 3.11 from
                   Ubuntu's own packages (the image's Python is 3.10), a virtual environment with the
                   pinned ``requirements.txt``, the course's ``nnlib`` and ``grader`` (``project/``),
                   Debian/Ubuntu's ``bubblewrap``, and ``python3`` on ``PATH`` pointing at that environment
``run_autograder``  run for every submission: ``python3 -m grader.report.gradescope``, i.e. :func:`run`
``master.ipynb``   the master notebook; it stays in ``/autograder/source``, which no sandbox binds
``requirements.txt`` the exact versions of the packages the grader and the kernels use
``project/``       ``nnlib``, ``grader`` and ``pyproject.toml``, installed (not editable) by ``setup.sh``
=================  =====================================================================================

:func:`run` finds the submitted ``.ipynb`` whatever its name, takes the student id from
``/autograder/submission_metadata.json`` (Gradescope sets no ``$STUDENT_ID``: the roster's SID when
the course has one, else the e-mail address), grades with ``python3 -m grader grade`` (every kernel
in its bubblewrap sandbox; where the container cannot create namespaces, every kernel as a user id
of its own, with ``/autograder/source`` closed to it: :mod:`grader.run.unprivileged`),
and writes ``/autograder/results/results.json`` with each question's ``visibility`` from the master
(the answer cell's ``grader: visibility``, ``after_published`` by default).
"""

import argparse
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

from grader.master.notebook import (
    MAX_DEPTH,
    MAX_NOTEBOOK_BYTES,
    MasterError,
    json_depth,
    parse_master,
    student_id_problem,
)
from grader.report import late
from grader.run import sandbox
from grader.vocabulary import MasterText, Message, render, show

ROOT = Path(__file__).resolve().parents[2]
#: What the grader and the kernels import; their dependencies are pinned too (:func:`pinned_requirements`).
RUNTIME_PACKAGES = ("numpy", "sympy", "matplotlib", "scikit-learn", "nbformat", "jupyter_client", "ipykernel",
                    "pyzmq", "PyYAML")
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_VISIBILITY = "after_published"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Ubuntu 22.04's own python3 is 3.10; the course needs 3.11, which 22.04 packages as python3.11.
apt-get install -y -qq python3.11 python3.11-venv bubblewrap >/dev/null
python3.11 -m venv /opt/course
/opt/course/bin/python -m pip install --quiet --upgrade pip
/opt/course/bin/python -m pip install --quiet -r /autograder/source/requirements.txt
/opt/course/bin/python -m pip install --quiet --no-deps /autograder/source/project
# run_autograder calls python3: make it the course's environment.
ln -sf /opt/course/bin/python /usr/local/bin/python3
# matplotlib's font cache, built now rather than inside every graded kernel
MPLBACKEND=Agg /opt/course/bin/python -c "import matplotlib.pyplot"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; results go to /autograder/results/results.json.
set -uo pipefail
cd /autograder/source
exec python3 -m grader.report.gradescope --root /autograder
"""


#: The grader's exit code for "not graded, rerun" (grader.cli).
EXIT_NOT_GRADED = 4


def pinned_requirements(roots=RUNTIME_PACKAGES):
    """``name==version`` lines for ``roots`` and everything they need, as installed here."""
    environment = default_environment()
    environment["extra"] = ""
    seen, stack = {}, list(roots)
    while stack:
        name = stack.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        distribution = importlib.metadata.distribution(name)
        seen[key] = f"{distribution.metadata['Name']}=={distribution.version}"
        for line in distribution.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                stack.append(requirement.name)
    return sorted(seen.values(), key=str.lower)


def build_zip(master_path, out_path, late_rule=None):
    """Write the autograder zip of one master notebook; return the path written.

    ``late_rule`` (``{"penalty": "10%/day", "cap": "50%"}``, or None) travels as ``late_policy.json``.
    """
    master_path, out_path = Path(master_path), Path(out_path)
    parse_master(master_path)  # a master that does not follow FORMAT.md is refused here, not on Gradescope
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16  # executable, as Gradescope requires
            archive.writestr(info, text)
        archive.write(master_path, "master.ipynb")
        if late_rule is not None:
            archive.writestr(late.POLICY_FILE, json.dumps(late_rule) + "\n")
        archive.writestr("requirements.txt", "\n".join(pinned_requirements()) + "\n")
        archive.write(ROOT / "pyproject.toml", "project/pyproject.toml")
        archive.write(ROOT / "README.md", "project/README.md")  # pyproject's readme
        for package in ("nnlib", "grader"):
            for path in sorted((ROOT / package).rglob("*.py")):
                archive.write(path, f"project/{path.relative_to(ROOT)}")
    return out_path


def _is_plain_notebook(folder, path):
    """A regular file reached without a symbolic link (a link could point at the master)."""
    if ".ipynb_checkpoints" in path.parts or not path.is_file():
        return False
    inside = path.relative_to(folder)
    return not any((folder / part).is_symlink() for part in [inside, *inside.parents] if part.name)


def find_submission(folder, master_name="master.ipynb"):
    """The submitted notebook: the only ``.ipynb``, else the one named like the set, else the newest.

    Symbolic links (to the master, to another file) and folders named ``*.ipynb`` are not submissions.
    """
    notebooks = sorted(p for p in Path(folder).rglob("*.ipynb") if _is_plain_notebook(Path(folder), p))
    if len(notebooks) <= 1:
        return notebooks[0] if notebooks else None
    named = [p for p in notebooks if p.name == master_name]
    return named[0] if named else max(notebooks, key=lambda p: p.stat().st_mtime)


def student_id_from_metadata(path):
    """The student's id from Gradescope's ``submission_metadata.json``: SID, else e-mail, else user id.

    Total: a file that is missing, too large, nested too deep, not UTF-8 or not JSON, or that
    holds no usable id (see :func:`grader.master.notebook.student_id_problem`), gives None.
    """
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_NOTEBOOK_BYTES or json_depth(raw) > MAX_DEPTH:
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError:  # not UTF-8, not JSON, a number too long
        return None
    users = data.get("users") if isinstance(data, dict) else None
    user = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    for key in ("sid", "email", "id"):
        value = user.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and student_id_problem(value) is None:
            return value
    return None


def question_visibility(master_path):
    """``{question id: visibility}`` from the master's answer cells (``after_published`` by default)."""
    visibility = {}
    for cell in json.loads(Path(master_path).read_text(encoding="utf-8"))["cells"]:
        info = cell.get("metadata", {}).get("grader", {})
        if info.get("role") == "answer" and "id" in info:
            value = info.get("visibility", DEFAULT_VISIBILITY)
            visibility[str(info["id"])] = value if value in VISIBILITIES else DEFAULT_VISIBILITY
    return visibility


def _failure(message):
    """results.json of a submission that was not graded, saying why (a :class:`grader.vocabulary.Message`)."""
    return {"score": 0.0, "output": render(message), "visibility": "visible", "tests": []}


def _say(text, stream=None):
    """Print the grader's or the container's own words (never a submission's: those are in the results)."""
    show(Message("teacher text", text=MasterText(str(text))), stream)


def close_to_students(root):
    """Make the master, the metadata (other group members' e-mails) and the results root's alone."""
    os.chmod(root / "source", 0o700)
    os.chmod(root / "results", 0o755)
    metadata = root / "submission_metadata.json"
    if metadata.exists():
        os.chmod(metadata, 0o600)


def isolation_flags():
    """The grader's flags for this container: the sandbox where bwrap works, else users of their own.

    Returns (flags, None), or (None, why no kernel can be isolated here).
    """
    cause = sandbox.problem()
    if cause is None:
        return [], None
    fallback = sandbox.unprivileged_problem()
    if fallback is None:
        _say(f"bubblewrap cannot work here ({cause}): kernels run as users of their own", sys.stderr)
        return ["--unprivileged"], None
    return None, f"{cause}; and {fallback}"


def run(root=Path("/autograder"), master_name="master.ipynb"):
    """Grade the submission in ``root`` as Gradescope lays it out; write ``root/results/results.json``.

    Returns the results, or None when the submission is "not graded, rerun" (the grader exited 4):
    then no results.json is written and ``main`` exits 4, so Gradescope shows the run as failed.
    """
    root = Path(root)
    master = root / "source" / master_name
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # as on Gradescope; a teacher's dry run as themselves changes nothing
        close_to_students(root)
    submission = find_submission(root / "submission", master_name)
    flags, cause = isolation_flags()
    if submission is None:
        results = _failure(Message("no notebook"))
    elif cause is not None:
        _say(f"no kernel can be isolated in this container: {cause}", sys.stderr)
        results = _failure(Message("cannot isolate"))
    else:
        student_id = student_id_from_metadata(root / "submission_metadata.json")
        with tempfile.TemporaryDirectory() as work:
            raw = Path(work) / "results.json"
            command = [sys.executable, "-m", "grader", "grade", str(master), str(submission), *flags]
            command += ["--json", str(raw)]
            if student_id is not None:
                command += ["--student-id", student_id]
            completed = subprocess.run(command, capture_output=True, text=True)
            if completed.returncode in (0, 1) and raw.exists():
                results = json.loads(raw.read_text(encoding="utf-8"))
            elif completed.returncode == EXIT_NOT_GRADED:
                # the grader's own machinery failed twice: no results.json at all, so Gradescope shows
                # the submission as not graded ("the autograder failed") instead of 0 points; Regrade
                # grades it again
                _say(render(Message("not graded one", reason=Message("gradescope machinery"))), sys.stderr)
                results_path.unlink(missing_ok=True)
                return None
            else:
                _say(completed.stdout[-4000:] + "\n" + completed.stderr[-4000:], sys.stderr)  # the grader's
                results = _failure(Message("grader failed", code=completed.returncode))
        visibility = question_visibility(master)
        for test in results.get("tests", []):
            test["visibility"] = visibility.get(str(test.get("number", test.get("name"))), DEFAULT_VISIBILITY)
        results.setdefault("visibility", "visible")
        late.apply(results, root / "submission_metadata.json", root / "source" / late.POLICY_FILE)
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m grader.report.gradescope", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--root", default="/autograder", help="Gradescope's folder (default /autograder)")
    args = parser.parse_args(argv)
    results = run(Path(args.root))
    if results is None:
        return EXIT_NOT_GRADED  # not graded, rerun: Gradescope marks the run failed, never 0 points
    _say(f"score {results.get('score', 0)} / {results.get('max_score', '?')}")
    return 0


def build_main(master, out, late_penalty=None, late_cap="100%"):
    """``python -m grader gradescope MASTER --out ZIP [--late-penalty RULE --late-cap SHARE]``."""
    try:
        rule = None
        if late_penalty is not None:
            late.parse_rule(late_penalty, late_cap)  # a rule that is not one is refused here
            rule = {"penalty": late_penalty, "cap": late_cap}
        written = build_zip(master, out, rule)
    except (MasterError, late.RuleError) as error:
        _say(f"error: {error}", sys.stderr)
        return 2
    _say(f"wrote {written}: upload it as the autograder of a Gradescope programming assignment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
