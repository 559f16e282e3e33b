"""The weight of each page: what the themes load on every page that this site does not use.

Measured in headless Chromium (tests/browser/test_interaction.py, bytes transferred per page).
Before this extension the landing page loaded 3.83 MB and chapter 9 4.84 MB, most of it for
nothing:

* ``_static/scripts/fontawesome.js`` (1.49 MB, pydata-sphinx-theme 0.17.1's ``webpack-macros.html``,
  on every page): Font Awesome's SVG + JS build with all 2000 icons, which swaps each
  ``<i class="fa-...">`` for an inline SVG. The theme's stylesheet already carries Font Awesome's
  CSS and ``@font-face`` rules (its own pseudo-element icons use them), so the same ``<i>``
  elements show the same icons from the web fonts in ``_static/vendor/fontawesome/webfonts``
  without the script. The script tag is left out of every page and the file out of the site.
  The fonts themselves are cut to the glyphs the site uses (see ``_subset_icon_fonts``).
* MathJax (``tex-chtml.js``, 1.16 MB) was loaded on the landing page, which has no formula:
  Sphinx's ``MathDomain.has_equations(page)`` is true when any page *below* it in the toctree
  has one, and the landing page is the root of the toctree. MathJax is now loaded only by a
  page whose own document has math (or whose HTML has TeX delimiters).
* Where it is loaded, MathJax (version 4, ``_ext/mathjax4.py``) is assembled from its components
  instead of a combined build: ``_config.yml``'s ``mathjax3_config.loader.load`` has ``startup.js``
  load ``input/tex``, ``output/chtml`` with its font data (the web fonts load lazily, one per font
  style used) and ``a11y/assistive-mml`` (the hidden MathML copy that screen readers read),
  without the context menu (``ui/menu``) and speech. Everything is served from the site.
  The menu also gave every formula a tab stop; ``_static/site.js`` gives one to each display
  formula that scrolls sideways, so a keyboard can still scroll it (axe: scrollable-region-focusable).
* Sphinx's search scripts (``searchtools.js``, ``language_data.js`` and the 145 kB
  ``searchindex.js``) are loaded by pydata-sphinx-theme's ``layout.html`` on every page for its
  search-as-you-type, which is off (``search_as_you_type = False``): the search field sends the
  query to ``search.html``, which loads them itself. They are left out of the other pages.
"""

import re
from pathlib import Path

from docutils import nodes

FONTAWESOME_JS = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*">'
                            r'</script>\n?')
SEARCH_JS = re.compile(r'[ \t]*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
                       r'searchindex\.js)"></script>\n?')
TEX_DELIMITERS = re.compile(r"\\\(|\\\[|\$\$|\\begin\{")

def _page_has_math(doctree, body):
    if doctree is not None and next(iter(doctree.findall(
            lambda node: isinstance(node, (nodes.math, nodes.math_block)))), None) is not None:
        return True
    return bool(TEX_DELIMITERS.search(body or ""))


def _is_mathjax(script, app):
    filename = getattr(script, "filename", "") or ""
    body = (getattr(script, "attributes", {}) or {}).get("body", "")
    path = app.config.mathjax_path  # Sphinx lists a relative path under _static/
    return filename in (path, f"_static/{path}") or body.startswith("window.MathJax =")


def _mathjax_only_with_math(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list) or _page_has_math(doctree, context.get("body")):
        return None
    scripts[:] = [script for script in scripts if not _is_mathjax(script, app)]
    return None


def _lighten(html, pagename):
    html = FONTAWESOME_JS.sub("", html)
    if pagename != "search":
        html = SEARCH_JS.sub("", html)
    return html


def _lighter_pages(app):
    if app.builder.format != "html" or not hasattr(app.builder, "templates"):
        return
    templates = app.builder.templates
    render = templates.render

    def lighter_render(template, context):
        return _lighten(render(template, context), context.get("pagename"))

    templates.render = lighter_render


# Font Awesome's CSS in pydata-sphinx-theme.css, one rule per icon:
# .fa-bars:before,.fa-navicon:before{content:"\f0c9"}
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"([^"]*)"\}')
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]|\\([ef][0-9a-fA-F]{3})\b")
ICON_FONTS = {  # file in the theme's vendor folder -> its @font-face (family, weight)
    "fa-solid-900": ("Font Awesome 6 Free", 900),
    "fa-regular-400": ("Font Awesome 6 Free", 400),
    "fa-brands-400": ("Font Awesome 6 Brands", 400),
}
SUBSET_CSS = "fontawesome-subset.css"
SUBSET_DIR = "fontawesome-subset"


def _code_points(text):
    return {ord(m.group(0)) if not m.group(1) else int(m.group(1), 16) for m in PRIVATE_USE.finditer(text)}


def _used_icon_code_points(outdir):
    """The Font Awesome code points the built site can show: the icon classes named in its pages
    and scripts (e.g. the theme's script adds "fa-xmark" to a banner), and every private-use
    character in its stylesheets outside the per-icon rules (the theme's own pseudo-element icons:
    admonitions, external links, the sidebar's chevrons...)."""
    static = outdir / "_static"
    icons = {}
    theme_css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    for selectors, content in ICON_RULE.findall(theme_css):
        for name in re.findall(r"\.fa-([a-z0-9-]+):", selectors):
            icons[name] = _code_points(content)
    used = set()
    texts = list(outdir.rglob("*.html")) + [p for p in static.rglob("*.js") if "mathjax" not in p.parts]
    for path in texts:
        for name in set(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace"))):
            used |= icons.get(name, set())
    for path in static.rglob("*.css"):
        if path.name != SUBSET_CSS and "mathjax" not in path.parts:
            used |= _code_points(ICON_RULE.sub("", path.read_text(encoding="utf-8", errors="replace")))
    return used


def _subset_icon_fonts(outdir):
    """Font Awesome's web fonts cut to the icons the site uses (fontTools, a dependency of
    matplotlib), declared in fontawesome-subset.css after the theme's stylesheet: the same family,
    weight and style, so these @font-face rules take the place of the theme's (274 kB for the
    solid and brands fonts on every page before; a few kB now)."""
    from fontTools import subset

    webfonts = outdir / "_static" / "vendor" / "fontawesome" / "webfonts"
    target = outdir / "_static" / SUBSET_DIR
    target.mkdir(parents=True, exist_ok=True)
    used = _used_icon_code_points(outdir)
    rules = []
    for stem, (family, weight) in ICON_FONTS.items():
        if not (webfonts / f"{stem}.ttf").is_file():
            continue
        options = subset.Options()
        options.flavor = "woff"  # zlib; woff2 would need the brotli package
        options.layout_features = []
        options.notdef_outline = True
        font = subset.load_font(str(webfonts / f"{stem}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(used))
        subsetter.subset(font)
        subset.save_font(font, str(target / f"{stem}.woff"), options)
        rules.append(f'@font-face{{font-display:block;font-family:"{family}";font-style:normal;'
                     f'font-weight:{weight};src:url({SUBSET_DIR}/{stem}.woff) format("woff")}}')
    (outdir / "_static" / SUBSET_CSS).write_text(
        "/* Font Awesome's fonts cut to the icons this site uses (_ext/page_weight.py) */\n"
        + "\n".join(rules) + "\n", encoding="utf-8")


def _add_subset_css(app):
    if app.builder.format == "html":
        app.add_css_file(SUBSET_CSS, priority=900)


def _drop_unused_files(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    scripts = outdir / "_static" / "scripts"
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (scripts / name).unlink(missing_ok=True)
    _subset_icon_fonts(outdir)


def setup(app):
    app.connect("builder-inited", _lighter_pages)
    app.connect("builder-inited", _add_subset_css)
    app.connect("html-page-context", _mathjax_only_with_math, priority=900)  # after sphinx.ext.mathjax (500)
    app.connect("build-finished", _drop_unused_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

