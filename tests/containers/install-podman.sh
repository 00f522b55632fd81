#!/usr/bin/env bash
# Install podman and runc from Debian's packages if they are missing. Idempotent: a machine
# that already has both is left alone (no apt-get update, no network).
#
# Exit status: 0 when both commands are usable afterwards, non-zero otherwise.
set -euo pipefail

if command -v podman > /dev/null && command -v runc > /dev/null; then
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "install-podman: podman/runc are missing and only root can install them" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq podman runc > /dev/null
command -v podman > /dev/null && command -v runc > /dev/null
