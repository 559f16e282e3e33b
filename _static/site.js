// Sphinx's search shows a summary of each hit from the page's [role="main"] text, which in this
// theme starts with the article header's buttons (download ".ipynb" ".pdf", full screen...): a
// search for "momentum" showed ".....pdf" first. The summary now skips those buttons. The page's
// math is TeX source until MathJax typesets it, which a summary never is: each formula becomes "…"
// in the summary instead of raw LaTeX. searchtools.js declares `const Search`, which is not a
// property of window (the old test of window.Search never let this run).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") { return; }
  const original = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".bd-header-article, .header-article-items, .article-header-buttons, .prev-next-area")
      .forEach((el) => el.remove());
    doc.querySelectorAll(".math, mjx-container").forEach((el) => el.replaceWith("…"));
    return original(doc.documentElement.outerHTML, anchor);
  };
});

// MathJax 4 breaks the lines of an alignment cell by cell, and in an alignment (aligned, align:
// columns aligned right, left, right, left...) of more than two columns (two equations side by side, as chapter 12's "z_1 = ... & a_1 = ...") it drew a broken
// cell over the next column's "=" (tests/browser/visible.js looks for glyphs of two cells that
// meet). Such a formula is not broken: it is shrunk to fit or scrolls, as any formula MathJax
// cannot break (below). This runs before MathJax starts (site.js comes before startup.js runs).
const SPLIT_AROUND_ALIGNED =
  /^\s*\\begin\{split\}\s*(\\begin\{(aligned|alignedat|gathered)\}[\s\S]*\\end\{\2\})\s*\\end\{split\}\s*$/;
if (window.MathJax && !(window.MathJax.startup && window.MathJax.startup.ready)) {
  window.MathJax.startup = Object.assign(window.MathJax.startup || {}, {
    ready() {
      MathJax.startup.defaultReady();
      const columns = (table) => Math.max(0, ...table.childNodes.map(
        (row) => row.childNodes.length - (row.isKind("mlabeledtr") ? 1 : 0)));
      for (const jax of [].concat(MathJax.startup.document.inputJax)) {
        // Sphinx wraps a multi-line display formula in \begin{split}; around an aligned block
        // MathJax 4.1.3 then pushes the rows right, out of the box. The wrapper adds nothing to an
        // aligned block, so it is taken off.
        jax.preFilters.add(({math}) => {
          math.math = math.math.replace(SPLIT_AROUND_ALIGNED, "$1");
        });
        jax.postFilters.add(({math, data}) => {
          const root = data.root;  // data: the TeX input's parse options; root: the formula's <math>
          if (!math.display || !root || typeof root.walkTree !== "function") { return; }
          let wide = false;
          root.walkTree((node) => {
            wide = wide || (node.isKind("mtable") && columns(node) > 2 &&
                            /right\s+left/.test(String(node.attributes.get("columnalign") || "")));
          });
          if (wide) { root.attributes.set("overflow", "scroll"); }
        });
      }
    },
  });
}

// Display math (issue 22). MathJax 4 breaks a long formula at its relations and operators
// (_config.yml); a formula it cannot break (a matrix, a cases block, one long fraction) and that is
// wider than its column is shown smaller, down to MIN_SCALE of its size, so that a phone shows it
// whole. One that would need less still scrolls sideways inside its own box (site.css); a
// keyboard reaches it with Tab and scrolls it with the arrow keys, as pydata-sphinx-theme does for
// code and tables (WCAG 2.1.1; axe: scrollable-region-focusable). MathJax's context menu, which
// made every formula focusable, is not loaded (_ext/page_weight.py). Done after MathJax has
// typeset the page, and again when the window's width changes.
window.addEventListener("load", () => {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) { return; }
  const MIN_SCALE = 0.7;
  const fit = () => {
    document.querySelectorAll('mjx-container[display="true"]').forEach((el) => {
      if (el.dataset.siteBaseSize) { el.style.fontSize = el.dataset.siteBaseSize; }
      const base = parseFloat(getComputedStyle(el).fontSize);
      if (el.scrollWidth > el.clientWidth + 1) {
        el.dataset.siteBaseSize = el.dataset.siteBaseSize || el.style.fontSize || "";
        const scale = Math.max(MIN_SCALE, (el.clientWidth - 2) / el.scrollWidth);
        el.style.fontSize = `${(base * scale).toFixed(2)}px`;
      }
      if (el.scrollWidth > el.clientWidth + 1) {
        el.tabIndex = 0;
        el.dataset.siteScrolls = "true";
      } else if (el.dataset.siteScrolls) {
        el.removeAttribute("tabindex");
        delete el.dataset.siteScrolls;
      }
    });
  };
  // An alignment typeset while MathJax was still fetching a part of its font (it fetches them on
  // first use) came out with its columns drawn over each other (chapter 13, eq-batch-backward);
  // typeset again once the fonts are in, it is right. Display formulas holding an alignment or
  // matrix are typeset a second time.
  const retypesetTables = async () => {
    const boxes = [...document.querySelectorAll("div.math")]
      .filter((d) => d.querySelector("mjx-container mjx-mtable"));
    if (!boxes.length || typeof MathJax.typesetPromise !== "function") { return; }
    for (const box of boxes) {
      for (const item of MathJax.startup.document.getMathItemsWithin(box)) {
        const tex = document.createTextNode(`\\[${item.math}\\]`);
        MathJax.typesetClear([box]);
        box.querySelector("mjx-container").replaceWith(tex);
      }
    }
    await MathJax.typesetPromise(boxes);
  };
  // (startup.promise is extended, as MathJax's documentation does, so that whatever waits for
  // MathJax, the browser tests included, waits for this too)
  MathJax.startup.promise = MathJax.startup.promise.then(retypesetTables).then(fit);
  let timer = null, width = window.innerWidth;
  window.addEventListener("resize", () => {
    if (window.innerWidth === width) { return; }
    width = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(fit, 300);
  });
});
