#!/usr/bin/env bash
# Install Debian's bubblewrap (bwrap), the grader's sandbox, when it is missing. Idempotent.
set -euo pipefail
BWRAP=${BWRAP:-/usr/bin/bwrap}
[ -x "$BWRAP" ] || bash "$(dirname "$0")/apt_install.sh" "the grader's sandbox" bubblewrap
test -x "$BWRAP"
