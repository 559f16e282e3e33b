"""Link each glossary term where the chapters first use it: ``{term}`text <Term>```.

Run from the repository root once the chapters are written (idempotent: a term that is already
linked anywhere in the chapters is left alone)::

    python scripts/link_glossary.py            # edit the chapters in place
    python scripts/link_glossary.py --dry-run  # only list what would change

For every entry of ``glossary.md`` it searches the markdown cells of the chapters in the order of
``_toc.yml`` for the first use of one of the entry's surface forms (``SURFACE_FORMS``) and turns
it into a ``{term}`` role. It never touches headings, labels, directive fences and options, code
blocks, code spans, math (``$...$``, ``$$...$$``), links, URLs, HTML or existing roles.
"""

import argparse
import re
from pathlib import Path

import nbformat
import yaml

#: the text a chapter may use for each glossary entry (regular expressions, matched as whole words);
#: forms with a capital letter match case-sensitively, the others in any case
SURFACE_FORMS = {
    "activation function": [r"activation functions?"],
    "AdaGrad": [r"AdaGrad", r"Adagrad"],
    "Adam": [r"Adam"],
    "backpropagation": [r"backpropagation", r"back-propagation", r"backward pass(?:es)?"],
    "batch": [r"batch"],
    "batch gradient descent": [r"batch gradient descent", r"batch GD"],
    "bias correction": [r"bias[- ]correct(?:ion|ed)"],
    "binary cross-entropy": [r"binary cross-entropy", r"BCE"],
    "categorical cross-entropy": [r"categorical cross-entropy", r"CCE"],
    "chain rule": [r"chain rule"],
    "cosine annealing": [r"cosine annealing"],
    "cost": [r"cost function", r"costs?"],
    "cross-entropy": [r"cross-entropy", r"cross entropy"],
    "delta": [r"deltas?"],
    "epoch": [r"epochs?"],
    "forward pass": [r"forward pass(?:es)?"],
    "gradient": [r"gradients?"],
    "gradient check": [r"gradient check(?:s|ing)?"],
    "gradient descent": [r"gradient descent"],
    "hinge loss": [r"hinge loss", r"hinge"],
    "Huber loss": [r"Huber loss", r"Huber"],
    "KL divergence": [r"KL divergence", r"Kullback-Leibler divergence"],
    "label smoothing": [r"label smoothing"],
    "learning rate": [r"learning rates?"],
    "learning-rate schedule": [r"learning-rate schedul(?:e|es|ing)", r"learning rate schedul(?:e|es|ing)",
                               r"schedules?"],
    "logit": [r"logits?"],
    "loss": [r"loss function", r"loss"],
    "margin": [r"margins?"],
    "mean absolute error": [r"mean absolute error", r"MAE"],
    "mean squared error": [r"mean squared error", r"MSE"],
    "mini-batch": [r"mini-batch(?:es)?", r"minibatch(?:es)?"],
    "momentum": [r"momentum"],
    "Nesterov momentum": [r"Nesterov momentum", r"Nesterov"],
    "one-hot encoding": [r"one-hot encod(?:ing|ed)", r"one-hot"],
    "optimizer": [r"optimizers?"],
    "residual": [r"residuals?"],
    "RMSprop": [r"RMSprop"],
    "sigmoid": [r"sigmoid"],
    "softmax": [r"softmax"],
    "stochastic gradient descent": [r"stochastic gradient descent", r"SGD"],
    "vanishing gradient": [r"vanishing gradients?"],
    "warm restart": [r"warm restarts?"],
    "weight decay": [r"weight decay"],
}

#: terms whose everyday word means something else earlier in the course: search from this chapter on
#: (1-based position among the chapters), e.g. Huber's parameter delta in chapter 2
FIRST_CHAPTER = {"delta": 11, "batch": 7, "margin": 4, "learning-rate schedule": 10}

PROTECTED = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[^\n]*\n[\s\S]*?^(?P=fence)[ \t]*$"  # fenced blocks (code, math, directives)
    r"|\$\$[\s\S]*?\$\$"  # display math
    r"|(?<!\\)\$[^$\n]+?(?<!\\)\$"  # inline math
    r"|\{[^}\n]+\}`[^`\n]*`"  # roles, e.g. {ref}`...`, {term}`...`
    r"|`[^`\n]*`"  # code spans
    r"|!?\[[^\]\n]*\]\([^)\n]*\)"  # links and images
    r"|<!--[\s\S]*?-->|<[^>\n]+>"  # HTML comments and tags
    r"|https?://\S+"  # bare URLs (linkify)
    r"|^#{1,6}[ \t].*$"  # headings
    r"|^\([^)\n]*\)=[ \t]*$"  # labels
    r"|^:{3,}.*$|^[ \t]*:[\w-]+:.*$",  # colon fences and directive options
    re.MULTILINE,
)


def glossary_terms(glossary_path):
    """The canonical (first) term of every entry of the glossary directive in ``glossary.md``."""
    text = Path(glossary_path).read_text(encoding="utf-8")
    body = re.search(r"```\{glossary\}\n([\s\S]*?)\n```", text).group(1)
    terms, previous_was_term = [], False
    for line in body.splitlines():
        is_term = bool(line.strip()) and not line.startswith((" ", "\t"))
        if is_term and not previous_was_term:
            terms.append(line.strip())
        previous_was_term = is_term
    return terms


def chapter_files(root):
    """Chapter sources in the order of ``_toc.yml`` (files under ``chapters/``)."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str) and node["file"].startswith("chapters/"):
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    paths = []
    for entry in found:
        stem = Path(root) / entry
        for suffix in (".ipynb", ".md"):
            if stem.with_suffix(suffix).is_file():
                paths.append(stem.with_suffix(suffix))
                break
    return paths


class Chapter:
    """The markdown cells of one chapter (a notebook or a MyST markdown file), editable in place."""

    def __init__(self, path):
        self.path = Path(path)
        self.changed = False
        if self.path.suffix == ".ipynb":
            self.notebook = nbformat.read(self.path, as_version=4)
            self.cells = [cell for cell in self.notebook.cells if cell.cell_type == "markdown"]
        else:
            self.notebook = None
            self.cells = [{"source": self.path.read_text(encoding="utf-8")}]

    def sources(self):
        return [cell["source"] for cell in self.cells]

    def replace(self, index, source):
        self.cells[index]["source"] = source
        self.changed = True

    def save(self):
        if not self.changed:
            return
        if self.notebook is not None:
            nbformat.write(self.notebook, self.path)
        else:
            self.path.write_text(self.cells[0]["source"], encoding="utf-8")


def _pattern(forms):
    parts = [f"(?-i:{form})" if any(c.isupper() for c in form) else form for form in forms]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


def _already_linked(term, chapters):
    role = re.compile(r"\{term\}`(?:[^`<]*<\s*" + re.escape(term) + r"\s*>|\s*" + re.escape(term) + r"\s*)`",
                      re.IGNORECASE)
    return any(role.search(source) for chapter in chapters for source in chapter.sources())


def _first_free_match(pattern, source, others):
    """The first match outside protected text and not part of a longer glossary phrase."""
    protected = [m.span() for m in PROTECTED.finditer(source)]
    longer = [m.span() for m in others.finditer(source)]
    for match in pattern.finditer(source):
        start, end = match.span()
        if any(a < end and start < b for a, b in protected):
            continue
        if any(a <= start and end <= b and b - a > end - start for a, b in longer):
            continue  # e.g. "loss" inside "Huber loss", "gradient" inside "gradient descent"
        return match
    return None


def link_terms(root, dry_run=False):
    """Link every glossary term once; return a list of ``(term, file, matched text)``."""
    root = Path(root)
    terms = glossary_terms(root / "glossary.md")
    missing = sorted(set(terms) - set(SURFACE_FORMS))
    if missing:
        raise ValueError(f"no SURFACE_FORMS for the glossary terms {missing}")
    chapters = [Chapter(path) for path in chapter_files(root)]
    # longer phrases first, so that "gradient descent" is linked before "gradient" is looked for
    order = sorted(terms, key=lambda t: -max(len(form) for form in SURFACE_FORMS[t]))
    done = []
    for term in order:
        if _already_linked(term, chapters):
            continue
        pattern = _pattern(SURFACE_FORMS[term])
        others = _pattern([form for other in terms if other != term for form in SURFACE_FORMS[other]])
        for chapter in chapters[FIRST_CHAPTER.get(term, 1) - 1:]:
            hit = next(((i, m) for i, source in enumerate(chapter.sources())
                        if (m := _first_free_match(pattern, source, others))), None)
            if hit:
                index, match = hit
                text = match.group(0)
                role = f"{{term}}`{text}`" if text == term else f"{{term}}`{text} <{term}>`"
                source = chapter.sources()[index]
                chapter.replace(index, source[:match.start()] + role + source[match.end():])
                done.append((term, chapter.path.relative_to(root).as_posix(), text))
                break
    if not dry_run:
        for chapter in chapters:
            chapter.save()
    return done


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the book's root folder (default: .)")
    parser.add_argument("--dry-run", action="store_true", help="list the links, change nothing")
    args = parser.parse_args(argv)
    done = link_terms(args.root, dry_run=args.dry_run)
    for term, path, text in done:
        print(f"{path}: {text!r} -> {{term}} {term!r}")
    print(f"{len(done)} term(s) {'would be ' if args.dry_run else ''}linked")


if __name__ == "__main__":
    main()
