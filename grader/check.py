"""``python -m grader check``: validate a master notebook fully, without running it.

Each problem names the cell (its index among all cells, and the question) and the fix.
What needs the master to run (its own answers work on every input) is checked when grading.
"""

import ast

from grader.judge import follow_through, forbid
from grader.judge.judges import GROUPS_EXPECTED, group_problem
from grader.master.notebook import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    MasterError,
    cell_info,
    parse_master,
    strip_region,
)

REQUIRED = {
    "function": ("inputs",),
    "layer_backward": ("inputs",),
    "optimizer": ("initial_values", "grads"),
}
ANSWER_TAGS = ("hide-input", "solution")


def defined_names(source):
    """Names a cell's top-level code binds (assignments, def, class, import, for, with)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = set()

    def targets(node):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Tuple | ast.List):
            for item in node.elts:
                targets(item)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                targets(target)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.NamedExpr):
            targets(node.target)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets(node.optional_vars)
    return names


def _forbid_problem(body):
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "partial" for t in node.targets
        ):
            if not isinstance(node.value, ast.Constant) or not isinstance(node.value.value, bool):
                return "`partial` must be True or False"
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "parts" for t in node.targets
        ):
            value = node.value
            if not isinstance(value, ast.List | ast.Tuple) or not all(
                isinstance(item, ast.Constant) and isinstance(item.value, str) for item in value.elts
            ):
                return '`parts` must be a list of names as strings, e.g. parts = ["m", "v"]'
    try:
        forbid.declared(body)  # the grader reads `forbid` the same way (grader.judge.forbid)
    except forbid.ForbidError as error:
        return str(error)
    return None


def _top_level_bindings(tree, name):
    """The top-level statements of a cell that bind ``name`` (assignment, augmented or annotated)."""
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            found.append(node)
    return found


def _groups_problem(body, kind):
    """What is wrong with the hidden cell's ``groups`` (see judges.group_problem), else None."""
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    bindings = _top_level_bindings(tree, "groups")
    if not bindings:
        return None
    if kind != "function":
        return f"`groups` is only for function questions (this question is a {kind} question); remove it"
    if len(bindings) > 1 or not isinstance(bindings[0], ast.Assign):
        return f"`groups` must be assigned once, as {GROUPS_EXPECTED}"
    try:
        groups = ast.literal_eval(bindings[0].value)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return f"`groups` must be written out as {GROUPS_EXPECTED}"
    inputs = _top_level_bindings(tree, "inputs")
    if not inputs:
        return None  # the missing `inputs` is reported on its own
    value = inputs[0].value if isinstance(inputs[0], ast.Assign) else None
    if (
        len(inputs) > 1
        or not isinstance(value, ast.List | ast.Tuple)
        or any(isinstance(item, ast.Starred) for item in value.elts)
    ):
        return (
            "`groups` numbers the inputs, so `inputs` must be assigned once, as a list written out "
            "input by input"
        )
    return group_problem(groups, len(value.elts))


def check_master(path):
    """Every problem of the master at ``path`` as a sentence naming the cell and the fix; [] when fine."""
    try:
        master = parse_master(path)
    except MasterError as error:
        return [f"{error} (fix the cell's metadata or markers as exercises/FORMAT.md says)"]
    problems = []
    questions = {q.id: q for q in master.questions}
    answer_cells, hidden_cells = {}, {}
    for index, cell in enumerate(master.notebook.cells):
        info = cell_info(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        tags = tags if isinstance(tags, list) else []
        role = info.get("role")
        if role == "answer":
            answer_cells[info["id"]] = (index, cell, tags)
        elif role == "hidden":
            hidden_cells[info.get("id")] = (index, cell, tags)
    for qid, (index, cell, tags) in answer_cells.items():
        question = questions[qid]
        where = f"cell {index} (answer of {qid})"
        missing = [tag for tag in ANSWER_TAGS if tag not in tags]
        if missing:
            problems.append(
                f"{where}: add the tag(s) {', '.join(missing)} (hide-input folds the solution on the site; "
                "solution lets a hidden build leave it out)"
            )
        names = defined_names(cell.source)
        if names is None:
            problems.append(f"{where}: the cell is not valid Python; fix its syntax")
        elif question.answer not in names:
            problems.append(
                f"{where}: the cell does not define `{question.answer}` (the metadata's answer); "
                "define it in the cell, or set 'answer' to the name the cell defines"
            )
        solution = strip_region(cell.source, BEGIN_SOLUTION, END_SOLUTION)
        if solution is not None and not solution.strip():
            problems.append(
                f"{where}: the solution region is empty; put the reference solution between the markers"
            )
    for qid, (index, cell, tags) in hidden_cells.items():
        where = f"cell {index} (hidden checks of {qid})"
        if "remove-cell" not in tags:
            problems.append(f"{where}: add the tag remove-cell, or the website publishes the hidden checks")
        body = strip_region(cell.source, BEGIN_HIDDEN, END_HIDDEN) or ""
        names = defined_names(body)
        if names is None:
            problems.append(f"{where}: the hidden code is not valid Python; fix its syntax")
            continue
        for name in REQUIRED.get(questions[qid].kind, ()):
            if name not in names:
                problems.append(
                    f"{where}: a {questions[qid].kind} question needs `{name}` here "
                    f"(see the table of reserved names in exercises/FORMAT.md)"
                )
        forbid_problem = _forbid_problem(body)
        if forbid_problem:
            problems.append(f"{where}: {forbid_problem}")
        groups_problem = _groups_problem(body, questions[qid].kind)
        if groups_problem:
            problems.append(f"{where}: {groups_problem}")
    for qid, question in questions.items():
        if qid not in hidden_cells and question.kind in REQUIRED:
            index = answer_cells[qid][0]
            needed = ", ".join(f"`{name}`" for name in REQUIRED[question.kind])
            problems.append(
                f"cell {index} (answer of {qid}): a {question.kind} question needs a hidden cell "
                f"(role hidden, id {qid}) that defines {needed}"
            )
    problems += follow_through.check_problems(master)
    return problems
