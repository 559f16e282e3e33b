"""The one way to an output (grader.vocabulary) and the safety of the files a teacher opens (issue 20).

Expected strings are written out by hand from the rules (printable ASCII, OWASP's CSV rule), not
copied from the code's output.
"""

import ast
import csv
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from grader import cli, vocabulary
from grader.grade import QuestionResult, SubmissionResult
from grader.report.outputs import (
    gradescope_results,
    spreadsheet_cell,
    text_report,
    write_csv,
    write_gradebook_csv,
    write_json,
)
from grader.vocabulary import PHRASES, FileName, MasterText, Message, escaped, printable, render

GRADER = Path(__file__).resolve().parent.parent / "grader"
#: the modules whose text reaches an output
OUTPUT_MODULES = ("report/outputs.py", "cli.py", "report/gradescope.py")
#: the functions whose result is a message (or a status and a message)
MESSAGE_MAKERS = {
    "compare_values",
    "describe",
    "outcome",
    "match_mistake",
    "_not_defined",
    "_query_message",
    "_unreadable",
    "_stage",
    "_sympy_message",
}
STATUSES = ("", "passed", "failed", "error", "timeout", "crashed", "not attempted")
MESSAGE_MODULES = (
    "judge/judges.py",
    "judge/compare.py",
    "grade.py",
    "judge/follow_through.py",
    "report/outputs.py",
    "cli.py",
    "report/feedback.py",
    "report/identity.py",
)


class Question:
    def __init__(self, qid):
        self.id = qid


def one_result(student_id="s1", submission="s1.ipynb", message=None, hint=None):
    message = message if message is not None else Message("correct")
    questions = [QuestionResult("q1", 2.0, "failed", message, 1.0, hint)]
    return SubmissionResult(submission, "losses.ipynb", student_id, questions)


def test_escaped_keeps_printable_ascii_only():
    assert escaped("s001-a.b_c ~") == "s001-a.b_c ~"
    assert escaped("a\x1bb") == "a\\x1bb"
    assert escaped("\u202e\u2066x\x00\x7f\x9b") == "\\u202e\\u2066x\\x00\\x7f\\x9b"
    assert escaped("\U0001f600é\\") == "\\U0001f600\\xe9\\\\"


def test_printable_keeps_the_masters_unicode_but_no_control_character():
    assert printable("∂L/∂w = 2(ŷ - y)") == "∂L/∂w = 2(ŷ - y)"
    assert printable("a\x1b[2Jb\u202ec") == "a\\x1b[2Jb\\u202ec"
    assert printable("line 1\nline 2") == "line 1\nline 2"


def test_a_message_refuses_plain_text_and_odd_values():
    with pytest.raises(TypeError):
        Message("name", name="mse")  # a str: it could be anything the student's code chose
    with pytest.raises(TypeError):
        Message("correct on inputs", count=True)
    with pytest.raises(ValueError):
        Message("sympy slow", seconds=float("nan"))
    with pytest.raises(TypeError):
        Message("correct on inputs")  # a parameter is missing
    with pytest.raises(KeyError):
        Message("no such phrase")
    with pytest.raises(AttributeError):
        Message("correct").key = "wrong on inputs"


def test_a_message_is_its_phrase_filled_in():
    inner = Message("not close", where=Message("result for input", index=2))
    message = Message("wrong on inputs", failed=1, count=4, first=inner)
    assert render(message) == (
        "wrong on 1 of 4 grader inputs; first: the result for grader input 2 is not close to the reference"
    )
    assert render(Message("follow reference", ids=(MasterText("q1"), MasterText("q3")), names=())) == (
        "following through from the reference values of q1, q3 ()"
    )
    assert render(Message("total line", submission=FileName("b\x1b.ipynb"), score=-0.0, max_score=11.0)) == (
        "b\\x1b.ipynb: 0/11"
    )


def test_every_phrase_is_plain_text():
    for key, phrase in PHRASES.items():
        assert "!" not in phrase.replace("!", "") and "{!r" not in phrase, key
        assert phrase.isprintable() or "\n" in phrase, key


def test_the_writers_refuse_plain_text(tmp_path):
    raw = one_result(message="the answer cell raised ValueError: anything")
    for write in (
        lambda: text_report(raw),
        lambda: gradescope_results(raw),
        lambda: write_json(tmp_path / "r.json", raw),
        lambda: gradescope_results(one_result(hint="a hint")),
        lambda: text_report(one_result(hint="a hint")),
        lambda: cli.show_results([raw], quiet=False),
        lambda: vocabulary.show("text"),
    ):
        with pytest.raises(TypeError):
            write()


@pytest.mark.parametrize(
    "text, cell",
    [
        ("=1+2", '"\'=1+2"'),
        ("+1", '"\'+1"'),
        ("-1", '"\'-1"'),
        ("@SUM(A1)", '"\'@SUM(A1)"'),
        ("\tx", '"\'\tx"'),
        ("\rx", '"\'\rx"'),
        ('=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'),
        ("a;=1+2", '"a;=1+2"'),  # a semicolon would start a new cell in some locales
        ("a,b", '"a,b"'),
        ("s001", "s001"),
        ("2.5", "2.5"),
    ],
)
def test_spreadsheet_cells_are_never_formulas(text, cell):
    assert spreadsheet_cell(text) == cell


def test_a_formula_student_id_is_neutralised_in_both_csv_files(tmp_path):
    results = [one_result("=1+2", "=cmd|'-C calc'!A0.ipynb"), one_result("@x", "ok.ipynb")]
    write_csv(tmp_path / "class.csv", results, [Question("q1")])
    write_gradebook_csv(tmp_path / "book.csv", results, [Question("q1")], "ID", "losses")
    rows = list(csv.reader((tmp_path / "class.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[1][:2] == ["'=cmd|'-C calc'!A0.ipynb", "'=1+2"] and rows[2][:2] == ["ok.ipynb", "'@x"]
    book = list(csv.reader((tmp_path / "book.csv").read_text(encoding="utf-8").splitlines()))
    assert [row[0] for row in book] == ["ID", "'=1+2", "'@x"]


def test_student_text_is_escaped_in_every_report(tmp_path):
    result = one_result(
        "s\x1b[2J1", "a\u202eb.ipynb", hint=Message("hint", text=MasterText("mind \x1b the 1/N"))
    )
    write_json(tmp_path / "r.json", result)
    console = io.StringIO()
    with redirect_stdout(console):
        cli.show_results([result], quiet=False)
    texts = [text_report(result), (tmp_path / "r.json").read_text(encoding="utf-8"), console.getvalue()]
    for text in texts:
        assert "\x1b" not in text and "\u202e" not in text and "\\u001b" not in text
    assert "a\\u202eb.ipynb" in texts[0] and "s\\x1b[2J1" in texts[0] and "mind \\x1b the 1/N" in texts[0]
    data = json.loads(texts[1])
    assert data["extra_data"]["student_id"] == "s\\x1b[2J1"


def _calls(tree, names):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in names:
                yield node


def _is_text(node):
    """A str literal, an f-string, or a + / % of one: text that did not come from the vocabulary."""
    if isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    return False


def _is_status(node):
    return isinstance(node, ast.Constant) and node.value in STATUSES


@pytest.mark.parametrize("module", OUTPUT_MODULES)
def test_output_modules_print_only_through_the_vocabulary(module):
    tree = ast.parse((GRADER / module).read_text(encoding="utf-8"))
    printing = [node.lineno for node in _calls(tree, {"print"})]
    printing += [node.lineno for node in _calls(tree, {"write"}) if ast.unparse(node.func).startswith("sys.")]
    assert not printing, f"grader/{module} prints or writes text at lines {printing} (use grader.vocabulary)"


@pytest.mark.parametrize("module", MESSAGE_MODULES)
def test_messages_are_built_from_the_vocabulary(module):
    """No verdict, question result, note or check is given text built outside grader.vocabulary."""
    tree = ast.parse((GRADER / module).read_text(encoding="utf-8"))
    found = []
    for call in _calls(tree, {"Verdict", "QuestionResult", "_error_result", "Check"}):
        found += [
            call.lineno
            for arg in [*call.args, *(k.value for k in call.keywords)][:6]
            if _is_text(arg) and not _is_status(arg)
        ]
    for call in _calls(tree, {"append"}):
        if isinstance(call.func.value, ast.Attribute) and call.func.value.attr == "notes":
            found += [call.lineno for arg in call.args if _is_text(arg)]
    for function in ast.walk(tree):  # the functions that make messages return messages
        if isinstance(function, ast.FunctionDef) and function.name in MESSAGE_MAKERS:
            for node in ast.walk(function):
                if isinstance(node, ast.Return) and node.value is not None:
                    parts = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                    found += [node.lineno for part in parts if _is_text(part) and not _is_status(part)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr in ("message", "hint") for t in targets):
                if _is_text(node.value) or isinstance(node, ast.AugAssign):
                    found.append(node.lineno)
    assert not found, f"grader/{module} builds a message from plain text at lines {found}"
