"""What a new user's machine must have, and what the project installs by itself (issue 19).

* The pins of ``requirements.txt`` install on the Pythons users have: Debian 12's own 3.11.2, 3.12 and 3.13.
  pip resolves them for each as that Python would (``--python-version``, wheels only), and honours
  ``Requires-Python`` down to the micro version: soupsieve 3.0.2 and later need 3.11.5, so a pin of one of
  those fails here (and 3.0.1, which allows 3.11, is yanked: it is broken below 3.11.5).
* Every program that a test, a script, the grader or the Makefile runs has a provider: an ``ensure_*.sh``
  script that checks for it and installs it, the README's ``sudo apt-get install`` line, or Debian's essential
  packages (what every ``debootstrap --variant=minbase`` root has). ``scripts/fresh_debian.sh`` runs the whole
  of ``make book`` and ``make test`` in such a root.

The pin test needs PyPI (as the first ``make`` does); the three resolutions run at once (a minute of CPU).
"""

import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]

# Debian 12's python3 is 3.11.2; pip reads "3.12" as 3.12.0, the oldest 3.12 a user can have.
PYTHONS = ["3.11.2", "3.12", "3.13"]

ESSENTIAL = "Debian's essential packages"  # coreutils, util-linux, bash, dash, grep, sed, findutils, apt
README = "README.md"
# program -> what provides it on a fresh Debian 12 (a script path, README or ESSENTIAL)
PROVIDERS = {
    "bwrap": "scripts/ensure_bwrap.sh",
    "chromium": "scripts/ensure_chromium.sh",
    "latexmk": "scripts/ensure_texlive.sh",
    "xelatex": "scripts/ensure_texlive.sh",
    "pdflatex": "scripts/ensure_texlive.sh",
    "kpsewhich": "scripts/ensure_texlive.sh",
    "fc-list": "scripts/ensure_texlive.sh",
    "pdftotext": "scripts/ensure_poppler.sh",
    "pdfinfo": "scripts/ensure_poppler.sh",
    "pdfimages": "scripts/ensure_poppler.sh",
    "pdftoppm": "scripts/ensure_poppler.sh",
    "node": "scripts/ensure_node.sh",
    "npm": "scripts/ensure_node.sh",
    "python3": README,
    "python3.11": README,  # the Makefile prefers it when it is there, and falls back on python3
    "make": README,
    "git": README,
    "sudo": README,  # apt_install.sh's, for a user who is not root: the README's install line starts with it
    "debootstrap": "scripts/fresh_debian.sh",  # the recipe's own, on the host
    **dict.fromkeys(
        ["apt-get", "basename", "bash", "cat", "cp", "date", "dirname", "env", "expand", "find", "grep",
         "head", "id", "ipcmk", "ipcrm", "ldconfig", "ls", "mkdir", "mv", "realpath", "rm", "sed", "sh",
         "tail", "tee", "touch", "tr", "unshare", "xargs"],
        ESSENTIAL,
    ),
}
# the Debian package of each README prerequisite, as the README's install line must name it
README_PACKAGES = {"python3": "python3", "python3.11": "python3", "make": "make", "git": "git"}

# ----------------------------------------------------------------------------------------------------
# The pins, resolved for each Python


@pytest.fixture(scope="module")
def resolutions():
    """Start pip's resolution of requirements.txt for each Python of PYTHONS, all at once; wait on demand."""
    with tempfile.TemporaryDirectory(prefix="pins-") as work:
        running = {}
        for version in PYTHONS:
            # --target: pip 23 refuses --python-version without it, even in a dry run; nothing is written
            command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                       "--only-binary=:all:", "--python-version", version, "--target", f"{work}/{version}",
                       "--disable-pip-version-check", "-r", str(ROOT / "requirements.txt")]
            running[version] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                text=True)

        def result(version):
            output, _ = running[version].communicate(timeout=1200)
            return running[version].returncode, output

        yield result
        for process in running.values():
            process.kill()
            process.wait()


@pytest.mark.parametrize("version", PYTHONS)
def test_the_pins_install_on_the_pythons_users_have(resolutions, version):
    status, output = resolutions(version)
    errors = "\n".join(line for line in output.splitlines() if "ERROR" in line)
    assert status == 0, f"requirements.txt does not install on Python {version}:\n{errors or output[-3000:]}"
    # a yanked release is one its authors withdrew (soupsieve 3.0.1: broken on Python < 3.11.5)
    yanked = "\n".join(line for line in output.splitlines() if "yanked" in line.lower())
    assert not yanked, f"a pin is a yanked release on Python {version}:\n{yanked}"


def test_requires_python_says_what_is_checked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = SpecifierSet(project["requires-python"])
    assert all(declared.contains(version) for version in PYTHONS)
    # the lowest Python the pins are checked on is the lowest the project claims
    assert not declared.contains("3.11.1")


# ----------------------------------------------------------------------------------------------------
# The programs the project runs, and who provides each

CALL = re.compile(r"\b(?:subprocess\.(?:run|Popen|call|check_call|check_output)|os\.exec\w*|os\.spawn\w*)"
                  r"\(\s*\[\s*(['\"])([^'\"]+)\1")
WHICH = re.compile(r"shutil\.which\(\s*(['\"])([^'\"]+)\1")
SYSTEM_PATH = re.compile(r"['\"]/(?:usr/)?(?:local/)?s?bin/([\w.+-]+)['\"]")
SHELL_WORDS = {"if", "then", "else", "elif", "fi", "while", "until", "do", "done", "!", "{", "}", "time"}
# builtins: no program up to the next separator (`for NAME in WORDS` among them)
BUILTINS = {"cd", "echo", "printf", "exit", "return", "set", "shift", "local", "export", "read", "test", "[",
            "[[", ":", "true", "false", "break", "continue", "wait", "trap", "source", ".", "eval", "exec",
            "command", "type", "unset", "declare", "pwd", "for"}
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", ";;", "|&"}
PREFIXES = {"$SUDO", "${SUDO}"}  # a variable in command position that runs the next word (apt_install.sh's)


def python_programs(text):
    """Programs a Python source runs: list-form subprocess calls, shutil.which names, /usr/bin/... paths."""
    found = {match[1] for match in CALL.findall(text)} | {match[1] for match in WHICH.findall(text)}
    found |= set(SYSTEM_PATH.findall(text))
    return {Path(program).name for program in found}


def substitutions(line):
    """``line`` with each command substitution ``$(...)`` (the Makefile's ``$$(...)`` too) replaced by a word,
    and the commands inside them (nested ones too), as separate lines."""
    outer, inner, index = "", [], 0
    while index < len(line):
        start = re.compile(r"\$\$?\((?!\()").match(line, index)
        if not start:
            outer, index = outer + line[index], index + 1
            continue
        depth, end = 1, start.end()
        while end < len(line) and depth:
            depth += {"(": 1, ")": -1}.get(line[end], 0)
            end += 1
        rest, deeper = substitutions(line[start.end():end - 1])
        inner += [rest, *deeper]
        outer, index = outer + "$SUB", end
    return outer, inner


def shell_programs(line):
    """Programs in command position of one shell command line (quotes respected; $(...) read as commands).

    A variable in command position is a program this cannot name (``$(BIN)/pytest``: the environment's),
    except ``$SUDO``, which runs the word after it. Redirections and their files are skipped.
    """
    outer, inner = substitutions(re.sub(r"\$\(\([^()]*\)\)", "$ARITHMETIC", line))
    found = set().union(*map(shell_programs, inner)) if inner else set()
    lexer = shlex.shlex(outer, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    expect_command, skip, words = True, False, list(lexer)
    for index, word in enumerate(words):
        if skip:
            skip = False
        elif word in SEPARATORS:
            expect_command = True
        elif re.fullmatch(r"\d*[<>]+&?", word):
            skip = True  # a redirection: the next word is its file or descriptor
        elif expect_command:
            if word in SHELL_WORDS or word in PREFIXES or re.fullmatch(r"\w+(\[\w*\])?\+?=.*", word):
                continue  # a keyword, an assignment, or sudo in a variable: the next word may be a program
            expect_command = False
            if word in ("command", "which") and index + 2 < len(words) and words[index + 1] == "-v":
                word = words[index + 2]  # `command -v X` asks for X
            if word and "$" not in word and word not in BUILTINS and not word.startswith("-"):
                found.add(Path(word).name)
    return found


def script_programs(text):
    """Programs a shell script runs, line by line (continuations joined, here-documents skipped)."""
    found, end_of_document = set(), None
    for line in text.replace("\\\n", " ").splitlines():
        if end_of_document is not None:
            end_of_document = None if line.strip() == end_of_document else end_of_document
            continue
        found |= shell_programs(line)
        heredoc = re.search(r"<<-?\s*['\"]?(\w+)", line)
        end_of_document = heredoc[1] if heredoc else None
    functions = set(re.findall(r"^\s*(\w+)\(\)", text, re.M))  # the script's own: `run() {`
    return found - functions - {"()"}


def makefile_programs(text):
    """Programs the Makefile's recipes and $(shell ...) calls run (make's own $(VAR) references are not)."""
    text = text.replace("\\\n", " ")
    lines = [line[1:] for line in text.splitlines() if line.startswith("\t")]
    lines += re.findall(r"\$\(shell ([^)]*)\)", text)
    found = set()
    for line in lines:
        # make's own $(VAR): $(BIN)/pytest is the environment's, $(MAKE) is make
        line = re.sub(r"(?<!\$)\$\((?!shell )[^()]*\)", "$VAR", line.lstrip("@-+"))
        found |= shell_programs(line)
    return found


def programs_run():
    """{program: [files that run it]} over tests/, scripts/, grader/, exam/, _ext/ and the Makefile."""
    where = {}
    sources = [path for folder in ("tests", "scripts", "grader", "exam", "_ext")
               for path in sorted((ROOT / folder).rglob("*")) if path.suffix in (".py", ".sh")
               and path != Path(__file__).resolve()]  # this file names programs in its scanner's tests
    for path in sources:
        text = path.read_text()
        if path.suffix == ".py":
            programs = python_programs(text)
        else:
            programs = script_programs(text)
        for program in programs:
            where.setdefault(program, []).append(str(path.relative_to(ROOT)))
    for program in makefile_programs((ROOT / "Makefile").read_text()):
        where.setdefault(program, []).append("Makefile")
    return where


# the scanner itself, on what it must and must not find
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null', {"apt-get"}),
        ('[ -x "$BWRAP" ] || bash "$(dirname "$0")/apt_install.sh" sandbox bubblewrap', {"bash", "dirname"}),
        ("if command -v latexmk >/dev/null && kpsewhich fncychap.sty; then", {"latexmk", "kpsewhich"}),
        ('echo "make grade: say which; exit 2; rm -rf /"', set()),
        ("status=0; $VAR/python -m grader grade || status=$$?; test $$status -le 1", set()),
        ("ls x/*.ipynb | xargs -n1 basename | sed 's/.ipynb//' | tr '\\n' ' '", {"ls", "xargs", "sed", "tr"}),
    ],
)
def test_the_shell_scanner_finds_commands_not_words(line, expected):
    assert shell_programs(line) == expected


def test_the_python_scanner_finds_calls_which_and_system_paths():
    text = """subprocess.run(\n    ["pdftotext", "-layout", x])\nshutil.which('bwrap')\n
    C = "/usr/bin/chromium"\nsubprocess.run([sys.executable, "-c", "pass"])\nprint("node")"""
    assert python_programs(text) == {"pdftotext", "bwrap", "chromium"}


def test_the_makefile_scanner_reads_recipes_and_shell_calls():
    text = "P ?= $(shell command -v python3.11 || command -v python3)\nt: $(STAMP)\n"
    text += "\t@bash x.sh \\\n\t  && npm ci\n\t@$(BIN)/pytest tests\n\t@$(MAKE) book\n"
    assert makefile_programs(text) == {"python3.11", "python3", "bash", "npm"}


def test_every_program_the_project_runs_has_a_provider():
    where = programs_run()
    missing = {program: files for program, files in where.items() if program not in PROVIDERS}
    assert not missing, (
        "programs run with nothing that installs them on a fresh Debian 12 (add an ensure_*.sh script, or "
        f"the README's install line, and PROVIDERS here): {missing}"
    )


@pytest.mark.parametrize("program", sorted(program for program, provider in PROVIDERS.items()
                                           if provider.startswith("scripts/")))
def test_each_ensure_script_checks_for_what_it_provides(program):
    path = ROOT / PROVIDERS[program]
    assert path.is_file(), f"{program}: its provider {PROVIDERS[program]} does not exist"
    script = path.read_text()
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    word = rf"(?<![\w-]){re.escape(program)}(?![\w-])"
    assert re.search(word, code), f"{PROVIDERS[program]} never checks for {program}"


def test_the_readme_install_line_names_each_prerequisite():
    lines = re.findall(r"^sudo apt-get install ([^#\n]*)", (ROOT / "README.md").read_text(), re.M)
    assert lines, "README.md has no `sudo apt-get install ...` line (scripts/fresh_debian.sh runs it)"
    packages = set(lines[0].split())
    for program, provider in PROVIDERS.items():
        if provider == README and program != "sudo":
            assert README_PACKAGES[program] in packages, program
    assert "python3-venv" in packages  # Debian's python3 has no ensurepip without it


def test_make_test_runs_each_ensure_script():
    makefile = (ROOT / "Makefile").read_text()
    scripts = {provider for provider in PROVIDERS.values() if Path(provider).name.startswith("ensure_")}
    not_run = {script for script in scripts if f"bash {script}" not in makefile}
    assert not not_run, f"the Makefile never runs {not_run}"
