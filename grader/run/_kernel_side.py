"""Code that the grader sends, as text, into a kernel: it calls an answer and encodes the results.

It never decides a grade, and nothing it holds decides one. In a student's kernel it only
*reports* values, in the order of the master's spec that the grader sent; the grader decodes
the report as untrusted plain data, re-validates every field (see :mod:`grader.judge.compare`) and
judges it against the master's spec and references, which never enter the student's kernel.
What the student's code could reach here (by walking the stack) are immutable tuples of
names; changing what this code reports makes a report incomplete (an error), never a pass.
Only exact built-in and numpy types are encoded: anything else (a subclass, an object with a
custom ``__eq__`` or ``__float__``) is reported as "other" with its type name.
This module must not import ``grader``: it runs in the kernel as source text.
"""

import json

import numpy as np

MAX_ELEMENTS = 200_000
MAX_DEPTH = 8
RESERVED = (
    "rtol",
    "atol",
    "time_limit",
    "mistakes",
    "inputs",
    "init_args",
    "attributes",
    "param_grads",
    "init_kwargs",
    "initial_values",
    "grads",
    "state",
    "domain",
    "forbid",
    "partial",
    "parts",
    "groups",
)
FLOAT_TYPES = (float, np.float16, np.float32, np.float64)
INT_TYPES = (int, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
BOOL_TYPES = (bool, np.bool_)
ARRAY_KINDS = {
    "b": ("bool", bool),
    "i": ("int", np.int64),
    "u": ("int", np.int64),
    "f": ("float", np.float64),
}


def _is(kind, types):
    return any(kind is t for t in types)


def enc(x, depth=0):
    """Encode a value as plain JSON data, trusting nothing but exact built-in and numpy types."""
    kind = type(x)
    if depth > MAX_DEPTH:
        raise TypeError(f"the value is nested more than {MAX_DEPTH} levels deep")
    if x is None:
        return {"t": "none"}
    if _is(kind, BOOL_TYPES):
        return {"t": "bool", "v": bool(x)}
    if _is(kind, INT_TYPES):
        return {"t": "int", "v": int(x)}
    if _is(kind, FLOAT_TYPES):
        return {"t": "float", "v": float(x)}
    if kind is str:
        return {"t": "str", "v": x[:10_000]}
    if kind is np.ndarray and x.dtype.kind in ARRAY_KINDS and x.size <= MAX_ELEMENTS:
        label, dtype = ARRAY_KINDS[x.dtype.kind]
        return {
            "t": "array",
            "dtype": label,
            "shape": list(x.shape),
            "v": np.array(x, dtype=dtype, copy=True).ravel().tolist(),
        }
    if kind is np.ndarray:
        return {"t": "other", "type": f"numpy array of dtype {x.dtype} and size {x.size}"}
    if (kind is list or kind is tuple) and len(x) <= MAX_ELEMENTS:
        return {"t": "list" if kind is list else "tuple", "v": [enc(item, depth + 1) for item in x]}
    if str(getattr(kind, "__module__", "")).startswith("sympy."):
        import sympy

        if isinstance(x, sympy.Basic):
            return {"t": "sympy", "v": sympy.srepr(x)[:100_000]}
    return {"t": "other", "type": str(getattr(kind, "__name__", "?"))[:80]}


def dec(x):
    """Decode what :func:`enc` made (inputs chosen by the grader) into fresh Python/numpy objects."""
    tag = x["t"]
    if tag == "none":
        return None
    if tag in ("bool", "int", "float", "str", "sympy"):
        return x["v"]
    if tag == "array":
        dtype = {"bool": bool, "int": np.int64, "float": np.float64}[x["dtype"]]
        return np.array(x["v"], dtype=dtype).reshape(x["shape"])
    if tag == "list":
        return [dec(item) for item in x["v"]]
    if tag == "tuple":
        return tuple(dec(item) for item in x["v"])
    raise TypeError(f"cannot decode {tag!r}")


def _failure(error, forbid=(), **where):
    """The report of an exception an answer raised: a use of a forbidden module's stub, or an error."""
    try:
        used = type(error).__dict__.get("forbidden") if isinstance(error, ImportError) else None
    except BaseException:  # a class whose __dict__ misbehaves: an error like any other
        used = None
    if type(used) is str and used in forbid:  # the stub of grader.run.absent (see absent.STUB)
        return {"forbidden": used[:200]}
    if isinstance(error, NotImplementedError):
        return {"nie": str(error)[:300], **where}
    return {"exc": str(getattr(type(error), "__name__", "?"))[:80], "msg": str(error)[:300], **where}


def attempt(compute, forbid=()):
    """Run ``compute()`` and encode its value, or the exception it raised."""
    try:
        return {"ok": enc(compute())}
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a student's SystemExit is an error of that answer, not of the grader
        return _failure(error, forbid)


def run_function(fn, spec, forbid=()):
    return [attempt(lambda args=args: fn(*dec(args)), forbid) for args in tuple(spec["inputs"]["v"])]


def _fresh_layer(cls, spec):
    layer = cls(*dec(spec["init_args"]))
    for name, value in dec(spec["attributes"]):
        target = getattr(layer, name, None)
        if target is not None and hasattr(target, "value"):
            target.value = np.array(value, dtype=np.float64)
        else:
            setattr(layer, name, value)
    return layer


def _perturbed_forwards(cls, spec, x, h):
    """forward at x +- h e_i for each element of x, then of each parameter in param_grads."""
    pairs_x = []
    for i in range(x.size):
        pair = []
        for sign in (1.0, -1.0):
            shifted = np.array(x, dtype=np.float64, copy=True)
            shifted.flat[i] += sign * h
            pair.append(enc(_fresh_layer(cls, spec).forward(shifted)))
        pairs_x.append(pair)
    pairs_p = []
    for name in tuple(dec(spec["param_grads"])):
        pairs = []
        size = np.size(getattr(_fresh_layer(cls, spec), name).value)
        for j in range(size):
            pair = []
            for sign in (1.0, -1.0):
                layer = _fresh_layer(cls, spec)
                parameter = getattr(layer, name)
                shifted = np.array(parameter.value, dtype=np.float64, copy=True)
                shifted.flat[j] += sign * h
                parameter.value = shifted
                pair.append(enc(layer.forward(np.array(x, dtype=np.float64, copy=True))))
            pairs.append(pair)
        pairs_p.append([name, pairs])
    return pairs_x, pairs_p


def run_layer(cls, spec, request, forbid=()):
    results = []
    names = tuple(dec(spec["param_grads"]))
    for index, x_enc in enumerate(tuple(spec["inputs"]["v"])):
        stage, out = "building the layer", {}
        try:
            x = np.array(dec(x_enc), dtype=np.float64)
            layer = _fresh_layer(cls, spec)
            stage = "forward"
            y = layer.forward(np.array(x, copy=True))
            out["y"] = enc(y)
            grad_out = np.random.default_rng(request["g_seed"] + index).standard_normal(size=np.shape(y))
            stage = "backward"
            grad_arg = float(grad_out) if grad_out.ndim == 0 else grad_out.copy()
            grad_in = layer.backward(grad_arg)
            out["gx"] = enc(grad_in)
            out["pgrads"] = [[name, enc(getattr(layer, name).grad)] for name in names]
            if request.get("fd"):
                stage = "forward (gradient check)"
                out["fd_x"], out["fd_p"] = _perturbed_forwards(cls, spec, x, request["h"])
            results.append({"ok": out})
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            results.append(_failure(error, forbid, stage=stage))
    return results


def run_optimizer(cls, spec, forbid=()):
    from nnlib.parameter import Parameter

    steps, stage = [], "building the optimizer"
    names = tuple(dec(spec["state"]))
    try:
        params = tuple(Parameter(value) for value in dec(spec["initial_values"]))
        optimizer = cls(list(params), **dict(dec(spec["init_kwargs"])))
        for number, gradients in enumerate(tuple(dec(spec["grads"])), start=1):
            stage = f"step {number}"
            for parameter, gradient in zip(params, gradients, strict=True):
                parameter.grad = np.array(gradient, dtype=np.float64)
            optimizer.step()
            steps.append(
                {
                    "values": [enc(p.value) for p in params],
                    "state": [[name, enc(getattr(optimizer, name))] for name in names],
                }
            )
        return {"ok": steps}
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return _failure(error, forbid, stage=stage, steps=steps)


def run(kind, obj, spec, request):
    forbid = tuple(str(name) for name in request.get("forbid", ()))
    if kind in ("value", "choice", "sympy"):
        return attempt(lambda: obj)
    if kind == "function":
        return run_function(obj, spec, forbid)
    if kind == "layer_backward":
        return run_layer(obj, spec, request, forbid)
    return run_optimizer(obj, spec, forbid)


def master_spec(hidden_source, user_ns):
    """Run a hidden cell in a copy of the master's namespace; return (encoded spec, mistakes)."""
    namespace = dict(user_ns)
    exec(hidden_source, namespace)  # noqa: S102 - the master notebook is the teacher's trusted code
    found = {
        name: namespace[name]
        for name in RESERVED
        if name in namespace and (name not in user_ns or namespace[name] is not user_ns[name])
    }
    spec = {
        "inputs": enc(list(found.get("inputs", []))),
        "init_args": enc(tuple(found.get("init_args", ()))),
        "attributes": enc([(str(k), v) for k, v in dict(found.get("attributes", {})).items()]),
        "param_grads": enc([str(name) for name in found.get("param_grads", [])]),
        "init_kwargs": enc([(str(k), v) for k, v in dict(found.get("init_kwargs", {})).items()]),
        "initial_values": enc([np.asarray(v, dtype=np.float64) for v in found.get("initial_values", [])]),
        "grads": enc([[np.asarray(g, dtype=np.float64) for g in step] for step in found.get("grads", [])]),
        "state": enc([str(name) for name in found.get("state", [])]),
    }
    settings = {
        "rtol": float(found.get("rtol", 1e-6)),
        "atol": float(found.get("atol", 1e-9)),
        "time_limit": float(found.get("time_limit", 10.0)),
        "domain": {str(k): [float(v[0]), float(v[1])] for k, v in dict(found.get("domain", {})).items()},
        "forbid": [str(name) for name in found.get("forbid", [])],
        "partial": bool(found.get("partial", False)),
        "parts": [str(name) for name in found.get("parts", [])],
        # numbers other than exact ints travel as text, which the judge rejects (never rounded)
        "groups": [[n if type(n) is int else repr(n) for n in group] for group in found.get("groups", [])],
    }
    return spec, settings, list(dict(found.get("mistakes", {})).items())


def query(request_json, user_ns):
    """Answer one grader request; return the report as a JSON string."""
    request = json.loads(request_json)
    kind, name = request["kind"], request["name"]
    missing = object()
    obj = user_ns.get(name, missing)
    if request["mode"] == "master":
        spec, settings, mistakes = master_spec(request["hidden"], user_ns)
        report = {
            "spec": spec,
            "settings": settings,
            "answer": {"undefined": True} if obj is missing else run(kind, obj, spec, request),
            "mistakes": [[str(hint), run(kind, wrong, spec, request)] for hint, wrong in mistakes],
        }
    elif obj is missing:
        report = {"answer": {"undefined": True}}
    else:
        report = {"answer": run(kind, obj, request["spec"], request)}
    return json.dumps(report)
