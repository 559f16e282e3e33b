"""MathJax 4, served from the site itself (no CDN: the book works offline), so that display math
breaks its lines on a phone instead of being cut off or scrolled (issue 22).

MathJax 3 (what sphinx-mathjax-offline 0.0.2 ships) cannot break a formula's lines: a formula wider
than the column was cut off or scrolled, and on a 390 px phone 7 of chapter 8's 12 display
equations showed only their start. MathJax 4 breaks display math at relations and operators when
``output.displayOverflow`` is ``"linebreak"``, and inline math at the end of a line of text
(``output.linebreaks.inline``); both are set in ``_config.yml`` (``mathjax3_config``), with the
rest of MathJax's configuration.

MathJax 4 is pinned in ``package.json``/``package-lock.json`` (the npm packages ``mathjax`` and its
default font ``@mathjax/mathjax-newcm-font``) and installed by ``npm ci`` into ``node_modules``. At
the end of an HTML build this extension copies into ``_static/mathjax`` what the pages load:
MathJax's components (without the speech-rule engine's locale files, which the site never loads)
and, under ``_static/mathjax/fonts/mathjax-newcm-font``, the font's CHTML data and web fonts (the
configuration points ``loader.paths.fonts`` there; MathJax's default is a CDN).
"""

import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
MATHJAX = NODE_MODULES / "mathjax"
FONT = NODE_MODULES / "@mathjax" / "mathjax-newcm-font"
MATHJAX_PATH = "mathjax/startup.js"
NOT_SERVED = shutil.ignore_patterns("sre", "*.md", "*.cjs", "*.mjs", "node-main*", "tsconfig*")


def _not_served(folder, names):
    """What the site never loads: the combined builds (tex-chtml.js...; the pages load startup.js and
    its components), Node's entry points, the speech-rule engine's files and the sources' notes."""
    skipped = set(NOT_SERVED(folder, names))
    if Path(folder) == MATHJAX:
        skipped.update(n for n in names if n.endswith(".js") and n.startswith(("tex-", "mml-")))
    return skipped


def _check_installed(app, config):
    if app.builder.format != "html":
        return
    for folder in (MATHJAX, FONT):
        if not (folder / "package.json").is_file():
            raise ExtensionError(f"{folder} is missing: run `npm ci` in {ROOT} (MathJax 4 for the site's "
                                 "math is installed from package-lock.json)")


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(MATHJAX, target, ignore=_not_served)
    fonts = target / "fonts" / "mathjax-newcm-font"
    fonts.mkdir(parents=True)
    shutil.copy2(FONT / "chtml.js", fonts / "chtml.js")
    shutil.copytree(FONT / "chtml", fonts / "chtml")


def _set_path(app, config):
    config.mathjax_path = MATHJAX_PATH


def _builder_inited(app):
    _check_installed(app, app.config)


def setup(app):
    app.connect("config-inited", _set_path, priority=900)
    app.connect("builder-inited", _builder_inited)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
