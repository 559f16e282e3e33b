#!/usr/bin/env bash
# Install Debian's TeX Live for `make pdf` (Jupyter Book's LaTeX builder) when it is missing.
# These packages are enough for the book (about 600 MB; not the 1.4 GB texlive-fonts-extra). The PDF
# is typeset by xelatex in DejaVu fonts (_config.yml: latex_elements.fontpkg).
# CI runs as root on Debian; elsewhere this needs root (or sudo) once. Idempotent.
set -euo pipefail
PACKAGES="texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk fonts-dejavu-core"
if command -v latexmk >/dev/null && command -v xelatex >/dev/null && command -v pdflatex >/dev/null \
    && kpsewhich fncychap.sty >/dev/null && [ -n "$(fc-list "DejaVu Serif")" ]; then
    exit 0
fi
# shellcheck disable=SC2086  # the package list is split on purpose
bash "$(dirname "$0")/apt_install.sh" "the PDF (a few minutes)" --no-install-recommends $PACKAGES
command -v latexmk >/dev/null
