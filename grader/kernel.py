"""A Jupyter kernel in its own process, with a time limit and an output cap per execution.

The grader talks to it only through Jupyter messages: code goes in, text comes out. Nothing
the kernel's code does can reach the grader's objects.
"""

import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "nnlib-grader-python"
STARTUP_TIMEOUT = 60.0
INTERRUPT_GRACE = 3.0
_SPEC_DIR = None


def _kernel_spec_manager():
    """A kernel spec that runs ipykernel with the grader's own Python (not whatever 'python3' is).

    It lives in one folder per user and Python, rewritten when missing, so no run leaves one behind.
    """
    global _SPEC_DIR
    if _SPEC_DIR is None:
        digest = hashlib.sha256(sys.executable.encode("utf-8")).hexdigest()[:12]
        _SPEC_DIR = os.path.join(tempfile.gettempdir(), f"nnlib-grader-kernelspec-{os.getuid()}-{digest}")
    spec_dir = os.path.join(_SPEC_DIR, KERNEL_NAME)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv.append("--HistoryManager.enabled=False")
    text = json.dumps({"argv": argv, "display_name": "grader", "language": "python"})
    spec_file = os.path.join(spec_dir, "kernel.json")
    if not os.path.isfile(spec_file):
        os.makedirs(spec_dir, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=spec_dir)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, spec_file)
    return KernelSpecManager(kernel_dirs=[_SPEC_DIR])


@dataclass
class Execution:
    """What one execution gave: status is "ok", "error", "timeout" or "dead"."""

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
    """A fresh IPython kernel in a private temporary working directory.

    Parameters
    ----------
    output_limit : int
        Bytes of output kept per execution; the rest is counted and dropped.
    wait : bool
        Wait until the kernel is ready; with False, the process starts in the background and
        :meth:`wait_ready` (called by :meth:`execute`) waits later.
    """

    def __init__(self, output_limit=100_000, wait=True):
        self.output_limit = output_limit
        self.workdir = tempfile.mkdtemp(prefix="grader-kernel-")
        env = {key: value for key, value in os.environ.items() if not key.startswith("JPY_")}
        env.update(
            MPLBACKEND="Agg",
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            PYTHONWARNINGS="ignore",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        self.manager = KernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=_kernel_spec_manager(),
            transport="ipc",
            ip=os.path.join(self.workdir, "kernel-ipc"),
        )
        self.manager.start_kernel(
            cwd=self.workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.client = None
        if wait:
            self.wait_ready()

    def wait_ready(self):
        """Connect to the kernel and wait until it answers (a no-op when already done)."""
        if self.client is not None:
            return
        self.client = self.manager.client()
        self.client.start_channels()
        try:
            self.client.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except RuntimeError:
            self.shutdown()
            raise

    def alive(self):
        return self.manager.is_alive()

    def execute(self, code, timeout, user_expressions=None):
        """Run ``code``; wait at most ``timeout`` seconds, then interrupt (the kernel survives if it can)."""
        self.wait_ready()
        start = time.monotonic()
        result = Execution(status="ok")
        if not self.alive():
            result.status = "dead"
            return result
        msg_id = self.client.execute(
            code,
            silent=False,
            store_history=False,
            allow_stdin=False,
            user_expressions=user_expressions or {},
        )
        deadline = start + timeout
        reply, idle, kept = None, False, []
        while reply is None or not idle:
            now = time.monotonic()
            if reply is None and now > deadline:
                result.status = "timeout"
                reply, idle = self._interrupt(msg_id)
                if reply is None:
                    result.stuck = True
                    break
                continue
            if reply is not None and now > max(deadline, time.monotonic()) + INTERRUPT_GRACE:
                break  # the reply came but the idle status did not: do not wait forever
            if reply is None and self.client.shell_channel.msg_ready():
                message = self.client.get_shell_msg(timeout=0)
                if message["parent_header"].get("msg_id") == msg_id:
                    reply = message
                continue
            try:
                message = self.client.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                if not self.alive():
                    result.status = "dead"
                    break
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            idle = idle or self._collect(message, result, kept)
        result.stdout = "".join(kept)
        result.seconds = time.monotonic() - start
        if result.status in ("timeout", "dead"):
            return result
        content = reply["content"] if reply else {}
        if content.get("status") == "error":
            result.status = "error"
            result.ename, result.evalue = str(content.get("ename", "")), str(content.get("evalue", ""))[:2000]
        elif reply is None:
            result.status = "dead" if not self.alive() else "timeout"
        result.user_expressions = content.get("user_expressions", {}) or {}
        return result

    def _collect(self, message, result, kept):
        """Count and keep (up to the limit) one iopub message; return True on the idle status."""
        kind, content = message["msg_type"], message["content"]
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "stream":
            text = str(content.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            text = str(content.get("data", {}).get("text/plain", ""))
        elif kind == "error":
            text = f"{content.get('ename', '')}: {content.get('evalue', '')}\n"
        else:
            return False
        result.output_bytes += len(text)
        room = self.output_limit - sum(len(part) for part in kept)
        if room > 0:
            kept.append(text[:room])
        if len(text) > room:
            result.truncated = True
        return False

    def _interrupt(self, msg_id):
        """Interrupt the running execution; return (reply, idle) or (None, False) if the kernel is stuck."""
        try:
            self.manager.interrupt_kernel()
        except Exception:  # a kernel that died meanwhile cannot be interrupted
            return None, False
        deadline = time.monotonic() + INTERRUPT_GRACE
        while time.monotonic() < deadline:
            try:
                message = self.client.get_shell_msg(timeout=0.1)
            except queue.Empty:
                if not self.alive():
                    return None, False
                continue
            if message["parent_header"].get("msg_id") == msg_id:
                self._drain(msg_id)
                return message, True
        return None, False

    def _drain(self, msg_id, seconds=1.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = self.client.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                return
            if (
                message["parent_header"].get("msg_id") == msg_id
                and message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
            ):
                return

    def shutdown(self):
        """Stop the kernel (killing it if it does not stop) and delete its working directory."""
        try:
            if self.client is not None:
                self.client.stop_channels()
        except Exception:  # noqa: S110 - best effort on a kernel that may already be gone
            pass
        try:
            self.manager.shutdown_kernel(now=True)
        except Exception:
            try:
                self.manager.kill_kernel()
            except Exception:  # noqa: S110
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)
