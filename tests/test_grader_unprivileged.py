"""The fallback jail (grader.run.unprivileged): each kernel as a user id of its own, where bwrap cannot work.

The command line runs in a fresh container view (tests/grader_support.py: the system, Python and
the course's packages only), as on Gradescope once ``setup.sh`` ran; what it must refuse, it must
refuse with a message that names the path and the fix. The attacks through ``run_autograder`` are in
tests/test_gradescope.py.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from grader_support import container_view

from grader.run import unprivileged

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "exercises" / "00_warmup.ipynb"
BWRAP = shutil.which("bwrap")


@pytest.fixture
def open_tmp():
    """A folder every user can pass (pytest's own are 0700), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="unpriv-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_what_other_users_can_reach(open_tmp):
    folder = open_tmp / "open" / "deeper"
    folder.mkdir(parents=True)
    secret = folder / "master.ipynb"
    secret.write_text("{}")
    (open_tmp / "open").chmod(0o755)
    folder.chmod(0o755)
    secret.chmod(0o644)
    assert unprivileged.exposed_to_other_users(secret) == str(secret)
    assert unprivileged.closed_to_other_users(secret) is None
    secret.chmod(0o600)  # the file itself closed
    assert unprivileged.exposed_to_other_users(secret) is None
    assert unprivileged.closed_to_other_users(secret) == str(secret)
    secret.chmod(0o644)
    (open_tmp / "open").chmod(0o700)  # a folder on the way closed
    assert unprivileged.exposed_to_other_users(secret) is None
    assert unprivileged.closed_to_other_users(secret) == str(open_tmp / "open")
    (open_tmp / "open").chmod(0o711)  # passable without listing: still reachable by its name
    assert unprivileged.exposed_to_other_users(secret) == str(secret)


def test_every_kernel_gets_an_unused_user_id():
    uids = [unprivileged.allocate_user() for _ in range(50)]
    try:
        assert len(set(uids)) == 50
        first, span = unprivileged.FIRST_UID, unprivileged.UID_SPAN
        assert all(first <= uid < first + span for uid in uids)
        assert not set(uids) & {os.stat(f"/proc/{p}").st_uid for p in os.listdir("/proc") if p.isdigit()}
    finally:
        for uid in uids:
            unprivileged.release_user(uid)


def test_only_handed_out_ids_can_be_killed():
    for uid in (0, 1000, 65534, None):
        with pytest.raises(ValueError, match="uid must be one handed out"):
            unprivileged.kill_user(uid)


def test_a_users_processes_and_files_are_removed_and_nothing_else(open_tmp):
    assert os.geteuid() == 0, "make test runs as root, as the fallback does"
    uid = unprivileged.allocate_user()
    try:
        shared = open_tmp / "shared"
        shared.mkdir()
        shared.chmod(0o1777)
        (shared / "root's.txt").write_text("keep")
        # the user's process leaves a file, a folder and a link, then sleeps in a session of its own
        script = (
            "echo x > left.txt && mkdir left && echo x > left/inside.txt && ln -s \"root's.txt\" link"
            " && touch ready && exec setsid sleep 600"
        )
        process = subprocess.Popen(["/bin/sh", "-c", script], cwd=shared, user=uid, group=uid,
                                   extra_groups=[])
        deadline = time.monotonic() + 10
        while not (shared / "ready").exists():
            assert process.poll() is None and time.monotonic() < deadline, "the user's process did not start"
            time.sleep(0.02)
        time.sleep(0.1)  # past the exec of sleep
        assert unprivileged.processes_of(uid) == [process.pid]
        assert unprivileged.kill_user(uid)
        process.wait(timeout=5)
        assert unprivileged.processes_of(uid) == []
        unprivileged.remove_user_files(uid, folders=[str(open_tmp)])
        assert sorted(p.name for p in shared.iterdir()) == ["root's.txt"]
        assert (shared / "root's.txt").read_text() == "keep"  # the link was removed, not followed
    finally:
        unprivileged.release_user(uid)


def run_in_container(*args, data):
    """``python -m grader ARGS`` in a fresh container view with ``data`` mounted at /data."""
    command = [BWRAP, *container_view(), "--bind", str(data), "/data", "--dev-bind", "/dev", "/dev"]
    command += ["--bind", "/proc", "/proc", "--die-with-parent", "--chdir", "/tmp", "--clearenv"]
    for key, value in {"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}.items():
        command += ["--setenv", key, value]
    command += ["--", sys.executable, "-m", "grader", "grade", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_the_command_line_refuses_a_master_other_users_can_read(tmp_path):
    assert BWRAP, "bubblewrap is missing: make test installs it (scripts/ensure_bwrap.sh)"
    data = tmp_path / "data"
    for folder in ("masters", "class", ".git"):
        (data / folder).mkdir(parents=True)
    shutil.copy(MASTER, data / "masters" / "master.ipynb")
    shutil.copy(MASTER, data / "class" / "ada.ipynb")
    for folder in (data, data / "masters", data / "class", data / ".git"):
        folder.chmod(0o755)
    (data / "masters" / "master.ipynb").chmod(0o600)  # closed itself, but not Jupyter's copy beside it
    master, ada, whole_class = "/data/masters/master.ipynb", "/data/class/ada.ipynb", "/data/class"

    def refused(submission):
        completed = run_in_container(master, submission, "--unprivileged", data=data)
        assert completed.returncode == 2, completed.stdout + completed.stderr
        return completed.stderr

    assert "the master's folder /data/masters is open to every user" in refused(ada)
    (data / "masters").chmod(0o700)
    assert "the git repository /data/.git (every committed master) is open to every user" in refused(ada)
    (data / ".git").chmod(0o700)
    assert "the submissions' folder /data/class is open to every user (chmod 700 it)" in refused(whole_class)
    (data / "class").chmod(0o700)
    graded = run_in_container(master, whole_class, "--unprivileged", data=data)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "ada.ipynb: 11/11" in graded.stdout
    both = run_in_container(master, whole_class, "--unprivileged", "--no-sandbox", data=data)
    assert both.returncode == 2 and "exclude each other" in both.stderr


def test_without_root_the_fallback_is_refused_and_says_why():
    completed = subprocess.run(
        [sys.executable, "-c", "import os; from grader.run import unprivileged; os.setuid(65534); "
         "print(unprivileged.problem())"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    assert "needs the grader to run as root" in completed.stdout, completed.stderr
