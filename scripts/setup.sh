#!/usr/bin/env bash
# Make a fresh Debian machine able to build and test rightsize.
# Idempotent: installs only what is missing, and prints nothing when all is there.
set -euo pipefail

# Debian packages the build needs (system-library modules), and the ones the
# tests and the report screenshot use.
build_packages=(libcurl4-openssl-dev libssl-dev libsqlite3-dev pkg-config)
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
