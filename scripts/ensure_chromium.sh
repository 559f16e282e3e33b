#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/browser) when it is missing.
# CI runs as root on Debian; elsewhere this needs root (or sudo) once. Idempotent.
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "==> Installing Debian's chromium for the browser tests (first run only)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
test -x "$CHROMIUM"
