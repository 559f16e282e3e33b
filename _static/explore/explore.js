// Explorable figures: the helpers every figure uses (controls, SVG, scales, the live summary).
// Each figure's script (gd.js, momentum.js, ...) registers itself in Explore.figures; on load every
// <section class="explore" data-figure="NAME"> on the page is filled from window.EXPLORE_DATA[NAME],
// which nnlib computed when the book was built (_ext/explorables.py). Nothing here computes a number
// the reader sees: it looks values up and draws them.
(function (root) {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const Explore = { figures: {} };

  Explore.el = function (tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) { node.setAttribute(k, v); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  };

  // A <div class="..."> appended to parent: the rows of controls and the panels of a figure.
  Explore.box = function (parent, className) {
    const node = Explore.el("div", { class: className });
    parent.append(node);
    return node;
  };

  Explore.svgEl = function (tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) { node.setAttribute(k, v); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  };

  // A native range input over the indices of `values`, its value shown beside the label and given
  // to screen readers as text (aria-valuetext), e.g. "0.45" rather than "45".
  Explore.slider = function (parent, options) {
    const row = Explore.el("div", { class: "explore-control" });
    const label = Explore.el("label", { for: options.id });
    label.append(options.label + " ");
    const shown = Explore.el("output", { for: options.id, id: options.id + "-value" });
    label.append(shown);
    const input = Explore.el("input", {
      type: "range", id: options.id, min: "0", max: String(options.values.length - 1), step: "1",
      value: String(options.index || 0),
    });
    const sync = () => {
      const text = options.format(options.values[Number(input.value)]);
      shown.textContent = text;
      input.setAttribute("aria-valuetext", text);
    };
    input.addEventListener("input", () => { sync(); options.onchange(); });
    row.append(label, input);
    parent.append(row);
    sync();
    return {
      input, row,
      value: () => options.values[Number(input.value)],
      index: () => Number(input.value),
      setValues(values, index) {  // another set of choices (a schedule's parameter)
        options.values = values;
        input.max = String(values.length - 1);
        input.value = String(Math.min(index, values.length - 1));
        sync();
      },
    };
  };

  Explore.select = function (parent, options) {
    const row = Explore.el("div", { class: "explore-control" });
    const label = Explore.el("label", { for: options.id }, options.label);
    const input = Explore.el("select", { id: options.id });
    for (const [value, text] of options.choices) {
      input.append(Explore.el("option", { value: String(value) }, text));
    }
    if (options.selected !== undefined) { input.value = String(options.selected); }
    input.addEventListener("change", () => options.onchange());
    row.append(label, input);
    parent.append(row);
    return { input, row, value: () => input.value };
  };

  // The figure's SVG: a viewBox that scales to the column (never wider), with a text title for
  // screen readers; the summary paragraph next to it says in words what it shows.
  Explore.canvas = function (parent, width, height, title) {
    const svg = Explore.svgEl("svg", {
      viewBox: `0 0 ${width} ${height}`, role: "img", class: "explore-svg", "aria-label": title,
    });
    parent.append(svg);
    return svg;
  };

  Explore.summary = function (parent) {
    const p = Explore.el("p", { class: "explore-summary", "aria-live": "polite" });
    parent.append(p);
    return p;
  };

  Explore.linear = function (d0, d1, r0, r1) {
    const f = (v) => r0 + (v - d0) * (r1 - r0) / (d1 - d0);
    f.domain = [d0, d1];
    return f;
  };

  Explore.log = function (d0, d1, r0, r1) {
    const l0 = Math.log10(d0), l1 = Math.log10(d1);
    const f = (v) => r0 + (Math.log10(Math.max(v, d0)) - l0) * (r1 - r0) / (l1 - l0);
    f.domain = [d0, d1];
    return f;
  };

  // Clamp a coordinate into the panel so a diverging path runs off the edge visibly, not to infinity.
  Explore.clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);

  Explore.polyline = function (points, attrs) {
    return Explore.svgEl("polyline", Object.assign({
      points: points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "), fill: "none",
    }, attrs));
  };

  // Axes of a panel: a frame, tick labels given as [value, text] pairs, axis titles.
  Explore.axes = function (g, box, sx, sy, xticks, yticks, xtitle, ytitle) {
    g.append(Explore.svgEl("rect", {
      x: box.x, y: box.y, width: box.w, height: box.h, class: "explore-frame",
    }));
    for (const [v, text] of xticks) {
      g.append(Explore.svgEl("text", { x: sx(v), y: box.y + box.h + 13, "text-anchor": "middle" }, text));
    }
    for (const [v, text] of yticks) {
      g.append(Explore.svgEl("text", { x: box.x - 4, y: sy(v) + 4, "text-anchor": "end" }, text));
    }
    if (xtitle) {
      g.append(Explore.svgEl("text", { x: box.x + box.w / 2, y: box.y + box.h + 27, "text-anchor": "middle" }, xtitle));
    }
    if (ytitle) {
      g.append(Explore.svgEl("text", { x: box.x, y: box.y - 6, "text-anchor": "start" }, ytitle));
    }
  };

  Explore.clear = function (node) { while (node.firstChild) { node.removeChild(node.firstChild); } };

  // Numbers as the course prints them: fixed decimals, or powers of ten for tiny and huge values.
  Explore.fmt = function (v, digits) {
    if (v === null || v === undefined) { return "n/a"; }
    if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) { return v.toExponential(2).replace("e", "e"); }
    return v.toFixed(digits === undefined ? 4 : digits);
  };

  Explore.start = function () {
    const data = root.EXPLORE_DATA || {};
    for (const section of document.querySelectorAll("section.explore[data-figure]")) {
      const name = section.dataset.figure;
      if (Explore.figures[name] && data[name]) {
        Explore.figures[name].build(section, data[name]);
        section.hidden = false;
      }
    }
  };

  if (typeof module !== "undefined" && module.exports) {
    module.exports = Explore;
  } else {
    root.Explore = Explore;
    document.addEventListener("DOMContentLoaded", () => Explore.start());
  }
})(typeof window !== "undefined" ? window : globalThis);
