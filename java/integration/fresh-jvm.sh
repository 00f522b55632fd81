# Sourced by run-demo.sh and run-benchmarks.sh: the class path and options of a JVM that runs
# this module's programs on the packaged artifacts under the jent-fips profile.
#
# In:  $1 = Bouncy Castle FIPS set, "2.0" or "2.1"; JAVA (default: java on PATH)
# Out: JAVA, JENT_PROFILE, JENT_CLASSPATH, JENT_JVM_OPTIONS (array)

integration_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target_dir="$integration_dir/target"
JAVA="${JAVA:-java}"
JENT_PROFILE="$(cd "$integration_dir/../profile" && pwd)/jent-fips.java.security"

# Exactly one directory per set: the pom copies each set into target/bc-fips-<version>.
bc_set="${1:-2.1}"
case "$bc_set" in
    2.0 | 2.1) ;;
    *) echo "unknown Bouncy Castle FIPS set '$bc_set': use 2.0 or 2.1" >&2; exit 64 ;;
esac
shopt -s nullglob
bc_dirs=("$target_dir"/bc-fips-"$bc_set".*)
integration_jars=("$target_dir"/jent-integration-*.jar)
shopt -u nullglob
provider_jar="$target_dir/jent-lib/jent-provider.jar"
if [ "${#bc_dirs[@]}" -ne 1 ] || [ "${#integration_jars[@]}" -ne 1 ] || [ ! -f "$provider_jar" ]; then
    echo "the artifacts are not built (need one $target_dir/bc-fips-$bc_set.*, one" \
        "jent-integration jar and $provider_jar);" \
        "run: mvn -B -pl java/integration -am package -DskipTests" >&2
    exit 66
fi

JENT_CLASSPATH="${integration_jars[0]}:$provider_jar"
for jar in "${bc_dirs[0]}"/*.jar; do
    JENT_CLASSPATH="$JENT_CLASSPATH:$jar"
done

# JENT loads a native library; Java 22 and later warn about that unless it is granted, and
# Java 11 refuses the option, so it is added only where it is known.
java_version="$("$JAVA" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = //p')"
if [ -z "$java_version" ]; then
    echo "cannot run '$JAVA' (set JAVA to a Java 11+ launcher)" >&2
    exit 69
fi
JENT_JVM_OPTIONS=()
if [ "${java_version%%.*}" -ge 22 ]; then
    JENT_JVM_OPTIONS+=(--enable-native-access=ALL-UNNAMED)
fi
