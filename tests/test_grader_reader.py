"""Every reader of a submission's bytes is total (issue 20, item 5 and property (c)).

Whatever a submitted file holds (any JSON value, any nesting, any size up to the cap, any
encoding, or no JSON at all), reading it gives a notebook or a :class:`NotebookError` whose
message is one of a fixed list of reasons; a class run gives that submission its own row and
exits 0, 1 or 2, never 3. Before this file, a notebook whose metadata nested 500 levels raised
RecursionError out of the reader (exit 3), and with ``--id-from notebook`` the class run ended
with no CSV.

The properties run ``GRADER_FUZZ_EXAMPLES`` examples each (default 150; ``make fuzz`` sets more),
the command-line one a thirtieth of that (at least 3: each is a class run).
"""

import contextlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import pytest
from grader_support import run_cli, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.grade import _answer_cell, submission_cells
from grader.judge.forbid import notebook_use
from grader.master import notebook as reader
from grader.master.notebook import (
    MAX_DEPTH,
    MAX_NOTEBOOK_BYTES,
    NotebookError,
    cell_info,
    declared_student_id,
    declared_student_id_text,
    json_depth,
    parse_master,
    read_notebook,
)
from grader.report.gradescope import student_id_from_metadata

ROOT = Path(__file__).resolve().parent.parent
WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
EXAMPLES = int(os.environ.get("GRADER_FUZZ_EXAMPLES", "150"))
CLI_EXAMPLES = max(3, EXAMPLES // 30)
REASONS = tuple(
    getattr(reader, name)
    for name in (
        "NOT_READABLE",
        "NOT_A_FILE",
        "EMPTY",
        "TOO_LARGE",
        "NOT_UTF8",
        "TOO_DEEP",
        "TOO_MANY_PARTS",
        "INVALID_JSON",
        "SURROGATE",
        "NO_CELLS",
        "NOT_VERSION_4",
        "BAD_CELL",
        "BAD_SOURCE",
    )
)
DETAIL = re.compile(r"( \(line \d+, column \d+\)| \(a number too long to read\))?")
WARMUP_MASTER = parse_master(WARMUP)


def master_copy(master=WARMUP):
    """The master with its solutions, without its hidden cells: a submission with full marks."""
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    return notebook


def nested(depth, opener="["):
    """A JSON value nesting ``depth`` arrays (``[[[]]]``) or objects (``{"a":{"a":1}}``)."""
    if opener == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def nested_metadata_notebook(depth, opener="["):
    """The master's copy whose first cell's metadata nests ``depth`` levels (issue 20's attack)."""
    notebook = master_copy()
    notebook["cells"][0]["metadata"]["deep"] = "DEEP"
    return json.dumps(notebook).replace('"DEEP"', nested(depth, opener), 1)


# -- what the reader may answer --------------------------------------------------------------------


FREE_FRAMES = 300  # Python frames the reader and what follows may use (a worker has most of the 1000)


@contextlib.contextmanager
def frames_left(count):
    """Run the block with only ``count`` frames of recursion left (Hypothesis raises the limit)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_stack()) + count)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def check_reader(raw, frames=FREE_FRAMES):
    """Read ``raw`` from a file as the grader does; assert the answer is total and in the vocabulary."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "submission.ipynb"
        path.write_bytes(raw)
        try:
            with frames_left(frames):
                notebook = read_notebook(path)
        except NotebookError as error:
            message = str(error)
            reason = next((r for r in REASONS if message.startswith(r)), None)
            assert reason is not None, message
            assert DETAIL.fullmatch(message[len(reason) :]), message
            return message
    with frames_left(frames):
        _use(notebook)
    return None


def _use(notebook):
    """What the grader does with a notebook it read: none of it may raise."""
    assert isinstance(notebook.cells, list)
    for cell in notebook.cells:
        assert isinstance(cell.source, str) and isinstance(cell.metadata, dict)
        assert isinstance(cell_info(cell), dict)
    declared_student_id_text(notebook)
    declared_student_id(notebook)
    cells = submission_cells(notebook, WARMUP_MASTER, "demo")
    for question in WARMUP_MASTER.questions:
        _answer_cell(cells, question)
    notebook_use(cells, ["numpy"])
    json.dumps(notebook)


# -- strategies: JSON values, notebooks, their text, their bytes -----------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**50, max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["\ud800", "\udfff", "STUDENT_ID = 'x'", "[[[{{{", '"\\', "\x00\x1b[2J"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
sources = st.text(max_size=40) | st.lists(st.text(max_size=10) | json_values, max_size=4) | json_values
cells = st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw"]) | json_values},
    optional={
        "source": sources,
        "metadata": st.fixed_dictionaries({}, optional={"grader": json_values, "tags": json_values})
        | json_values,
        "outputs": json_values,
        "execution_count": json_values,
    },
)
notebooks = st.fixed_dictionaries(
    {"cells": st.lists(cells | json_values, max_size=5) | json_values},
    optional={
        "nbformat": st.sampled_from([4, 4.0, 3, "4", True]) | json_values,
        "nbformat_minor": json_values,
        "metadata": json_values,
    },
)


#: nesting depths: shallow, around the limit, where Python's recursion gave out (from about 150 levels
#: with FREE_FRAMES left, 330 in a worker, to 1000), and beyond
depths = st.sampled_from([0, 1, 63, 64, 65]) | st.integers(66, 1100) | st.integers(1100, 100_000)


@st.composite
def odd_notebooks(draw):
    """The master's copy (a notebook the grader reads and grades) with odd content in places."""
    notebook = master_copy()
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(notebook["cells"]) - 1))
        cell = notebook["cells"][index]
        place = draw(st.sampled_from(["grader", "metadata", "source", "outputs", "deep"]))
        if place in ("grader", "deep") and not isinstance(cell["metadata"], dict):
            cell["metadata"] = {}
        if place == "grader":
            cell["metadata"]["grader"] = draw(json_values)
        elif place == "metadata":
            cell["metadata"] = draw(json_values)
        elif place == "source":
            cell["source"] = draw(sources)
        elif place == "outputs":
            cell["outputs"] = draw(json_values)
        else:
            cell["metadata"]["deep"] = "DEEP"
    if draw(st.booleans()):
        notebook["metadata"] = draw(json_values)
    text = json.dumps(notebook)
    return text.replace('"DEEP"', nested(draw(depths), draw(st.sampled_from("[{"))))


@st.composite
def documents(draw):
    """The text of a JSON document: a notebook-like one, any value, or a deep one, with odd literals."""
    kind = draw(
        st.sampled_from(
            ["notebook", "odd", "odd", "value", "deep", "deep_metadata", "deep_metadata", "literals"]
        )
    )
    if kind == "notebook":
        text = json.dumps(draw(notebooks))  # NaN and Infinity are written as such: Python reads them
    elif kind == "odd":
        text = draw(odd_notebooks())
    elif kind == "value":
        text = json.dumps(draw(json_values))
    elif kind == "deep":
        text = nested(draw(depths), draw(st.sampled_from("[{")))
    elif kind == "deep_metadata":
        text = nested_metadata_notebook(draw(depths))
    else:  # what json.dumps never writes: duplicate keys, huge integers, literals, escapes
        extra = draw(
            st.sampled_from(
                [
                    '"cells": 5, "cells": []',
                    '"cells": [], "cells": [{"cell_type": "code", "source": ["x", 1]}]',
                    '"cells": [], "metadata": {"n": ' + "9" * 5000 + "}",
                    '"cells": [], "metadata": {"n": NaN, "m": -Infinity}',
                    '"cells": [{"cell_type": "code", "source": "\\ud800", "metadata": {}}]',
                    '"cells": [{"cell_type": "code", "source": "x = \\"[[[[\\"", "metadata": {}}]',
                ]
            )
        )
        text = '{"nbformat": 4, ' + extra + "}"
    return text


@st.composite
def encoded(draw):
    """The bytes of a document: in an encoding, cut short, or with bytes flipped."""
    text = draw(documents())
    encoding = draw(
        st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1"])
    )
    raw = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    change = draw(st.sampled_from(["none"] * 4 + ["cut", "flip"]))
    if change == "cut" and raw:
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif change == "flip" and raw:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    return raw


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(encoded())
def test_any_document_is_read_or_refused_with_a_reason(raw):
    check_reader(raw)


@FUZZ
@given(depths, st.sampled_from("[{"), st.sampled_from(["cell", "notebook", "source", "outputs", "grader"]))
def test_any_nesting_anywhere_is_read_or_refused_with_a_reason(depth, opener, place):
    """Before: RecursionError out of the reader from 150 levels (FREE_FRAMES left; 330 in a worker)."""
    notebook = master_copy()
    cell = notebook["cells"][1]
    if place == "cell":
        cell["metadata"]["deep"] = "DEEP"
    elif place == "notebook":
        notebook["metadata"]["deep"] = "DEEP"
    elif place == "grader":
        cell["metadata"]["grader"] = {"id": "DEEP"}
    else:
        cell[place] = "DEEP"
    text = json.dumps(notebook).replace('"DEEP"', nested(depth, opener), 1)
    check_reader(text.encode())


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_reason(raw):
    check_reader(raw)


def depth_by_walking(value):
    """Nesting of a parsed JSON value, by walking it (the second method for json_depth)."""
    if isinstance(value, list):
        return 1 + max((depth_by_walking(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_by_walking(v) for v in value.values()), default=0)
    return 0


@FUZZ
@given(json_values | st.recursive(scalars, lambda c: st.lists(c, min_size=1, max_size=2), max_leaves=80))
def test_the_depth_prescan_agrees_with_walking_the_parsed_value(value):
    """json_depth counts brackets without parsing (strings may hold brackets and escaped quotes)."""
    raw = json.dumps(value).encode("utf-8", "surrogatepass")
    assert json_depth(raw) == depth_by_walking(value)


def test_the_depth_limit_is_exact_and_holds_on_a_nearly_full_stack():
    """Depth MAX_DEPTH is read, one more is refused, with no more than 200 frames of stack left."""
    limit = MAX_DEPTH - 1  # the notebook's own object is one level
    fits = '{"nbformat": 4, "cells": [], "metadata": {"x": ' + nested(limit - 1) + "}}"
    deeper = '{"nbformat": 4, "cells": [], "metadata": {"x": ' + nested(limit) + "}}"
    assert json_depth(fits.encode()) == MAX_DEPTH and json_depth(deeper.encode()) == MAX_DEPTH + 1
    assert check_reader(fits.encode(), frames=200) is None
    assert check_reader(deeper.encode(), frames=200).startswith(reader.TOO_DEEP)


def _stack():
    frames, frame = [], sys._getframe()
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


@pytest.mark.parametrize("depth", [65, 300, 500, 990, 5000])
def test_the_issues_nested_metadata_is_refused_with_its_reason(depth):
    """Before: RecursionError (not a NotebookError) from 500 levels on; after: the fixed reason."""
    assert check_reader(nested_metadata_notebook(depth).encode()).startswith(reader.TOO_DEEP)


def test_the_size_cap_holds_and_the_largest_dense_file_is_read_in_time():
    import time

    dense = ("[" + "[]," * ((MAX_NOTEBOOK_BYTES - 10) // 3) + "[]]").encode()
    assert len(dense) <= MAX_NOTEBOOK_BYTES
    start = time.monotonic()
    assert json_depth(dense) == 2
    assert time.monotonic() - start < 20  # about 1 s here; a bound, not a benchmark
    assert check_reader(b" " * (MAX_NOTEBOOK_BYTES + 1)).startswith(reader.TOO_LARGE)


def test_a_byte_order_mark_is_read_and_other_encodings_are_refused():
    text = json.dumps(master_copy())
    assert check_reader(text.encode("utf-8-sig")) is None
    for encoding in ("utf-16", "utf-32"):
        assert check_reader(text.encode(encoding)).startswith(reader.NOT_UTF8)


# -- Gradescope's metadata -------------------------------------------------------------------------


@FUZZ
@given(
    encoded() | st.builds(lambda v: json.dumps({"users": v}).encode("utf-8", "surrogatepass"), json_values)
)
def test_gradescope_metadata_gives_an_id_or_none(raw):
    """Before: a dict or a number as ``users``, or deep nesting, raised (no results.json at all)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "submission_metadata.json"
        path.write_bytes(raw)
        found = student_id_from_metadata(path)
    assert found is None or reader.student_id_problem(found) is None


def test_gradescope_metadata_examples():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.json"
        for text, expected in [
            ('{"users": {"0": 1}}', None),
            ('{"users": 7}', None),
            ('{"users": [{"sid": "\\ud800", "email": "a@b.c"}]}', "a@b.c"),
            ('{"users": [{"sid": 12}]}', "12"),
            ('{"users": [' + nested(3000) + "]}", None),
        ]:
            path.write_text(text)
            assert student_id_from_metadata(path) == expected, text


# -- end to end: the command line on a class of malformed notebooks --------------------------------

CELL = '{"nbformat": 4, "cells": [{"cell_type": "code", %s}]}'
MALFORMED = {
    "nested_cell_metadata.ipynb": nested_metadata_notebook(600).encode(),  # exit 3 from 495 levels
    "nested_top.ipynb": ('{"nbformat": 4, "cells": [], "metadata": ' + nested(3000, "{") + "}").encode(),
    "utf16.ipynb": json.dumps(master_copy()).encode("utf-16"),
    "invalid_utf8.ipynb": b'{"nbformat": 4, "cells": [], "x": "\xff\xfe"}',
    "surrogate.ipynb": (CELL % '"source": "\\udc00", "metadata": {}').encode(),
    "bigint.ipynb": ('{"nbformat": 4, "cells": [], "n": ' + "7" * 5000 + "}").encode(),
    "top_list.ipynb": b"[1, 2, 3]",
    "cells_not_dicts.ipynb": b'{"nbformat": 4, "cells": [1, "x", null]}',
    "source_ints.ipynb": (CELL % '"source": [1, 2], "metadata": {}').encode(),
    "metadata_list.ipynb": (CELL % '"source": "", "metadata": [1]').encode(),
    "truncated.ipynb": json.dumps(master_copy()).encode()[:5000],
}


def test_a_class_of_malformed_notebooks_gets_a_row_each(tmp_path):
    """Before: exit 3 and no CSV (RecursionError from the nested metadata); after: exit 0, a row each."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name, raw in MALFORMED.items():
        (folder / name).write_bytes(raw)
    write(master_copy(), folder / "honest.ipynb")
    (folder / "bom.ipynb").write_bytes(json.dumps(master_copy()).encode("utf-8-sig"))
    notebook = master_copy()
    notebook["metadata"]["n"] = "NAN"
    text = json.dumps(notebook).replace('"NAN"', "NaN").replace('{"cells": ', '{"cells": 5, "cells": ', 1)
    (folder / "duplicate_keys.ipynb").write_text(text)
    csv_path = tmp_path / "class.csv"
    completed = run_cli(
        "grade", WARMUP, folder, "--csv", csv_path, "--jobs", "2", "--id-from", "notebook", "--quiet"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    rows = {line.split(",")[0]: line.split(",") for line in csv_path.read_text().splitlines()[1:]}
    assert set(rows) == {*MALFORMED, "honest.ipynb", "bom.ipynb", "duplicate_keys.ipynb"}
    for name in ("honest.ipynb", "bom.ipynb", "duplicate_keys.ipynb"):  # read as the notebooks they are
        assert rows[name][2] == rows[name][3] == "11", rows[name]
    for name in MALFORMED:
        assert rows[name][2] == "0" and set(rows[name][5::2]) == {"error"}, rows[name]


@settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(encoded(), min_size=1, max_size=4))
def test_any_class_of_documents_is_graded_or_refused_with_exit_0_1_or_2(documents):
    """Property (c) end to end: a class run of any documents exits 0 (1, 2), with a row for each."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "class").mkdir()
        for index, raw in enumerate(documents):
            (folder / "class" / f"s{index}.ipynb").write_bytes(raw)
        completed = run_cli(
            "grade",
            WARMUP,
            folder / "class",
            "--csv",
            folder / "c.csv",
            "--id-from",
            "notebook",
            "--quiet",
            "--submission-time-limit",
            "60",
        )
        assert completed.returncode in (0, 1, 2), completed.stderr[-3000:]
        assert "Traceback" not in completed.stderr
        if completed.returncode == 0:
            lines = (folder / "c.csv").read_text().splitlines()
            assert len(lines) == 1 + len(documents)
        one = run_cli(
            "grade", WARMUP, folder / "class" / "s0.ipynb", "--quiet", "--submission-time-limit", "60"
        )
        assert one.returncode in (0, 1, 2) and "Traceback" not in one.stderr, one.stderr[-3000:]
