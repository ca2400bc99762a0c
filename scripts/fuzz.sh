#!/usr/bin/env bash
# fuzz.sh [TARGET|all] [SECONDS]: builds the libFuzzer targets of Fuzz/ (debug, with
# AddressSanitizer) and runs TARGET (default: all, one after another) for SECONDS each
# (default 20) from its checked-in corpus Fuzz/Corpus/TARGET. Fails when any target crashes
# (trap, sanitizer report, timeout of one input, out of memory); the crashing input is saved
# in Fuzz/.build/fuzz/TARGET/ and its path printed. docs/fuzzing.md.
#
#   FUZZ_SEED      libFuzzer's -seed (default 1: the same mutations on every run)
#   FUZZ_NO_BUILD  1 = use the binaries already built
#   FUZZ_ARGS      more libFuzzer flags (e.g. "-jobs=2", "-use_value_profile=1")
#
# Inputs a run discovers go to Fuzz/.build/fuzz/TARGET/corpus (not checked in); merge
# the useful ones into the corpus with `-merge=1` (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(workload record projection report-line filter-page sigv4 emulator-http)
which=${1:-all}
seconds=${2:-20}
if [ "$which" != all ]; then
    printf '%s\n' "${targets[@]}" | grep -qx -- "$which" || { echo "fuzz.sh: no target '$which' (${targets[*]})" >&2; exit 2; }
    targets=("$which")
fi

flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
mkdir -p Fuzz/.build/fuzz
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    # ld.gold warns about ASan's local symbols on every link: shown only when the build fails.
    if ! swift build --package-path Fuzz "${flags[@]}" >Fuzz/.build/fuzz/build.log 2>&1; then
        grep -v "Cannot export local symbol" Fuzz/.build/fuzz/build.log >&2
        echo "fuzz.sh: build failed" >&2
        exit 1
    fi
fi
bin=$(swift build --package-path Fuzz "${flags[@]}" --show-bin-path)

# Swift's backtracer would make a crashing target hang; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1}
failed=()
for t in "${targets[@]}"; do
    out=Fuzz/.build/fuzz/$t
    mkdir -p "$out/corpus"
    echo "== fuzz-$t: ${seconds} s from Fuzz/Corpus/$t" >&2
    # -timeout/-rss_limit_mb: generous, so a slow or loaded machine never fails a run; an
    # input that really takes this long or this much memory is a bug.
    # shellcheck disable=SC2086
    if ! "$bin/fuzz-$t" -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -timeout=60 -rss_limit_mb=4096 \
        -artifact_prefix="$out/" -print_final_stats=1 ${FUZZ_ARGS:-} "$out/corpus" "Fuzz/Corpus/$t" </dev/null 2>"$out/log"; then
        grep -E "ERROR|SUMMARY|Test unit written|fuzz property failed|Fatal error" "$out/log" >&2 || tail -20 "$out/log" >&2
        echo "fuzz-$t: CRASH (log: $out/log)" >&2
        failed+=("$t")
        continue
    fi
    grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$out/log" >&2 || true
done
if ((${#failed[@]})); then
    echo "fuzz.sh: crashed: ${failed[*]}" >&2
    exit 1
fi
