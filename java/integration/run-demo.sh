#!/usr/bin/env bash
# Runs the ShowEntropy demo (the project's main job) on the packaged artifacts: a JVM started
# with only the jent-fips java.security profile and the jars on its class path.
#
# Build first:  mvn -B -pl java/integration -am package -DskipTests
# Usage:        java/integration/run-demo.sh [2.0|2.1]    (Bouncy Castle FIPS set; default 2.1)
# Environment:  JAVA=/path/to/bin/java (default: java on PATH; Java 11 or later)
#
# Exit status: 0 when BCFIPS's seed demonstrably came from JENT, 1 when it did not, 2 when the
# profile is not wired up (for example the JENT jar is missing).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/fresh-jvm.sh" "${1:-2.1}"

exec "$JAVA" "${JENT_JVM_OPTIONS[@]}" \
    "-Djava.security.properties==$JENT_PROFILE" \
    -cp "$JENT_CLASSPATH" \
    dev.jent.demo.ShowEntropy
