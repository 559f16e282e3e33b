"""A Jupyter kernel in a sandbox of its own, with a time limit and an output cap per execution.

The grader talks to the kernel only through Jupyter messages over ZMQ ``ipc://`` sockets in a
folder that only this kernel's sandbox sees (its *channel*, see :mod:`grader.run.sandbox`): code
goes in, bounded text comes out. Every incoming message is capped in size by ZMQ itself
(``MAXMSGSIZE``) before anything parses it. Nothing the kernel's code does can reach the
grader's objects.
"""

import concurrent.futures
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from grader.run import sandbox, unprivileged

STARTUP_TIMEOUT = 60.0
INTERRUPT_GRACE = 3.0
RENEWED_GRACE = 0.5  # seconds to wait for an idle status after iopub was renewed (it may be lost)
MAX_MESSAGE = 8 << 20  # bytes of one message from a kernel: ZMQ drops a larger one unread
RECEIVE_QUEUE = 8  # messages ZMQ queues per socket before the grader reads them (RCVHWM)
MAX_RECEIVED = 256 << 20  # bytes one kernel may send in all: past that it is killed as a flood
PARSE_LIMIT = 5_000_000  # bytes of a message the grader parses; a larger one is counted, not parsed
HEADER_LIMIT = 65_536
MAX_ROOT = 80  # characters of a kernel's folder: its sockets are <folder>/channel/k-<port>

# Every kernel is started from this one thread, which lives as long as the grader's process:
# bwrap's --die-with-parent (and the launcher's parent-death signal) fire when the *thread*
# that started the process ends, so a kernel started from a short-lived thread would die with it.
_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-spawner")


class KernelStartFailed(RuntimeError):
    """A kernel did not start: a failure of the grader's own machinery, never of the submission.

    It happens before any student code runs in that kernel (a machine out of processes or memory,
    a sandbox that cannot be created, a kernel starved of CPU for :data:`STARTUP_TIMEOUT`
    seconds). Every one is counted (:func:`start_failures`): a grade during which one happened is
    not a grade (``grader.cli`` retries the submission once, then lists it as "not graded, rerun").
    """


_START_FAILURES = [0]


def start_failures():
    """How many kernels this process failed to start so far (compare before and after a grade)."""
    return _START_FAILURES[0]


def _start_failed(message):
    _START_FAILURES[0] += 1
    return KernelStartFailed(message)


@dataclass
class Execution:
    """What one execution gave: status "ok", "error", "timeout", "dead" or "oversized" (reply too large)."""

    status: str
    ename: str = ""
    evalue: str = ""
    stdout: str = ""
    output_bytes: int = 0
    truncated: bool = False
    user_expressions: dict = field(default_factory=dict)
    seconds: float = 0.0
    stuck: bool = False


class Kernel:
    """A fresh IPython kernel in its own sandbox (or, with ``limits.enabled`` False, a plain process).

    Parameters
    ----------
    output_limit : int
        Bytes of output kept per execution (text and rich outputs count); the rest is dropped.
    limits : grader.run.sandbox.SandboxLimits
        The jail and its resource limits.
    wait : bool
        Wait until the kernel is ready; with False, it boots in the background and
        :meth:`wait_ready` (called by :meth:`execute`) waits later.
    """

    def __init__(self, output_limit=100_000, limits=None, wait=True):
        self.output_limit = output_limit
        self.limits = limits or sandbox.SandboxLimits()
        self.started = time.monotonic()
        self.ready_seconds = None
        parent = None  # the temporary folder; the unprivileged fallback's kernel must reach its folders
        if self.limits.unprivileged and unprivileged.closed_to_other_users(tempfile.gettempdir()):
            parent = "/tmp"
        self.root = tempfile.mkdtemp(prefix="gk-", dir=parent)
        if len(self.root) > MAX_ROOT:  # a Unix socket's path has at most 107 bytes
            os.rmdir(self.root)
            self.root = tempfile.mkdtemp(prefix="gk-", dir="/tmp")
        self.channel = os.path.join(self.root, "channel")
        os.mkdir(self.channel, 0o700)
        connection_file, _ = write_connection_file(
            os.path.join(self.channel, "connection.json"),
            transport="ipc",
            ip=os.path.join(self.channel, "k"),
        )
        self.user = None  # the kernel's own uid in the unprivileged fallback
        self.cgroup = (
            sandbox.PidsCgroup(self.limits.processes, memory=self.limits.memory, cpus=self.limits.cpus)
            if self.limits.enabled or self.limits.unprivileged
            else None
        )
        self.received = 0  # bytes of every message from this kernel (see MAX_RECEIVED)
        if self.limits.enabled:
            cwd, env = self.root, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        else:
            workdir = os.path.join(self.root, "work")
            os.mkdir(workdir, 0o700)
            cwd, env = workdir, sandbox.kernel_env(workdir, workdir)
            if self.limits.unprivileged:
                self.user = unprivileged.allocate_user()
                os.chmod(self.root, 0o711)  # the kernel may pass through, not list
                owned = [workdir, self.channel, connection_file]
                fonts = sandbox.font_list()  # the host's matplotlib font list: no 2 s rebuild per kernel
                if fonts:
                    config = os.path.join(workdir, "matplotlib")  # MPLCONFIGDIR of kernel_env
                    os.mkdir(config, 0o700)
                    owned += [config, shutil.copy(fonts, config)]
                unprivileged.hand_over(self.user, *owned)
        argv = sandbox.kernel_argv(self.channel, connection_file, self.limits, user=self.user)
        try:
            self.process = _SPAWNER.submit(  # see _SPAWNER: the kernel dies with that thread
                subprocess.Popen,
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=self.cgroup.join if self.cgroup and self.cgroup.joinable() else None,
            ).result()
        except (OSError, subprocess.SubprocessError):  # no process could be made (EAGAIN, ENOMEM)
            self.process = None
            self._release_unstarted()
            raise _start_failed("the kernel did not start: no process could be created") from None
        self.inner = []
        self.context = zmq.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        self.context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
        self.context.setsockopt(zmq.LINGER, 0)
        self.client = BlockingKernelClient(connection_file=connection_file, context=self.context)
        self.client.load_connection_file()
        self._ready = False
        if wait:
            self.wait_ready()

    def wait_ready(self):
        """Connect to the kernel and wait until it answers (a no-op when already done)."""
        if self._ready:
            return
        self.client.start_channels(hb=False)  # liveness is the process's, not a heartbeat's
        deadline = self.started + STARTUP_TIMEOUT
        while True:
            if not self.alive() or time.monotonic() > deadline:
                self.shutdown()
                raise _start_failed("the kernel did not start (see `python -m grader check` and teachers.md)")
            self.client.kernel_info()
            try:
                reply = self._recv("shell", 0.1)
            except queue.Empty:
                continue
            if reply.get("msg_type") == "kernel_info_reply":  # the reply to any of the requests
                break
        while True:  # drop the startup's iopub messages
            try:
                self._recv("iopub", 0.05)
            except queue.Empty:
                break
        if self.limits.enabled or self.user is not None:
            sandbox.lock_channel(self.channel)  # its sockets exist: nothing more to write there
        self._ready = True
        self.ready_seconds = time.monotonic() - self.started
        self.inner = sandbox.children(self.process.pid) if self.limits.enabled else []

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def _poller(self, *sockets):
        if getattr(self, "_poll", None) is None:
            self._poll = zmq.Poller()
            for socket in sockets:
                self._poll.register(socket, zmq.POLLIN)
            # ZMQ drops a message over MAX_MESSAGE by disconnecting: seen on the shell channel,
            # that is a reply too large, told at once instead of after the time limit; seen on
            # iopub, an output too large, counted as such
            for socket, name in zip(sockets, ("_shell_monitor", "_iopub_monitor"), strict=True):
                if getattr(self, name, None) is None:  # a monitor's address of its own: never reused
                    address = f"inproc://monitor-{name.strip('_')}-{secrets.token_hex(8)}"
                    setattr(self, name, socket.get_monitor_socket(zmq.EVENT_DISCONNECTED, address))
                self._poll.register(getattr(self, name), zmq.POLLIN)
        return self._poll

    def _renew_shell(self):
        """A new shell socket under a new identity: the kernel's ROUTER ignores the old one's reconnection."""
        monitor = getattr(self, "_shell_monitor", None)
        try:
            self.client.shell_channel.socket.disable_monitor()
        except zmq.ZMQError:
            pass
        if monitor is not None:
            monitor.close(linger=0)
        self.client.shell_channel.close()
        self.client._shell_channel = None
        self.client.session.session = secrets.token_hex(16)
        self._poll = self._shell_monitor = None
        self.client.shell_channel.start()

    def _renew_iopub(self, on_message=None, seconds=1.0):
        """A new iopub socket after ZMQ dropped an output over MAX_MESSAGE by disconnecting the old one.

        The old socket does not come back: without this every later output and idle status would be
        lost, and each later execution would wait :data:`INTERRUPT_GRACE` for an idle that never
        comes. The new subscription is in place when the kernel's ``iopub_welcome`` arrives (waited
        for at most ``seconds``); messages read meanwhile go to ``on_message``. The new socket is
        watched from the start: an output dropped again while waiting (a cell that prints 9 MB in a
        loop) renews it again, and the last one is left watched. Returns how many were dropped.
        """
        deadline, dropped = time.monotonic() + seconds, 0
        while True:
            self._new_iopub_socket()
            socket, monitor = self.client.iopub_channel.socket, self._iopub_monitor
            poller = zmq.Poller()
            poller.register(socket, zmq.POLLIN)
            poller.register(monitor, zmq.POLLIN)
            while (left := deadline - time.monotonic()) > 0:
                ready = dict(poller.poll(int(left * 1000) + 1))
                if self._shell_dropped(ready, "_iopub_monitor"):
                    break
                if socket not in ready:
                    continue
                message = self._recv("iopub", 0)
                if message.get("msg_type") == "iopub_welcome":
                    return dropped
                if on_message is not None:
                    on_message(message)
            else:
                return dropped  # no welcome in time (an older kernel sends none): the socket is watched
            dropped += 1
            if time.monotonic() >= deadline:
                self._new_iopub_socket()  # out of time: a live socket, watched, for what comes next
                return dropped

    def _new_iopub_socket(self):
        try:
            self.client.iopub_channel.socket.disable_monitor()
        except zmq.ZMQError:
            pass
        if getattr(self, "_iopub_monitor", None) is not None:
            self._iopub_monitor.close(linger=0)
        self.client.iopub_channel.close()
        self.client._iopub_channel = None
        self.client.iopub_channel.start()
        address = f"inproc://monitor-iopub-{secrets.token_hex(8)}"
        socket = self.client.iopub_channel.socket
        self._iopub_monitor = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED, address)
        self._poll = None  # a new poller, with the new socket and its monitor

    def _shell_dropped(self, ready, name="_shell_monitor"):
        """True when the shell channel was disconnected (a message over MAX_MESSAGE was dropped)."""
        monitor = getattr(self, name, None)
        if monitor is None or monitor not in ready:
            return False
        try:
            while monitor.poll(0):
                monitor.recv_multipart()
        except zmq.ZMQError:
            pass
        return True

    def _recv(self, channel, timeout):
        """One message from a channel, or raise queue.Empty after ``timeout`` seconds.

        A message over :data:`PARSE_LIMIT` bytes is not parsed: only its small header and parent
        header are, and its content becomes ``{"_oversized": size}``.
        """
        socket = getattr(self.client, f"{channel}_channel").socket
        if not socket.poll(int(max(0.0, timeout) * 1000)):
            raise queue.Empty
        frames = socket.recv_multipart(copy=False)
        size = sum(len(frame.buffer) for frame in frames)
        self.received += size
        if self.received > MAX_RECEIVED:  # a flood: the kernel is killed, its execution "dead"
            self._kill_flood()
        if size <= PARSE_LIMIT:
            try:
                _, parts = self.client.session.feed_identities([frame.bytes for frame in frames], copy=True)
                message = self.client.session.deserialize(parts, content=True, copy=True)
            except Exception:  # noqa: BLE001 - a malformed or forged message is dropped, never raised
                message = {}
            return _plain_message(message)
        try:
            delimiter = [bytes(f.buffer[:16]) for f in frames].index(b"<IDS|MSG>")
            header, parent = (frames[delimiter + i] for i in (2, 3))
            if len(header.buffer) > HEADER_LIMIT or len(parent.buffer) > HEADER_LIMIT:
                raise ValueError("oversized header")
            header, parent = json.loads(header.bytes), json.loads(parent.bytes)
        except (ValueError, IndexError):
            header, parent = {}, {}
        return {
            "msg_type": str(header.get("msg_type", "")) if isinstance(header, dict) else "",
            "parent_header": parent if isinstance(parent, dict) else {},
            "content": {"_oversized": size},
        }

    def _kill_flood(self):
        if self.user is not None and self.alive():
            unprivileged.kill_user(self.user)
            return
        if self.process is not None and self.alive():
            inner = self.inner or (sandbox.children(self.process.pid) if self.limits.enabled else [])
            for pid in inner:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass

    def execute(self, code, timeout, user_expressions=None):
        """Run ``code``; wait at most ``timeout`` seconds, then interrupt (the kernel survives if it can)."""
        self.wait_ready()
        start = time.monotonic()
        result = Execution(status="ok")
        if not self.alive():
            result.status = "dead"
            return result
        # an output dropped after the last execution ended (an interrupted cell's queued outputs)
        shell, iopub = self.client.shell_channel.socket, self.client.iopub_channel.socket
        if self._shell_dropped(dict(self._poller(shell, iopub).poll(0)), "_iopub_monitor"):
            self._renew_iopub()
        msg_id = self.client.execute(
            code,
            silent=False,
            store_history=False,
            allow_stdin=False,
            user_expressions=user_expressions or {},
        )
        deadline = start + max(0.0, timeout)
        reply, idle, kept, replied_at, renewed = None, False, [], None, False
        while reply is None or not idle:
            now = time.monotonic()
            if reply is None and now > deadline:
                result.status = "timeout"
                reply, idle = self._interrupt(msg_id)
                if reply is None:
                    result.stuck = True
                    break
                continue
            if replied_at is not None and now > replied_at + (RENEWED_GRACE if renewed else INTERRUPT_GRACE):
                break  # the reply came but the idle status did not (or was lost with a dropped output)
            shell = self.client.shell_channel.socket
            iopub = self.client.iopub_channel.socket
            ready = dict(self._poller(shell, iopub).poll(50))  # wakes on either channel at once
            if not ready:
                if not self.alive():
                    result.status = "dead"
                    break
                continue
            if self._shell_dropped(ready, "_iopub_monitor"):  # an output over MAX_MESSAGE, dropped
                result.output_bytes += MAX_MESSAGE
                result.truncated = True

                def collect(message):
                    nonlocal idle
                    if message["parent_header"].get("msg_id") == msg_id:
                        idle = idle or self._collect(message, result, kept)

                result.output_bytes += MAX_MESSAGE * self._renew_iopub(collect)
                renewed = True  # the idle status may have gone with the old socket
                continue
            if self._shell_dropped(ready):
                self._renew_shell()
                if reply is None:
                    reply = {"msg_type": "", "parent_header": {}, "content": {"_oversized": MAX_MESSAGE}}
                    replied_at = time.monotonic()
                continue
            if shell in ready:
                message = self._recv("shell", 0)  # stale replies are read and dropped too
                if reply is None and message["parent_header"].get("msg_id") == msg_id:
                    reply, replied_at = message, time.monotonic()
            if iopub in ready:
                message = self._recv("iopub", 0)
                if message["parent_header"].get("msg_id") == msg_id:
                    idle = idle or self._collect(message, result, kept)
        result.stdout = "".join(kept)
        result.seconds = time.monotonic() - start
        if result.status in ("timeout", "dead"):
            return result
        content = reply["content"] if reply else {}
        if "_oversized" in content:
            result.status = "oversized"
            result.evalue = str(content["_oversized"])
            return result
        if content.get("status") == "error":
            result.status = "error"
            result.ename = str(content.get("ename", ""))[:200]
            result.evalue = str(content.get("evalue", ""))[:2000]
        elif reply is None:
            result.status = "dead" if not self.alive() else "timeout"
        expressions = content.get("user_expressions", {})
        result.user_expressions = expressions if isinstance(expressions, dict) else {}
        return result

    def _collect(self, message, result, kept):
        """Count and keep (up to the limit) one iopub message; return True on the idle status."""
        kind, content = message["msg_type"], message["content"]
        if "_oversized" in content:  # an output too large to parse: counted, dropped
            result.output_bytes += int(content["_oversized"])
            result.truncated = True
            return False
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "stream":
            text, size = str(content.get("text", "")), None
        elif kind in ("execute_result", "display_data", "update_display_data"):
            data = content.get("data", {})
            data = data if isinstance(data, dict) else {}
            text = str(data.get("text/plain", ""))
            size = sum(len(str(value)) for value in data.values())  # rich outputs count too
        elif kind == "error":
            text, size = f"{content.get('ename', '')}: {content.get('evalue', '')}\n"[:4000], None
        else:
            return False
        size = len(text) if size is None else size
        result.output_bytes += size
        room = self.output_limit - sum(len(part) for part in kept)
        if room > 0:
            kept.append(text[:room])
        if size > room or result.output_bytes > self.output_limit:
            result.truncated = True
        return False

    def _interrupt(self, msg_id):
        """Interrupt the running execution; return (reply, idle) or (None, False) if the kernel is stuck."""
        try:
            message = self.client.session.msg("interrupt_request", content={})
            self.client.control_channel.send(message)
        except Exception:  # a kernel that died meanwhile cannot be interrupted
            return None, False
        deadline = time.monotonic() + INTERRUPT_GRACE
        shell = self.client.shell_channel.socket
        iopub = self.client.iopub_channel.socket
        while time.monotonic() < deadline:
            ready = dict(self._poller(shell, iopub).poll(100))
            if self._shell_dropped(ready, "_iopub_monitor"):  # late outputs are dropped anyway
                self._renew_iopub()
                iopub = self.client.iopub_channel.socket
                continue
            if self._shell_dropped(ready):
                self._renew_shell()
                return None, False  # its reply was dropped: the kernel counts as stuck
            if iopub in ready:
                self._recv("iopub", 0)  # outputs after the time limit are read and dropped
            if shell not in ready:
                if not self.alive():
                    return None, False
                continue
            message = self._recv("shell", 0)
            if message["parent_header"].get("msg_id") == msg_id:
                self._drain(msg_id)
                return message, True
        return None, False

    def _drain(self, msg_id, seconds=1.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = self._recv("iopub", 0.1)
            except queue.Empty:
                return
            if (
                message["parent_header"].get("msg_id") == msg_id
                and message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
            ):
                return

    def _release_unstarted(self):
        """Give back what was taken for a kernel whose process could not be created."""
        if self.user is not None:
            unprivileged.remove_user_files(self.user)
            unprivileged.release_user(self.user)
            self.user = None
        if self.cgroup is not None:
            self.cgroup.remove()
        unprivileged.remove_tree(self.root)

    def shutdown(self):
        """Kill the kernel's whole sandbox, wait until every process of it is gone, delete its folders."""
        if self.process is None:
            return
        inner = self.inner or (sandbox.children(self.process.pid) if self.limits.enabled else [])
        for pid in inner:  # the PID namespace's init: killing it kills every process in the namespace
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # bwrap (or, without sandbox, the kernel's group)
        except OSError:
            pass
        try:
            self.process.kill()
        except OSError:
            pass
        if self.user is not None:  # every process of the kernel's uid, wherever it went
            unprivileged.kill_user(self.user)
        self.process.wait()
        sandbox.wait_gone(inner)
        if self.user is not None:
            unprivileged.remove_user_files(self.user)
            unprivileged.release_user(self.user)
            self.user = None
        if self.cgroup is not None:
            deadline = time.monotonic() + 5.0
            while not self.cgroup.empty() and time.monotonic() < deadline:
                self.cgroup.kill_all()
                time.sleep(0.02)
            self.cgroup.remove()
        try:
            self.client.stop_channels()
        except Exception:  # noqa: S110 - best effort on channels of a dead kernel
            pass
        self.context.destroy(linger=0)
        sandbox.unlock_channel(self.channel)  # without root, a folder without write bit stays otherwise
        unprivileged.remove_tree(self.root)  # no recursion: a kernel may have nested thousands of folders
        self.process = None


def _plain_message(message):
    """A parsed message with the fields the grader reads, each of the type it expects."""
    message = message if isinstance(message, dict) else {}
    parent, content = message.get("parent_header"), message.get("content")
    return {
        "msg_type": str(message.get("msg_type", "")),
        "parent_header": parent if isinstance(parent, dict) else {},
        "content": content if isinstance(content, dict) else {},
    }
