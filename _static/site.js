// Sphinx's search shows a summary of each hit from the page's [role="main"] text, which in this
// theme starts with the article header's buttons (download ".ipynb" ".pdf", full screen...): a
// search for "momentum" showed ".....pdf" first. The summary now skips those buttons.
document.addEventListener("DOMContentLoaded", () => {
  if (!(window.Search && typeof Search.htmlToText === "function")) { return; }
  const original = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".bd-header-article, .header-article-items, .article-header-buttons, .prev-next-area")
      .forEach((el) => el.remove());
    return original(doc.documentElement.outerHTML, anchor);
  };
});

// Display math wider than its column scrolls sideways inside its own box (site.css). A keyboard
// reaches such a formula with Tab and scrolls it with the arrow keys, as pydata-sphinx-theme does
// for code and tables (WCAG 2.1.1; axe: scrollable-region-focusable). MathJax's context menu,
// which made every formula focusable, is not loaded (_ext/page_weight.py), so the site does it
// for the formulas that scroll, after MathJax has typeset them and again when the window resizes.
window.addEventListener("load", () => {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) { return; }
  const mark = () => {
    document.querySelectorAll('mjx-container[display="true"]').forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.tabIndex = 0;
        el.dataset.siteScrolls = "true";
      } else if (el.dataset.siteScrolls) {
        el.removeAttribute("tabindex");
        delete el.dataset.siteScrolls;
      }
    });
  };
  MathJax.startup.promise.then(mark);
  let timer = null;
  window.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(mark, 300); });
});
