#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/browser) when it is missing. Idempotent.
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || bash "$(dirname "$0")/apt_install.sh" "the browser tests" chromium
test -x "$CHROMIUM"
