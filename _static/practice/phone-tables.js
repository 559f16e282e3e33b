/* Tables in inserted HTML sit in a box that scrolls sideways when the table is wider than the column (as the
   theme's own tables do; the box takes Tab so a keyboard can scroll it). Also, tables (a variant's statement or solution) get what _ext/phone_tables.py gives the
   pages' own tables: a table of three or more columns is marked site-stack and each body cell starts with a
   copy of its column's heading (.site-cell-label), so _static/site.css stacks its rows on a phone. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  var MIN_COLUMNS = 3;

  CP.stackTables = function (element) {
    element.querySelectorAll("table").forEach(function (table) {
      if (!table.parentElement.classList.contains("practice-table-wrap")) {
        var wrap = document.createElement("div");
        wrap.className = "practice-table-wrap";
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table (scrolls sideways when wider than the page)");
        table.parentElement.insertBefore(wrap, table);
        wrap.appendChild(table);
      }
      var headings = table.querySelectorAll("thead tr:first-child > th");
      if (headings.length < MIN_COLUMNS || table.classList.contains("site-stack")) { return; }
      table.classList.add("site-stack");
      table.querySelectorAll("tbody > tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!headings[index]) { return; }
          var label = document.createElement("p");
          label.className = "site-cell-label";
          var source = headings[index].querySelector("p") || headings[index];
          label.innerHTML = source.innerHTML;
          label.querySelectorAll("[id]").forEach(function (node) { node.removeAttribute("id"); });
          cell.insertBefore(label, cell.firstChild);
        });
      });
    });
  };
})(typeof window !== "undefined" ? window : globalThis);
