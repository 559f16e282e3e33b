"""Making forbidden modules absent from a kernel: the stub, where the modules are, what covers them.

A question's ``forbid = [...]`` (read by :mod:`grader.judge.forbid`) is enforced here: the
submission runs a second time, in a kernel of its own, for each set of modules that questions
forbid. In that kernel the sandbox mounts a stub, read-only, over each forbidden module's file
(over the folder of a package) and an empty file over its bytecode (:func:`grader.run.sandbox.bwrap_argv`;
without bwrap, :mod:`grader.run.unprivileged` denies the kernel's user the files): the module's code
is not in the kernel's file system at all, so no way of running it (a cell magic, ``exec`` of text,
a thread, ``importlib.reload``, ``sys.modules`` surgery, reading and running the file, a subprocess)
finds it. Importing the stub works (the course's cells import the module for their self-checks);
using any name of it raises :data:`STUB`'s ``ForbiddenModule``, which the kernel reports as a use
of the forbidden module.
"""

import functools
import json
import os
import subprocess
import sys
import tempfile

#: The stub the kernel of a forbidding question finds instead of the module (``{name}``: its name).
STUB = '''"""{name} is absent: the question being graded forbids it (a stub the grader put here)."""


class ForbiddenModule(ImportError):
    """Raised by any use of this stub."""

    forbidden = {name!r}


class _Absent:
    """What a name of the forbidden module is here: any use raises ForbiddenModule."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def _refuse(self, *args, **kwargs):
        what = object.__getattribute__(self, "_name")
        raise ForbiddenModule(f"{{what}} is absent: this question forbids {name}")

    __call__ = __getattr__ = __setattr__ = __getitem__ = __iter__ = __len__ = __mro_entries__ = _refuse


def __getattr__(attribute):
    if attribute.startswith("__"):
        raise AttributeError(attribute)
    return _Absent(f"{name}." + attribute)
'''



class ForbidError(ValueError):
    """A ``forbid`` list the grader cannot enforce (a module built into Python, or compiled)."""



# Run as a kernel starts (same Python, same environment, an empty working folder): where each
# module's code is. A package's folder; a module's file and its bytecode; None: not installed.
_LOCATE = """
import importlib.util, json, sys
found = {}
for name in json.loads(sys.argv[1]):
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        found[name] = None
    elif spec.submodule_search_locations:
        found[name] = {"package": list(spec.submodule_search_locations)}
    else:
        found[name] = {"module": spec.origin, "cached": spec.cached}
print(json.dumps(found))
"""



@functools.cache
def locate(names, env_items=()):
    """``{name: where}`` for each forbidden module, as a kernel started now would import it."""
    with tempfile.TemporaryDirectory(prefix="grader-locate-") as folder:
        completed = subprocess.run(
            [sys.executable, "-c", _LOCATE, json.dumps(list(names))],
            cwd=folder,
            env=dict(env_items),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if completed.returncode != 0:
        raise ForbidError(f"the grader could not locate the forbidden modules {list(names)}")
    return json.loads(completed.stdout)



def covers(names, env_items=()):
    """What hides ``names`` from a kernel: ``[(host path, "module" | "package" | "empty", name)]``.

    A module's file gets the stub, a package's folder a folder holding only the stub (its
    submodules go with it), each bytecode file of the module an empty file. A module that is
    not installed is absent already; one built into Python or compiled is refused.
    """
    plan = []
    for name, where in sorted(locate(tuple(sorted(names)), tuple(env_items)).items()):
        if where is None:
            continue
        if "package" in where:
            plan += [(os.path.realpath(path), "package", name) for path in where["package"]]
            continue
        origin = where.get("module") or ""
        if not origin.endswith(".py") or not os.path.isfile(origin):
            raise ForbidError(
                f"`forbid` names {name}, which is built into Python or compiled ({origin or 'no file'}): "
                "the grader can make absent only modules and packages written in Python"
            )
        plan.append((os.path.realpath(origin), "module", name))
        folder, stem = os.path.dirname(origin), os.path.basename(origin)[:-3]
        caches = [os.path.join(folder, f"{stem}.pyc")]
        cache_folder = os.path.join(folder, "__pycache__")
        if os.path.isdir(cache_folder):
            caches += [
                os.path.join(cache_folder, f) for f in os.listdir(cache_folder) if f.startswith(f"{stem}.")
            ]
        plan += [(os.path.realpath(path), "empty", name) for path in sorted(caches) if os.path.isfile(path)]
    return plan



def write_stubs(plan, folder):
    """Write in ``folder`` what each entry of ``plan`` is covered with; ``[(source, target)]`` to bind."""
    binds = []
    empty = os.path.join(folder, "empty")
    with open(empty, "w", encoding="ascii"):
        pass
    for number, (target, kind, name) in enumerate(plan):
        if kind == "empty":
            binds.append((empty, target))
            continue
        source = os.path.join(folder, f"stub-{number}")
        stub = STUB.format(name=name)
        if kind == "package":
            os.mkdir(source)
            with open(os.path.join(source, "__init__.py"), "w", encoding="utf-8") as stream:
                stream.write(stub)
        else:
            with open(source, "w", encoding="utf-8") as stream:
                stream.write(stub)
        binds.append((source, target))
    return binds
