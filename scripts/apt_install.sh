#!/usr/bin/env bash
# Install Debian packages with apt-get, as root or through sudo (CI runs as root on Debian):
#     scripts/apt_install.sh "what they are for" [--no-install-recommends] package...
# The ensure_*.sh scripts call it when their own check finds something missing.
set -euo pipefail
reason=$1
shift
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
names=()
for argument in "$@"; do
    [[ $argument == -* ]] || names+=("$argument")
done
echo "==> Installing Debian's ${names[*]} for $reason (first run only)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
