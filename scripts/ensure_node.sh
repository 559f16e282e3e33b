#!/usr/bin/env bash
# Install Debian's Node.js and npm when either is missing: npm installs axe-core (package-lock.json) for the
# browser tests, and Node runs JavaScript with `node --test`, which needs Node 18 or newer (Debian 12 ships 18).
# ca-certificates lets npm reach its registry over HTTPS. Idempotent.
set -euo pipefail
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    bash "$(dirname "$0")/apt_install.sh" "the browser tests (axe-core) and node --test" \
        --no-install-recommends nodejs npm ca-certificates
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
    echo "scripts/ensure_node.sh: $(command -v node) is Node $(node --version); the tests need Node 18 or newer" \
        "(node --test). Install a newer one, or put it first on PATH." >&2
    exit 1
fi
command -v npm >/dev/null
