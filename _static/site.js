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
