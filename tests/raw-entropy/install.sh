#!/usr/bin/env bash
# Installs what tests/raw-entropy/assess.py needs: the PyPI `sp800-90b` package (a pybind11
# wrapper around NIST's SP 800-90B estimators, built from source) and matplotlib for the plot.
#
# Idempotent: a second run checks the venv and returns in about a second.
# Where things go: a venv under <repo>/.cache/raw-entropy/venv (git-ignored), so the system Python
# is left alone. Override the location with JENT_ASSESS_VENV.
# Needs root (or sudo) only when Debian build libraries are missing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${JENT_ASSESS_VENV:-$repo_root/.cache/raw-entropy/venv}"
python="${PYTHON:-python3}"

# Versions are pinned so a CI run and the committed assessment use the same estimator code.
sp800_90b_version="0.1.1"
pybind11_version="2.13.6"
matplotlib_version="3.9.2"

log() { printf 'install.sh: %s\n' "$*" >&2; }

venv_is_ready() {
    [[ -x "$venv/bin/python" ]] &&
        "$venv/bin/python" -c 'import sp800_90b, matplotlib' >/dev/null 2>&1
}

if venv_is_ready; then
    log "already installed in $venv"
    exit 0
fi

# Step 1: the C++ libraries NIST's estimator code links against (bz2, divsufsort, jsoncpp,
# crypto, mpfr, gmp), a C++ compiler with OpenMP, and venv support for the system Python.
apt_packages=(g++ libbz2-dev libdivsufsort-dev libjsoncpp-dev libssl-dev libmpfr-dev libgmp-dev)
missing=()
for package in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if ((${#missing[@]} > 0)); then
    log "installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

# Step 2: the venv. A half-built one from an interrupted run is replaced.
if [[ ! -x "$venv/bin/python" ]]; then
    log "creating venv $venv with $("$python" --version 2>&1)"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip setuptools wheel

# Step 3: pybind11 first, then sp800-90b without build isolation: its setup.py imports pybind11
# at build time but does not declare it as a build requirement.
"$venv/bin/python" -m pip install -q "pybind11==$pybind11_version" "matplotlib==$matplotlib_version"
log "building sp800-90b $sp800_90b_version from source (about 40 s on 2 cores)"
"$venv/bin/python" -m pip install -q --no-build-isolation "sp800-90b==$sp800_90b_version"

if ! venv_is_ready; then
    log "ERROR: sp800_90b or matplotlib still cannot be imported from $venv"
    exit 1
fi
log "ready: $venv/bin/python"
