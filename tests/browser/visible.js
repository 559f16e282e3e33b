// Used by test_phone.py: is every formula, table cell and equation number that a reader should see
// on this page fully visible, as drawn? A box that scrolls does not count as visible: what a reader
// sees without scrolling sideways is what is checked (issue 22: a scrolling box passed the width
// check while the reader saw half an equation).
//
// What is measured is ink, not boxes: the union of the rectangles of a formula's glyphs (MathJax's
// mjx-c elements), of a table cell's text, of an equation number's text. It must lie inside the
// window and inside every ancestor that clips or scrolls; an equation number's text must not meet
// any glyph of its formula.
() => {
  const article = document.querySelector("article.bd-article");
  if (!article) { return []; }
  const problems = [];
  const W = window.innerWidth;
  const shown = (el) => el.getClientRects().length > 0 && !el.closest("details:not([open])") &&
    getComputedStyle(el).visibility !== "hidden";
  const describe = (el) => (el.getAttribute("aria-label") || el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 50);
  // the horizontal window through which el is seen: the viewport, narrowed by every ancestor whose
  // overflow is not visible (it clips or scrolls)
  const seen = (el) => {
    let left = 0, right = W, by = "the window";
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== "visible") {
        const r = a.getBoundingClientRect();
        const bl = parseFloat(cs.borderLeftWidth) || 0, br = parseFloat(cs.borderRightWidth) || 0;
        if (r.left + bl > left || r.right - br < right) {
          by = `<${a.tagName.toLowerCase()} class="${a.className}"> (overflow ${cs.overflowX})`;
        }
        left = Math.max(left, r.left + bl);
        right = Math.min(right, r.right - br);
      }
    }
    return [left, right, by];
  };
  const union = (rects) => {
    let u = null;
    for (const r of rects) {
      if (r.width === 0 && r.height === 0) { continue; }
      u = u ? {left: Math.min(u.left, r.left), right: Math.max(u.right, r.right),
               top: Math.min(u.top, r.top), bottom: Math.max(u.bottom, r.bottom)}
            : {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }
    return u;
  };
  const glyphs = (math) => [...math.querySelectorAll("mjx-c")]
    .filter((c) => !c.closest("mjx-assistive-mml")).map((c) => c.getBoundingClientRect());
  const textRects = (el) => {
    const rects = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || n.parentElement.closest("mjx-container, .headerlink")) { continue; }
      const range = document.createRange();
      range.selectNodeContents(n);
      rects.push(...range.getClientRects());
    }
    for (const m of el.querySelectorAll("mjx-container")) { rects.push(...glyphs(m)); }
    return rects;
  };
  const check = (what, el, rects) => {
    const ink = union(rects);
    if (!ink) { return; }
    const [left, right, by] = seen(el);
    const cutLeft = Math.round(left - ink.left), cutRight = Math.round(ink.right - right);
    if (cutLeft > 1 || cutRight > 1) {
      problems.push(`${what} "${describe(el)}" is cut off: ${Math.max(cutLeft, 0)} px hidden at the left, ` +
                    `${Math.max(cutRight, 0)} px at the right (${Math.round(ink.right - ink.left)} px of ink, ` +
                    `${Math.round(right - left)} px seen through ${by})`);
    }
  };
  // two glyphs clash when they share more than a quarter of the smaller one's area (glyph boxes
  // of neighbouring cells may touch by a pixel or two where the cells abut)
  const clashes = (a, b) => {
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    const area = (r) => (r.right - r.left) * (r.bottom - r.top);
    return w > 0 && h > 0 && w * h > 0.25 * Math.min(area(a), area(b));
  };
  const overlaps = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;

  for (const error of article.querySelectorAll("mjx-merror")) {
    problems.push(`a formula is not typeset: ${error.getAttribute("data-mjx-error") || describe(error)}`);
  }
  for (const math of article.querySelectorAll("mjx-container")) {
    if (!shown(math)) { continue; }
    const display = math.getAttribute("display") === "true";
    check(display ? "display math" : "inline math", math, glyphs(math));
  }
  // glyphs of different cells of an alignment must not meet (MathJax 4 broke a line inside a
  // 4-column align and drew "a_1" over the "=" of the next column)
  for (const math of article.querySelectorAll('mjx-container[display="true"]')) {
    if (!shown(math)) { continue; }
    const cells = [...math.querySelectorAll("mjx-mtd")].filter((c) => !c.closest("mjx-assistive-mml"));
    const boxes = cells.map((c) => union(glyphs(c).filter((g) => g.width > 0)));
    const inCell = cells.map((c) => glyphs(c).filter((g) => g.width > 0));
    let clash = null;
    for (let i = 0; i < cells.length && !clash; i++) {
      for (let j = i + 1; j < cells.length && !clash; j++) {
        if (!boxes[i] || !boxes[j] || cells[i].contains(cells[j]) || cells[j].contains(cells[i]) ||
            !overlaps(boxes[i], boxes[j])) { continue; }
        if (inCell[i].some((a) => inCell[j].some((b) => clashes(a, b)))) {
          clash = `"${describe(cells[i])}" and "${describe(cells[j])}"`;
        }
      }
    }
    if (clash) { problems.push(`display math "${describe(math)}": the glyphs of ${clash} overlap`); }
  }
  for (const eqno of article.querySelectorAll("div.math > span.eqno")) {
    if (!shown(eqno)) { continue; }
    const numberRects = textRects(eqno);
    check("equation number", eqno, numberRects);
    const math = eqno.parentElement.querySelector("mjx-container");
    const number = union(numberRects);
    if (math && number && glyphs(math).some((g) => overlaps(g, number))) {
      problems.push(`equation number ${eqno.textContent.trim()} overlaps its formula "${describe(math)}"`);
    }
  }
  for (const cell of article.querySelectorAll("table td, table th")) {
    if (!shown(cell)) { continue; }
    check("table cell", cell, textRects(cell));
  }
  // a full stop, comma or semicolon never starts a line after a formula (the answer key showed
  // "L = ... = 0.6579" and a lone "." below it): the mark's first rectangle lies on the formula's last line
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const before = n.previousSibling;
    if (!/^[.,;]/.test(n.textContent) || !before || before.nodeType !== Node.ELEMENT_NODE ||
        !before.matches("mjx-container, math, span.math") || !shown(n.parentElement)) { continue; }
    const mark = document.createRange();
    mark.setStart(n, 0);
    mark.setEnd(n, 1);
    const markRect = mark.getBoundingClientRect(), formulaRects = [...before.getClientRects()];
    const last = formulaRects[formulaRects.length - 1];
    if (last && markRect.height > 0 && markRect.top >= last.bottom - 2) {
      problems.push(`"${n.textContent[0]}" starts a line after the formula "${describe(before)}"`);
    }
  }
  return problems;
}
