#!/usr/bin/env bash
# Container tests of docker/Dockerfile on Java 11, 17, 21 and 25.
#
# For each Java line: a local stand-in for a stock JRE image (build-base-images.sh), the real
# Dockerfile built on it, then
#   - jent-verify (the image's own check) passes and runs as a non-root user;
#   - an unchanged JDK-API-only program started with `java -jar` and with `java -cp` gets
#     BCFIPS, BCJSSE and JENT from the profile, in approved-only mode;
#   - with kernel randomness removed (getrandom -> ENOSYS by seccomp, empty /dev/random and
#     /dev/urandom), the stock base fails its first SecureRandom draw while the JENT image
#     still passes jent-verify and runs the program.
#
# Usage: tests/containers/run.sh [MAJOR ...]          (default: 11 17 21 25)
# Environment: JENT_PROVIDER_JAR, JENT_PROFILE override the provider jar and the profile.
# Output: PASS/FAIL/SKIP lines and a closing "containers: N passed, N failed, N skipped".
# Skips (exit 0, reason printed) only when podman cannot run containers on this machine.
set -uo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/containers/common.sh
source "$script_dir/common.sh"
# shellcheck source=tests/jre/jres.sh
source "$CONTAINERS_REPO_ROOT/tests/jre/jres.sh"

majors="${*:-$JRE_MAJORS}"
started_at=$SECONDS
passed=0
failed=0
skipped=0
logs="$CONTAINERS_WORK_DIR/logs"

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    if [[ -n "${2:-}" && -f "$2" ]]; then
        sed 's/^/    | /' "$2" | tail -n 25
    fi
}
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }
finish() {
    echo "containers: took $((SECONDS - started_at)) s"
    echo "containers: $passed passed, $failed failed, $skipped skipped"
    [[ $failed == 0 ]]
    exit
}
die() { fail "$1" "${2:-}"; finish; }

# --- the machine ---------------------------------------------------------------------------
if [[ "$(id -u)" == 0 ]]; then
    bash "$script_dir/install-podman.sh" || die "installing podman and runc"
fi
reason="$(podman_unusable_reason)"
if [[ -n "$reason" ]]; then
    for major in $majors; do
        skip "Java $major image tests: $reason"
    done
    finish
fi

mkdir -p "$logs"
bash "$CONTAINERS_REPO_ROOT/tests/jre/fetch-jres.sh" > "$logs/fetch-jres.log" 2>&1 \
    || die "fetching the Java runtimes (tests/jre/fetch-jres.sh)" "$logs/fetch-jres.log"

# --- what goes into the image --------------------------------------------------------------
context="$CONTAINERS_WORK_DIR/context"
bash "$CONTAINERS_REPO_ROOT/docker/build-context.sh" "$context" "${JENT_PROVIDER_JAR:-}" \
    ${JENT_PROFILE:+"$JENT_PROFILE"} > "$logs/context.log" 2>&1 \
    || die "preparing the image build context (docker/build-context.sh)" "$logs/context.log"

# The probe stands for an application: JDK APIs only, its own jar, mounted into containers.
probe_dir="$CONTAINERS_WORK_DIR/probe"
rm -rf "$probe_dir"
mkdir -p "$probe_dir/classes"
{
    javac -Xlint:all -Werror --release 11 -d "$probe_dir/classes" \
        $(find "$script_dir/probe/src" -name '*.java') \
        && jar --create --file "$probe_dir/profile-probe.jar" \
            --main-class com.example.probe.ProfileProbe -C "$probe_dir/classes" .
} > "$logs/probe-build.log" 2>&1 || die "compiling the probe program" "$logs/probe-build.log"
rm -rf "$probe_dir/classes"

# tests/kernel-independence's program: keygen, signing, AES-GCM, ECDH and a TLS handshake
# through plain JCA. Optional, because it belongs to another part of the tree; compiled
# without -Werror, since that part's own build holds it to its lint rules.
kernel_check_source="$CONTAINERS_REPO_ROOT/tests/kernel-independence/KernelIndependenceCheck.java"
kernel_check_dir="$probe_dir/kernel-independence"
if [[ -f "$kernel_check_source" ]]; then
    mkdir -p "$kernel_check_dir"
    javac --release 11 -d "$kernel_check_dir" "$kernel_check_source" \
        > "$logs/kernel-check-build.log" 2>&1 \
        || die "compiling $kernel_check_source" "$logs/kernel-check-build.log"
fi

# java/integration's demo, ShowEntropy: JENT's counters before and after BCFIPS seeds itself.
# Compiled here against the image's own jars; optional like the program above.
show_entropy_sources="$CONTAINERS_REPO_ROOT/java/integration/src/main/java/dev/jent"
show_entropy_dir="$probe_dir/show-entropy"
if [[ -f "$show_entropy_sources/demo/ShowEntropy.java" ]]; then
    mkdir -p "$show_entropy_dir"
    javac --release 11 -cp "$context/opt/jent/lib/*" -d "$show_entropy_dir" \
        $(find "$show_entropy_sources/demo" "$show_entropy_sources/integration" -name '*.java') \
        > "$logs/show-entropy-build.log" 2>&1 \
        || die "compiling java/integration's ShowEntropy demo" "$logs/show-entropy-build.log"
fi
: > "$probe_dir/empty"
chmod -R a+rX "$probe_dir"

bash "$script_dir/build-base-images.sh" $majors > "$logs/base-images.log" 2>&1 \
    || die "assembling the local base images" "$logs/base-images.log"

# --- checks --------------------------------------------------------------------------------
probe_mount=(-v "$probe_dir:/probe:ro")
no_kernel_random=(
    --security-opt "seccomp=$script_dir/no-kernel-random.json"
    -v "$probe_dir/empty:/dev/random:ro"
    -v "$probe_dir/empty:/dev/urandom:ro"
)

# Succeeds if the probe's output in $1 shows the JENT profile at work.
probe_shows_profile() {
    grep -q '^providers=BCFIPS,BCJSSE,' "$1" \
        && grep -q '^providers=.*,JENT\(,\|$\)' "$1" \
        && grep -qx 'tls.provider=BCJSSE' "$1" \
        && grep -qx 'approved.only=true' "$1" \
        && grep -qx 'default.securerandom=DEFAULT/BCFIPS' "$1" \
        && grep -qx 'strong.securerandom=ENTROPY/JENT seed=32' "$1"
}

for major in $majors; do
    base="$(base_image_name "$major")"
    image="$(jent_image_name "$major")"
    log="$logs/java-$major"

    # Java 11 refuses --enable-native-access, which later lines want.
    native_access=()
    if [[ $major == 11 ]]; then
        native_access=(--build-arg JENT_NATIVE_ACCESS=)
    fi
    if ! pm build -q -f "$CONTAINERS_REPO_ROOT/docker/Dockerfile" --build-arg "BASE_IMAGE=$base" \
        "${native_access[@]}" -t "$image" "$context" > "$log-build.log" 2>&1; then
        fail "Java $major: podman build of docker/Dockerfile on $base" "$log-build.log"
        continue
    fi
    pass "Java $major: podman build of docker/Dockerfile on $base"

    if pm run --rm "$image" > "$log-verify.log" 2>&1 \
        && grep -q '^jent-verify: all [0-9]* checks passed$' "$log-verify.log"; then
        pass "Java $major: jent-verify in the image ($(grep -o 'TLSv[0-9.]* [A-Z0-9_]*' \
            "$log-verify.log" | head -n 1))"
    else
        fail "Java $major: jent-verify in the image" "$log-verify.log"
    fi
    # The JVM's own warnings, not the "Picked up JAVA_TOOL_OPTIONS" echo of the option.
    if grep -q -E '^WARNING: .*(restricted method|--enable-native-access|Unknown module)' \
        "$log-verify.log"; then
        fail "Java $major: the JNI library loads without a native-access warning" \
            "$log-verify.log"
    else
        pass "Java $major: the JNI library loads without a native-access warning"
    fi

    # Shell built-ins only: the local bases have dash but no grep.
    if pm run --rm "$image" sh -c 'while read -r key value rest; do
            if [ "$key" = Uid: ]; then echo "uid=$value"; fi; done < /proc/self/status' \
        > "$log-user.log" 2>&1 && grep -qx 'uid=65532' "$log-user.log"; then
        pass "Java $major: the image runs as uid 65532, not root"
    else
        fail "Java $major: the image runs as uid 65532, not root" "$log-user.log"
    fi

    if pm run --rm "${probe_mount[@]}" "$image" java -jar /probe/profile-probe.jar \
        > "$log-jar.log" 2>&1 && probe_shows_profile "$log-jar.log"; then
        pass "Java $major: unchanged app, java -jar, runs under the profile"
    else
        fail "Java $major: unchanged app, java -jar, runs under the profile" "$log-jar.log"
    fi
    if pm run --rm "${probe_mount[@]}" "$image" \
        java -cp /probe/profile-probe.jar com.example.probe.ProfileProbe \
        > "$log-cp.log" 2>&1 && probe_shows_profile "$log-cp.log"; then
        pass "Java $major: unchanged app, java -cp, runs under the profile"
    else
        fail "Java $major: unchanged app, java -cp, runs under the profile" "$log-cp.log"
    fi

    # The sandbox must really take kernel randomness away: the stock runtime has to fail.
    pm run --rm "${no_kernel_random[@]}" "${probe_mount[@]}" "$base" \
        java -jar /probe/profile-probe.jar > "$log-stock-nokernel.log" 2>&1
    stock_status=$?
    if [[ $stock_status == 2 ]] && grep -q '^random.failure=' "$log-stock-nokernel.log"; then
        pass "Java $major: without kernel randomness the stock base fails ($(grep -m 1 \
            '^random.failure=' "$log-stock-nokernel.log" | cut -d= -f2-))"
    else
        fail "Java $major: without kernel randomness the stock base fails (exit $stock_status)" \
            "$log-stock-nokernel.log"
    fi

    if pm run --rm "${no_kernel_random[@]}" "$image" > "$log-verify-nokernel.log" 2>&1 \
        && grep -q '^jent-verify: all [0-9]* checks passed$' "$log-verify-nokernel.log"; then
        pass "Java $major: without kernel randomness jent-verify passes in the JENT image"
    else
        fail "Java $major: without kernel randomness jent-verify passes in the JENT image" \
            "$log-verify-nokernel.log"
    fi
    if pm run --rm "${no_kernel_random[@]}" "${probe_mount[@]}" "$image" \
        java -jar /probe/profile-probe.jar > "$log-jar-nokernel.log" 2>&1 \
        && probe_shows_profile "$log-jar-nokernel.log"; then
        pass "Java $major: without kernel randomness the unchanged app runs in the JENT image"
    else
        fail "Java $major: without kernel randomness the unchanged app runs in the JENT image" \
            "$log-jar-nokernel.log"
    fi

    if [[ ! -d "$show_entropy_dir" ]]; then
        skip "Java $major: ShowEntropy demo in the sandbox: java/integration has no ShowEntropy.java"
    elif pm run --rm "${no_kernel_random[@]}" "${probe_mount[@]}" "$image" \
        java -cp /probe/show-entropy dev.jent.demo.ShowEntropy > "$log-show-entropy.log" 2>&1 \
        && grep -q '^RESULT: BCFIPS drew ' "$log-show-entropy.log"; then
        pass "Java $major: ShowEntropy demo in the JENT image without kernel randomness ($(grep \
            -m 1 -o '^RESULT: BCFIPS drew [0-9]* requests*' "$log-show-entropy.log" | cut -c9-))"
    else
        fail "Java $major: ShowEntropy demo in the JENT image without kernel randomness" \
            "$log-show-entropy.log"
    fi

    if [[ ! -d "$kernel_check_dir" ]]; then
        skip "Java $major: KernelIndependenceCheck in the sandbox: $kernel_check_source is missing"
        continue
    fi
    pm run --rm "${no_kernel_random[@]}" "${probe_mount[@]}" "$base" \
        java -cp /probe/kernel-independence KernelIndependenceCheck > "$log-kic-stock.log" 2>&1
    stock_status=$?
    if [[ $stock_status == 1 ]] && grep -q '^FAIL ' "$log-kic-stock.log"; then
        pass "Java $major: KernelIndependenceCheck fails on the stock base without kernel randomness"
    else
        fail "Java $major: KernelIndependenceCheck fails on the stock base without kernel randomness (exit $stock_status)" \
            "$log-kic-stock.log"
    fi
    if pm run --rm "${no_kernel_random[@]}" "${probe_mount[@]}" "$image" \
        java -cp /probe/kernel-independence KernelIndependenceCheck \
        --expect-strong-provider JENT > "$log-kic-jent.log" 2>&1 \
        && ! grep -q '^FAIL ' "$log-kic-jent.log" && grep -q '^OK ' "$log-kic-jent.log"; then
        pass "Java $major: KernelIndependenceCheck passes in the JENT image without kernel randomness ($(grep -c '^OK ' "$log-kic-jent.log") operations OK)"
    else
        fail "Java $major: KernelIndependenceCheck passes in the JENT image without kernel randomness" \
            "$log-kic-jent.log"
    fi
done

finish
