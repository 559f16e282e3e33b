"""Give every notebook a first cell that installs the course's library where it is missing.

Binder and Colab open a notebook from the repository without ``nnlib``; this cell installs it
from the repository (``repository.url`` in ``_config.yml``, the one setting every launch
button uses). On a machine that has ``nnlib`` (``make lab``, nbval, the book build, the
grader's sandbox) it does nothing and prints nothing.

Run after changing ``repository.url``:  ``.venv/bin/python scripts/sync_install_cell.py``.
``--check`` only reports notebooks whose cell is missing or stale (exit 1), for the tests.
"""

import argparse
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = ("chapters", "exercises")
CELL_ID = "install-nnlib"
TAGS = ["remove-cell", "install-nnlib"]


def repository_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


def install_cell_source(url):
    """The cell's code, each line within the notebooks' 80-column limit."""
    return [
        "# Colab or Binder: install the course's library nnlib if it is missing.\n",
        "# On your own machine (make lab) nnlib is installed and this does nothing.\n",
        "import importlib.util\n",
        "import subprocess\n",
        "import sys\n",
        "\n",
        'if importlib.util.find_spec("nnlib") is None:\n',
        f'    REPOSITORY = "git+{url}"\n',
        "    subprocess.run(\n",
        '        [sys.executable, "-m", "pip", "install", "--quiet", REPOSITORY],\n',
        "        check=True,\n",
        "    )",
    ]


def install_cell(url):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": list(TAGS)},
        "outputs": [],
        "source": install_cell_source(url),
    }


def notebooks():
    for folder in FOLDERS:
        yield from sorted((ROOT / folder).glob("*.ipynb"))


def is_install_cell(cell):
    """Found by its tag: notebook tools may renumber cell ids."""
    return "install-nnlib" in cell["metadata"].get("tags", []) or cell.get("id") == CELL_ID


def sync(path, url, check_only):
    """Insert or refresh the install cell; return True when the notebook was (or would be) changed."""
    notebook = json.loads(path.read_text())
    cells = notebook["cells"]
    existing = [i for i, cell in enumerate(cells) if is_install_cell(cell)]
    wanted = install_cell(url)
    position = 1 if cells and cells[0]["cell_type"] == "markdown" else 0  # after the title
    current = cells[position] if existing == [position] else None
    # only the code and the tags matter (nbconvert adds its timings to the metadata)
    if current and current["source"] == wanted["source"] and current["metadata"].get("tags") == TAGS:
        return False
    if check_only:
        return True
    for i in reversed(existing):
        del cells[i]
    position = 1 if cells and cells[0]["cell_type"] == "markdown" else 0
    cells.insert(position, wanted)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale notebooks, change nothing")
    args = parser.parse_args(argv)
    url = repository_url()
    stale = [path for path in notebooks() if sync(path, url, args.check)]
    for path in stale:
        print(f"{'stale' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
