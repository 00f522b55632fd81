#!/usr/bin/env bash
# Prepare the build context of docker/Dockerfile:
#   CONTEXT/opt/jent/lib/                  bc-fips, bctls-fips, bcpkix-fips, bcutil-fips, the
#                                          JENT provider jar (all unmodified)
#   CONTEXT/opt/jent/jent-fips.java.security
#   CONTEXT/opt/jent/bin/jent-verify       the in-image self-check
#   CONTEXT/opt/jent/verify/jent-verify.jar
#
# Usage: docker/build-context.sh CONTEXT_DIR [PROVIDER_JAR [PROFILE]]
#   PROVIDER_JAR defaults to java/provider/target/jent-provider-<version>.jar, built with
#   `mvn -B -q -pl java/provider -am package -DskipTests` when it is missing; PROFILE to
#   java/profile/jent-fips.java.security.
# The Bouncy Castle versions are the 2.1 set java/integration/pom.xml tests against; every
# jar must match its SHA-256 in docker/bc-fips.sha256, so an unexpected jar stops the build.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
context="${1:?usage: build-context.sh CONTEXT_DIR [PROVIDER_JAR [PROFILE]]}"
provider_jar="${2:-}"
profile="${3:-$repo_root/java/profile/jent-fips.java.security}"
integration_pom="$repo_root/java/integration/pom.xml"

fail() { echo "build-context: $*" >&2; exit 1; }

pom_property() {
    local value
    value="$(sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" "$integration_pom" | head -n 1)"
    [[ -n "$value" ]] || fail "no <$1> in $integration_pom"
    echo "$value"
}

find_provider_jar() {
    ls "$repo_root"/java/provider/target/jent-provider-*.jar 2> /dev/null \
        | grep -v -e '-sources' -e '-javadoc' -e '-tests' | head -n 1 || true
}
if [[ -z "$provider_jar" ]]; then
    provider_jar="$(find_provider_jar)"
fi
# No jar yet: build it (cargo builds the JNI library inside that Maven build).
if [[ -z "$provider_jar" ]]; then
    (cd "$repo_root" && mvn -B -q -pl java/provider -am package -DskipTests) >&2 \
        || fail "building the provider jar (mvn -B -q -pl java/provider -am package) failed"
    provider_jar="$(find_provider_jar)"
fi
[[ -n "$provider_jar" && -f "$provider_jar" ]] \
    || fail "no provider jar (build it: mvn -B -q -pl java/provider -am package -DskipTests)"
[[ -f "$profile" ]] || fail "no profile at $profile"

context="$(mkdir -p "$context" && cd "$context" && pwd)"
jent_home="$context/opt/jent"
rm -rf "$jent_home"
mkdir -p "$jent_home/lib" "$jent_home/bin" "$jent_home/verify"

# Bouncy Castle FIPS jars, from Maven Central through Maven's own cache.
for artifact in "bc-fips:bcfips21" "bctls-fips:bctls21" "bcpkix-fips:bcpkix21" \
    "bcutil-fips:bcutil21"; do
    name="${artifact%%:*}"
    version="$(pom_property "${artifact#*:}.version")"
    # Run outside the repository: the goal needs no project and must not read the root pom.
    if ! (cd "$context" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        "-Dartifact=org.bouncycastle:$name:$version" "-DoutputDirectory=$jent_home/lib") \
        > "$context/maven.log" 2>&1; then
        cat "$context/maven.log" >&2
        fail "cannot fetch org.bouncycastle:$name:$version"
    fi
    rm -f "$context/maven.log"
done
(cd "$jent_home/lib" && sha256sum --quiet --strict -c "$repo_root/docker/bc-fips.sha256") \
    || fail "a Bouncy Castle jar does not match docker/bc-fips.sha256"
for jar in "$jent_home"/lib/*.jar; do
    grep -q " $(basename "$jar")\$" "$repo_root/docker/bc-fips.sha256" \
        || fail "$(basename "$jar") has no pinned SHA-256 in docker/bc-fips.sha256"
done

cp "$provider_jar" "$jent_home/lib/jent-provider.jar"
cp "$profile" "$jent_home/jent-fips.java.security"
install -m 755 "$repo_root/docker/bin/jent-verify" "$jent_home/bin/jent-verify"

# The verifier is compiled for Java 11, against the very jars it will run with.
classes="$context/.verify-classes"
mkdir -p "$classes"
javac -Xlint:all -Werror --release 11 -cp "$jent_home/lib/*" -d "$classes" \
    $(find "$repo_root/docker/verify/src" -name '*.java')
jar --create --file "$jent_home/verify/jent-verify.jar" -C "$classes" .
rm -rf "$classes"

chmod -R a+rX,go-w "$jent_home"
echo "$context"
