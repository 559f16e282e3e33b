#!/usr/bin/env bash
# Install Debian's bubblewrap (bwrap), the grader's sandbox, when it is missing.
# CI runs as root on Debian; elsewhere this needs root (or sudo) once. Idempotent.
set -euo pipefail
BWRAP=${BWRAP:-/usr/bin/bwrap}
if [ -x "$BWRAP" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "==> Installing Debian's bubblewrap, the grader's sandbox (first run only)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bubblewrap >/dev/null
test -x "$BWRAP"
