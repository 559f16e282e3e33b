"""What the grader writes: the text and JSON reports, the CSVs, Gradescope's results."""
