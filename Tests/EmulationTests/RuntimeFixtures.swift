import Foundation
import TestSupport

/// User functions for the Runtime API tests: `provided.al2023` bootstraps written as shell
/// scripts that implement the Runtime API loop with curl, as a user would, and a functions
/// file that serves them from their code directories.
enum RuntimeFixtures {
    /// Echoes its event back (`{"echo": EVENT}`) and prints one line per call. Events that
    /// contain a word do something else: `fail` posts a function error, `crash` exits 3,
    /// `hang` sleeps past any timeout in a child (`sleep 47`), `env` answers its environment,
    /// `oom` becomes `sort` of an endless line (held in memory until the limit), `big` answers 7 MB,
    /// `quit` answers and exits.
    static let echo = """
        #!/bin/sh
        set -eu
        api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
        echo "init: $AWS_LAMBDA_FUNCTION_NAME handler $_HANDLER"
        sleep 53 &
        while true; do
          headers="$TMPDIR/headers"
          body=$(curl -sS -D "$headers" "$api/invocation/next")
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
          echo "hello from bootstrap: $body"
          case "$body" in
            *fail*)
              curl -sS -X POST -H 'Lambda-Runtime-Function-Error-Type: Function.AskedToFail' \\
                -d '{"errorMessage":"asked to fail","errorType":"AskedToFail"}' "$api/invocation/$id/error" >/dev/null
              continue ;;
            *crash*) echo "crashing"; exit 3 ;;
            *quit*) curl -sS -X POST -d '"bye"' "$api/invocation/$id/response" >/dev/null; exit 0 ;;
            *oom*) echo "allocating"; exec sort /dev/zero ;;
            *big*)
              { printf '"'; head -c 7000000 /dev/zero | tr '\\0' a; printf '"'; } > "$TMPDIR/big"
              status=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$TMPDIR/big" "$api/invocation/$id/response")
              echo "big response: $status"
              continue ;;
            *hang*) sleep 47 ;;
            *env*)
              deadline=$(grep -i '^Lambda-Runtime-Deadline-Ms:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
              arn=$(grep -i '^Lambda-Runtime-Invoked-Function-Arn:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
              printf '{"tz":"%s","root":"%s","memory":"%s","arn":"%s","deadline":%s,"endpoint":"%s"}' \\
                "$TZ" "$LAMBDA_TASK_ROOT" "$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" "$arn" "$deadline" "$AWS_ENDPOINT_URL" > "$TMPDIR/out"
              curl -sS -X POST --data-binary "@$TMPDIR/out" "$api/invocation/$id/response" >/dev/null
              continue ;;
          esac
          curl -sS -X POST -d "{\\"echo\\":$body}" "$api/invocation/$id/response" >/dev/null
        done
        """

    /// Reports an init error through the Runtime API, then exits.
    static let initError = """
        #!/bin/sh
        echo "reading configuration"
        curl -sS -X POST -H 'Lambda-Runtime-Function-Error-Type: Runtime.ConfigError' \\
          -d '{"errorMessage":"no configuration","errorType":"Runtime.ConfigError"}' \\
          "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" >/dev/null
        exit 1
        """

    /// Never calls `next`: the init times out.
    static let silent = """
        #!/bin/sh
        echo "thinking forever"
        sleep 61
        """

    /// Calls the Runtime API out of order and answers the status codes it got, with the
    /// client context and trace id it was given.
    static let probe = """
        #!/bin/sh
        api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
        code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
        early=$(code -X POST -d '{}' "$api/invocation/none/response")
        missing=$(code "$api/nothing")
        while true; do
          headers="$TMPDIR/headers"
          body=$(curl -sS -D "$headers" "$api/invocation/next")
          field() { grep -i "^$1:" "$headers" | tr -d '\r' | cut -d' ' -f2-; }
          id=$(field Lambda-Runtime-Aws-Request-Id)
          wrong=$(code -X POST -d '{}' "$api/invocation/not-$id/response")
          again=$(code "$api/invocation/next")
          initerror=$(code -X POST -d '{}' "$api/init/error")
          method=$(code -X DELETE "$api/invocation/next")
          printf '{"early":%s,"missing":%s,"wrong":%s,"again":%s,"initerror":%s,"method":%s,"context":%s,"trace":"%s"}' \
            "$early" "$missing" "$wrong" "$again" "$initerror" "$method" "$(field Lambda-Runtime-Client-Context)" \
            "$(field Lambda-Runtime-Trace-Id)" > "$TMPDIR/out"
          curl -sS -X POST --data-binary "@$TMPDIR/out" "$api/invocation/$id/response" >/dev/null
        done
        """

    /// Invokes the function `shell` through the emulator (AWS_ENDPOINT_URL, the credentials it
    /// was given, SigV4 by curl) and answers what it got: a nested invocation.
    static let nested = """
        #!/bin/sh
        api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
        while true; do
          headers="$TMPDIR/headers"
          body=$(curl -sS -D "$headers" "$api/invocation/next")
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\r' | cut -d' ' -f2)
          inner=$(curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:lambda" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
            -H 'Content-Type: application/json' -d "$body" "$AWS_ENDPOINT_URL/2015-03-31/functions/shell/invocations")
          curl -sS -X POST -d "{\\"inner\\":$inner}" "$api/invocation/$id/response" >/dev/null
        done
        """

    /// A functions file serving each bootstrap (name → script) from a code directory of its own.
    static func functionsFile(in dir: TemporaryDirectory, _ bootstraps: [(name: String, script: String, timeout: Int)]) throws -> String {
        var entries: [String] = []
        for (name, script, timeout) in bootstraps {
            let code = dir.file("code-\(name)")
            try FileManager.default.createDirectory(atPath: code, withIntermediateDirectories: true)
            let bootstrap = code + "/bootstrap"
            try script.write(toFile: bootstrap, atomically: true, encoding: .utf8)
            chmod(bootstrap, 0o755)
            entries.append(
                #"{ "name": "\#(name)", "runtime": "provided.al2023", "handler": "function.handler", "code": "\#(code)", "#
                    + #""memory_mb": 256, "timeout_s": \#(timeout) }"#)
        }
        let path = dir.file("functions.json")
        try #"{ "functions": [ \#(entries.joined(separator: ", ")) ] }"#.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
