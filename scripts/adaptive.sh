#!/usr/bin/env bash
# The adaptive loop of `make -f pipeline.mk ADAPTIVE=1 BUDGET=<calls>` (docs/pipeline.md):
# measure a small first design (fit --initial-design: smallest, middle, largest of the
# candidates = the workload's memory sizes), then round after round the SUGGEST sizes fit
# --suggest proposes, until every recommendation is stable or the next round would exceed
# BUDGET invocations. Each round is an ordinary run folder (runs/<name>/adaptive/round-K),
# made by pipeline.mk itself, so its stages are cached like any; the rounds' logs are
# joined into runs/<name>/adaptive/logs.ndjson, fitted and reported there.
#
#   scripts/adaptive.sh BIN RUN_DIR WORKLOAD BUDGET SUGGEST [make variables...]
set -euo pipefail
bin=$1 run_dir=$2 workload=$3 budget=$4 k=$5
shift 5
dir=$run_dir/adaptive
mkdir -p "$dir"
candidates=$("$bin/plan" --print-memory-sizes "$workload")
sizes=$("$bin/fit" --initial-design --candidates "$candidates")
calls=0
round=0
measured=""
while :; do
    rdir=$dir/round-$round
    mkdir -p "$rdir"
    make -f pipeline.mk --no-print-directory "$@" WORKLOAD="$workload" RUN_DIR="$rdir" HISTORY= \
        PLAN_FLAGS="--memory-sizes $sizes" "$rdir/logs.ndjson"
    measured=${measured:+$measured,}$sizes
    # The rounds so far, in one file (rebuilt only when a round's logs changed).
    logs=()
    for ((r = 0; r <= round; r++)); do logs+=("$dir/round-$r/logs.ndjson"); done
    cat "${logs[@]}" > "$dir/logs.ndjson.tmp" && mv "$dir/logs.ndjson.tmp" "$dir/logs.ndjson"
    calls=$(grep -c '"record":"log"' "$dir/logs.ndjson" || true)
    "$bin/fit" ${FIT_FLAGS:-} "$dir/logs.ndjson" -o "$dir/models.json" --suggest "$k" --candidates "$candidates" \
        --suggest-output "$dir/round-$round.suggested"
    next=$(cat "$dir/round-$round.suggested")
    per_size=$(( calls / $(tr ',' '\n' <<< "$measured" | sort -u | wc -l) ))
    n_next=$(tr ',' '\n' <<< "$next" | grep -c . || true)
    if [ -z "$next" ]; then
        echo "adaptive: stable after $((round + 1)) rounds"
        break
    fi
    if [ $(( calls + n_next * per_size )) -gt "$budget" ]; then
        echo "adaptive: budget $budget reached (next round of $n_next sizes would need ~$(( n_next * per_size )) more calls)"
        break
    fi
    sizes=$next
    round=$((round + 1))
done
"$bin/report" "$dir/models.json" "$dir/logs.ndjson" -o "$dir/report.html"
echo "adaptive: $calls invocations at sizes $(tr ',' '\n' <<< "$measured" | sort -n | paste -sd, -) MB" \
    "(a full sweep of the $(tr ',' '\n' <<< "$candidates" | wc -l) sizes $candidates needs ~$(( per_size * $(tr ',' '\n' <<< "$candidates" | wc -l) )))"
echo "adaptive: report at $dir/report.html"
