"""The command line: ``python -m grader {grade,release,check}``.

Exit codes
----------
0  grade: full marks (one submission) or every submission graded (a folder); release/check: done
1  grade of one submission: graded, below full marks
2  usage error, a master notebook that is missing or does not follow exercises/FORMAT.md, or
   a sandbox that cannot be created here (the message names the cause; see --no-sandbox)
3  internal error of the grader (a bug) that stopped the whole run
4  some submission is "not graded, rerun": the grader's own machinery failed on it twice (a
   kernel that did not start, a grading process that died, an internal error); it has no grade,
   no row in the CSV and no JSON, and the others are graded as usual

A notebook that cannot be read (any bytes: not JSON, nested too deep, not UTF-8, not a notebook)
is a grade, not a failure: every question "error", 0 points, "the submission is not gradable: ...".
"""

import argparse
import concurrent.futures
import multiprocessing
import multiprocessing.util
import os
import re
import sys
import tempfile
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

from grader.check import check_master
from grader.grade import STATUSES, Limits, MasterSession, QuestionResult, SubmissionResult, grade
from grader.master.notebook import (
    MasterError,
    declared_student_id,
    declared_student_id_text,
    parse_master,
    read_notebook,
    student_id_problem,
)
from grader.master.release import master_paths, release
from grader.report import feedback, identity
from grader.report.outputs import text_report, write_csv, write_gradebook_csv, write_json
from grader.run import sandbox, unprivileged
from grader.run.kernel import MAX_ROOT, KernelStartFailed, start_failures
from grader.run.sandbox import SandboxLimits, SandboxUnavailable
from grader.vocabulary import FileName, MasterText, Message, StudentId, show

EXIT_OK, EXIT_NOT_FULL, EXIT_USAGE, EXIT_INTERNAL, EXIT_NOT_GRADED = 0, 1, 2, 3, 4

#: Why a submission is "not graded, rerun": keys of grader.vocabulary's phrases, the whole list.
KERNEL_DID_NOT_START = "kernel did not start"
WORKER_DIED = "worker died"
INTERNAL_ERROR = "internal error reason"


@dataclass
class NotGraded:
    """A submission on which the grader's own machinery failed twice: no grade at all, never 0 points."""

    submission: str
    student_id: str
    reason: str  # one of the reasons above (a key of grader.vocabulary.PHRASES)


def _say(text, stream=None):
    """Print the teacher's or the master's text (paths, errors of the master, the grader's own words).

    Anything a submission chose goes through :func:`grader.vocabulary.show` with a message of its own.
    """
    show(Message("teacher text", text=MasterText(str(text))), stream)


def _internal_error():
    """The grader's traceback, with the exception's type but not its text (which may quote a submission)."""
    kind, error, trace = sys.exc_info()
    frames = "".join(traceback.format_list(traceback.extract_tb(trace)))
    return f"internal error of the grader:\nTraceback (most recent call last):\n{frames}{kind.__name__}"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m grader",
        description="Grade exercise notebooks.",
        epilog="Exit codes: 0 full marks / all graded, 1 below full marks, "
        "2 usage or master error, 3 internal error (the run stopped), "
        "4 some submission not graded (the grader's own machinery failed on it twice: rerun it). "
        "An unreadable notebook is graded: 0 points, 'not gradable: ...'.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    grade_cmd = commands.add_parser("grade", help="grade one submission, or a folder of them")
    grade_cmd.add_argument("master", help="the master notebook (with solutions and hidden checks)")
    grade_cmd.add_argument("submission", help="a submitted notebook, or a folder of them")
    grade_cmd.add_argument(
        "--student-id",
        help="the id that seeds the student's numbers (default: the STUDENT_ID written in the submission)",
    )
    grade_cmd.add_argument("--json", metavar="FILE", help="write Gradescope's results.json shape to FILE")
    grade_cmd.add_argument("--csv", metavar="FILE", help="folder mode: write one row per submission to FILE")
    grade_cmd.add_argument(
        "--json-dir", metavar="DIR", help="folder mode: write DIR/<submission>.json for each"
    )
    grade_cmd.add_argument(
        "--id-column",
        metavar="NAME",
        help="folder mode, with --csv: write the CSV as a gradebook import keyed by a column NAME holding "
        "the student id (e.g. 'SIS User ID' for Canvas, 'ID number' for Moodle), one column per question and "
        "the total; see exercises/teachers.md",
    )
    grade_cmd.add_argument(
        "--similarity",
        metavar="FILE",
        help="folder mode: write FILE, a CSV of how alike the submissions' own code is, pair by pair and "
        "against the reference solution (grader.report.similarity), and list the near-identical pairs",
    )
    grade_cmd.add_argument("--jobs", type=int, default=1, help="folder mode: submissions graded in parallel")
    grade_cmd.add_argument(
        "--id-from",
        choices=("filename", "notebook"),
        default="filename",
        help="folder mode: the student id is the file name without extension (default) "
        "or the STUDENT_ID written in the notebook",
    )
    grade_cmd.add_argument(
        "--cell-timeout",
        type=float,
        default=Limits.cell_timeout,
        help="seconds per cell of the submission (default %(default)s)",
    )
    grade_cmd.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per question, overriding the notebook's time_limit of each",
    )
    grade_cmd.add_argument(
        "--output-limit",
        type=int,
        default=Limits.output_limit,
        help="bytes of output kept per cell (default %(default)s)",
    )
    grade_cmd.add_argument(
        "--submission-time-limit",
        type=float,
        default=Limits.submission_timeout,
        help="seconds of wall clock per submission, its cells and questions together (default %(default)s)",
    )
    grade_cmd.add_argument(
        "--memory",
        type=parse_size,
        default=SandboxLimits.memory,
        help="address space per kernel process, e.g. 2G or 512M (default 2G)",
    )
    grade_cmd.add_argument(
        "--processes",
        type=int,
        default=SandboxLimits.processes,
        help="processes and threads per kernel (default %(default)s)",
    )
    grade_cmd.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels without bubblewrap (only where bwrap cannot work: student code then sees "
        "the host's files and network; see exercises/teachers.md)",
    )
    grade_cmd.add_argument(
        "--unprivileged",
        action="store_true",
        help="where bwrap cannot work and the grader runs as root: run each kernel as a user id of "
        "its own instead (weaker than the sandbox; the master must not be readable by other users; "
        "see exercises/teachers.md)",
    )
    grade_cmd.add_argument("--quiet", action="store_true", help="print only the total")
    release_cmd = commands.add_parser("release", help="write the student versions of master notebooks")
    release_cmd.add_argument("masters", nargs="*", help="master notebooks (default: exercises/*.ipynb)")
    release_cmd.add_argument("--out", default="student", help="output folder (default: %(default)s)")
    gradescope_cmd = commands.add_parser(
        "gradescope",
        help="write a Gradescope autograder zip for a master notebook (see grader.report.gradescope)",
    )
    gradescope_cmd.add_argument("master", help="the master notebook")
    gradescope_cmd.add_argument("--out", required=True, help="the zip to write")
    gradescope_cmd.add_argument(
        "--late-penalty", metavar="RULE", help="share of the score lost per started day or hour late, e.g. "
        "10%%/day (read from Gradescope's submission metadata; see grader.report.late); default: none"
    )
    gradescope_cmd.add_argument("--late-cap", metavar="SHARE", default="100%",
                                help="the most a late submission loses, e.g. 50%% (default %(default)s)")
    check_cmd = commands.add_parser("check", help="check that master notebooks follow exercises/FORMAT.md")
    check_cmd.add_argument("masters", nargs="+")
    return parser


def parse_size(text):
    """Bytes from '2G', '512M', '100k' or a plain number."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgG]?)i?[bB]?\s*", str(text))
    if not match:
        raise argparse.ArgumentTypeError(f"expected a size such as 2G or 512M, got {text!r}")
    factor = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    value = int(float(match.group(1)) * factor)
    if value < 64 << 20:
        raise argparse.ArgumentTypeError("a kernel needs at least 64M")
    return value


NO_SANDBOX_WARNING = """\
WARNING: --no-sandbox: the submissions' code runs WITHOUT the bubblewrap jail. It can read every
file this user can read (the master notebook with its solutions, the other submissions, $HOME),
write wherever this user can (the results, the grader's own code), reach the network, and leave
processes behind. Only the resource limits (memory, processes, file size, CPU time) and the time
limits still hold. Use it only for trusted notebooks, or inside a throw-away container."""


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return EXIT_OK if stop.code == 0 else EXIT_USAGE
    try:
        if args.command == "release":
            return command_release(args)
        if args.command == "check":
            return command_check(args)
        if args.command == "gradescope":
            from grader.report.gradescope import (
                build_main,  # the Gradescope helper's module, loaded on demand
            )

            return build_main(args.master, args.out, args.late_penalty, args.late_cap)
        return command_grade(args)
    except MasterError as error:
        _say(f"error: {error}", sys.stderr)
        return EXIT_USAGE
    except SandboxUnavailable as error:
        other = (
            "Fix the cause above, or grade in the bubblewrap sandbox (without --unprivileged)"
            if getattr(args, "unprivileged", False)
            else "Where bwrap cannot work, a grader running as root can run each kernel as a user of its "
            "own with --unprivileged"
        )
        _say(
            f"error: the grader cannot isolate the kernels here: {error}.\n{other}; --no-sandbox runs "
            "student code unconfined (see exercises/teachers.md).",
            sys.stderr,
        )
        return EXIT_USAGE
    except Exception:
        _say(_internal_error(), sys.stderr)
        return EXIT_INTERNAL


def command_release(args):
    masters = [Path(m) for m in args.masters] or master_paths("exercises")
    if not masters:
        _say("error: no master notebooks given and none in exercises/", sys.stderr)
        return EXIT_USAGE
    for path in release(masters, args.out):
        _say(f"wrote {path}")
    return EXIT_OK


def command_check(args):
    failed = False
    for path in args.masters:
        problems = check_master(path)
        if problems:
            failed = True
            _say(f"{path}: {len(problems)} problem(s)", sys.stderr)
            for problem in problems:
                _say(f"  - {problem}", sys.stderr)
            continue
        master = parse_master(path)
        kinds = ", ".join(f"{q.id} ({q.kind}, {q.points:g} pt)" for q in master.questions)
        hidden = sum(1 for q in master.questions if q.hidden_source)
        _say(
            f"{path}: {len(master.questions)} questions, {master.max_score:g} points, "
            f"{hidden} hidden checks: {kinds}"
        )
    return EXIT_USAGE if failed else EXIT_OK


def limits_from(args):
    return Limits(
        cell_timeout=args.cell_timeout,
        output_limit=args.output_limit,
        question_timeout=args.time_limit,
        submission_timeout=args.submission_time_limit,
        sandbox=replace(
            SandboxLimits(),
            memory=args.memory,
            processes=args.processes,
            cpu_seconds=int(args.submission_time_limit) + 60,
            enabled=not (args.no_sandbox or args.unprivileged),
            unprivileged=args.unprivileged,
        ),
    )


def exposed_paths(master, submission):
    """What kernels running as other users could read: the master, copies of it, a class's folder.

    The master's folder itself must be closed, not only the file: Jupyter's
    ``.ipynb_checkpoints/*-checkpoint.ipynb`` copy sits beside it, readable by all; and no git
    repository above it may be open (its objects hold every committed version).
    """
    exposed = []
    folder = master.resolve().parent
    if not unprivileged.closed_to_other_users(folder):
        exposed.append(
            f"the master's folder {folder} is open to every user, with the master and any copy of it "
            "(its Jupyter checkpoint): chmod 700 it"
        )
    for above in (folder, *folder.parents):
        repository = above / ".git"
        if repository.exists() and not unprivileged.closed_to_other_users(repository):
            exposed.append(f"the git repository {repository} (every committed master) is open to every user: "
                           "chmod 700 it, or copy the master out of the repository")
    if submission.is_dir() and not unprivileged.closed_to_other_users(submission):
        exposed.append(f"the submissions' folder {submission} is open to every user (chmod 700 it)")
    return exposed


def command_grade(args):
    master = parse_master(args.master)
    if args.no_sandbox and args.unprivileged:
        _say("error: --no-sandbox and --unprivileged exclude each other: choose one", sys.stderr)
        return EXIT_USAGE
    limits = limits_from(args)
    sandbox.require(limits.sandbox)
    submission = Path(args.submission)
    if limits.sandbox.unprivileged:
        exposed = exposed_paths(Path(args.master), submission)
        if exposed:
            _say("error: with --unprivileged, kernels could read what every user may read:", sys.stderr)
            _say("\n".join(f"  - {line}" for line in exposed), sys.stderr)
            return EXIT_USAGE
    elif not limits.sandbox.enabled:
        _say(NO_SANDBOX_WARNING, sys.stderr)
    if submission.is_dir():
        if args.json:
            _say("error: --json FILE is for one submission; use --json-dir DIR with a folder", sys.stderr)
            return EXIT_USAGE
        return grade_folder(master, submission, args, limits)
    if args.csv or args.json_dir or args.id_column or args.similarity:
        _say("error: --csv, --json-dir, --id-column and --similarity need a folder of submissions",
             sys.stderr)
        return EXIT_USAGE
    session = MasterSession(master, limits)
    try:
        result = grade_with_retry(master, submission, args.student_id, limits, session)
    finally:
        session.close()
    if isinstance(result, NotGraded):
        show(Message("not graded one", reason=Message(result.reason)), sys.stderr)
        return EXIT_NOT_GRADED
    feedback.annotate(result, master)  # titles, next steps, the precision asked: from the master only
    if args.json:
        write_json(args.json, result)  # written after every process of the submission is gone
    if args.quiet:
        show(Message("total", score=float(result.score), max_score=float(result.max_score)))
    else:
        _say(text_report(result))  # text_report's lines are the vocabulary's (grader.report.outputs)
    return EXIT_OK if result.score == result.max_score else EXIT_NOT_FULL


_WORKER = {}


def _init_worker(master_path, limits):
    _WORKER["master"] = parse_master(master_path)
    _WORKER["session"] = MasterSession(_WORKER["master"], limits)
    _WORKER["limits"] = limits
    multiprocessing.util.Finalize(None, _WORKER["session"].close, exitpriority=10)  # stop the master kernel


def _error_result(master, shown, student_id, status, message):
    """Every question of the submission ``shown`` with ``status`` and ``message`` (a Message)."""
    result = SubmissionResult(shown, str(master.path), student_id or "")
    result.questions = [QuestionResult(q.id, q.points, status, message) for q in master.questions]
    return result


def _log_internal_error(error, shown):
    """Where the grader failed: its own frames and the exception's type, not its text (which may quote
    the submission)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    show(Message("internal error while", submission=FileName(shown)), sys.stderr)
    _say(f"{frames}{type(error).__name__}", sys.stderr)


def grade_with_retry(master, path, student_id, limits, session, chosen_by_student=False, shown=None):
    """Grade one submission; when the grader's own machinery fails, grade it once more from scratch.

    A failure is: a kernel that did not start at any moment of the grade (even one the grade
    recovered from: :func:`grader.run.kernel.start_failures`), any exception but :class:`MasterError`
    (a bug of the grader), or the master failing. The second failure gives :class:`NotGraded`
    (a :class:`MasterError` is raised again, unless the master failed for an id the student chose:
    that is the submission's own error).
    """
    shown = str(path) if shown is None else shown
    reason = None
    for attempt in (1, 2):
        before = start_failures()
        try:
            result = grade(master, path, student_id=student_id, limits=limits, session=session)
        except MasterError:
            session.close()
            if attempt == 1:
                continue
            if not chosen_by_student:
                raise
            # the master failed for an id the student wrote: that submission's error, not the class's
            # (its text quotes the STUDENT_ID and the master's exception: grade it alone to see it)
            return _error_result(master, shown, student_id, "error", Message("master failed for id"))
        except KernelStartFailed:
            session.close()
            reason = KERNEL_DID_NOT_START
            continue
        except Exception as error:  # noqa: BLE001 - one broken submission must not stop the class
            session.close()
            _log_internal_error(error, shown)
            reason = INTERNAL_ERROR
            continue
        if start_failures() > before:  # a kernel failed inside the grade: its verdicts are not the student's
            session.close()
            reason = KERNEL_DID_NOT_START
            continue
        result.submission = shown
        return result
    return NotGraded(shown, student_id or "", reason)


def _grade_in_worker(path, shown, student_id, chosen_by_student=False):
    return grade_with_retry(
        _WORKER["master"], path, student_id, _WORKER["limits"], _WORKER["session"], chosen_by_student, shown
    )


def shown_name(raw):
    """A file name as text that can always be printed and written (bytes that are not UTF-8 escaped)."""
    raw = raw if isinstance(raw, bytes) else os.fsencode(raw)
    return raw.decode("utf-8", "backslashreplace")


def _is_utf8(raw):
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _student_id(path, name, id_from):
    """(student id, why it is refused or None); the id is None when the notebook declares none."""
    if id_from == "filename":
        return Path(name).stem, None
    try:
        notebook = read_notebook(path, follow_links=False)
    except ValueError:
        return None, None  # grade() reports the unreadable notebook
    text = declared_student_id_text(notebook)
    if text is not None and student_id_problem(text):  # master.py's own words, not the id
        return None, Message("id unusable", problem=MasterText(student_id_problem(text)))
    return declared_student_id(notebook), None


def report_names(names):
    """A distinct, safe JSON file name per submission, distinct by construction.

    Each gets its safe stem (its full name when stems collide); the names no other submission
    wants are reserved first, and a repeated one becomes ``<stem>-2``, ``<stem>-3``, ... skipping every name
    already taken (compared without case, for case-insensitive file systems).
    """

    def safe(text):
        return re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".")[:100] or "_"

    stems = [safe(Path(name).stem).casefold() for name in names]
    preferred = [  # the stem, or the full name when stems collide (alice.ipynb, alice.zip)
        safe(Path(name).stem) if stems.count(stem) == 1 else safe(name)
        for name, stem in zip(names, stems, strict=True)
    ]
    keys = [name.casefold() for name in preferred]
    used = {key for key in keys if keys.count(key) == 1}
    out = []
    for name, key in zip(preferred, keys, strict=True):
        if keys.count(key) == 1:
            out.append(name)
            continue
        number = 1
        while True:
            candidate = name if number == 1 else f"{name}-{number}"
            if candidate.casefold() not in used:
                break
            number += 1
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def _run_pool(master, jobs, limits, work):
    """Grade ``work`` ([(index, path, shown, id, chosen by the student)]) in a pool.

    Returns ({index: result}, [unfinished]).
    """
    done, unfinished = {}, []
    context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(str(master.path), limits)
    )
    try:
        futures = {
            pool.submit(_grade_in_worker, path, shown, sid, chosen): (index, path, shown, sid, chosen)
            for index, path, shown, sid, chosen in work
        }
        for future in concurrent.futures.as_completed(futures):
            item = futures[future]
            try:
                done[item[0]] = future.result()
            except MasterError:
                raise
            except Exception:  # noqa: BLE001 - a worker died (BrokenProcessPool): retried alone below
                unfinished.append(item)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return done, unfinished


def show_results(results, quiet):
    """The console lines of a class run: each submission's total, and unless ``quiet`` each question."""
    for result in results:
        if isinstance(result, NotGraded):
            reason = Message(result.reason)
            show(Message("not graded line", submission=FileName(result.submission), reason=reason))
            continue
        score = {"score": float(result.score), "max_score": float(result.max_score)}
        show(Message("total line", submission=FileName(result.submission), **score))
        if not quiet:
            for q in result.questions:
                status = q.status if q.status in STATUSES else "error"
                line = {"id": MasterText(q.id), "status": MasterText(status)}
                if q.status != "passed":
                    show(Message("question line message", message=q.message, **line))
                else:
                    show(Message("question line", **line))
                if q.hint is not None:
                    show(Message("hint line", hint=q.hint))


def grade_folder(master, folder, args, limits):
    raw_folder = os.fsencode(folder)
    entries, refused = [], []
    for entry in sorted(os.scandir(raw_folder), key=lambda e: e.name):
        name = shown_name(entry.name)
        if entry.name.startswith(b"."):
            continue
        if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
            refused.append(Message("refused name", name=FileName(name)))
            continue
        entries.append((entry.path, name, _is_utf8(entry.name)))
    if not entries:
        _say(f"error: no submissions in {folder}", sys.stderr)
        return EXIT_USAGE
    jobs = max(1, args.jobs)
    results, work = {}, []
    for index, (path, name, utf8) in enumerate(entries):
        if not utf8 and args.id_from == "filename":
            results[index] = _error_result(master, name, "", "error", Message("not utf8 name"))
            continue
        student_id, problem = _student_id(os.fsdecode(path), name, args.id_from)
        if problem:
            results[index] = _error_result(master, name, "", "error", problem)
            continue
        work.append((index, os.fsdecode(path), name, student_id, args.id_from == "notebook"))
    # The workers' kernels keep their folders under one root of this run, removed at the end even
    # if a worker died before it could clean up.
    # (under /tmp when the temporary folder's path is so long that the kernels' would go there anyway)
    short = len(os.path.join(tempfile.gettempdir(), "gr-xxxxxxxx", "gk-xxxxxxxx")) <= MAX_ROOT
    run_root = tempfile.mkdtemp(prefix="gr-", dir=None if short else "/tmp")
    previous = os.environ.get("TMPDIR")
    if limits.sandbox.unprivileged:
        os.chmod(run_root, 0o711)  # each kernel, as a user of its own, passes through to its folder only
    os.environ["TMPDIR"] = run_root  # spawned workers read it when they start
    try:
        done, unfinished = _run_pool(master, jobs, limits, work)
        results.update(done)
        for item in unfinished:  # alone, in a fresh worker: only the submission that breaks it is marked
            retried, broken = _run_pool(master, 1, limits, [item])
            results.update(retried)
            for index, _, shown, sid, _ in broken:  # died twice: not a grade
                results[index] = NotGraded(shown, sid or "", WORKER_DIED)
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        unprivileged.remove_tree(run_root)  # no recursion, however deep a kernel nested its folders
    ordered = [results[index] for index in range(len(entries))]
    for (path, name, _), result in zip(entries, ordered, strict=True):
        if isinstance(result, NotGraded):
            continue
        feedback.annotate(result, master)
        result.id_check = identity.id_mismatch(os.fsdecode(path), name)
        if result.id_check is not None:
            result.notes.append(result.id_check)
    show_results(ordered, args.quiet)
    not_graded = [result for result in ordered if isinstance(result, NotGraded)]
    graded = [result for result in ordered if not isinstance(result, NotGraded)]
    if args.json_dir:  # written once every kernel is gone, to paths no sandbox sees
        for name, result in zip(report_names([r.submission for r in ordered]), ordered, strict=True):
            if not isinstance(result, NotGraded):
                write_json(Path(args.json_dir) / f"{name}.json", result)
    if args.csv and args.id_column:
        assignment = Path(master.path).stem
        ambiguous = write_gradebook_csv(args.csv, graded, master.questions, args.id_column, assignment)
        show(Message("wrote gradebook", path=MasterText(str(args.csv)), column=MasterText(args.id_column)))
        for student_id, count in ambiguous.items():  # a STUDENT_ID naming a classmate: no row for either
            show(Message("id claimed twice", student_id=StudentId(student_id), count=count))
    elif args.csv:
        write_csv(args.csv, graded, master.questions)
        show(Message("wrote", path=MasterText(str(args.csv))))
    mismatched = [result for result in graded if result.id_check is not None]
    if mismatched:
        show(Message("id mismatches", count=len(mismatched)))
        for result in mismatched:
            show(Message("id mismatch line", check=result.id_check))
    if args.similarity:
        from grader.report import similarity  # copydetect is imported only when the report is asked for

        named = [(name, os.fsdecode(path)) for path, name, _ in entries]
        rows, left_out = similarity.class_report(master, named)
        similarity.write_csv(args.similarity, rows)
        for line in similarity.summary_lines(rows, left_out):  # file names escaped by similarity
            _say(line)
        show(Message("wrote", path=MasterText(str(args.similarity))))
    for line in refused:
        show(line)
    if not_graded:
        show(Message("not graded summary", count=len(not_graded)), sys.stderr)
        return EXIT_NOT_GRADED
    return EXIT_OK
