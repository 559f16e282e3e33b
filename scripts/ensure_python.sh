#!/usr/bin/env bash
# Check, before the Makefile creates .venv, that the Python it found can: Python 3.11.2 or newer (Debian 12's own)
# with its venv module and ensurepip. This script installs nothing: on Debian and Ubuntu the python3 package comes
# without ensurepip, and `python3 -m venv` then leaves a .venv without pip. It says what to install instead.
#     scripts/ensure_python.sh PYTHON
set -euo pipefail
python=${1:-}
if [ -z "$python" ] || ! command -v "$python" >/dev/null; then
    echo "make: no python3 on PATH. The course needs Python 3.11.2 or newer with venv;" \
        "on Debian and Ubuntu: sudo apt-get install python3 python3-venv" >&2
    exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11, 2))'; then
    echo "make: $python is $("$python" --version 2>&1); the course needs Python 3.11.2 or newer" \
        "(PYTHON=/path/to/python3.x make ... picks another)" >&2
    exit 2
fi
if ! "$python" -m ensurepip --version >/dev/null 2>&1; then
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    echo "make: $python cannot create a virtual environment: its ensurepip module is missing." \
        "On Debian and Ubuntu: sudo apt-get install python3-venv (for a python$version that is not the" \
        "system's python3: python$version-venv), then run make again" >&2
    exit 2
fi
