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
  and threads, file size, CPU time, no core files; when the grader runs as root, each sandbox
  also gets cgroups of its own: ``pids`` (root ignores ``RLIMIT_NPROC``), ``memory`` (all its
  processes together) and ``cpu`` (one CPU at most, one fair share however many processes).

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

from grader.run import absent, unprivileged

WORKDIR = "/home/student"
SHM_SIZE = 16 << 20  # bytes of the sandbox's /dev/shm
NOBODY = 65534  # owner of a kernel's channel folder once its sockets exist (see lock_channel)
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
    cpus: float = 1.0  # CPUs of time for the whole sandbox (a cpu cgroup, as root)
    disk: int = 256 << 20  # bytes of the private work folder and of /tmp (tmpfs size), each
    enabled: bool = True  # False: no bubblewrap jail (the limits still apply)
    unprivileged: bool = False  # with enabled False: each kernel as a uid of its own (run.unprivileged)
    absent: tuple = ()  # modules a question forbids: stubs in their place (grader.run.absent)


LAUNCHER = """\
import ctypes, os, resource, signal, sys
libc = ctypes.CDLL(None)
limits = {limits!r}
for name, value in limits.items():
    resource.setrlimit(getattr(resource, name), (value, value))
{drop_privileges}libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (after any change of uid, which clears it)
os.execv(sys.executable, [sys.executable, "-c", {start!r}, "-f", {connection!r},
                          "--HistoryManager.enabled=False"])
"""

#: How ipykernel starts (what ``python -m ipykernel_launcher`` does).
START_KERNEL = "from ipykernel import kernelapp\nkernelapp.launch_new_instance()\n"

#: The same for a kernel outside a network namespace (no bwrap): ipykernel 7 would listen on a
#: TCP port of 127.0.0.1 for the output of forked subprocesses, which any local process can find
#: in /proc/net/tcp and flood; the port is not opened (a forked child's output is then dropped).
START_KERNEL_WITHOUT_PORT = (
    "from ipykernel import iostream, kernelapp\n"
    "iostream.IOPubThread._setup_pipe_in = lambda self: setattr(self, '_pipe_flag', False)\n"
    "kernelapp.launch_new_instance()\n"
)


#: IPython's traceback mode in a kernel with forbidden modules: a cell that fails costs about 0.004 s
#: instead of 0.07 s (0.45 s for the first), measured; the grader reads only the error's name and message.
MINIMAL_TRACEBACKS = "--InteractiveShell.xmode=Minimal"


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


def font_list():
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


def bwrap_argv(channel, limits, binds=()):
    """The bwrap command line of one kernel whose channel folder is ``channel``.

    ``binds``: ``(host file or folder, path in the kernel)`` mounted read-only over what the
    kernel would see there (the stubs of forbidden modules, see :func:`absent_binds`).
    """
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
    argv += ["--size", str(SHM_SIZE), "--tmpfs", "/dev/shm"]  # --dev's /dev/shm is unsized
    argv += ["--size", str(limits.disk), "--tmpfs", "/tmp"]
    argv += ["--size", str(limits.disk), "--tmpfs", WORKDIR]
    for path in readonly_paths():
        argv += ["--ro-bind", path, path]
    for source, target in binds:  # after the folders they are in: mounted over them
        argv += ["--ro-bind", source, target]
    fonts = font_list()
    if fonts:
        argv += ["--ro-bind", fonts, f"/tmp/matplotlib/{os.path.basename(fonts)}"]
    argv += ["--bind", channel, channel, "--chdir", WORKDIR, "--clearenv"]
    argv += ["--remount-ro", "/"]  # bwrap's root is an unsized tmpfs: nothing may be written there
    for key, value in kernel_env(WORKDIR, "/tmp").items():
        argv += ["--setenv", key, value]
    return argv


def absent_binds(channel, limits):
    """Stubs for the modules of ``limits.absent``, written beside the channel folder: ``[(stub, target)]``."""
    if not limits.absent:
        return []
    plan = absent.covers(limits.absent, tuple(sorted(kernel_env(WORKDIR, "/tmp").items())))
    folder = os.path.join(os.path.dirname(channel), "stubs")
    os.mkdir(folder, 0o755)
    return absent.write_stubs(plan, folder)


def deny_absent(user, names):
    """Close the files of the modules ``names`` to the kernel's own ``user`` (the fallback's absence)."""
    plan = absent.covers(names, tuple(sorted(kernel_env(WORKDIR, "/tmp").items())))
    try:
        unprivileged.deny(user, [target for target, _, _ in plan])
    except OSError as error:
        unprivileged.allow_again(user)
        raise absent.ForbidError(
            f"a kernel running as a user of its own cannot be kept from {', '.join(names)}: "
            f"the file system does not take access control lists ({error.strerror})"
        ) from None


def stub_modules_code(names):
    """Python lines that put the stubs of ``names`` in ``sys.modules`` (without bwrap: see teachers.md)."""
    if not names:
        return ""
    stubs = {name: absent.STUB.format(name=name) for name in names}
    return (
        "import sys as _sys, types as _types\n"
        f"for _name, _text in {stubs!r}.items():\n"
        "    _module = _types.ModuleType(_name)\n"
        "    exec(_text, _module.__dict__)\n"
        "    _sys.modules[_name] = _module\n"
        "del _sys, _types, _name, _text, _module\n"
    )


def kernel_argv(channel, connection_file, limits, user=None):
    """The full command of one kernel (inside bwrap unless the sandbox is disabled).

    With ``user`` (the unprivileged fallback), the launcher starts as root and becomes that uid
    for good before ipykernel starts. With ``limits.absent``, the forbidden modules are stubs
    (over their files in bwrap; otherwise only in ``sys.modules``, which proves nothing).
    """
    drop = unprivileged.drop_privileges_code(user) if user is not None else ""
    start = START_KERNEL if limits.enabled else stub_modules_code(limits.absent) + START_KERNEL_WITHOUT_PORT
    if limits.absent:  # the course's self-checks fail on the stubs there: one-line tracebacks, 20x faster
        start = f"import sys\nsys.argv.append({MINIMAL_TRACEBACKS!r})\n" + start
    if user is not None and limits.absent:  # the fallback: the module's files are closed to that user
        deny_absent(user, limits.absent)
    launcher = LAUNCHER.format(
        limits=rlimits(limits), connection=connection_file, drop_privileges=drop, start=start
    )
    python = [sys.executable, "-I", "-S", "-c", launcher]  # -I: nothing from its folder or PYTHON* variables
    if not limits.enabled:
        return python
    return bwrap_argv(channel, limits, absent_binds(channel, limits)) + ["--", *python]


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


def unprivileged_problem():
    """None when kernels can run as users of their own here (:mod:`grader.run.unprivileged`), else why not."""
    return unprivileged.problem([os.path.realpath(sys.executable), *readonly_paths()])


def require(limits=None):
    """Raise :class:`SandboxUnavailable` when the jail ``limits`` ask for cannot be made here."""
    limits = limits or SandboxLimits()
    if limits.enabled:
        cause = problem()
    elif limits.unprivileged:
        cause = unprivileged_problem()
    else:
        cause = None
    if cause:
        raise SandboxUnavailable(cause)


CPU_PERIOD = 100_000  # microseconds of the CPU quota's period (the kernel's default)


class PidsCgroup:
    """Cgroups (v1 or v2) of one kernel, when the grader may create them (as root).

    - ``pids``: limits its processes. Needed as root: ``RLIMIT_NPROC`` does not apply to uid 0,
      which bwrap keeps (mapped).
    - ``memory`` (with ``memory`` bytes given): limits the memory of the whole sandbox, every
      process together plus what it writes to its tmpfs folders (``RLIMIT_AS`` is per process).
    - ``cpu`` (with ``cpus`` given): the whole sandbox gets at most ``cpus`` CPUs of time (v2
      ``cpu.max``, v1 ``cpu.cfs_quota_us``), and competes with the other sandboxes as *one*
      group, however many processes or sessions (``setsid``) it makes. Without it, the kernel's
      scheduler gives each session an equal share (autogroups): a submission that forks 100 busy
      loops in sessions of their own gets 100 shares, and the kernel of the submission graded
      beside it does not even start.

    Without root (or without a writable cgroup) ``path``/``memory_path``/``cpu_path`` stay None
    and only the per-process limits hold (see exercises/teachers.md).
    """

    def __init__(self, limit, memory=None, cpus=None):
        self.path = self.memory_path = self.cpu_path = None
        if os.geteuid() != 0:
            return
        name = f"grader-{os.getpid()}-{secrets.token_hex(4)}"
        parent = _own_cgroup("pids")
        if parent is not None:
            self.path = self._create(os.path.join(parent, name), {"pids.max": limit})
        parent = _own_cgroup("memory") if memory else None
        if parent is not None:
            if os.path.exists(os.path.join(parent, "memory.limit_in_bytes")):  # v1
                settings = {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory}
            else:  # v2
                settings = {"memory.max": memory, "memory.swap.max": 0}
            self.memory_path = self._create(os.path.join(parent, name), settings)
        parent = _own_cgroup("cpu") if cpus else None
        if parent is not None:
            quota = int(cpus * CPU_PERIOD)
            if os.path.exists(os.path.join(parent, "cpu.cfs_quota_us")):  # v1
                settings = {"cpu.cfs_period_us": CPU_PERIOD, "cpu.cfs_quota_us": quota}
            else:  # v2
                settings = {"cpu.max": f"{quota} {CPU_PERIOD}"}
            self.cpu_path = self._create(os.path.join(parent, name), settings)

    def _paths(self):
        return [path for path in dict.fromkeys((self.path, self.memory_path, self.cpu_path)) if path]

    @classmethod
    def _create(cls, path, settings):
        try:
            os.mkdir(path)
            for key, value in settings.items():
                if key == "memory.memsw.limit_in_bytes" and not os.path.exists(os.path.join(path, key)):
                    continue  # no swap accounting on this host
                with open(os.path.join(path, key), "w", encoding="ascii") as stream:
                    stream.write(value if isinstance(value, str) else str(int(value)))
        except OSError:
            cls._remove(path)
            return None
        return path

    def joinable(self):
        return bool(self._paths())

    def join(self):
        """Called in the child before exec: move it into the cgroups."""
        for path in self._paths():
            with open(os.path.join(path, "cgroup.procs"), "w", encoding="ascii") as stream:
                stream.write(str(os.getpid()))

    def _pids(self):
        found = []
        for path in self._paths():
            try:
                with open(os.path.join(path, "cgroup.procs"), encoding="ascii") as stream:
                    found += [int(line) for line in stream.read().split()]
            except OSError:
                continue
        return found

    def empty(self):
        return not self._pids()

    def kill_all(self):
        for pid in self._pids():
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
        for path in self._paths():
            self._remove(path)
        self.path = self.memory_path = self.cpu_path = None


def lock_channel(channel):
    """Once the kernel's sockets exist, its channel folder is no longer writable by the kernel.

    As root, the folder goes to ``nobody`` with mode 0700: the kernel (uid 0 without
    capabilities in its user namespace) can neither write nor list it any more, nor change that
    back; the grader (root on the host) still connects to the sockets. Without root the folder
    only loses its write bit, which the kernel (its owner) could restore: the per-file size
    limit is then what bounds it.
    """
    try:
        if os.geteuid() == 0:
            os.chown(channel, NOBODY, NOBODY)
            os.chmod(channel, 0o700)
        else:
            os.chmod(channel, 0o500)
    except OSError:
        pass


def unlock_channel(channel):
    """Give the channel folder back to the grader's user, so that it can be removed."""
    try:
        os.chown(channel, os.geteuid(), os.getegid()) if os.geteuid() == 0 else os.chmod(channel, 0o700)
    except OSError:
        pass


@functools.cache
def _own_cgroup(controller):
    try:
        with open("/proc/self/cgroup", encoding="ascii") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = f"/sys/fs/cgroup/{controller}{path}"
            return folder if os.access(folder, os.W_OK) else None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if number == "0":
            folder = f"/sys/fs/cgroup{path}"
            try:
                with open(os.path.join(folder, "cgroup.subtree_control"), encoding="ascii") as stream:
                    if controller in stream.read().split() and os.access(folder, os.W_OK):
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
