#!/usr/bin/env bash
# Install Debian's poppler-utils when one of its programs is missing: the PDF's tests (tests/browser/test_pdf.py)
# read the book's PDF with pdfinfo, pdftotext and pdfimages, and render its pages with pdftoppm.
# Idempotent.
set -euo pipefail
PROGRAMS="pdfinfo pdftotext pdfimages pdftoppm"
for program in $PROGRAMS; do
    if ! command -v "$program" >/dev/null; then
        bash "$(dirname "$0")/apt_install.sh" "the PDF's tests" --no-install-recommends poppler-utils
        break
    fi
done
for program in $PROGRAMS; do
    command -v "$program" >/dev/null
done
