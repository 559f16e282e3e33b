"""Tables that a phone shows whole: on a narrow screen each row of a wide table is stacked, one cell
under the other, each cell under its column's heading (issue 22).

A table of three or more columns with a header row (the formula sheet, the answer key's gradient
table, the chapters' tables and the tables notebooks print as Markdown) was wider than a 390 px
phone's column: it scrolled inside its box and the reader saw the first columns only, a number
cut at its edge ("0.657" for 0.6579). This HTML post-transform marks each such table
``site-stack`` and puts a copy of its column's heading at the start of every body cell, as a
``site-cell-label`` paragraph; ``_static/site.css`` hides the labels on a wide screen and, below
576 px, shows the table as a list of rows with a label above each value. The headings may hold
math (MathJax typesets the copies like any other formula).
"""


from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

MIN_COLUMNS = 3


def _strip_ids(node):
    for element in node.findall(nodes.Element):
        element["ids"] = []
        element["names"] = []
    return node


def _heading_contents(entry):
    """The inline content of a heading cell (its paragraphs' children), copied without ids."""
    contents = []
    for child in entry.children:
        parts = child.children if isinstance(child, nodes.paragraph) else [child]
        contents.extend(_strip_ids(part.deepcopy()) for part in parts)
    return contents


class StackTablesOnPhones(SphinxPostTransform):
    default_priority = 800
    formats = ("html",)

    def run(self, **kwargs):
        for table in self.document.findall(nodes.table):
            tgroups = [child for child in table.children if isinstance(child, nodes.tgroup)]
            if len(tgroups) != 1:
                continue
            tgroup = tgroups[0]
            thead = next((c for c in tgroup.children if isinstance(c, nodes.thead)), None)
            tbody = next((c for c in tgroup.children if isinstance(c, nodes.tbody)), None)
            if thead is None or tbody is None or len(thead.children) != 1:
                continue
            headings = [entry for entry in thead.children[0].children if isinstance(entry, nodes.entry)]
            if len(headings) < MIN_COLUMNS or any(e.get("morecols") for e in headings):
                continue
            rows = [row for row in tbody.children if isinstance(row, nodes.row)]
            if any(len(row.children) != len(headings) or any(e.get("morecols") for e in row.children)
                   for row in rows):
                continue  # spanning cells: no one heading per cell
            table["classes"].append("site-stack")
            for row in rows:
                for heading, entry in zip(headings, row.children, strict=True):
                    label = nodes.paragraph("", "", *_heading_contents(heading), classes=["site-cell-label"])
                    entry.insert(0, label)


def setup(app):
    app.add_post_transform(StackTablesOnPhones)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
