"""What the grader's tests share: the command line run as a teacher would, and notebooks on disk."""

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.master.notebook import parse_master
from grader.master.release import student_notebook

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, timeout=600, env=None):
    """``python -m grader ARGS`` run from the repository; the completed process, whatever its exit code."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
        env=env,
    )


def student_version(master):
    """The released student version of a master, as a plain JSON dictionary."""
    return json.loads(json.dumps(student_notebook(parse_master(master).notebook)))


def write(notebook, path):
    """Write a notebook dictionary to ``path``; return the path."""
    Path(path).write_text(json.dumps(notebook), encoding="utf-8")
    return Path(path)



SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def course_paths():
    """What the grader and its kernels need: Python, its environment, nnlib, grader, matplotlib's fonts."""
    from grader.run import sandbox

    paths = [*sandbox.readonly_paths(), str(Path(__file__).resolve().parent.parent / "grader")]
    if sandbox.font_list():
        paths.append(os.path.dirname(sandbox.font_list()))
    return paths


def container_view():
    """bwrap arguments of a fresh grading container, as Gradescope's image is once ``setup.sh`` ran.

    The system, the Python installation, its environment and the course's packages, read-only and
    nothing else of this machine: no repository with its masters, no home folder, an empty /tmp.
    Folders bwrap creates on the way (here /root, above the Python installation) are open to every
    user, as /opt/course is on Gradescope; /tmp is empty and open to all (1777). The caller adds
    /autograder, /proc and /dev. nnlib alone is writable (by root: its files are root's, 0644).
    """
    arguments = ["--perms", "1777", "--tmpfs", "/tmp"]  # first: the course may live below /tmp (a CI clone)
    for top in SYSTEM:
        if os.path.islink(top):
            arguments += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            arguments += ["--ro-bind", top, top]
    made = {Path("/tmp")}
    for path in course_paths():
        for folder in reversed(Path(path).parents):  # bwrap would copy the host's modes (/root: 0700)
            if str(folder) != "/" and not str(folder).startswith(SYSTEM) and folder not in made:
                arguments += ["--perms", "0755", "--dir", str(folder)]
                made.add(folder)
        arguments += ["--ro-bind", path, path]
    # The course's package where root may write, as setup.sh installs it on Gradescope: the fallback closes
    # the forbidden modules to a kernel's user by an ACL entry on their files (each set forbids some). A copy
    # of this test process's own: tests on other pytest-xdist workers add and remove their kernels' entries
    # at the same time, and one test checks that no entry is left on the files (seen failing on the shared
    # package: another worker's kernel held an entry at that moment).
    return [*arguments, "--bind", _private_nnlib(), str(ROOT / "nnlib")]


@functools.cache
def _private_nnlib():
    """A copy of nnlib for this process's container views (removed when the process ends)."""
    folder = tempfile.mkdtemp(prefix="nnlib-view-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = os.path.join(folder, "nnlib")
    shutil.copytree(ROOT / "nnlib", copy, ignore=shutil.ignore_patterns("__pycache__"))
    os.chmod(folder, 0o755)  # the kernels' users pass through to the package, as on Gradescope
    return copy
