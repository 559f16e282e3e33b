"""What the report adds to each question from the master: its title, the precision asked, a next step.

Everything added here comes from the master notebook and a fixed vocabulary, never from the
submission: a next step names a section or a self-check, never the expected value.
"""

import re

from grader.master import cell_info
from grader.plain import markdown_text

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
    """One line from :data:`NEXT_STEPS` for a question that did not pass ("" when it passed)."""
    if status == "passed":
        return ""
    if status != "failed":
        return NEXT_STEPS.get(status, NEXT_STEPS["error"])
    if hint and selfcheck:
        return NEXT_STEPS["failed hint"]
    if section and selfcheck:
        return NEXT_STEPS["failed section"].format(section=section)
    return NEXT_STEPS["failed selfcheck"] if selfcheck else NEXT_STEPS["failed"]


def precision_note(precision):
    """The sentence a failed numeric question adds when its master declares the precision it checks."""
    return f"the question asks for {precision}: an answer within half a unit of the last place passes"


def annotate(result, master):
    """Give each question of ``result`` its ``title`` and ``next_step``, and add the precision asked.

    Parameters
    ----------
    result : grader.grade.SubmissionResult
        Changed in place: every question gets ``title`` and ``next_step`` attributes; a failed
        question whose master declares ``precision`` gets :func:`precision_note` after its message.
    master : grader.master.Master
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
            q.message = f"{q.message} ({precision_note(spec.precision)})"
    return result


def markdown_output(q):
    """A question's Gradescope feedback as Markdown: its title, then status and message, hint, next step.

    Every text is escaped (:func:`grader.plain.markdown_text`), so none of it is markup; the status
    stays the first word of its line, and the hint the last line when there is no next step.
    """
    lines = []
    if getattr(q, "title", ""):
        lines.append(f"**{markdown_text(q.id)}: {markdown_text(q.title)}**")
    lines.append(f"{markdown_text(q.status)}: {markdown_text(q.message)}")
    if q.hint:
        lines.append(f"Hint: {markdown_text(q.hint)}")
    if getattr(q, "next_step", ""):
        lines.append(f"Next step: {markdown_text(q.next_step)}")
    return "\n\n".join(lines)


