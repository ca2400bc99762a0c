#!/usr/bin/env bash
# deploy-functions.sh PLAN WORKLOAD STAMP
#
# Deploys the workload's "functions" (docs/workload.md) to the emulator that with-target.sh
# started, with the AWS CLI as a user would deploy to Lambda: each code folder zipped, then
# create-function (or update-function-code and update-function-configuration when the
# function is there already), waiting until it is Active. The emulator keeps deployed code in
# its state folder (runs/<name>/emulator), so later stages' emulators run it. STAMP is touched
# last: make redeploys when a file of the folder, or the workload, is newer than it.
set -euo pipefail
plan=$1 workload=$2 stamp=$3
command -v aws >/dev/null || { echo "deploy: the AWS CLI is needed to deploy the workload's functions (scripts/setup.sh installs it)" >&2; exit 1; }
: "${AWS_ENDPOINT_URL:?deploy: run under scripts/with-target.sh local}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$plan" --print-functions "$workload" >"$work/functions.tsv"
lambda() { aws --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" --output json lambda "$@"; }

while IFS=$'\t' read -r name runtime handler dir timeout; do
    # The folder as Lambda gets it; Python's byte-code caches are the host's, not the code's.
    (cd "$dir" && zip -q -r -X "$work/$name.zip" . -x '*.pyc' -x '*__pycache__*')
    if lambda get-function --function-name "$name" >/dev/null 2>&1; then
        lambda update-function-code --function-name "$name" --zip-file "fileb://$work/$name.zip" >/dev/null
        lambda wait function-updated-v2 --function-name "$name"
        lambda update-function-configuration --function-name "$name" --handler "$handler" --timeout "$timeout" >/dev/null
        lambda wait function-updated-v2 --function-name "$name"
        echo "deploy: $name updated from $dir ($runtime, $handler)" >&2
    else
        lambda create-function --function-name "$name" --runtime "$runtime" --handler "$handler" --timeout "$timeout" \
            --role "arn:aws:iam::000000000000:role/lambda-emulator" --zip-file "fileb://$work/$name.zip" >/dev/null
        lambda wait function-active-v2 --function-name "$name"
        echo "deploy: $name created from $dir ($runtime, $handler)" >&2
    fi
done <"$work/functions.tsv"
touch "$stamp"
