#!/usr/bin/env bash
# with-target.sh TARGET RUN_DIR EMULATOR [EMULATOR_FLAGS...] -- COMMAND...
#
# Runs COMMAND against the workload's target. For "local", starts lambda-emulator on a
# free port with its state in RUN_DIR/emulator, points the AWS settings at it, and stops
# it when COMMAND ends, fails or is interrupted, so no process is left behind. For "aws",
# runs COMMAND with the user's own AWS settings. The emulator's output is appended to
# RUN_DIR/emulator/emulator.{out,err} stage after stage, so the counts it prints when it stops
# (peak calls in flight, throttles, environments) stay there for every stage.
set -euo pipefail
target=$1 run_dir=$2 emulator=$3
shift 3
emulator_flags=()
while (($#)) && [ "$1" != "--" ]; do emulator_flags+=("$1"); shift; done
shift   # the --

if [ "$target" != "local" ]; then
    exec "$@"
fi

state="$run_dir/emulator"
mkdir -p "$state"
port_file="$state/port"
rm -f "$port_file"
"$emulator" --port 0 --port-file "$port_file" --state-dir "$state" "${emulator_flags[@]}" \
    >>"$state/emulator.out" 2>>"$state/emulator.err" &
emulator_pid=$!

stop_emulator() {
    if kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
}
trap stop_emulator EXIT
trap 'stop_emulator; exit 130' INT
trap 'stop_emulator; exit 143' TERM

for _ in $(seq 1 200); do
    [ -s "$port_file" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || { echo "with-target: lambda-emulator failed to start:" >&2; cat "$state/emulator.err" >&2; exit 1; }
    sleep 0.05
done
[ -s "$port_file" ] || { echo "with-target: lambda-emulator did not report its port" >&2; exit 1; }

# The emulator's documented local key pair (docs/lambda-emulator.md); not a secret.
export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$port_file")"
export AWS_ACCESS_KEY_ID=AKIDLOCALEMULATOR
export AWS_SECRET_ACCESS_KEY=local-emulator-secret-key
export AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_LAMBDA AWS_ENDPOINT_URL_CLOUDWATCH_LOGS

# Run in the background and wait, so INT/TERM reach the trap while COMMAND runs.
"$@" &
command_pid=$!
trap 'kill -INT "$command_pid" 2>/dev/null; wait "$command_pid"; stop_emulator; exit 130' INT
trap 'kill -TERM "$command_pid" 2>/dev/null; wait "$command_pid"; stop_emulator; exit 143' TERM
set +e
wait "$command_pid"
status=$?
set -e
exit $status
