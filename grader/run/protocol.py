"""The kernel protocol: how the grader asks a kernel one question and reads the answer.

A request is a JSON object the grader builds (the kind, the answer's name, and for a student's
kernel the master's spec: inputs, steps, names to report, forbidden modules). It travels as a
string literal inside a small piece of code; that code runs :mod:`grader.run._kernel_side` (sent as
text) in a namespace of its own and leaves the report, a JSON string, in a variable with a
random name, which comes back as a user expression of the same execution.

The report is the kernel's *claim*, never trusted: its size is checked before it is parsed
(:data:`REPORT_LIMIT`; ZMQ drops any message over :data:`grader.run.kernel.MAX_MESSAGE` unread),
then :mod:`grader.judge.compare` validates every field and the judges compare it with the master's
references in the grader's process.
"""

import ast
import json
import secrets
from pathlib import Path

KERNEL_SIDE_SOURCE = (Path(__file__).parent / "_kernel_side.py").read_text(encoding="utf-8")
REPORT_LIMIT = 4_000_000  # characters of a report's text


class QueryFailed(Exception):
    """A kernel did not give a usable report (status says why; restart: the kernel is dead or stuck)."""

    def __init__(self, status, message, restart=False):
        super().__init__(message)
        self.status, self.message, self.restart = status, message, restart


def query_code(request):
    """The code that asks a kernel one question; its report comes back as a user expression."""
    variable = f"_grader_report_{secrets.token_hex(8)}"
    runner = f"_grader_run_{secrets.token_hex(8)}"
    code = (
        f"def {runner}():\n"
        "    namespace = {'__name__': 'grader_kernel_side'}\n"
        f"    exec({KERNEL_SIDE_SOURCE!r}, namespace)\n"
        f"    return namespace['query']({json.dumps(request)!r}, globals())\n"
        f"{variable} = {runner}()\n"
        f"del {runner}\n"
    )
    return code, variable


def read_report(execution, variable):
    """Parse a query's report (a JSON string) from the execution's user expressions, size first."""
    expression = execution.user_expressions.get("r", {})
    if not isinstance(expression, dict) or expression.get("status") != "ok":
        raise QueryFailed(
            "error",
            "the grader could not read the result from your kernel "
            "(did your notebook change Python's builtins or the kernel's display?)",
        )
    data = expression.get("data")
    text = data.get("text/plain") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise QueryFailed("error", "the result that came back from your kernel is malformed")
    if len(text) > REPORT_LIMIT:
        raise QueryFailed(
            "error",
            f"the result that came back from your kernel is larger than {REPORT_LIMIT // 1_000_000} MB "
            "(the grader does not read it)",
        )
    try:
        report = json.loads(ast.literal_eval(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise QueryFailed("error", "the result that came back from your kernel is malformed") from None
    if not isinstance(report, dict):
        raise QueryFailed("error", "the result that came back from your kernel is malformed")
    return report


def ask(kernel, request, timeout):
    """Send one request to a kernel; return its report or raise :class:`QueryFailed`."""
    code, variable = query_code(request)
    execution = kernel.execute(code, timeout, user_expressions={"r": variable})
    if execution.status == "timeout":
        raise QueryFailed(
            "timeout", f"took longer than the time limit of {timeout:g} s", restart=execution.stuck
        )
    if execution.status == "dead":
        raise QueryFailed(
            "crashed",
            "the kernel died (os._exit, a segfault, or a resource limit: memory, processes, CPU time)",
            restart=True,
        )
    if execution.status == "oversized":
        raise QueryFailed(
            "error",
            f"the result that came back from your kernel is larger than {REPORT_LIMIT // 1_000_000} MB "
            "(the grader does not read it)",
        )
    if execution.status == "error":
        raise QueryFailed(
            "error", f"the grader's call failed with {execution.ename}: {execution.evalue[:200]}"
        )
    return read_report(execution, variable)
