"""The fallback jail: each kernel as a user id of its own, for hosts where bubblewrap cannot work.

Some containers (Gradescope's among them, depending on the host) forbid the namespaces that
:mod:`grader.run.sandbox` needs. There, a grader running as root can still keep a kernel away from
what it must not touch by running it as an unprivileged user id that nothing else uses:

- the kernel gets a fresh uid and gid (from :data:`FIRST_UID` on, unused by any process), no
  supplementary groups, and ``no_new_privs`` (no set-uid program gives root back);
- it can read only what every user may read: a master kept in a folder of mode 0700 (as
  ``run_autograder`` leaves ``/autograder/source``) is out of its reach, and so is every other
  kernel's folder and memory (another uid: no ``ptrace``, no ``/proc/<pid>/mem``, no signals);
- its work folder and channel folder belong to it alone (mode 0700, under a folder of mode 0711);
- ``RLIMIT_NPROC`` now binds (it counts per uid, and the uid is not root);
- when it ends, :func:`kill_user` kills every process of that uid in one ``kill(-1)`` issued as
  that uid (by a process those may not signal back), and :func:`remove_user_files` deletes what it
  left in the folders every user may write and its System V shared memory, semaphores and queues.

What it does not give, compared with bubblewrap: the kernel still sees the host's world-readable
files and the network, and its disk use is bounded per file (``RLIMIT_FSIZE``), not in total.
``exercises/teachers.md`` says so. The grader refuses to use it for a master that other users
can read (:func:`exposed_to_other_users`).
"""

import ctypes
import errno
import fcntl
import os
import secrets
import signal
import stat
import struct
import subprocess
import sys
import threading
import time

FIRST_UID = 1_800_000_000  # far above any account: ids from here on are handed out to kernels
UID_SPAN = 100_000_000
# where any user may leave files behind (Debian's and Ubuntu's folders of mode 1777)
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue", "/var/crash")
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

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
    allow_again(uid)
    with _lock:
        _in_use.discard(uid)


# --- forbidden modules (grader.judge.forbid): files one kernel's user may not read ------------------------
# A POSIX ACL entry "user:<uid>:---" on each file of a forbidden module (and on a package's folder):
# only that kernel's user loses access, every other user and kernel keeps it. Linux's format of
# the extended attribute: a version, then (tag, permissions, id) entries sorted by tag and id.
ACL_ATTRIBUTE = "system.posix_acl_access"
_ACL_VERSION, _NO_ID = 2, 0xFFFFFFFF
_USER_OBJ, _USER, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_denied = {}  # uid -> the paths whose ACL denies it


def _acl(path):
    """The entries of ``path``'s ACL: [(tag, permissions, id)] (from its mode when it has none)."""
    try:
        data = os.getxattr(path, ACL_ATTRIBUTE, follow_symlinks=False)
    except OSError as error:
        if error.errno != errno.ENODATA:
            raise
        data = b""
    if not data:
        mode = os.lstat(path).st_mode
        return [
            (_USER_OBJ, mode >> 6 & 7, _NO_ID),
            (_GROUP_OBJ, mode >> 3 & 7, _NO_ID),
            (_OTHER, mode & 7, _NO_ID),
        ]
    (version,) = struct.unpack_from("<I", data)
    if version != _ACL_VERSION:
        raise OSError(errno.EINVAL, f"unknown ACL version {version}", path)
    return [struct.unpack_from("<HHI", data, offset) for offset in range(4, len(data), 8)]


def _set_acl(path, entries):
    named = [entry for entry in entries if entry[0] in (_USER, _GROUP)]
    entries = [entry for entry in entries if entry[0] != _MASK or named]
    if named and not any(entry[0] == _MASK for entry in entries):  # the group's access stays as it was
        group = next(entry[1] for entry in entries if entry[0] == _GROUP_OBJ)
        entries.append((_MASK, group, _NO_ID))
    if not named:
        try:
            os.removexattr(path, ACL_ATTRIBUTE, follow_symlinks=False)  # back to the mode alone
        except OSError as error:
            if error.errno != errno.ENODATA:
                raise
        return
    entries = sorted(entries, key=lambda entry: (entry[0], entry[2]))
    data = struct.pack("<I", _ACL_VERSION) + b"".join(struct.pack("<HHI", *entry) for entry in entries)
    os.setxattr(path, ACL_ATTRIBUTE, data, follow_symlinks=False)


def _change_acl(path, change):
    """Apply ``change`` (entries -> entries) to ``path``'s ACL, locked against other graders' changes."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _set_acl(path, change(_acl(path)))
    finally:
        os.close(handle)  # releases the lock


def deny(uid, paths):
    """Take every access to ``paths`` (files, or folders and all in them) from ``uid`` until it is released.

    Raises OSError when a file system does not take ACLs (the kernel must not start then).
    """
    if uid is None or uid < FIRST_UID:
        raise ValueError(f"uid must be one handed out by allocate_user, got {uid!r}")
    for path in paths:
        _denied.setdefault(uid, []).append(path)
        _change_acl(path, lambda entries: [*entries, (_USER, 0, uid)])


def allow_again(uid):
    """Remove what :func:`deny` gave ``uid`` (called when its kernel is gone)."""
    for path in _denied.pop(uid, []):
        try:
            _change_acl(path, lambda entries: [e for e in entries if (e[0], e[2]) != (_USER, uid)])
        except OSError:
            continue


def _become(uid, real=None):
    """Python lines (``os`` imported) by which a process started as root becomes ``uid`` for good.

    With ``real``, ``uid`` is only the effective id and ``real`` the real and saved one: the
    process may signal ``uid``'s processes, which may not signal it (nor trace it) back.
    """
    real = uid if real is None else real
    ids = (real, uid, real)
    return (
        "os.setgroups([])\n"
        f"os.setresgid({real}, {uid}, {real})\n"
        f"os.setresuid({real}, {uid}, {real})\n"
        f"if os.getresuid() != {ids} or os.getresgid() != {ids} or os.getgroups():\n"
        "    os._exit(70)\n"
    )


def drop_privileges_code(uid):
    """Python lines run by the kernel's launcher (``os``, ``libc`` at hand) before ipykernel starts."""
    # PR_SET_NO_NEW_PRIVS: no set-uid program can give root back (a kernel that refuses it does not start)
    no_new_privileges = "if libc.prctl(38, 1, 0, 0, 0) != 0:\n    os._exit(70)\n"
    return _become(uid) + no_new_privileges


def hand_over(uid, *paths):
    """Give the kernel's own folders and files to ``uid``."""
    for path in paths:
        os.chown(path, uid, uid)


def _belongs_to(pid, uid):
    """True when ``pid`` is a live process (not a zombie) whose real or effective user is ``uid``."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as stream:
            for line in stream:
                if line.startswith("Uid:"):
                    return str(uid) in line.split()[1:3] and not _is_zombie(pid)
    except OSError:
        pass
    return False


def processes_of(uid):
    """The pids of the live processes (not zombies) whose real or effective user is ``uid``."""
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _belongs_to(entry, uid)]


def kill_user(uid, timeout=5.0):
    """Kill every process of ``uid``; True when none is left.

    ``kill(-1, SIGKILL)`` sent with ``uid`` as effective id reaches all its processes at once (the
    kernel holds the process list while it signals, so no fork slips through), and no process of
    anyone else. The killer's real and saved id is another fresh uid: were it ``uid``, a process of
    ``uid`` could stop the killer between its ``setresuid`` and its ``kill`` (and the grader would
    wait for it forever). It runs isolated (``-I``) from ``/``: no module of the grader's folder.
    """
    if uid is None or uid < FIRST_UID:
        raise ValueError(f"uid must be one handed out by allocate_user, got {uid!r}")
    witness = allocate_user()
    killer = f"import os\n{_become(uid, real=witness)}os.kill(-1, 9)\n"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:  # started as root (Python need not be reachable by the user), then the user
                subprocess.run([sys.executable, "-I", "-S", "-c", killer], cwd="/", env={},
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=False, timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            left = processes_of(uid)
            if not left:
                return True
            if time.monotonic() > deadline:
                return False
            for pid in left:  # a process between set*uid calls is missed by kill(-1): kill it by pid
                _kill_if_theirs(pid, uid)
            time.sleep(0.02)
    finally:
        release_user(witness)


def _kill_if_theirs(pid, uid):
    """SIGKILL ``pid`` if it is a process of ``uid``, through a pidfd: a pid reused meanwhile is never hit."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except OSError:  # no pidfd here (Linux before 5.3, or a seccomp filter): by pid, after the check
        handle = None
    try:
        if _belongs_to(pid, uid):  # checked once the pidfd holds the process the pid names
            signal.pidfd_send_signal(handle, signal.SIGKILL) if handle else os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    finally:
        if handle is not None:
            os.close(handle)


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stream:
            return stream.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return True


def remove_user_files(uid, folders=SHARED_TMP):
    """Delete what ``uid`` left in the shared folders and its System V IPC objects.

    A user can create files only in folders it may write to: its own and the world-writable
    ones, so only those are searched. Links are removed, never followed; folders of any depth.
    """
    seen = set()
    for top in folders:
        try:
            handle = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # /var/lock: a link
        except OSError:
            continue
        try:
            if os.path.realpath(top) not in seen:
                seen.add(os.path.realpath(top))
                _remove_owned(uid, handle)
        finally:
            os.close(handle)
    _remove_ipc(uid)


def _remove_owned(uid, folder, depth=0):
    """Remove the entries of ``uid`` in the open folder ``folder``; search its world-writable folders."""
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries]
    except OSError:
        return
    for name in names:
        try:
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid == uid:
            remove_tree(name, folder)
        elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH and depth < 8:
            try:
                inner = os.open(name, _FOLDER, dir_fd=folder)
            except OSError:
                continue
            try:
                _remove_owned(uid, inner, depth + 1)
            finally:
                os.close(inner)


def _unlink(name, folder):
    try:
        os.unlink(name, dir_fd=folder)
    except OSError:
        pass


def remove_tree(name, folder=None):
    """Delete ``name`` (relative to the open folder ``folder``) and all it holds, never following a link.

    Each folder met below ``name`` is first moved up into ``name``: nothing recurses and at most
    two folders are open, however deep a kernel nested them (``shutil.rmtree`` recurses and raises
    ``RecursionError`` at about 1000 levels).
    """
    try:
        top = os.open(name, _FOLDER, dir_fd=folder)
    except OSError:  # a file, a link: the entry itself goes
        _unlink(name, folder)
        return
    pending = [None]  # None: ``name`` itself, else a folder in it
    try:
        while pending:
            here = pending.pop()
            try:
                handle = top if here is None else os.open(here, _FOLDER, dir_fd=top)
                with os.scandir(handle) as entries:
                    children = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
            except OSError:
                continue
            for child, is_folder in children:
                if not is_folder:
                    _unlink(child, handle)
                elif here is None:
                    pending.append(child)
                else:
                    moved = f".removed-{secrets.token_hex(8)}"
                    try:
                        os.rename(child, moved, src_dir_fd=handle, dst_dir_fd=top)
                        pending.append(moved)
                    except OSError:
                        pass
            if here is not None:
                os.close(handle)
                try:
                    os.rmdir(here, dir_fd=top)
                except OSError:
                    pass
    finally:
        os.close(top)
    try:
        os.rmdir(name, dir_fd=folder)
    except OSError:
        pass


def _remove_ipc(uid):
    """Remove the System V shared memory, semaphores and message queues ``uid`` created or owns."""
    libc, rmid = ctypes.CDLL(None, use_errno=True), 0  # IPC_RMID
    for kind, key, remove in (("shm", "shmid", lambda ident: libc.shmctl(ident, rmid, None)),
                              ("sem", "semid", lambda ident: libc.semctl(ident, 0, rmid)),
                              ("msg", "msqid", lambda ident: libc.msgctl(ident, rmid, None))):
        try:
            with open(f"/proc/sysvipc/{kind}", encoding="ascii") as stream:
                header, *lines = stream.read().splitlines()
        except (OSError, ValueError):
            continue
        for line in lines:
            fields = dict(zip(header.split(), line.split(), strict=False))
            if str(uid) in (fields.get("uid"), fields.get("cuid")):
                remove(int(fields[key]))


def exposed_to_other_users(path):
    """The first of ``path`` and its folders that lets other users reach it, or None.

    A file is readable by a kernel running as another user when the file is readable by others
    and every folder above it can be traversed by others.
    """
    path = os.path.realpath(path)  # a link is as readable as what it points to
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
