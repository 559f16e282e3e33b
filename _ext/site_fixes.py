"""Small fixes of the built pages, so that the site runs in a browser without a console error.

* sphinx-thebe 0.3.1 adds its inline configuration script (``const THEBE_JS_URL = ...``) with
  ``app.add_js_file(None, body=...)`` while the docs are read. Sphinx 7.4 then lists it twice on
  every page: once as given (file name ``None``) and once from its registry (file name ``""``),
  and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared". This
  extension drops such duplicates from each page's script list (order kept).
* pydata-sphinx-theme starts a first visit (empty ``localStorage``) with the theme mode
  ``default_mode``, which jupyter-book leaves empty, so the first page a student opens logs
  "Got invalid theme mode: . Resetting to auto.". This extension sets the template variable
  ``default_mode`` to ``"auto"`` (what the theme falls back to anyway) unless ``html_context``
  already sets it.
* The menu buttons. pydata-sphinx-theme 0.17.1 (which sphinx-book-theme 1.3.0 pins) sets the
  theme option ``navbar_persistent`` to ``["search-button-field"]`` whenever ``conf.py`` does not
  set it, ignoring sphinx-book-theme's own empty default. A non-empty ``navbar_persistent``
  renders pydata's top navbar, with its own ``.primary-toggle`` and ``.secondary-toggle`` buttons,
  which sphinx-book-theme hides; both themes' scripts bind ``document.querySelector(".primary-toggle")``,
  the first (hidden) copy, so the visible menu and contents buttons in the article header did
  nothing at any width (upstream: executablebooks/sphinx-book-theme#935 and #917). This extension
  sets ``navbar_persistent`` to ``[]`` (what sphinx-book-theme means) unless the theme options
  already set it; the search stays in the sidebar and the article header.
* Two accessibility errors in the article that axe-core reports (tests/browser/test_every_page.py):
  myst-nb labels the summary of a folded code cell "Toggle hidden content" while it shows "Show
  code cell source" (WCAG 2.5.3, label in name): the label is dropped so the visible text is the
  name; docutils marks each reference of the bibliography ``role="doc-biblioentry"``, a role
  deprecated in DPUB-ARIA 1.1 and not allowed in the ``role="list"`` around it: it becomes
  ``role="listitem"``.
* The Exercises index lists the sets in teaching order (the order of ``_toc.yml``: warm-up,
  losses, optimization, backprop) rather than alphabetically: ``student-downloads``
  (grader.sphinx_ext) gets a wrapper that sorts its list by the page's sections in the table of
  contents (in an HTML build; ``_ext/latex_book.py`` replaces it in a PDF).
* Search finds the glossary's entry first for its term. Sphinx gives glossary terms the search
  priority -1 ("not in the search index"), so "Nesterov" listed the glossary 7th of 14, by the
  word in its text only. The standard domain is replaced by one whose glossary terms are indexed
  with priority 0 ("important"): searchtools.js scores a term that contains the query 6 + 15,
  above a page title (15). _static/site.js keeps raw LaTeX out of the hits' summaries.
"""

from pathlib import PurePosixPath


def _key(script):
    attributes = getattr(script, "attributes", {}) or {}
    filename = getattr(script, "filename", script) or ""
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return None
    seen, unique = set(), []
    for script in scripts:
        if _key(script) not in seen:
            seen.add(_key(script))
            unique.append(script)
    scripts[:] = unique
    return None  # html-page-context is emitted with emit_firstresult: never stop the other handlers


def _default_theme_mode(app, config):
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")
    config.html_context = context


def _no_hidden_navbar(app, config):
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options


ARTICLE_FIXES = (
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    ('role="doc-biblioentry"', 'role="listitem"'),
    # matplotlib's to_jshtml animations: the frame slider has no label (axe: label, critical)
    ('type="range" class="anim-slider"', 'type="range" class="anim-slider" aria-label="Animation frame"'),
)


def _fix_article_markup(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if isinstance(body, str):
        for old, new in ARTICLE_FIXES:
            body = body.replace(old, new)
        context["body"] = body
    return None


def _toc_order(env):
    """The documents under the current page in _toc.yml, in order (sphinx-external-toc's site map)."""
    site_map = getattr(env, "external_site_map", None)
    try:
        document = site_map[env.docname]
    except (KeyError, TypeError):
        return []
    return [str(item) for tree in document.subtrees for item in tree.items if isinstance(item, str)]


def _ordered_student_downloads(app):
    if app.builder.format != "html":
        return
    from grader.sphinx_ext import StudentDownloads

    class OrderedStudentDownloads(StudentDownloads):
        def run(self):
            result = super().run()
            order = [PurePosixPath(name).name for name in _toc_order(self.state.document.settings.env)]

            def position(item):
                for reference in item.findall(lambda node: "refuri" in node.attributes):
                    stem = PurePosixPath(reference["refuri"].split("#")[0]).stem
                    if stem in order:
                        return order.index(stem)
                return len(order)

            for bullet_list in result:
                bullet_list.children.sort(key=position)
            return result

    app.add_directive("student-downloads", OrderedStudentDownloads, override=True)


def _glossary_terms_searchable(app):
    from sphinx.domains import ObjType
    from sphinx.domains.std import StandardDomain
    from sphinx.locale import _

    class StandardDomainWithSearchableTerms(StandardDomain):
        object_types = {**StandardDomain.object_types,
                        "term": ObjType(_("glossary term"), "term", searchprio=0)}

    app.add_domain(StandardDomainWithSearchableTerms, override=True)


def setup(app):
    _glossary_terms_searchable(app)
    app.connect("builder-inited", _ordered_student_downloads)
    app.connect("html-page-context", _fix_article_markup)
    app.connect("config-inited", _default_theme_mode)
    app.connect("config-inited", _no_hidden_navbar)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=1)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
