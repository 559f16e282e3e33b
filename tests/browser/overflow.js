// Used by test_every_page.py: what on the page is wider than the text column, and is it cut off?
// Argument: codeMustFit (true at a desktop width: a code cell must fit without a scroll bar).
(codeMustFit) => {
  const article = document.querySelector("article.bd-article");
  if (!article) { return []; }
  const col = article.getBoundingClientRect();
  const colLeft = col.left + parseFloat(getComputedStyle(article).paddingLeft) - 1;
  const colRight = col.right - parseFloat(getComputedStyle(article).paddingRight) + 1;
  const describe = (el) => {
    const text = (el.getAttribute("aria-label") || el.textContent || "").replace(/\s+/g, " ").trim();
    return text.slice(0, 60);
  };
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  // nearest box between el (included) and the article (excluded) that clips or scrolls sideways
  const clipBox = (el) => {
    for (let a = el; a && a !== article; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== "visible") { return [a, ox]; }
    }
    return [null, "visible"];
  };
  const kinds = [
    ["code", "div.cell_input pre"],
    ["listing", "div.highlight pre:not(.cell_input pre, .cell_output pre)"],
    ["math", "mjx-container[display='true']"],
    ["table", "table"],
    ["output", "div.cell_output pre, div.cell_output .output, div.cell_output img"],
  ];
  const problems = [];
  for (const [kind, selector] of kinds) {
    for (const el of article.querySelectorAll(selector)) {
      if (!visible(el) || el.closest("details:not([open])")) { continue; }
      const r = el.getBoundingClientRect();
      if (r.width === 0) { continue; }
      const [box, ox] = clipBox(el);
      const what = `${kind} "${describe(el)}"`;
      if (box === null) {
        if (r.left < colLeft || r.right > colRight || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible" && r.left + el.scrollWidth > colRight) {
          problems.push(`${what} sticks out of the column (${Math.round(r.width)} px wide, column ${Math.round(colRight - colLeft)} px)`);
        }
        continue;
      }
      const b = box.getBoundingClientRect();
      if (b.left < colLeft || b.right > colRight) {
        problems.push(`${what}: its box sticks out of the column (${Math.round(b.right - colRight)} px)`);
      }
      const inner = kind === "math" ? el.querySelector("mjx-math") : el;
      if (inner && inner.getBoundingClientRect().left < b.left - 1) {
        problems.push(`${what}: its start is cut off to the left of its box`);
      }
      const wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && (ox === "hidden" || ox === "clip")) {
        problems.push(`${what} is cut off: ${box.scrollWidth} px of content in a ${box.clientWidth} px box that hides the rest`);
      }
      if (kind === "code" && codeMustFit && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${what} scrolls sideways: ${el.scrollWidth} px of code in ${el.clientWidth} px`);
      }
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in a ${window.innerWidth} px window`);
  }
  return problems;
}
