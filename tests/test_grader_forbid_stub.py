"""The pieces of forbidden helpers by absence (grader.judge.forbid), without a kernel: the stub, what it
covers, and the ``forbid`` list read from a hidden cell."""

import importlib.util
import os
import subprocess
import sys
import types

import pytest

from grader.judge import forbid
from grader.run import absent


def _stub(name="pkg.mod"):
    module = types.ModuleType(name)
    exec(absent.STUB.format(name=name), module.__dict__)  # noqa: S102 - the grader's own text
    return module


def test_every_use_of_the_stub_raises_its_forbidden_module_error():
    stub = _stub()
    huber = stub.Huber  # importing a name works: the course's cells import them for the self-checks
    uses = [
        lambda: huber(1.0),
        lambda: huber.grad,
        lambda: huber[0],
        lambda: list(huber),
        lambda: len(huber),
        lambda: types.new_class("Mine", (huber,)),  # subclassing it (a class statement does the same)
    ]
    for use in uses:
        with pytest.raises(ImportError) as raised:
            use()
        assert type(raised.value).forbidden == "pkg.mod", raised.value
    with pytest.raises(AttributeError):
        stub.__path__  # noqa: B018 - not a package: the import system asks for dunder names
    with pytest.raises(ImportError):
        huber.anything = 1


def test_covers_the_module_its_bytecode_and_a_whole_package(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("VALUE = 1\n")
    (package / "other.py").write_text("VALUE = 2\n")
    (package / "sub" / "__init__.py").write_text("")
    env = {"PYTHONPATH": str(tmp_path), "PATH": os.environ.get("PATH", "")}
    subprocess.run([sys.executable, "-c", "import pkg.mod, pkg.other"], env=env, check=True)  # bytecode
    caches = sorted(str(p) for p in (package / "__pycache__").glob("mod.*.pyc"))
    assert caches, "no bytecode was written"
    plan = absent.covers(("pkg.mod", "pkg.sub", "not_installed_anywhere"), tuple(env.items()))
    assert plan == [
        (str(package / "mod.py"), "module", "pkg.mod"),
        *[(path, "empty", "pkg.mod") for path in caches],  # other.py's bytecode stays
        (str(package / "sub"), "package", "pkg.sub"),
    ], plan
    (tmp_path / "stubs").mkdir()
    binds = absent.write_stubs(plan, str(tmp_path / "stubs"))
    assert [target for _, target in binds] == [target for target, _, _ in plan]
    module_stub, package_stub = binds[0][0], binds[-1][0]
    with open(module_stub, encoding="utf-8") as stream:
        assert "ForbiddenModule" in stream.read()
    assert os.listdir(package_stub) == ["__init__.py"]
    assert all(os.path.getsize(source) == 0 for source, target in binds if target in caches)


def test_a_compiled_or_built_in_module_cannot_be_made_absent():
    with pytest.raises(absent.ForbidError, match="built into Python or compiled"):
        absent.covers(("sys",), (("PATH", os.environ.get("PATH", "")),))
    assert importlib.util.find_spec("sys").origin == "built-in"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('forbid = ["nnlib.losses"]\n', ("nnlib.losses",)),
        ('x = 1\nforbid = ("b", "a", "b")\n', ("a", "b")),
        ("mistakes = {}\n", ()),
        ("", ()),
    ],
)
def test_the_forbid_list_is_read_from_the_hidden_cell(source, expected):
    assert forbid.declared(source) == expected


@pytest.mark.parametrize("source", ['forbid = ["nnlib." + "losses"]', "forbid = NAMES", 'forbid = [""]'])
def test_a_forbid_list_that_is_not_written_out_is_refused(source):
    with pytest.raises(absent.ForbidError, match="list of module names"):
        forbid.declared(source)
