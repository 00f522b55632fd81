#!/usr/bin/env bash
# Runs the Java benchmarks of docs/java-benchmarks.md and docs/profile.md on the packaged
# artifacts. Every measurement runs in a fresh JVM; configurations alternate round by round.
#
# Build first:  mvn -B -pl java/integration -am package -DskipTests
# Usage:        java/integration/run-benchmarks.sh [2.0|2.1] [SUITE...] [-- DRIVER OPTIONS]
#   suites:     startup random drbg-mode tls aes seed   (default: all of them)
#   options:    --rounds N (5)  --warmup-ms MS (3000)  --measure-ms MS (5000)
# Environment:  JAVA=/path/to/bin/java (default: java on PATH)
#
# Takes about 15 minutes with the defaults on 2 cores; keep the machine otherwise idle.
set -euo pipefail

bc_set="2.1"
if [ $# -gt 0 ] && { [ "$1" = "2.0" ] || [ "$1" = "2.1" ]; }; then
    bc_set="$1"
    shift
fi
suites=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    suites+=("$1")
    shift
done
[ $# -gt 0 ] && shift
[ "${#suites[@]}" -eq 0 ] && suites=(startup random drbg-mode tls aes seed)

. "$(dirname "${BASH_SOURCE[0]}")/fresh-jvm.sh" "$bc_set"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores online"
echo "bouncy castle set: $bc_set"
exec "$JAVA" -cp "$JENT_CLASSPATH" dev.jent.bench.BenchmarkDriver \
    --java "$(command -v "$JAVA")" \
    --classpath "$JENT_CLASSPATH" \
    --profile "$JENT_PROFILE" \
    --work "$integration_dir/target/benchmarks" \
    "$@" "${suites[@]}"
