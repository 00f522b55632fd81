#!/usr/bin/env bash
# Shared settings of the container tests; source this file, do not run it.
#
#   CONTAINERS_REPO_ROOT   the repository
#   CONTAINERS_WORK_DIR    scratch space under the git-ignored .cache/
#   base_image_name M      the local stand-in for a stock Java M runtime image
#   jent_image_name M      that base with our docker/Dockerfile layer on top
#   pm ...                 podman with the project's settings (runc, no ulimits)
#   podman_unusable_reason prints why podman cannot run a container here, or nothing

CONTAINERS_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONTAINERS_WORK_DIR="${CONTAINERS_WORK_DIR:-$CONTAINERS_REPO_ROOT/.cache/containers}"
export CONTAINERS_CONF="$CONTAINERS_REPO_ROOT/tests/containers/containers.conf"

base_image_name() { echo "localhost/jent-test-base-jre:$1"; }
jent_image_name() { echo "localhost/jent-jre:$1"; }

pm() { podman --runtime runc "$@"; }

# Podman can be installed and still be unable to start a container (no user namespaces,
# a read-only /var/lib/containers, ...). The tests ask once and skip with the answer.
podman_unusable_reason() {
    if ! command -v podman > /dev/null; then
        echo "podman is not installed (tests/containers/install-podman.sh installs it as root)"
        return
    fi
    if ! command -v runc > /dev/null; then
        echo "runc is not installed (tests/containers/install-podman.sh installs it as root)"
        return
    fi
    local output
    if ! output="$(pm info --format '{{.Host.OCIRuntime.Name}}' 2>&1)"; then
        echo "podman info fails: $(tail -n 1 <<< "$output")"
    fi
}
