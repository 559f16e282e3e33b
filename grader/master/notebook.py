"""Read a master notebook: its questions, parameters cell and hidden check specifications.

The format is described in ``exercises/FORMAT.md``.
"""

import ast
import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

KINDS = ("value", "function", "sympy", "choice", "layer_backward", "optimizer")
ROLES = ("parameters", "answer", "selfcheck", "hidden")
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUDENT_ID_LINE = re.compile(r"^STUDENT_ID\s*=.*$", re.MULTILINE)
ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
MAX_NOTEBOOK_BYTES = 20_000_000


class NotebookError(ValueError):
    """A file that cannot be read as a notebook (missing, empty, corrupt, too large)."""


class MasterError(ValueError):
    """A master notebook that does not follow exercises/FORMAT.md."""


@dataclass
class Question:
    """One graded question of a master notebook."""

    id: str
    points: float
    kind: str
    answer: str
    hidden_source: str = ""
    title: str = ""  # the master's markdown heading above the answer cell, without "Question N (...):"
    precision: str = ""  # the hidden cell's ``precision``, e.g. "4 decimal places" (see FORMAT.md)


@dataclass
class Master:
    """A parsed master notebook."""

    path: Path
    notebook: "Node"
    questions: list = field(default_factory=list)
    parameters_source: str | None = None

    @property
    def max_score(self):
        return sum(q.points for q in self.questions)


class Node(dict):
    """A dict with attribute access, like ``nbformat.NotebookNode`` (nbformat itself is slow to import)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __deepcopy__(self, memo):
        return to_node(json.loads(json.dumps(self)))


def to_node(data):
    if isinstance(data, dict):
        return Node((key, to_node(value)) for key, value in data.items())
    if isinstance(data, list):
        return [to_node(item) for item in data]
    return data


def _join(source):
    return "".join(source) if isinstance(source, list) and all(isinstance(s, str) for s in source) else source


MAX_DEPTH = 64  # levels of JSON arrays and objects a notebook may nest (Jupyter's own files: about 7)
MAX_PARTS = 100_000  # JSON arrays and objects a notebook may hold (the course's largest: about 400)
# a string, or an unterminated one up to the end (json.loads stops there): every match that starts
# succeeds, so no quote inside a broken string starts a match again (quadratic: 200 KB took half an
# hour); possessive (*+): no backtracking stack of a state per escape (16 MB of \" took 450 MB)
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = tuple(1 if b in b"[{" else -1 for b in range(256))


_BATCH = 200_000  # strings removed per pass: re.sub keeps a piece per string (1.2 GB for 6.6 million at once)


def json_brackets(raw):
    """The brackets of the JSON text ``raw`` (UTF-8 bytes) outside its strings, in order (no parsing).

    Strings are removed ``_BATCH`` at a time; what comes before the first string left is outside every
    string (each match succeeds), so its brackets are kept and the next pass reads only the rest.
    """
    parts = []
    while True:
        raw, removed = _JSON_STRING.subn(b"", raw, count=_BATCH)
        cut = raw.find(b'"') if removed == _BATCH else -1
        if cut < 0:
            parts.append(raw.translate(None, _NOT_BRACKET))
            return b"".join(parts)
        parts.append(raw[:cut].translate(None, _NOT_BRACKET))
        raw = raw[cut:]


def json_depth(raw, brackets=None):
    """How deep the arrays and objects of the JSON text ``raw`` (UTF-8 bytes) nest, without parsing it.

    Strings are skipped (a bracket inside one does not count), then each ``[``/``{`` counts +1 and
    each ``]``/``}`` -1; the depth is the highest running total. On valid JSON this is exactly the
    nesting that :func:`json.loads` recurses through; on invalid JSON it is exact for the valid
    prefix that ``json.loads`` reads before it stops (an unterminated string runs to the end of the
    text, where json.loads stops too), so a text whose depth is small can never
    make ``json.loads`` (or any recursive walk of what it returns) exceed Python's recursion limit.
    Linear time: about 1.5 s for the most bracket-dense 20 MB. ``brackets``: :func:`json_brackets` of
    ``raw``, when the caller has them already.
    """
    brackets = json_brackets(raw) if brackets is None else brackets
    return max(accumulate(map(_STEP.__getitem__, brackets), initial=0))


#: Why a submission is not gradable: the whole vocabulary (nothing of the file's content is shown).
NOT_READABLE = "cannot read the file (it is missing or not readable)"
NOT_A_FILE = "it is not a regular file"
EMPTY = "it is an empty file, not a notebook"
TOO_LARGE = f"it is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB"
NOT_UTF8 = "it is not a notebook: its bytes are not UTF-8 text (Jupyter saves notebooks as UTF-8)"
TOO_DEEP = f"it is not a notebook: its JSON nests deeper than {MAX_DEPTH} levels"
TOO_MANY_PARTS = f"it is not a notebook: it holds more than {MAX_PARTS} JSON arrays and objects"
INVALID_JSON = "it is not a notebook: invalid JSON"
SURROGATE = "it is not a valid notebook: it holds text that is not valid Unicode (a lone surrogate, \\ud800)"
NO_CELLS = "it is not a notebook: no list of cells"
NOT_VERSION_4 = "it is not a version 4 notebook"
BAD_CELL = "it is not a valid notebook: a cell is malformed"
BAD_SOURCE = "it is not a valid notebook: a cell has a malformed source or metadata"


def _decode(raw):
    """The JSON value of a notebook's bytes, or raise NotebookError with a reason of the vocabulary."""
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors write one) is dropped
    except UnicodeDecodeError:
        raise NotebookError(NOT_UTF8) from None
    brackets = json_brackets(raw)
    if json_depth(raw, brackets) > MAX_DEPTH:
        raise NotebookError(TOO_DEEP)
    if brackets.count(b"{") + brackets.count(b"[") > MAX_PARTS:  # 19 MB of tiny cells: 0.8 GB once parsed
        raise NotebookError(TOO_MANY_PARTS)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"{INVALID_JSON} (line {error.lineno}, column {error.colno})") from None
    except ValueError:  # an integer of more than 4300 digits
        raise NotebookError(f"{INVALID_JSON} (a number too long to read)") from None
    except MemoryError:  # millions of tiny arrays in 20 MB
        raise NotebookError(TOO_LARGE) from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800") is valid JSON but no text
        raise NotebookError(SURROGATE) from None
    return data


def _read_file(path, follow_links):
    """The first bytes of a regular file (one over the cap), judged on what was opened, not on its path.

    Opened without blocking (a FIFO would wait for a writer) and, with ``follow_links`` False, not
    through a symbolic link: a file of a folder students can write to may be swapped for a link (to
    a master) between the listing that refused links and this read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise NotebookError(NOT_READABLE) from None
    except OSError as error:
        raise NotebookError(NOT_A_FILE if error.errno == errno.ELOOP else NOT_READABLE) from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise NotebookError(NOT_A_FILE)
        try:
            return stream.read(MAX_NOTEBOOK_BYTES + 1)  # at most one byte over the cap, whatever stat said
        except OSError:
            raise NotebookError(NOT_READABLE) from None


def read_notebook(path, follow_links=True):
    """Read a notebook file (nbformat 4); raise :class:`NotebookError` saying why if it is not one.

    Total: whatever the bytes (any size, nesting, encoding or JSON value), the answer is a notebook
    or a :class:`NotebookError` whose message is one of the fixed reasons above (no byte of the
    file is quoted, nor its name: the caller names the file). A submission is read with
    ``follow_links`` False: a symbolic link is "not a regular file".
    """
    raw = _read_file(Path(path), follow_links)
    if not raw:
        raise NotebookError(EMPTY)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(TOO_LARGE)
    data = _decode(raw)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(NO_CELLS)
    if data.get("nbformat") != 4:
        raise NotebookError(NOT_VERSION_4)
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotebookError(BAD_CELL)
        cell["source"] = _join(cell.get("source", ""))
        cell.setdefault("metadata", {})
        if not isinstance(cell["source"], str) or not isinstance(cell["metadata"], dict):
            raise NotebookError(BAD_SOURCE)
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    if not isinstance(data.setdefault("metadata", {}), dict):
        data["metadata"] = {}
    return to_node(data)


def cell_info(cell):
    """Return the cell's ``"grader"`` metadata as a dict (empty when missing or malformed)."""
    info = cell.get("metadata", {}).get("grader", {})
    return info if isinstance(info, dict) else {}


def strip_region(source, begin, end):
    """Return the lines strictly between the begin and end markers (the markers must be balanced)."""
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == begin]
    stops = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(starts) != 1 or len(stops) != 1 or stops[0] < starts[0]:
        return None
    return "\n".join(lines[starts[0] + 1 : stops[0]])


def _check_answer(info, where):
    for key in ("id", "points", "kind", "answer"):
        if key not in info:
            raise MasterError(f"{where}: answer cell metadata lacks {key!r}")
    if not isinstance(info["id"], str) or not ID_PATTERN.match(info["id"]):
        raise MasterError(f"{where}: id must be letters, digits and '_', got {info['id']!r}")
    points = info["points"]
    if isinstance(points, bool) or not isinstance(points, int | float) or not points > 0:
        raise MasterError(f"{where}: points must be a positive number, got {points!r}")
    if info["kind"] not in KINDS:
        raise MasterError(f"{where}: kind must be one of {', '.join(KINDS)}, got {info['kind']!r}")
    if not isinstance(info["answer"], str) or not info["answer"].isidentifier():
        raise MasterError(f"{where}: answer must be a Python name, got {info['answer']!r}")


def parse_master(path):
    """Parse a master notebook into a :class:`Master`, raising :class:`MasterError` on format errors."""
    try:
        notebook = read_notebook(path)
    except NotebookError as error:
        raise MasterError(f"{path}: {error}") from None
    master = Master(path=Path(path), notebook=notebook)
    by_id = {}
    hidden = {}
    for index, cell in enumerate(notebook.cells):
        info = cell_info(cell)
        role = info.get("role")
        where = f"{path}, cell {index}"
        if not info:
            continue
        if role not in ROLES:
            raise MasterError(f"{where}: grader role must be one of {', '.join(ROLES)}, got {role!r}")
        if cell.cell_type != "code":
            raise MasterError(f"{where}: a {role} cell must be a code cell")
        if role == "answer":
            _check_answer(info, where)
            if info["id"] in by_id:
                raise MasterError(f"{where}: question id {info['id']!r} is used twice")
            if strip_region(cell.source, BEGIN_SOLUTION, END_SOLUTION) is None:
                raise MasterError(f"{where}: needs one '{BEGIN_SOLUTION}' ... '{END_SOLUTION}' region")
            question = Question(info["id"], float(info["points"]), info["kind"], info["answer"])
            question.title = heading_above(notebook.cells, index)
            by_id[question.id] = question
            master.questions.append(question)
        elif role == "hidden":
            body = strip_region(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            if body is None:
                raise MasterError(f"{where}: needs one '{BEGIN_HIDDEN}' ... '{END_HIDDEN}' region")
            if info.get("id") in hidden:
                raise MasterError(f"{where}: two hidden cells for question {info.get('id')!r}")
            hidden[info.get("id")] = body
        elif role == "parameters":
            if master.parameters_source is not None:
                raise MasterError(f"{where}: a second parameters cell")
            if not STUDENT_ID_LINE.search(cell.source):
                raise MasterError(f"{where}: the parameters cell needs a line 'STUDENT_ID = \"demo\"'")
            master.parameters_source = cell.source
    for qid in hidden:
        if qid not in by_id:
            raise MasterError(f"{path}: hidden cell for unknown question {qid!r}")
        by_id[qid].hidden_source = hidden[qid]
        where = f"{path}, hidden cell of {qid}"
        by_id[qid].precision = declared_precision(hidden[qid], by_id[qid].kind, where)
    if not master.questions:
        raise MasterError(f"{path}: no answer cell (metadata grader.role == 'answer')")
    return master


QUESTION_PREFIX = re.compile(r"^Question\s+\S+?\s*(\([^)]*\))?\s*:\s*", re.IGNORECASE)


def heading_above(cells, index):
    """The first heading of the nearest markdown cell above ``cells[index]`` that has one ("" if none).

    A leading "Question 1 (2 points):" is dropped: the report shows the id and the points.
    """
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") != "markdown":
            continue
        for line in cell.get("source", "").splitlines():
            if line.startswith("#"):
                title = line.lstrip("#").strip()
                return QUESTION_PREFIX.sub("", title, count=1) or title
    return ""


PRECISION = re.compile(r"^([1-9]|1[0-2]) decimal places?$")
PRECISION_EXPECTED = 'a text such as precision = "4 decimal places" (1 to 12 decimal places)'
PRECISION_KINDS = ("value", "function")
_OPERATORS = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__,
              ast.Div: float.__truediv__, ast.Pow: float.__pow__}


def _number(node):
    """The value of a constant arithmetic expression (``5e-5 + 1e-12``, ``0.5 * 10**-4``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _number(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _number(node.left), _number(node.right)
        if left is None or right is None or (isinstance(node.op, ast.Pow) and abs(right) > 64):
            return None
        try:
            return _OPERATORS[type(node.op)](left, right)
        except (ArithmeticError, ValueError):
            return None
    return None


def precision_tolerance(precision):
    """Half a unit of the last decimal place that ``precision`` ("N decimal places") asks for."""
    return 0.5 * 10.0 ** -int(PRECISION.match(precision).group(1))


def declared_precision(hidden_source, kind, where):
    """The hidden cell's ``precision = "N decimal places"`` ("" when it declares none).

    Raises :class:`MasterError` when the text is not of that form, the question is not numeric, or the
    cell's ``atol`` does not accept every answer given to that precision (``atol`` must lie between half
    a unit of the last asked place and twice that, and ``rtol`` be at most its default ``1e-6``).
    """
    try:
        tree = ast.parse(hidden_source)
    except SyntaxError:
        return ""  # python -m grader check reports the syntax error
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    if "precision" not in found:
        return ""
    node = found["precision"]
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and PRECISION.match(node.value)):
        raise MasterError(f"{where}: `precision` must be {PRECISION_EXPECTED}")
    if kind not in PRECISION_KINDS:
        raise MasterError(f"{where}: `precision` is for numeric questions ({', '.join(PRECISION_KINDS)}), "
                          f"not a {kind} question")
    half = precision_tolerance(node.value)
    atol = _number(found["atol"]) if "atol" in found else None
    rtol = _number(found["rtol"]) if "rtol" in found else 1e-6
    if atol is None or not half <= atol <= 2 * half or rtol is None or not 0 <= rtol <= 1e-6:
        raise MasterError(
            f"{where}: precision {node.value!r} needs `atol` written as a number between {half:g} (half a "
            f"unit of the last place asked) and {2 * half:g}, e.g. atol = {half:g} + 1e-12, and `rtol` at "
            "most 1e-6 (e.g. rtol = 0)"
        )
    return node.value


def python_literal(text):
    """``text`` as a double-quoted Python literal of printable ASCII that Python reads back as ``text``.

    Not ``json.dumps``: it writes a character beyond U+FFFF (an emoji) as two surrogate escapes, which
    Python reads as two lone surrogates, so the master's ``STUDENT_ID.encode("utf-8")`` failed.
    """

    def escaped(char):
        if char in '"\\':
            return "\\" + char
        return char if " " <= char <= "~" else f"\\U{ord(char):08x}"

    return '"' + "".join(map(escaped, text)) + '"'


def with_student_id(parameters_source, student_id):
    """Return the parameters cell with its ``STUDENT_ID = ...`` line set to ``student_id``."""
    line = f"STUDENT_ID = {python_literal(student_id)}"
    return STUDENT_ID_LINE.sub(lambda _: line, parameters_source, count=1)


MAX_STUDENT_ID = 64


def student_id_problem(student_id):
    """Why ``student_id`` cannot be a student id (None when it can): printable, short, UTF-8."""
    if not isinstance(student_id, str) or not student_id:
        return "the student id is empty"
    if len(student_id) > MAX_STUDENT_ID:
        return f"the student id is longer than {MAX_STUDENT_ID} characters"
    try:
        student_id.encode("utf-8")
    except UnicodeEncodeError:
        return "the student id is not valid Unicode text (it holds a lone surrogate)"
    if not student_id.isprintable() or "\\" in student_id:
        return "the student id holds characters that are not printable (or a backslash)"
    return None


def declared_student_id_text(notebook):
    """The text of the ``STUDENT_ID = "..."`` line of a submission, valid or not, or None."""
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        match = re.search(
            r"^STUDENT_ID\s*=\s*(['\"])([^'\"\n]{0,200})\1", cell.get("source", ""), re.MULTILINE
        )
        if match:
            return match.group(2)
    return None


def declared_student_id(notebook):
    """Return the ``STUDENT_ID`` a submission declares in its parameters cell, or None.

    An id that :func:`student_id_problem` refuses counts as none declared.
    """
    declared = declared_student_id_text(notebook)
    return declared if declared is not None and student_id_problem(declared) is None else None
