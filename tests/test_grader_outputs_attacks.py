"""Attacks on what the grader shows (issue 20, items 2 and 3), each as a student or a classmate would try it.

Every output (the text report, the JSON report, the class CSV, the gradebook CSV, the console) is
read back as the teacher or the student would read it. None may carry text the student's code chose
(an exception's class name or message, a value, a printed line), a count of restarts, a control
character, or a cell a spreadsheet would run as a formula.
"""

import csv
import json
import re

from grader_support import ROOT, run_cli, student_version, write

WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
#: C0 (but newline), DEL, C1, and the bidirectional overrides and isolates
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def submission(tmp_path, answers, name="student.ipynb", student_id=None):
    """The warmup's student version with the answer cells of ``answers`` ({question id: source}) replaced."""
    notebook = student_version(WARMUP)
    for cell in notebook["cells"]:
        info = cell.get("metadata", {}).get("grader", {})
        if info.get("role") == "answer" and info.get("id") in answers:
            cell["source"] = answers[info["id"]]
        if student_id is not None and info.get("role") == "parameters":
            cell["source"] = cell["source"].replace('STUDENT_ID = "demo"', f'STUDENT_ID = "{student_id}"')
    return write(notebook, tmp_path / name)


def every_output(tmp_path, path):
    """Grade ``path`` once alone (text report, --json) and once as a class (console, CSV, gradebook)."""
    report = tmp_path / "report.json"
    single = run_cli("grade", WARMUP, path, "--json", report, "--student-id", "s1")
    texts = {"console": single.stdout + single.stderr, "json": report.read_text(encoding="utf-8")}
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / path.name).write_bytes(path.read_bytes())
    for flags in (["--csv", tmp_path / "class.csv"], ["--csv", tmp_path / "book.csv", "--id-column", "ID"]):
        run = run_cli("grade", WARMUP, folder, *flags, "--json-dir", tmp_path / "json")
        texts[f"console {flags[-1]}"] = run.stdout + run.stderr
    texts["csv"] = (tmp_path / "class.csv").read_text(encoding="utf-8")
    texts["gradebook"] = (tmp_path / "book.csv").read_text(encoding="utf-8")
    texts["json-dir"] = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "json").iterdir())
    return texts


def test_an_ansi_escape_in_an_exception_message_reaches_no_terminal(tmp_path):
    forged = "\x1b[2J\x1b[1;1HTotal: 99/99\x1b[8m hidden"
    path = submission(tmp_path, {"q1": f"raise ValueError({forged!r})", "q4": f"raise OSError({forged!r})"})
    for where, text in every_output(tmp_path, path).items():
        assert "\x1b" not in text and "\\u001b" not in text, where  # not raw, nor as JSON's escape
        assert "99/99" not in text and "hidden" not in text, where
        assert not CONTROL.search(text.replace("\r\n", "\n")), where


def test_a_formula_as_student_id_is_neutralised(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    honest = student_version(WARMUP)
    write(honest, folder / '=HYPERLINK("evil.example","open").ipynb')  # an id from the file name
    write(honest, folder / "+1+2.ipynb")
    for flags in (["--csv", tmp_path / "class.csv"], ["--csv", tmp_path / "book.csv", "--id-column", "ID"]):
        completed = run_cli("grade", WARMUP, folder, *flags)
        assert completed.returncode == 0 and "not attempted" in completed.stdout, completed.stdout
    for name in ("class.csv", "book.csv"):
        rows = list(csv.reader((tmp_path / name).read_text(encoding="utf-8").splitlines()))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_START)], (name, rows)
        ids = {row[0] if name == "book.csv" else row[1] for row in rows[1:]}
        assert ids == {'\'=HYPERLINK("evil.example","open")', "'+1+2"}, (name, rows)


def test_a_formula_as_declared_student_id_is_neutralised(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    submission(folder, {}, name="alice.ipynb", student_id="=1+2")
    out = tmp_path / "book.csv"
    completed = run_cli("grade", WARMUP, folder, "--id-from", "notebook", "--csv", out, "--id-column", "ID")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith('"\'=1+2",'), out.read_text()


KEYBOARD_LEAK = """\
def mse(y_true, y_pred):
    digits = "_".join(f"{v:.6f}" for v in np.ravel(y_true)).replace(".", "p").replace("-", "m")
    raise type("LeakedInput_" + digits, (KeyboardInterrupt,), {})("LeakedText " + repr(y_true))
"""


def test_a_keyboard_interrupt_subclass_shows_neither_its_name_nor_its_text(tmp_path):
    leak_grad = KEYBOARD_LEAK.replace("def mse(", "def mse_grad(")
    path = submission(tmp_path, {"q4": KEYBOARD_LEAK, "q5": leak_grad})
    report = tmp_path / "report.json"
    completed = run_cli("grade", WARMUP, path, "--json", report)
    data = json.loads(report.read_text(encoding="utf-8"))
    for text in (completed.stdout + completed.stderr, json.dumps(data)):
        assert "LeakedInput" not in text and "LeakedText" not in text and "array(" not in text, text
    by_id = {test["number"]: test for test in data["tests"]}
    assert by_id["q4"]["score"] == 0 and by_id["q4"]["extra_data"]["status"] == "error", by_id["q4"]


def test_the_restart_count_is_not_shown(tmp_path):
    crash = "import os\nos._exit(1)"
    path = submission(tmp_path, {"q1": crash, "q2": crash})
    report = tmp_path / "report.json"
    completed = run_cli("grade", WARMUP, path, "--json", report)
    for text in (completed.stdout, report.read_text(encoding="utf-8")):
        assert not re.search(r"restarted|[0-9] times?\b|time\(s\)", text), (
            text
        )  # today: "restarted 2 time(s)"
    assert "killed the kernel" in completed.stdout  # the crash itself is the question's own result
