"""scripts/link_glossary.py and scripts/add_quizzes.py on a small throwaway book: the first use
of each term is linked, protected text is never touched, and a second run changes nothing."""

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import add_quizzes  # noqa: E402
import link_glossary  # noqa: E402

CHAPTER_1 = """\
(chap-one)=
# Loss and gradient descent

The `loss` in code is not linked, nor is $\\text{loss}$ in math, nor [the loss](https://x.org).

A **loss** measures one mistake; Huber loss comes later.
"""
CHAPTER_2 = """\
## Gradient descent

Gradient descent takes a step along the negative gradient; every loss is averaged into a cost.

```python
gradient = 1  # code is never linked
```

Huber's loss is robust.
"""


@pytest.fixture()
def book(tmp_path):
    shutil.copy(ROOT / "glossary.md", tmp_path / "glossary.md")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                       "  - file: chapters/01_one\n  - file: chapters/02_two\n")
    (tmp_path / "chapters").mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(CHAPTER_1), nbformat.v4.new_code_cell("loss = 1")]
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    nbformat.write(notebook, tmp_path / "chapters" / "01_one.ipynb")
    (tmp_path / "chapters" / "02_two.md").write_text(CHAPTER_2)
    return tmp_path


def test_every_glossary_term_has_surface_forms():
    terms = link_glossary.glossary_terms(ROOT / "glossary.md")
    assert len(terms) >= 30
    assert set(terms) == set(link_glossary.SURFACE_FORMS)


def test_first_use_is_linked_and_protected_text_is_not(book):
    done = link_glossary.link_terms(book)
    first = nbformat.read(book / "chapters" / "01_one.ipynb", as_version=4).cells[0].source
    assert "A **{term}`loss`** measures one mistake" in first
    assert "The `loss` in code" in first and "$\\text{loss}$" in first
    assert "[the loss](https://x.org)" in first
    assert "# Loss and gradient descent" in first  # headings are never linked
    assert "{term}`Huber loss`" in first  # the phrase, not the word "loss" inside it
    second = (book / "chapters" / "02_two.md").read_text()
    assert "## Gradient descent" in second
    assert "{term}`Gradient descent <gradient descent>` takes a step" in second
    assert "negative {term}`gradient`;" in second
    assert "averaged into a {term}`cost`" in second
    assert "gradient = 1  # code is never linked" in second
    assert "Huber's loss is robust." in second  # Huber loss was linked already in chapter 1
    assert ("loss", "chapters/01_one.ipynb", "loss") in done


def test_second_run_changes_nothing(book):
    link_glossary.link_terms(book)
    before = [(p, p.read_bytes()) for p in sorted((book / "chapters").iterdir())]
    assert link_glossary.link_terms(book) == []
    assert [(p, p.read_bytes()) for p in sorted((book / "chapters").iterdir())] == before


def test_dry_run_changes_nothing(book):
    before = (book / "chapters" / "02_two.md").read_text()
    assert link_glossary.link_terms(book, dry_run=True)
    assert (book / "chapters" / "02_two.md").read_text() == before


def test_add_quiz_appends_one_markdown_cell_once(book):
    (book / "quizzes").mkdir()
    (book / "quizzes" / "01_one.yml").write_text("questions: []\n")
    path = book / "chapters" / "01_one.ipynb"
    assert add_quizzes.add_quiz(path, book / "quizzes")
    cells = nbformat.read(path, as_version=4).cells
    assert cells[-1].cell_type == "markdown"
    assert cells[-1].source == "## Self-check quiz\n\n```{quiz} 01_one\n```"
    assert cells[1].source == "loss = 1"  # the code cell is untouched
    assert not add_quizzes.add_quiz(path, book / "quizzes")
    assert len(nbformat.read(path, as_version=4).cells) == 3
