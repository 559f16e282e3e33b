"""The command line: ``python -m grader {grade,release,check}``.

Exit codes
----------
0  grade: full marks (one submission) or every submission graded (a folder); release/check: done
1  grade of one submission: graded, below full marks
2  usage error, or a master notebook that is missing or does not follow exercises/FORMAT.md
3  internal error of the grader (a bug, or no kernel could be started)
"""

import argparse
import concurrent.futures
import multiprocessing
import multiprocessing.util
import sys
import time
import traceback
from pathlib import Path

from grader.grade import Limits, MasterSession, QuestionResult, SubmissionResult, grade
from grader.master import MasterError, declared_student_id, parse_master, read_notebook
from grader.release import master_paths, release
from grader.report import text_report, write_csv, write_json

EXIT_OK, EXIT_NOT_FULL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m grader",
        description="Grade exercise notebooks.",
        epilog="Exit codes: 0 full marks / all graded, 1 below full marks, "
        "2 usage or master error, 3 internal error.",
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
    grade_cmd.add_argument("--quiet", action="store_true", help="print only the total")
    release_cmd = commands.add_parser("release", help="write the student versions of master notebooks")
    release_cmd.add_argument("masters", nargs="*", help="master notebooks (default: exercises/*.ipynb)")
    release_cmd.add_argument("--out", default="student", help="output folder (default: %(default)s)")
    check_cmd = commands.add_parser("check", help="check that master notebooks follow exercises/FORMAT.md")
    check_cmd.add_argument("masters", nargs="+")
    return parser


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
        return command_grade(args)
    except MasterError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:
        print("internal error of the grader:\n" + traceback.format_exc(), file=sys.stderr)
        return EXIT_INTERNAL


def command_release(args):
    masters = [Path(m) for m in args.masters] or master_paths("exercises")
    if not masters:
        print("error: no master notebooks given and none in exercises/", file=sys.stderr)
        return EXIT_USAGE
    for path in release(masters, args.out):
        print(f"wrote {path}")
    return EXIT_OK


def command_check(args):
    for path in args.masters:
        master = parse_master(path)
        kinds = ", ".join(f"{q.id} ({q.kind}, {q.points:g} pt)" for q in master.questions)
        hidden = sum(1 for q in master.questions if q.hidden_source)
        print(
            f"{path}: {len(master.questions)} questions, {master.max_score:g} points, "
            f"{hidden} hidden checks: {kinds}"
        )
    return EXIT_OK


def limits_from(args):
    return Limits(
        cell_timeout=args.cell_timeout, output_limit=args.output_limit, question_timeout=args.time_limit
    )


def command_grade(args):
    master = parse_master(args.master)
    submission = Path(args.submission)
    if submission.is_dir():
        return grade_folder(master, submission, args)
    if args.csv or args.json_dir:
        print("error: --csv and --json-dir need a folder of submissions", file=sys.stderr)
        return EXIT_USAGE
    start = time.monotonic()
    result = grade(master, submission, student_id=args.student_id, limits=limits_from(args))
    seconds = time.monotonic() - start
    if args.json:
        write_json(args.json, result, seconds)  # written after every kernel is gone
    print(f"Total: {result.score:g}/{result.max_score:g}" if args.quiet else text_report(result))
    return EXIT_OK if result.score == result.max_score else EXIT_NOT_FULL


_WORKER = {}


def _init_worker(master_path, limits):
    _WORKER["master"] = parse_master(master_path)
    _WORKER["session"] = MasterSession(_WORKER["master"], limits)
    _WORKER["limits"] = limits
    multiprocessing.util.Finalize(None, _WORKER["session"].close, exitpriority=10)  # stop the master kernel


def _grade_in_worker(path, student_id):
    master = _WORKER["master"]
    try:
        return grade(
            master, path, student_id=student_id, limits=_WORKER["limits"], session=_WORKER["session"]
        )
    except MasterError:
        raise
    except Exception as error:  # one broken submission must not stop the class
        _WORKER["session"].close()
        result = SubmissionResult(str(path), str(master.path), student_id or "")
        result.questions = [
            QuestionResult(q.id, q.points, "error", f"internal grader error: {error!r}")
            for q in master.questions
        ]
        return result


def _student_id(path, id_from):
    if id_from == "filename":
        return path.stem
    try:
        return declared_student_id(read_notebook(path))
    except ValueError:
        return None


def grade_folder(master, folder, args):
    paths = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not paths:
        print(f"error: no submissions in {folder}", file=sys.stderr)
        return EXIT_USAGE
    limits = limits_from(args)
    jobs = max(1, args.jobs)
    context = multiprocessing.get_context("spawn")
    results = []
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(str(master.path), limits)
    ) as pool:
        futures = [pool.submit(_grade_in_worker, path, _student_id(path, args.id_from)) for path in paths]
        for path, future in zip(paths, futures, strict=True):
            result = future.result()
            results.append(result)
            print(
                f"{path.name}: {result.score:g}/{result.max_score:g}"
                + ("" if args.quiet else "  " + " ".join(f"{q.id}={q.status}" for q in result.questions))
            )
    if args.json_dir:  # written once every kernel is gone, so no submission can overwrite another's report
        for path, result in zip(paths, results, strict=True):
            write_json(Path(args.json_dir) / f"{path.stem}.json", result)
    if args.csv:
        write_csv(args.csv, results, master.questions)
        print(f"wrote {args.csv}")
    return EXIT_OK
