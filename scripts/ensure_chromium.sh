#!/usr/bin/env bash
# Install what the browser tests (tests/browser) run when it is missing: Debian's chromium, and libatomic1, which
# Playwright's own Node driver (in .venv) needs and a minimal Debian lacks ("libatomic.so.1: cannot open shared
# object file" on a fresh debootstrap root). Idempotent.
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || ! /sbin/ldconfig -p | grep -q 'libatomic\.so\.1 '; then
    bash "$(dirname "$0")/apt_install.sh" "the browser tests" chromium libatomic1
fi
test -x "$CHROMIUM"
/sbin/ldconfig -p | grep -q 'libatomic\.so\.1 '
