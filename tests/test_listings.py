"""nnlib's code that the chapters show fits the text column.

A chapter shows a method of nnlib next to its derivation with a literal include in a
markdown cell::

    ```{literalinclude} ../nnlib/optim.py
    :pyobject: Adam._update
    ```

The page's text column is 684 px at a 1280 px window: a code block there shows about 80
characters and scrolls sideways beyond. nnlib itself allows 110 (pyproject.toml), so this
test holds every *included* object to 80 characters a line, counted as the lines stand in
the file (a ``:dedent:`` on the include gives no credit). The object's lines are found with
``ast``, from its first decorator (literalinclude shows decorators) to its last line.
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
MAX_LINE = 80

# ```{literalinclude} ../nnlib/x.py   (or :::{literalinclude}), then its :option: lines
DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{literalinclude\}[ \t]+(\S+)[ \t]*\n((?:[ \t]*:[^\n]*\n?)*)", re.M)
PYOBJECT = re.compile(r"^[ \t]*:pyobject:[ \t]*(\S+)", re.M)


def markdown_sources(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]


def find_includes():
    """(chapter, file, dotted object name) for every literalinclude with :pyobject:."""
    includes = []
    for notebook in sorted(CHAPTERS.glob("*.ipynb")):
        for source in markdown_sources(notebook):
            found = []
            for match in DIRECTIVE.finditer(source):
                pyobject = PYOBJECT.search(match.group(2))
                if pyobject:
                    found.append((notebook.name, (CHAPTERS / match.group(1)).resolve(), pyobject.group(1)))
            # every :pyobject: in the cell belongs to an include the pattern understood
            assert len(found) == len(PYOBJECT.findall(source)), (
                f"{notebook.name}: a literalinclude with :pyobject: that this test cannot parse"
            )
            includes.extend(found)
    return includes


INCLUDES = find_includes()


def find_object(tree, dotted):
    """The class or function node named ``dotted`` ("Class.method" or "function")."""
    body, node = tree.body, None
    for name in dotted.split("."):
        candidates = [
            child
            for child in body
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and child.name == name
        ]
        if not candidates:
            return None
        node = candidates[0]
        body = node.body
    return node


def object_lines(path, dotted):
    """(first line number, lines) of ``dotted`` in ``path``, decorators included."""
    text = path.read_text(encoding="utf-8")
    node = find_object(ast.parse(text), dotted)
    assert node is not None, f"{dotted} not found in {path.relative_to(ROOT)}"
    first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
    return first, text.splitlines()[first - 1 : node.end_lineno]


def test_the_chapters_include_nnlib_code():
    # the chapters of the losses, optimizers and backpropagation parts all show nnlib's code
    chapters = {chapter[:2] for chapter, _path, _name in INCLUDES}
    assert {"02", "08", "13"} <= chapters, chapters
    assert len(INCLUDES) >= 20


@pytest.mark.parametrize(
    ("chapter", "path", "dotted"), INCLUDES, ids=[f"{c[:2]}-{name}" for c, _p, name in INCLUDES]
)
def test_included_code_fits_80_columns(chapter, path, dotted):
    first, lines = object_lines(path, dotted)
    too_long = [
        f"  {path.relative_to(ROOT)}:{first + k}: {len(line)} characters: {line.strip()[:60]}"
        for k, line in enumerate(lines)
        if len(line) > MAX_LINE
    ]
    assert not too_long, (
        f"{chapter} includes {dotted}, whose lines must be at most {MAX_LINE} characters "
        "(a code block in the text column shows about 80):\n" + "\n".join(too_long)
    )
