"""The jail of every kernel: Debian's bubblewrap (``bwrap``), plus resource limits.

Each kernel (a submission's, or the master's) runs as

    bwrap --unshare-all --unshare-user ... -- python -S -c <set limits> -> ipykernel

in new user, PID, IPC, UTS, network, mount and cgroup namespaces, with

- a read-only view of only what the kernel needs: ``/usr`` (system libraries), the Python
  installation and its virtual environment, the ``nnlib`` package, matplotlib's font list;
- a private, empty, size-limited writable work folder (``/home/student``) and ``/tmp``;
- one writable folder of its own, the *channel*: the connection file and the ZMQ ``ipc://``
  sockets through which the grader talks to that kernel (and nothing else reaches it);
- no network at all (a new network namespace: not even the host's loopback);
- resource limits set inside before ipykernel starts: address space (``--memory``), processes
  and threads, file size, CPU time, no core files; when the grader runs as root, processes
  are also limited by a ``pids`` cgroup of their own (root ignores ``RLIMIT_NPROC``).

The grader kills the kernel's PID namespace (its init process and bwrap) before it writes any
result, and waits until every process of it is gone.
"""

import functools
import glob
import importlib.util
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

WORKDIR = "/home/student"
BWRAP = os.environ.get("GRADER_BWRAP") or shutil.which("bwrap") or "/usr/bin/bwrap"


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create namespaces here: the message says why."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of one kernel; every kernel of a run gets the same."""

    memory: int = 2 << 30  # bytes of address space per process (RLIMIT_AS)
    processes: int = 128  # processes and threads (RLIMIT_NPROC, or a pids cgroup as root)
    file_size: int = 64 << 20  # bytes per file written (RLIMIT_FSIZE)
    cpu_seconds: int = 900  # CPU seconds per process (RLIMIT_CPU)
    disk: int = 256 << 20  # bytes of the private work folder and of /tmp (tmpfs size), each
    enabled: bool = True  # False: --no-sandbox (the limits still apply, the jail does not)


LAUNCHER = """\
import ctypes, os, resource, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the grader's process
limits = {limits!r}
for name, value in limits.items():
    resource.setrlimit(getattr(resource, name), (value, value))
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", {connection!r},
                          "--HistoryManager.enabled=False"])
"""


def rlimits(limits):
    return {
        "RLIMIT_AS": int(limits.memory),
        "RLIMIT_NPROC": int(limits.processes),
        "RLIMIT_FSIZE": int(limits.file_size),
        "RLIMIT_CPU": int(limits.cpu_seconds),
        "RLIMIT_CORE": 0,
    }


def _package_dir(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(list(spec.submodule_search_locations)[0])


def _font_list():
    """matplotlib's font cache of the host (read-only in the sandbox: no 2 s rebuild per kernel)."""
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib"
    )
    found = sorted(glob.glob(os.path.join(folder, "fontlist-v*.json")))
    return found[-1] if found else None


@functools.cache
def readonly_paths():
    """The host paths a kernel sees, read-only, at the same place."""
    paths = []
    for path in (sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix):
        for candidate in (os.path.abspath(path), os.path.realpath(path)):
            if candidate not in paths and not candidate.startswith("/usr"):
                paths.append(candidate)
    nnlib = _package_dir("nnlib")
    if nnlib and nnlib not in paths:
        paths.append(nnlib)
    return tuple(paths)


def kernel_env(home, tmp):
    return {
        "HOME": home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
        "TMPDIR": tmp,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(tmp, "matplotlib"),
        "IPYTHONDIR": os.path.join(tmp, "ipython"),
        "JUPYTER_CONFIG_DIR": os.path.join(tmp, "jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(tmp, "jupyter"),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONWARNINGS": "ignore",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def bwrap_argv(channel, limits):
    """The bwrap command line of one kernel whose channel folder is ``channel``."""
    argv = [
        BWRAP,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        "grader",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for top in ("/bin", "/lib", "/lib64", "/sbin", "/lib32", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime"):
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", str(limits.disk), "--tmpfs", "/tmp"]
    argv += ["--size", str(limits.disk), "--tmpfs", WORKDIR]
    for path in readonly_paths():
        argv += ["--ro-bind", path, path]
    fonts = _font_list()
    if fonts:
        argv += ["--ro-bind", fonts, f"/tmp/matplotlib/{os.path.basename(fonts)}"]
    argv += ["--bind", channel, channel, "--chdir", WORKDIR, "--clearenv"]
    for key, value in kernel_env(WORKDIR, "/tmp").items():
        argv += ["--setenv", key, value]
    return argv


def kernel_argv(channel, connection_file, limits):
    """The full command of one kernel (inside bwrap unless the sandbox is disabled)."""
    launcher = LAUNCHER.format(limits=rlimits(limits), connection=connection_file)
    python = [sys.executable, "-S", "-c", launcher]
    if not limits.enabled:
        return python
    return bwrap_argv(channel, limits) + ["--", *python]


@functools.cache
def _probe(bwrap):
    if not os.path.isfile(bwrap) or not os.access(bwrap, os.X_OK):
        return (
            f"bubblewrap is not installed ({bwrap} not found): install Debian's package with "
            "`sudo apt-get install bubblewrap` (or run scripts/ensure_bwrap.sh)"
        )
    argv = bwrap_argv("/tmp", SandboxLimits())
    channel_bind = argv.index("--bind")
    del argv[channel_bind : channel_bind + 3]
    try:
        completed = subprocess.run(
            [*argv, "--", sys.executable, "-S", "-c", "pass"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{bwrap} could not be run: {error}"
    if completed.returncode != 0:
        cause = completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "no message"
        return (
            f"{bwrap} cannot create the sandbox's namespaces here ({cause}); this happens in "
            "containers that forbid user namespaces (allow them, e.g. docker --security-opt "
            "seccomp=unconfined, or sysctl kernel.unprivileged_userns_clone=1)"
        )
    return None


def problem():
    """None when kernels can be sandboxed here, else the cause in one sentence."""
    return _probe(BWRAP)


def require():
    cause = problem()
    if cause:
        raise SandboxUnavailable(cause)


class PidsCgroup:
    """A cgroup (v1 or v2) limiting the processes of one kernel, when the grader may create one.

    Needed as root only: ``RLIMIT_NPROC`` does not apply to uid 0, which bwrap keeps (mapped).
    """

    def __init__(self, limit):
        self.path = None
        if os.geteuid() != 0:
            return
        parent = _own_pids_cgroup()
        if parent is None:
            return
        path = os.path.join(parent, f"grader-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            os.mkdir(path)
            with open(os.path.join(path, "pids.max"), "w", encoding="ascii") as stream:
                stream.write(str(int(limit)))
        except OSError:
            self._remove(path)
            return
        self.path = path

    def join(self):
        """Called in the child before exec: move it into the cgroup."""
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs"), "w", encoding="ascii") as stream:
                stream.write(str(os.getpid()))

    def empty(self):
        if not self.path:
            return True
        try:
            with open(os.path.join(self.path, "cgroup.procs"), encoding="ascii") as stream:
                return not stream.read().strip()
        except OSError:
            return True

    def kill_all(self):
        if not self.path:
            return
        try:
            with open(os.path.join(self.path, "cgroup.procs"), encoding="ascii") as stream:
                pids = [int(line) for line in stream.read().split()]
        except OSError:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    @staticmethod
    def _remove(path):
        try:
            os.rmdir(path)
        except OSError:
            pass

    def remove(self):
        if self.path:
            self._remove(self.path)
            self.path = None


@functools.cache
def _own_pids_cgroup():
    try:
        with open("/proc/self/cgroup", encoding="ascii") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if "pids" in controllers.split(","):
            folder = f"/sys/fs/cgroup/pids{path}"
            return folder if os.access(folder, os.W_OK) else None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if number == "0":
            folder = f"/sys/fs/cgroup{path}"
            try:
                with open(os.path.join(folder, "cgroup.subtree_control"), encoding="ascii") as stream:
                    if "pids" in stream.read().split() and os.access(folder, os.W_OK):
                        return folder
            except OSError:
                return None
    return None


def children(pid):
    """The direct children of a process (from /proc), or [] when it is gone."""
    found = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(task, encoding="ascii") as stream:
                found += [int(item) for item in stream.read().split()]
        except OSError:
            continue
    return found


def wait_gone(pids, timeout=5.0):
    """Wait until none of ``pids`` exists (or is only a zombie); True when all are gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stream:
                    state = stream.read().rsplit(")", 1)[-1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.02)
    return False
