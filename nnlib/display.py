"""Display helpers for the chapters: results shown as tables, not printed as raw arrays.

This is presentation, not mathematics: no loss, gradient or update is computed here.
"""


def markdown_table(header, rows):
    """Return a Markdown table (a string) from a header and rows of cells.

    Parameters
    ----------
    header : sequence of str
        The column titles.
    rows : iterable of sequences
        One sequence per row, as many cells as ``header``; each cell is shown with ``str``,
        so format numbers before passing them (``f"{x:.4f}"``).

    Returns
    -------
    str
        The table in Markdown, one line per row.

    Examples
    --------
    >>> print(markdown_table(["x", "x squared"], [[2, 4], [3, 9]]))
    | x | x squared |
    |---|---|
    | 2 | 4 |
    | 3 | 9 |
    """
    header = [str(title) for title in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for number, row in enumerate(rows):
        cells = [str(cell) for cell in row]
        if len(cells) != len(header):
            raise ValueError(
                f"rows[{number}] has {len(cells)} cells, expected {len(header)} (one per header)"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def show_table(header, rows):
    """Display :func:`markdown_table` as rendered Markdown in a notebook (and on the site)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown_table(header, rows)))
