"""The fallback jail: each kernel as a user id of its own, for hosts where bubblewrap cannot work.

Some containers (Gradescope's among them, depending on the host) forbid the namespaces that
:mod:`grader.sandbox` needs. There, a grader running as root can still keep a kernel away from
what it must not touch by running it as an unprivileged user id that nothing else uses:

- the kernel gets a fresh uid and gid (from :data:`FIRST_UID` on, unused by any process), no
  supplementary groups, and ``no_new_privs`` (no set-uid program gives root back);
- it can read only what every user may read: a master kept in a folder of mode 0700 (as
  ``run_autograder`` leaves ``/autograder/source``) is out of its reach, and so is every other
  kernel's folder and memory (another uid: no ``ptrace``, no ``/proc/<pid>/mem``, no signals);
- its work folder and channel folder belong to it alone (mode 0700, under a folder of mode 0711);
- ``RLIMIT_NPROC`` now binds (it counts per uid, and the uid is not root);
- when it ends, :func:`kill_user` kills every process of that uid in one ``kill(-1)`` issued as
  that uid, and :func:`remove_user_files` deletes what it left in the shared temporary folders.

What it does not give, compared with bubblewrap: the kernel still sees the host's world-readable
files and the network, and its disk use is bounded per file (``RLIMIT_FSIZE``), not in total.
``exercises/teachers.md`` says so. The grader refuses to use it for a master that other users
can read (:func:`exposed_to_other_users`).
"""

import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

FIRST_UID = 1_800_000_000  # far above any account: ids from here on are handed out to kernels
UID_SPAN = 100_000_000
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")  # where any user may leave files behind

_in_use = set()
_lock = threading.Lock()


def problem(needed=()):
    """None when kernels can run as users of their own here, else the cause in one sentence.

    ``needed``: the folders and files a kernel must reach (Python, its packages, ``nnlib``).
    """
    if os.geteuid() != 0:
        return "running kernels as users of their own needs the grader to run as root"
    for path in needed:
        closed = closed_to_other_users(path)
        if closed:
            return (
                f"a kernel running as another user cannot reach {path}: {closed} is closed to other "
                "users (install Python and the course's packages where every user may read them, "
                "as setup.sh does in /opt/course)"
            )
    return None


def closed_to_other_users(path):
    """The first folder on the way to ``path`` (or ``path`` itself) other users may not pass, or None."""
    path = os.path.realpath(path)
    steps = [path]
    while os.path.dirname(steps[-1]) != steps[-1]:
        steps.append(os.path.dirname(steps[-1]))
    for step in reversed(steps):
        try:
            mode = os.stat(step).st_mode
        except OSError:
            return step
        needed = stat.S_IXOTH if stat.S_ISDIR(mode) else stat.S_IROTH
        if not mode & needed:
            return step
    return None


def _process_uids():
    uids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uids.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                continue
    return uids


def allocate_user():
    """A uid (used as gid too) that no process and no other kernel of this grader has."""
    with _lock:
        taken = _process_uids() | _in_use
        while True:
            uid = FIRST_UID + secrets.randbelow(UID_SPAN)
            if uid not in taken:
                _in_use.add(uid)
                return uid


def release_user(uid):
    with _lock:
        _in_use.discard(uid)


def _become(uid):
    """Python lines (``os`` imported) by which a process started as root becomes ``uid`` for good."""
    return (
        "os.setgroups([])\n"
        f"os.setresgid({uid}, {uid}, {uid})\n"
        f"os.setresuid({uid}, {uid}, {uid})\n"
        f"if os.getresuid() != ({uid},) * 3 or os.getresgid() != ({uid},) * 3 or os.getgroups():\n"
        "    os._exit(70)\n"
    )


def drop_privileges_code(uid):
    """Python lines run by the kernel's launcher (``os``, ``libc`` at hand) before ipykernel starts."""
    # PR_SET_NO_NEW_PRIVS: no set-uid program can give root back
    no_new_privileges = "libc.prctl(38, 1, 0, 0, 0)\n"
    return _become(uid) + no_new_privileges


def hand_over(uid, *paths):
    """Give the kernel's own folders and files to ``uid``."""
    for path in paths:
        os.chown(path, uid, uid)


def processes_of(uid):
    """The pids of the live processes (not zombies) whose real or effective user is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as stream:
                for line in stream:
                    if line.startswith("Uid:"):
                        if str(uid) in line.split()[1:3] and not _is_zombie(int(entry)):
                            found.append(int(entry))
                        break
        except OSError:
            continue
    return found


def kill_user(uid, timeout=5.0):
    """Kill every process of ``uid``; True when none is left.

    ``kill(-1, SIGKILL)`` sent *as that uid* reaches all its processes at once (the kernel holds
    the process list while it signals, so no fork slips through), and no process of anyone else.
    """
    if uid is None or uid < FIRST_UID:
        raise ValueError(f"uid must be one handed out by allocate_user, got {uid!r}")
    killer = f"import os, signal\n{_become(uid)}os.kill(-1, signal.SIGKILL)\n"
    deadline = time.monotonic() + timeout
    while True:
        subprocess.run(  # started as root (Python need not be reachable by the user), then the user
            [sys.executable, "-S", "-c", killer],
            env={},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        left = processes_of(uid)
        if not left:
            return True
        if time.monotonic() > deadline:
            return False
        for pid in left:  # a process between set*uid calls is missed by kill(-1): kill it by pid
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stream:
            return stream.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return True


def remove_user_files(uid, folders=SHARED_TMP):
    """Delete what ``uid`` left in the shared temporary folders (links are removed, never followed).

    A user can create files only in folders it may write to: its own and the world-writable
    ones, so only those are searched.
    """
    for top in folders:
        _remove_owned(uid, top)


def _remove_owned(uid, folder):
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        is_folder = stat.S_ISDIR(info.st_mode)
        if info.st_uid == uid:
            if is_folder:
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
        elif is_folder and info.st_mode & stat.S_IWOTH:
            _remove_owned(uid, entry.path)


def exposed_to_other_users(path):
    """The first of ``path`` and its folders that lets other users reach it, or None.

    A file is readable by a kernel running as another user when the file is readable by others
    and every folder above it can be traversed by others.
    """
    path = os.path.abspath(path)
    if not os.stat(path).st_mode & stat.S_IROTH:
        return None
    folder = os.path.dirname(path)
    while True:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return path
        folder = parent
