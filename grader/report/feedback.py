"""What the report adds to each question from the master: its title, the precision asked, a next step.

Everything added here comes from the master notebook and a fixed vocabulary, never from the
submission: a next step names a section or a self-check, never the expected value.
"""

import re

from grader.master.notebook import cell_info
from grader.vocabulary import MasterText, Message

REF = re.compile(r"\{ref\}`([A-Za-z0-9_:.-]+)`")

#: The next steps a report may suggest, by status (``failed`` picks among the ``failed ...`` entries).
NEXT_STEPS = {
    "not attempted": "answer it: replace the stub in the answer cell, then run the self-check",
    "error": "restart the kernel, run every cell from the top and fix the first error",
    "timeout": "make the answer faster (no long loops), then run every cell from the top",
    "crashed": "run the answer cell alone and make sure it does not stop the kernel",
    "failed hint": "read the hint, then run the self-check below the answer cell",
    "failed section": "re-read section {section}, then run the self-check below the answer cell",
    "failed selfcheck": "run the self-check below the answer cell, then re-read the question",
    "failed": "re-read the question and redo the computation on paper",
}


def question_context(master):
    """``{question id: (section label or "", has a self-check)}`` from the master's cells."""
    cells = master.notebook.cells
    context = {}
    for index, cell in enumerate(cells):
        info = cell_info(cell)
        if info.get("role") != "answer":
            continue
        section = ""
        for above in reversed(cells[:index]):
            if above.get("cell_type") == "markdown":
                found = REF.findall(above.get("source", ""))
                section = found[-1] if found else ""
                break
        selfcheck = False
        for below in cells[index + 1 :]:
            role = cell_info(below).get("role")
            if role == "selfcheck":
                selfcheck = True
                break
            if role == "answer" or below.get("cell_type") == "markdown":
                break
        context[info.get("id")] = (section, selfcheck)
    return context


def next_step(status, hint, section, selfcheck):
    """The message of :data:`NEXT_STEPS` for a question that did not pass (None when it passed)."""
    if status == "passed":
        return None
    if status != "failed":
        return Message("next step", text=MasterText(NEXT_STEPS.get(status, NEXT_STEPS["error"])))
    if hint and selfcheck:
        return Message("next step", text=MasterText(NEXT_STEPS["failed hint"]))
    if section and selfcheck:  # the section's label is the master's
        return Message("next step", text=MasterText(NEXT_STEPS["failed section"].format(section=section)))
    key = "failed selfcheck" if selfcheck else "failed"
    return Message("next step", text=MasterText(NEXT_STEPS[key]))


def annotate(result, master):
    """Give each question of ``result`` its ``title`` and ``next_step``, and add the precision asked.

    Parameters
    ----------
    result : grader.grade.SubmissionResult
        Changed in place: every question gets ``title`` and ``next_step`` attributes; a failed
        question whose master declares ``precision`` gets the precision asked after its message.
    master : grader.master.notebook.Master
        The master notebook the result was graded against.

    Returns
    -------
    grader.grade.SubmissionResult
        ``result``.
    """
    questions = {q.id: q for q in master.questions}
    context = question_context(master)
    for q in result.questions:
        spec = questions.get(q.id)
        section, selfcheck = context.get(q.id, ("", False))
        q.title = spec.title if spec else ""
        q.next_step = next_step(q.status, q.hint, section, selfcheck)
        if spec and spec.precision and q.status == "failed":
            q.message = Message("with precision", message=q.message, precision=MasterText(spec.precision))
    return result
