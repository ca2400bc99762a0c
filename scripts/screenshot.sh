#!/bin/sh
# Renders a report to a PNG with headless Chromium (Debian's chromium package).
# usage: scripts/screenshot.sh REPORT.html OUT.png [WIDTH [HEIGHT]] [--dark]
# Installs chromium when it is missing (needs root and the Debian archive).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]] [--dark]" >&2
    exit 2
fi
report=$1; out=$2; shift 2
width=1280; height=4000; dark=""
for arg in "$@"; do
    case $arg in
        --dark) dark="--force-dark-mode --blink-settings=preferredColorScheme=0" ;;
        *) if [ "$width" = 1280 ] && [ -z "${width_set:-}" ]; then width=$arg; width_set=1; else height=$arg; fi ;;
    esac
done
[ -f "$report" ] || { echo "$0: $report: no such file" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "$0: installing chromium" >&2
    apt-get update >&2 && apt-get install -y chromium >&2
    browser=$(command -v chromium)
fi
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
# shellcheck disable=SC2086 # $dark is a list of flags
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars $dark \
    --screenshot="$out" --window-size="$width,$height" "file://$abs" >&2
echo "$out"
