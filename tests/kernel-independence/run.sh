#!/usr/bin/env bash
# Proves that a stock JRE with the jent-fips profile needs no randomness from the kernel, and
# that the same JRE without the profile does.
#
# For each Java runtime (11, 17, 21, 25 from tests/jre/fetch-jres.sh) it runs
# KernelIndependenceCheck several ways and asserts the outcome of each:
#
#   stock              no sandbox, no profile: every operation OK (the program itself works)
#   stock-sandboxed    in no-kernel-random, no profile: the JVM starts, SecureRandom fails
#   bcV-no-jent        in no-kernel-random, profile + bc-fips set V but no JENT jar: fails
#   jent-bcV           in no-kernel-random, profile + JENT + bc-fips set V: every operation OK
#
# V runs over the bc-fips jar sets the integration module copies (2.0.0 and 2.1.x).
#
# Usage: tests/kernel-independence/run.sh [--stock-only] [MAJOR...]
#   --stock-only   run only the first two cases (no JENT jars needed)
#   MAJOR...       Java feature releases to cover (default: 11 17 21 25)
#
# Inputs, all built by the project's own build (override with the variables):
#   JENT_PROVIDER_JAR   java/provider/target/jent-provider-<version>.jar (native library inside)
#   JENT_BC_DIRS        space-separated folders of bc-fips jar sets,
#                       default java/integration/target/bc-fips-*
#   JENT_PROFILE        java/profile/jent-fips.java.security
#   NO_KERNEL_RANDOM    the sandbox binary; default: target/release/no-kernel-random, built
#                       with cargo from rust/sandbox
#
# Needs root (mount namespace, seccomp): without it every case is skipped with the reason and
# the script exits 0. Logs: tests/kernel-independence/target/logs/<major>-<case>.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
work_dir="$here/target"
log_dir="$work_dir/logs"
classes_dir="$work_dir/classes"
# Each JVM run gets this long; a hang (a blocked entropy read, a stuck handshake) is a failure.
run_timeout_seconds=300

# shellcheck source=tests/jre/jres.sh
source "$repo_root/tests/jre/jres.sh"

stock_only=false
majors=()
for argument in "$@"; do
    case "$argument" in
        --stock-only) stock_only=true ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "run.sh: unknown option '$argument'" >&2
            exit 2
            ;;
        *)
            jre_pinned_version "$argument" > /dev/null || exit 2
            majors+=("$argument")
            ;;
    esac
done
if [[ ${#majors[@]} -eq 0 ]]; then
    read -r -a majors <<< "$JRE_MAJORS"
fi

# --- The sandbox ------------------------------------------------------------------------------

if [[ -n "${NO_KERNEL_RANDOM:-}" ]]; then
    sandbox="$NO_KERNEL_RANDOM"
else
    # The release build, as the Makefile's build target makes it, so nothing compiles twice.
    (cd "$repo_root" && cargo build --quiet --release --locked -p jent-sandbox --bin no-kernel-random)
    sandbox="${CARGO_TARGET_DIR:-$repo_root/target}/release/no-kernel-random"
fi

# The sandbox checks itself before it runs anything; if it cannot be built here, say why and
# skip rather than report results that prove nothing.
if ! sandbox_error="$("$sandbox" true 2>&1)"; then
    if [[ "$sandbox_error" == *"Operation not permitted"* || "$sandbox_error" == *"only Linux on x86_64"* ]]; then
        echo "SKIP kernel-independence: the sandbox cannot be set up here: $sandbox_error"
        exit 0
    fi
    echo "kernel-independence: the sandbox fails: $sandbox_error" >&2
    exit 1
fi

# --- Inputs -----------------------------------------------------------------------------------

"$repo_root/tests/jre/fetch-jres.sh" > /dev/null

profile="${JENT_PROFILE:-$repo_root/java/profile/jent-fips.java.security}"
provider_jar="${JENT_PROVIDER_JAR:-}"
if [[ -z "$provider_jar" ]]; then
    provider_jar="$(ls "$repo_root"/java/provider/target/jent-provider-*.jar 2>/dev/null \
        | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' -e '-tests\.jar$' | head -n 1 || true)"
fi
read -r -a bc_dirs <<< "${JENT_BC_DIRS:-$(ls -d "$repo_root"/java/integration/target/bc-fips-* 2>/dev/null | tr '\n' ' ' || true)}"

if ! $stock_only; then
    missing=""
    [[ -f "$profile" ]] || missing="$missing\n  the profile $profile"
    [[ -n "$provider_jar" && -f "$provider_jar" ]] \
        || missing="$missing\n  the provider jar java/provider/target/jent-provider-*.jar"
    [[ ${#bc_dirs[@]} -gt 0 ]] \
        || missing="$missing\n  the bc-fips jar sets java/integration/target/bc-fips-*"
    if [[ -n "$missing" ]]; then
        echo -e "kernel-independence: missing inputs:$missing" >&2
        echo "  build them with: mvn -B -DskipTests package   (or run with --stock-only)" >&2
        exit 1
    fi
    for bc_dir in "${bc_dirs[@]}"; do
        if [[ $(ls "$bc_dir"/*.jar 2>/dev/null | wc -l) -ne 4 ]]; then
            echo "kernel-independence: $bc_dir should hold exactly the 4 bc-fips jars" >&2
            exit 1
        fi
    done
fi

# --- The program, compiled once with the build JDK for Java 11 --------------------------------

source_file="$here/KernelIndependenceCheck.java"
if [[ ! -f "$classes_dir/KernelIndependenceCheck.class" \
    || "$source_file" -nt "$classes_dir/KernelIndependenceCheck.class" ]]; then
    rm -rf "$classes_dir"
    mkdir -p "$classes_dir"
    javac --release 11 -Xlint:all -Werror -d "$classes_dir" "$source_file"
fi
rm -rf "$log_dir"
mkdir -p "$log_dir"

# --- Running and judging one case -------------------------------------------------------------

failures=0
declare -A outcome

# run_case MAJOR CASE EXPECT SANDBOX CLASSPATH [JVM OPTION...] [-- PROGRAM ARGUMENT...]
# EXPECT is "pass" (exit 0, every operation OK) or "no-random" (the JVM starts, exit 1, the
# two SecureRandom operations fail). Records PASS/FAIL in outcome[MAJOR,CASE].
run_case() {
    local major="$1" name="$2" expect="$3" sandboxed="$4" classpath="$5"
    shift 5
    local jvm_options=() program_arguments=()
    while [[ $# -gt 0 && "$1" != "--" ]]; do
        jvm_options+=("$1")
        shift
    done
    [[ $# -gt 0 ]] && shift
    program_arguments=("$@")

    local java_bin log command=()
    java_bin="$(jre_java_path "$major")"
    log="$log_dir/$major-$name.log"
    if [[ "$sandboxed" == yes ]]; then
        command+=("$sandbox")
    fi
    command+=(timeout "$run_timeout_seconds" "$java_bin")
    # Java 17+ warns when a jar loads native code without this flag (JEP 472 on 24+).
    if [[ "$major" -ge 17 ]]; then
        command+=(--enable-native-access=ALL-UNNAMED)
    fi
    command+=("${jvm_options[@]}" -cp "$classpath" KernelIndependenceCheck "${program_arguments[@]}")

    local started status=0 seconds verdict problem=""
    started=$(date +%s%N)
    echo "\$ ${command[*]}" > "$log"
    "${command[@]}" >> "$log" 2>&1 || status=$?
    local tenths=$((($(date +%s%N) - started) / 100000000))
    seconds="$((tenths / 10)).$((tenths % 10))"

    # Judge the run by its exit status and by the lines the program printed.
    if ! grep -q '^INFO java ' "$log"; then
        problem="the JVM did not start (exit $status)"
    elif [[ "$expect" == pass ]]; then
        if [[ $status -ne 0 ]] || ! grep -q '^RESULT all [0-9]* operations OK$' "$log"; then
            problem="expected every operation OK, got exit $status: $(grep -m1 '^FAIL' "$log" || true)"
        fi
    else
        if [[ $status -ne 1 ]]; then
            problem="expected exit 1 (operations failing), got exit $status"
        elif ! grep -q '^FAIL secure-random-default ' "$log" \
            || ! grep -q '^FAIL secure-random-strong ' "$log"; then
            problem="SecureRandom did not fail without kernel randomness"
        fi
    fi
    for expected_text in "${expected_texts[@]}"; do
        if [[ -z "$problem" ]] && ! grep -qiF -- "$expected_text" "$log"; then
            problem="the output lacks '$expected_text'"
        fi
    done

    if [[ -z "$problem" ]]; then
        verdict=PASS
    else
        verdict=FAIL
        failures=$((failures + 1))
    fi
    outcome[$major,$name]="$verdict ${seconds}s"
    printf '%-5s Java %-3s %-16s %6ss  %s\n' "$verdict" "$major" "$name" "$seconds" \
        "${problem:-$(grep -m1 -e '^RESULT' "$log")}"
    if [[ -n "$problem" ]]; then
        sed 's/^/      | /' "$log" | tail -n 25
    fi
}

cases=(stock stock-sandboxed)
for major in "${majors[@]}"; do
    # The stock runtime must pass on its own, or a failure in the sandbox would prove nothing.
    expected_texts=()
    run_case "$major" stock pass no "$classes_dir"

    # Without kernel randomness the stock runtime must fail, with the JDK's own error.
    expected_texts=("ProviderException: init failed")
    run_case "$major" stock-sandboxed no-random yes "$classes_dir"

    if $stock_only; then
        continue
    fi
    for bc_dir in "${bc_dirs[@]}"; do
        bc_version="${bc_dir##*/bc-fips-}"
        bc_classpath="$(ls "$bc_dir"/*.jar | tr '\n' ':')"

        # The same profile and bc-fips jars without the JENT jar must fail too: then nothing
        # but JENT (no CPU instruction, no JDK fallback) is what makes the next case work.
        name="bc${bc_version}-no-jent"
        [[ " ${cases[*]} " == *" $name "* ]] || cases+=("$name")
        expected_texts=()
        run_case "$major" "$name" no-random yes "$classes_dir:${bc_classpath%:}" \
            "-Djava.security.properties==$profile"

        # With the profile every operation must pass, with BCFIPS, BCJSSE and JENT doing the
        # work. (Key store type names are compared without regard to case.)
        name="jent-bc${bc_version}"
        [[ " ${cases[*]} " == *" $name "* ]] || cases+=("$name")
        expected_texts=("(BCFIPS)" "(BCJSSE, key store BCFKS)" "from ENTROPY (JENT)")
        run_case "$major" "$name" pass yes "$classes_dir:$provider_jar:${bc_classpath%:}" \
            "-Djava.security.properties==$profile" -- --expect-strong-provider JENT
    done
done

# --- Summary ------------------------------------------------------------------------------------

echo
printf '%-6s' "Java"
for name in "${cases[@]}"; do printf ' %-20s' "$name"; done
echo
for major in "${majors[@]}"; do
    printf '%-6s' "$major"
    for name in "${cases[@]}"; do printf ' %-20s' "${outcome[$major,$name]:-not run}"; done
    echo
done
echo
if [[ $failures -ne 0 ]]; then
    echo "kernel-independence: $failures case(s) FAILED; logs in $log_dir"
    exit 1
fi
echo "kernel-independence: all cases passed; logs in $log_dir"
