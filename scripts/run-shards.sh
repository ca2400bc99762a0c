#!/usr/bin/env bash
# run-shards.sh N BIN SCHEDULE OUT [INVOKE_FLAGS...]: runs N local shards of `invoke` on one
# schedule from a common start 5 s from now (time for every process to load the schedule),
# then merges their files into OUT with merge-shards. The way pipeline.mk's SHARDS=N tests
# sharding on one machine; on a cluster each shard is its own job (deploy/).
set -euo pipefail
n=$1 bin=$2 schedule=$3 out=$4
shift 4
start=$(( $(date +%s%3N) + 5000 ))
pids=()
files=()
for ((i = 0; i < n; i++)); do
    files+=("$out.shard$i")
    "$bin/invoke" "$@" --shard "$i/$n" --start-at "$start" -q "$schedule" -o "$out.shard$i" &
    pids+=($!)
done
# Ctrl-C or TERM reaches every shard, which then writes its file marked interrupted.
trap 'kill -TERM "${pids[@]}" 2>/dev/null || true' INT TERM
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
# A failed shard leaves no file; merge-shards names it.
"$bin/merge-shards" --schedule "$schedule" "${files[@]}" -o "$out" || status=$?
rm -f "${files[@]}"
exit $status
