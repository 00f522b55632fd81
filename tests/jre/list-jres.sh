#!/usr/bin/env bash
# Print "<major> <absolute path of bin/java>" for each runtime tests/jre/fetch-jres.sh has
# unpacked. Exits non-zero, naming the missing ones, unless all four are present, so that
# a script relying on the list cannot silently run a smaller matrix.
set -euo pipefail

# shellcheck source=tests/jre/jres.sh
source "$(dirname "${BASH_SOURCE[0]}")/jres.sh"

missing=""
for major in $JRE_MAJORS; do
    if [[ ! -x "$(jre_java_path "$major")" ]]; then
        missing="$missing $major"
    fi
done

jre_list
if [[ -n "$missing" ]]; then
    echo "list-jres: not fetched:$missing (run tests/jre/fetch-jres.sh)" >&2
    exit 1
fi
