"""What the grader's tests share: the command line run as a teacher would, and notebooks on disk."""

import json
import subprocess
import sys
from pathlib import Path

from grader.master import parse_master
from grader.release import student_notebook

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
