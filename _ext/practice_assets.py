"""The practice pages' scripts and styles only where they are used.

Jupyter Book adds every ``*.js`` and ``*.css`` under ``_static`` (subfolders too) to every page, so the
practice site's files (``_static/practice/``) would load on each chapter. This keeps them on the pages
under ``practice/``; a page with a chapter quiz keeps only what the quiz hook in ``_static/quiz.js``
needs to record an attempt (the Leitner schedule, the progress store and the site's root); other
pages get none of them.
"""

PRACTICE_PREFIX = "practice/"
QUIZ_HOOK_FILES = ("practice/leitner.js", "practice/store.js", "practice/site-paths.js")


def _asset_name(asset):
    """The file name under ``_static`` of a script or stylesheet of the page context."""
    name = getattr(asset, "filename", asset) or ""
    name = str(name).split("?", 1)[0]
    return name[len("_static/"):] if name.startswith("_static/") else name


def _keeps(name, pagename, has_quiz):
    if not name.startswith(PRACTICE_PREFIX):
        return True
    if pagename.startswith(PRACTICE_PREFIX):
        return True
    return has_quiz and name in QUIZ_HOOK_FILES


def _practice_assets_where_used(app, pagename, templatename, context, doctree):
    has_quiz = 'class="quiz' in (context.get("body") or "")
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [asset for asset in assets if _keeps(_asset_name(asset), pagename, has_quiz)]


def setup(app):
    app.connect("html-page-context", _practice_assets_where_used)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
