#!/usr/bin/env bash
# `make book` and `make test` on a machine that has nothing (issue 19), rerunnable by anyone with root:
#
#     sudo scripts/fresh_debian.sh [FOLDER]          # FOLDER defaults to /tmp/fresh-debian; it is replaced
#     sudo STEPS=make-test scripts/fresh_debian.sh   # again, in the root made before: only the steps named
#
# 1. debootstrap --variant=minbase bookworm: a minimal Debian 12 root in FOLDER/root (no Python, make or git);
# 2. what a new user's machine has: Debian 12's apt sources (deb.debian.org: bookworm, -updates, -security) and its
#    Python 3 (3.11.2); then the prerequisites exactly as README.md tells a user to install them (its line
#    `sudo apt-get install ...`, run as root);
# 3. a fresh `git clone` of this repository's current commit into /work/<name>, and ../shared beside it as CI has;
# 4. `make book`, then `make test`, inside the root as root (CI runs as root). Every later install is the project's
#    own scripts' doing (scripts/ensure_*.sh).
#
# The root is entered with bubblewrap, not chroot: the grader's sandbox creates a user namespace, and the kernel
# refuses that (EPERM) to a chrooted process; bwrap's pivot_root gives the root a mount namespace of its own, where
# nested user namespaces work. /proc, /dev and /sys are the host's: bwrap's own --proc would cover parts of the new
# procfs (/proc/sys, ...), and the kernel then refuses the grader's sandbox a proc of its own ("Can't mount proc on
# /newroot/proc: Operation not permitted"); /sys is writable, as on a machine, for the grader's memory cgroup.
# No mount outlives the run.
# This machine's network, not a user's machine, is carried in too: http(s)_proxy and the CA bundle named by
# SSL_CERT_FILE, PIP_CERT, NODE_EXTRA_CA_CERTS, ... when the host sets them (a TLS-inspecting proxy needs them).
#
# Logs: FOLDER/log/<step>.log; the times of the steps: FOLDER/times (printed at the end). Exit status: 0 when
# every step passed. The root is kept for a look inside (3.6 GB after make test): rm -rf FOLDER when done. On
# the host this needs debootstrap and bubblewrap (installed with apt-get when missing).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FOLDER=$(realpath -m "${1:-/tmp/fresh-debian}")
ROOT=$FOLDER/root
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
NAME=$(basename "$REPO")
COMMIT=$(git -C "$REPO" rev-parse HEAD)

if [ "$(id -u)" -ne 0 ]; then
    echo "$0: needs root (debootstrap, and entering the root as root): sudo $0 $*" >&2
    exit 2
fi
if [[ $FOLDER == / || $FOLDER == /tmp || $FOLDER == /usr* || $FOLDER == /etc* || $FOLDER == "$REPO"* ]]; then
    echo "$0: will not replace $FOLDER" >&2
    exit 2
fi
command -v debootstrap >/dev/null || bash "$REPO/scripts/apt_install.sh" "the fresh root" debootstrap
bash "$REPO/scripts/ensure_bwrap.sh"

STEPS=${STEPS:-debootstrap configure readme-prereq clone make-book make-test}
if [[ " $STEPS " == *" debootstrap "* ]]; then
    rm -rf "$FOLDER"
    mkdir -p "$FOLDER/log"
    : >"$FOLDER/times"
fi

# This machine's network settings (not the course's needs): proxies, and the CA bundles TLS clients are told of.
network_env=()
for variable in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -z "${!variable:-}" ] || network_env+=("$variable=${!variable}")
done
for variable in SSL_CERT_FILE PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS GIT_SSL_CAINFO; do
    file=${!variable:-}
    if [ -n "$file" ] && [ -f "$file" ]; then
        network_env+=("$variable=/etc/host-network/$(basename "$file")")
    fi
done

# run STEP COMMAND...: run a command on the host, logged and timed
run() {
    local step=$1 start=$SECONDS status=0
    shift
    echo "==> $(date -u +%H:%M:%S) $step"
    # in the background, so that set -e holds inside the step (it is off on the left of ||)
    "$@" >"$FOLDER/log/$step.log" 2>&1 &
    wait $! || status=$?
    printf '%-12s %6ss  exit %s\n' "$step" $((SECONDS - start)) "$status" | tee -a "$FOLDER/times"
    if [ "$status" -ne 0 ]; then
        tail -n 30 "$FOLDER/log/$step.log"
    fi
    return "$status"
}

# inside DIR COMMAND...: a command inside the root, as root, with a new user's environment (plus the network's)
inside() {
    local directory=$1
    shift
    bwrap --bind "$ROOT" / --dev-bind /dev /dev --bind /proc /proc --bind /sys /sys \
        --unshare-ipc --die-with-parent --chdir "$directory" \
        -- /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        "${network_env[@]}" "$@"
}

configure() {
    rm -f "$ROOT/etc/apt/sources.list"
    cat >"$ROOT/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
    mkdir -p "$ROOT/etc/host-network"
    for variable in SSL_CERT_FILE PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS GIT_SSL_CAINFO; do
        file=${!variable:-}
        if [ -n "$file" ] && [ -f "$file" ]; then
            cp -L "$file" "$ROOT/etc/host-network/$(basename "$file")"
        fi
    done
    # what the new user's machine has: Debian 12 and its Python 3
    inside / sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3'
    inside / python3 --version
}

# The README's own install line for what a machine needs, run as the user would (root: without sudo).
prerequisites() {
    local line
    line=$(git -C "$REPO" show "$COMMIT:README.md" | grep -m 1 -E '^sudo apt-get install ' \
        | sed -E 's/[[:space:]]+#.*//; s/^sudo //')
    [ -n "$line" ] || { echo "README.md has no 'sudo apt-get install ...' line" >&2; return 1; }
    echo "README.md: $line"
    # shellcheck disable=SC2086  # the README's words, split as a shell splits them
    inside / env DEBIAN_FRONTEND=noninteractive ${line/ install / install -y }
}

clone() {
    mkdir -p "$ROOT/work"
    # with the root's own git (a README prerequisite), from a read-only view of this repository
    bwrap --bind "$ROOT" / --ro-bind "$REPO" /mnt/origin --dev /dev --proc /proc --unshare-pid --die-with-parent \
        --chdir /work -- /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin \
        sh -c "git clone --quiet file:///mnt/origin $NAME && git -C $NAME checkout --quiet --detach $COMMIT"
    if [ -d "$REPO/../shared" ]; then
        cp -a "$REPO/../shared" "$ROOT/work/shared"
    fi
    inside "/work/$NAME" git log -1 --format='%H %s'
}

# step NAME COMMAND...: run the step when STEPS names it
step() {
    [[ " $STEPS " == *" $1 "* ]] || return 0
    run "$@"
}

status=0
step debootstrap debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" || exit 1
step configure configure || exit 1
step readme-prereq prerequisites || exit 1
step clone clone || exit 1
step make-book inside "/work/$NAME" make book || status=1
step make-test inside "/work/$NAME" make test || status=1
echo "==> times (seconds; logs in $FOLDER/log)"
cat "$FOLDER/times"
exit "$status"
