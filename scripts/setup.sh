#!/usr/bin/env bash
# Make a fresh Debian machine able to build and test rightsize.
# Idempotent: installs only what is missing, and prints nothing when all is there.
set -euo pipefail

# Debian packages the build needs (system-library modules), and the ones the
# tests and the report screenshot use.
# libxml2: Foundation's XMLParser (module AWS reads STS answers and XML error bodies with it).
# zlib1g-dev: ZIPFoundation (the emulator unpacks deployment zips with it).
# curl, zip: the emulator tests' user functions (a bootstrap shell script with curl, zipped).
build_packages=(libcurl4-openssl-dev libssl-dev libsqlite3-dev libxml2 pkg-config zlib1g-dev curl zip)
extra_packages=("$@")

missing=()
for p in "${build_packages[@]}" "${extra_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift not found on PATH (expected Swift 6 at /opt/swift)" >&2; exit 1; }

# The AWS tests' reference and peers: boto3 (what the AWS CLI resolves), the AWS CLI, and
# moto's server (STS AssumeRole / AssumeRoleWithWebIdentity on loopback).
# (A Debian system Python refuses pip without --break-system-packages: PEP 668.)
pip_install() {
    python3 -m pip install --quiet "$@" >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages "$@" >/dev/null
}
# awslambdaric: the emulator runs python3.x functions with it, as Lambda's own images do.
python_modules=(boto3 awscli moto awslambdaric)
missing_python=()
for m in "${python_modules[@]}"; do
    python3 -c "import $m" 2>/dev/null || missing_python+=("$m")
done
if ((${#missing_python[@]})); then
    echo "setup: installing ${missing_python[*]} (pip)" >&2
    pip_packages=()
    for m in "${missing_python[@]}"; do
        [ "$m" = moto ] && pip_packages+=("moto[server]") || pip_packages+=("$m")
    done
    pip_install "${pip_packages[@]}"
fi
python3 -c "import moto.server" 2>/dev/null || pip_install "moto[server]"
