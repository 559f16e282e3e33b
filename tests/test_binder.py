"""Binder and Colab: the environment they build and the install cell every notebook starts with."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(path):
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            found[name.lower()] = version
    return found


def test_binder_pins_the_versions_of_requirements_txt():
    binder, project = pins(ROOT / "binder" / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert {"numpy", "sympy", "matplotlib", "scikit-learn"} <= set(binder)
    for name, version in binder.items():
        assert project.get(name) == version, f"binder: {name}=={version}, project: {project.get(name)}"


def test_binder_uses_python_311_and_installs_the_repository():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert re.search(r"pip install .*--no-deps \.$", post_build.read_text(), re.MULTILINE)


def test_every_notebook_has_the_current_install_cell():
    # the cell installs nnlib from repository.url in _config.yml; --check exits 1 when one is missing or stale
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "sync_install_cell.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
