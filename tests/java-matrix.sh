#!/usr/bin/env bash
# Runs the project's Java tests on Java 11, 17, 21 and 25.
#
# The Java code is compiled once, by the build JDK (17) for release 11; the script checks that
# no class file is newer than Java 11. Then the test phases run once per runtime, with the
# parent pom's test.jvm property pointing at that runtime's bin/java (tests/jre/fetch-jres.sh
# provides the runtimes). Maven itself always runs on the build JDK; test.jvm is the JVM that
# surefire forks for the tests and that the integration tests start for their fresh JVMs.
#
# Usage: tests/java-matrix.sh [MAJOR...]     (default: 11 17 21 25)
# Environment: MVN (default mvn), JAVA_MATRIX_MAVEN_ARGS (extra arguments for every Maven run).
# Output: a per-version summary; logs and copies of the test reports under
#         target/java-matrix/<major>/. Exit status 1 if any version fails.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work_dir="$repo_root/target/java-matrix"
mvn_command="${MVN:-mvn}"
read -r -a extra_maven_args <<< "${JAVA_MATRIX_MAVEN_ARGS:-}"

# shellcheck source=tests/jre/jres.sh
source "$repo_root/tests/jre/jres.sh"

majors=()
for argument in "$@"; do
    case "$argument" in
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
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

"$repo_root/tests/jre/fetch-jres.sh" > /dev/null
rm -rf "$work_dir"
mkdir -p "$work_dir"
cd "$repo_root"

maven() {
    "$mvn_command" -B -ntp "${extra_maven_args[@]}" "$@"
}

seconds_since() {
    local tenths=$((($(date +%s%N) - $1) / 100000000))
    echo "$((tenths / 10)).$((tenths % 10))"
}

# --- Build once ----------------------------------------------------------------------------------

echo "java-matrix: building once with $(javac -version 2>&1) (log: $work_dir/build.log)"
started=$(date +%s%N)
if ! maven -DskipTests package > "$work_dir/build.log" 2>&1; then
    tail -n 40 "$work_dir/build.log"
    echo "java-matrix: the build failed; nothing was tested" >&2
    exit 1
fi
echo "java-matrix: built in $(seconds_since "$started")s"

# Every class the build produced must run on Java 11: class file major version 55 or lower.
# (A class compiled for 17 would pass on 17, 21 and 25 and only break on 11.)
class_report="$(python3 - "$repo_root" <<'PY'
import pathlib, struct, sys
root = pathlib.Path(sys.argv[1])
newest, count, offenders = 0, 0, []
for path in root.glob("java/*/target/*classes/**/*.class"):
    with open(path, "rb") as class_file:
        magic, _minor, major = struct.unpack(">IHH", class_file.read(8))
    if magic != 0xCAFEBABE:
        offenders.append(f"{path}: not a class file")
        continue
    count += 1
    newest = max(newest, major)
    if major > 55:
        offenders.append(f"{path}: class file version {major}, newer than Java 11 (55)")
print(f"{count} class files, newest version {newest}")
for offender in offenders[:20]:
    print("BAD " + offender)
PY
)"
echo "java-matrix: $class_report"
if [[ "$class_report" == *"BAD "* || "$class_report" == "0 class files"* ]]; then
    echo "java-matrix: the build did not produce Java 11 class files" >&2
    exit 1
fi

# --- Test on each runtime ---------------------------------------------------------------------

# Sums the surefire/failsafe XML reports of one run and names the JVMs that ran them.
summarise_reports() {
    python3 - "$repo_root" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ElementTree
root = pathlib.Path(sys.argv[1])
totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
jvms = set()
for report in root.glob("java/*/target/*-reports/TEST-*.xml"):
    suite = ElementTree.parse(report).getroot()
    for key in totals:
        totals[key] += int(suite.get(key, "0"))
    for prop in suite.iter("property"):
        if prop.get("name") == "java.version":
            jvms.add(prop.get("value"))
print(" ".join(f"{key}={value}" for key, value in totals.items()),
      "jvm=" + ",".join(sorted(jvms)))
PY
}

failures=0
declare -A result
for major in "${majors[@]}"; do
    java_bin="$(jre_java_path "$major")"
    run_dir="$work_dir/$major"
    mkdir -p "$run_dir"

    # Reports of the previous runtime must not be counted for this one.
    rm -rf java/*/target/surefire-reports java/*/target/failsafe-reports

    # Java 24+ warns whenever a class path jar loads native code unless this is given
    # (JEP 472); the parent pom passes test.jvm.args to every test JVM.
    jvm_args=()
    if [[ "$major" -ge 24 ]]; then
        jvm_args=("-Dtest.jvm.args=--enable-native-access=ALL-UNNAMED")
    fi

    started=$(date +%s%N)
    status=0
    maven -o verify "-Dtest.jvm=$java_bin" "${jvm_args[@]}" > "$run_dir/maven.log" 2>&1 \
        || status=$?
    seconds="$(seconds_since "$started")"
    for reports in java/*/target/surefire-reports java/*/target/failsafe-reports; do
        if [[ -d "$reports" ]]; then
            module="${reports#java/}"
            mkdir -p "$run_dir/${module%%/*}"
            cp -r "$reports" "$run_dir/${module%%/*}/"
        fi
    done
    counts="$(summarise_reports)"

    # A run passes when Maven passes, at least one test ran, and some test JVM was this runtime
    # (the reports record the java.version of the JVM that ran them).
    reported_version="$("$java_bin" -version 2>&1 | sed -n 's/^[^"]*version "\([^"]*\)".*/\1/p')"
    problem=""
    if [[ $status -ne 0 ]]; then
        problem="maven exit $status: $(grep -m1 -E '^\[ERROR\] (Tests run|Failed|.*FAIL)' "$run_dir/maven.log" || grep -m1 '^\[ERROR\]' "$run_dir/maven.log" || true)"
    elif [[ "$counts" == tests=0* ]]; then
        problem="no test ran"
    elif [[ "$counts" != *"jvm="*"$reported_version"* ]]; then
        problem="no test report comes from Java $reported_version ($counts)"
    fi

    if [[ -z "$problem" ]]; then
        result[$major]="PASS"
    else
        result[$major]="FAIL"
        failures=$((failures + 1))
    fi
    printf '%-4s Java %-3s %7ss  %s\n' "${result[$major]}" "$major" "$seconds" "$counts"
    if [[ -n "$problem" ]]; then
        echo "     $problem"
        echo "     log: $run_dir/maven.log"
    fi
done

echo
if [[ $failures -ne 0 ]]; then
    echo "java-matrix: $failures of ${#majors[@]} runtimes FAILED"
    exit 1
fi
echo "java-matrix: all ${#majors[@]} runtimes passed (${majors[*]})"
