"""Decode what a kernel reported, as untrusted data, and compare it with the reference.

Everything here runs in the grader's process. A report is re-validated field by field: only
the plain types of :mod:`grader.run._kernel_side` are accepted, arrays are rebuilt from lists of
numbers, and any surprise is a :class:`BadReport`. The student's objects never get here.
"""

import math
from dataclasses import dataclass

import numpy as np

from grader.vocabulary import MasterText, Message

MAX_ELEMENTS = 200_000


class BadReport(ValueError):
    """A kernel report that is not what the grader's kernel code produces.

    Its text is shown to the student: the grader's own words and the master's numbers only.
    """


@dataclass(frozen=True)
class Other:
    """A value of a type the grader does not accept (only its type name came back)."""

    type_name: str


@dataclass(frozen=True)
class SympyText:
    """A SymPy expression, as srepr text (parsed later by :mod:`grader.judge.sympy_safe`)."""

    text: str


def _number(value, allowed):
    if type(value) not in allowed:
        raise BadReport(f"expected a number, got {type(value).__name__}")
    return value


def decode(node, depth=0):
    """Rebuild a value from its plain encoding, validating every field."""
    if depth > 10 or not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise BadReport("malformed value")
    tag, value = node["t"], node.get("v")
    if tag == "none":
        return None
    if tag == "bool" and type(value) is bool:
        return value
    if tag == "int" and type(value) is int:
        return value
    if tag == "float":
        try:
            return float(_number(value, (float, int)))
        except OverflowError:  # an int no float holds, e.g. 10**400: only a forged report has one
            raise BadReport("a number is too large") from None
    if tag == "str" and type(value) is str:
        return value
    if tag == "sympy" and type(value) is str:
        return SympyText(value)
    if tag == "other":
        return Other(str(node.get("type", "?"))[:80])
    if tag in ("list", "tuple") and type(value) is list and len(value) <= MAX_ELEMENTS:
        items = [decode(item, depth + 1) for item in value]
        return items if tag == "list" else tuple(items)
    if tag == "array":
        return _decode_array(node)
    raise BadReport("malformed value (a tag the grader does not know)")  # the tag itself is not shown


def _decode_array(node):
    shape, values, dtype = node.get("shape"), node.get("v"), node.get("dtype")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32:
        raise BadReport("malformed array shape")
    if type(values) is not list or len(values) != math.prod(shape) or len(values) > MAX_ELEMENTS:
        raise BadReport("array data does not match its shape")
    allowed = {"float": (float, int), "int": (int,), "bool": (bool,)}.get(dtype)
    if allowed is None or not all(type(v) in allowed for v in values):
        raise BadReport("malformed array data")
    numpy_dtype = {"float": np.float64, "int": np.int64, "bool": bool}[dtype]
    try:
        return np.array(values, dtype=numpy_dtype).reshape(shape)
    except OverflowError:  # 10**400 as a float, 2**70 as an int64: only a forged report has one
        raise BadReport("a number of the array is too large") from None


def describe(value):
    """What kind of value ``value`` is, for messages: its kind only, never its size, type name or content."""
    if isinstance(value, np.ndarray):
        return Message("an array")
    if isinstance(value, bool):
        return Message("a bool")
    if isinstance(value, int | float):
        return Message("a number")
    if isinstance(value, str):
        return Message("a string")
    if isinstance(value, list):
        return Message("a list")
    if isinstance(value, tuple):
        return Message("a tuple")
    if isinstance(value, SympyText):
        return Message("a sympy expression")
    return Message("none") if value is None else Message("another type")


def _shape(shape):
    return "(" + ", ".join(str(int(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _as_numeric_array(value):
    """A numeric array from a number, an array or a (nested) list of numbers; None if it is not one."""
    if isinstance(value, bool | str | Other | SympyText) or value is None:
        return None
    if isinstance(value, np.ndarray):
        return value.astype(np.float64) if value.dtype != bool else None
    if isinstance(value, int | float):
        try:
            return np.array(float(value))
        except OverflowError:  # an int beyond float's range, e.g. 10**400
            return np.array(np.inf if value > 0 else -np.inf)
    if isinstance(value, list | tuple):
        try:
            items = [_as_numeric_array(item) for item in value]
        except ValueError:
            return None
        if any(item is None for item in items) or len({item.shape for item in items}) > 1:
            return None
        return np.array(items, dtype=np.float64)
    return None


def compare_values(got, expected, rtol, atol, where=None):
    """None when ``got`` matches ``expected``, else a :class:`~grader.vocabulary.Message`: what differs.

    The message never shows the expected value, nor anything that gives it away (no size or
    sign of the error), nor anything of ``got`` but its kind (a number, an array, a list...): only
    what is wrong (type, shape, NaN, inf, how many elements are off). ``where`` is a message
    naming what is compared (default: "the value"). A number that is NaN or infinite never
    matches, not even a reference that is NaN or inf too.
    """
    where = where if where is not None else Message("the value")
    if isinstance(expected, str):
        if not isinstance(got, str):
            return Message("should be string", where=where, got=describe(got))
        return (
            None
            if got.strip().casefold() == expected.strip().casefold()
            else Message("wrong choice", where=where)
        )
    if isinstance(expected, bool):
        if not isinstance(got, bool):
            return Message("should be bool", where=where, got=describe(got))
        return None if got == expected else Message("is wrong", where=where)
    reference = _as_numeric_array(expected)
    if isinstance(expected, list | tuple) and reference is None:
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            kind = MasterText(type(expected).__name__)
            return Message(
                "should be sequence", where=where, sequence=kind, count=len(expected), got=describe(got)
            )
        for index, (got_item, expected_item) in enumerate(zip(got, expected, strict=True)):
            message = compare_values(
                got_item, expected_item, rtol, atol, Message("item of", index=index, where=where)
            )
            if message:
                return message
        return None
    if reference is None:
        if expected is None:
            return None if got is None else Message("should be none", where=where, got=describe(got))
        return Message("cannot compare", where=where, reference=describe(expected))
    value = _as_numeric_array(got)
    if value is None:
        wanted = (
            Message("a number")
            if reference.ndim == 0
            else Message("an array of shape", shape=MasterText(_shape(reference.shape)))
        )
        return Message("wrong type", where=where, wanted=wanted, got=describe(got))
    if value.shape != reference.shape:
        wanted = (
            Message("a single number")
            if reference.ndim == 0
            else Message("shape", shape=MasterText(_shape(reference.shape)))
        )
        return Message("wrong shape", where=where, wanted=wanted)
    # NaN and inf never pass, whatever the reference holds: a NaN or an inf is what a forged or
    # broken chain gives (NaN in, NaN out), and no master of the course has a non-finite answer.
    if np.isnan(value).any():
        return Message("contains nan", where=where)
    if np.isinf(value).any():
        return Message("contains inf", where=where)
    close = np.isclose(value, reference, rtol=rtol, atol=atol)
    if close.all():
        return None
    if close.size == 1:
        return Message("not close", where=where)
    return Message("not close count", where=where, off=int((~close).sum()), size=int(close.size))


def central_differences(grad_out, pairs, h):
    r"""Central differences of :math:`\sum g \cdot f(x)`, computed here from the student's forward values.

    .. math::

        \frac{\partial}{\partial x_i} \sum g \cdot f(x)
        \approx \frac{\sum g \cdot \bigl(f(x + h e_i) - f(x - h e_i)\bigr)}{2h}

    ``pairs`` holds ``(forward(x + h e_i), forward(x - h e_i))`` for each element ``i``.
    """
    weights = np.asarray(grad_out, dtype=np.float64)
    values = []
    for plus, minus in pairs:
        plus_arr, minus_arr = _as_numeric_array(plus), _as_numeric_array(minus)
        if (
            plus_arr is None
            or minus_arr is None
            or plus_arr.shape != weights.shape
            or minus_arr.shape != weights.shape
        ):
            raise BadReport("forward gave a value of another type or shape at a perturbed input")
        values.append(float(np.sum(weights * (plus_arr - minus_arr)) / (2.0 * h)))
    return np.array(values)
