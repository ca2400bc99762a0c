import AWS
import ArgumentParser
import LogCollection
import NDJSONIO
import RecordSchema
import ToolSupport

#if canImport(Glibc)
import Glibc
#endif

@main
struct AwaitLogs: AsyncRightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "await-logs",
        abstract: "Wait for CloudWatch Logs to show every invocation's REPORT line, parse them and join them to the invocations.",
        discussion: """
            Exit status: 0 all expected REPORT lines found; 1 runtime failure (network, credentials, platform); \
            2 bad usage or input; 3 timed out (or --from files lacked lines): the records found are still written, \
            and per-function expected/found counts are in the log_wait records and on stderr.
            """,
        version: RightsizeVersion.current)

    @Argument(help: "invocations.ndjson written by invoke ('-' or none: standard input).")
    var input: String = "-"

    @Option(name: .shortAndLong, help: "Where to write logs.ndjson ('-': standard output).")
    var output: String = "-"

    @Option(help: "Give up after this many seconds; what was found is written and the exit status is 3.")
    var timeout: Double = WaitOptions().timeoutS

    @Option(help: "Log format to filter for: text (REPORT lines), json (platform.report events), or auto (both).")
    var format: LogFormat = .auto

    @Option(help: "Seconds between the starts of two polling passes.")
    var pollInterval: Double = WaitOptions().pollIntervalS

    @Option(help: "FilterLogEvents requests per second, shared by all functions (CloudWatch's quota is 5).")
    var rate: Double = WaitOptions().requestsPerSecond

    @Option(help: "Events per FilterLogEvents page (the service's default when not given).")
    var pageLimit: Int?

    @Option(help: "Seconds added before the first send and after the last response when searching the logs.")
    var margin: Double = WaitPlanner.defaultMarginMs / 1000

    @Option(help: "Seconds of clock difference allowed when joining HTTP invocations to REPORT lines by time.")
    var joinTolerance: Double = WaitOptions().joinToleranceMs / 1000

    @Option(
        name: .customLong("log-group"),
        help: "FUNCTION=GROUP: read FUNCTION's logs from GROUP instead of /aws/lambda/FUNCTION (repeatable).")
    var logGroups: [String] = []

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp(
            "[FUNCTION=]FILE: read log events from FILE instead of the API (repeatable).",
            discussion:
                "FILE is the JSON output of `aws logs filter-log-events` or raw log text. Without FUNCTION, REPORT lines go to the function whose invocation has their request id."
        ))
    var fromFiles: [String] = []

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        guard margin >= 0, joinTolerance >= 0 else { throw ValidationError("--margin and --join-tolerance must not be negative") }
        if let pageLimit, !(1...10_000).contains(pageLimit) { throw ValidationError("--page-limit must be 1...10000") }
        for g in logGroups where !g.contains("=") { throw ValidationError("--log-group wants FUNCTION=GROUP, got \"\(g)\"") }
    }

    func run() async throws {
        TemporaryFiles.removeOnInterrupt()
        let status = try await collect()
        if status != 0 { throw ExitCode(status) }
    }

    func collect() async throws -> Int32 {
        let input = try LogsNDJSON.readInvocations(path: input)
        var groups: [String: String] = [:]
        for g in logGroups {
            let kv = g.split(separator: "=", maxSplits: 1)
            groups[String(kv[0])] = String(kv[1])
        }
        let plans = WaitPlanner.plan(input.invocations, marginMs: margin * 1000, logGroups: groups)

        let joins: [JoinResult]
        let summaries: [LogWaitSummary]
        if fromFiles.isEmpty {
            let options = WaitOptions(
                timeoutS: timeout, pollIntervalS: pollInterval, requestsPerSecond: rate,
                pageLimit: pageLimit, filterPattern: format.filterPattern,
                joinToleranceMs: joinTolerance * 1000)
            let display = ProgressDisplay()
            let outcome: WaitOutcome
            do {
                // Nothing expected (every call throttled, or none): no credentials needed.
                let fetch: LogWaiter.FetchPage =
                    plans.contains { $0.expected > 0 }
                    ? try CloudWatchSource.fetcher(plans: plans) : { _ in FilterLogEventsPage(events: [], nextToken: nil) }
                outcome = try await LogWaiter.wait(plans, options: options, fetch: fetch, progress: display.update)
            } catch let e as InputError {
                throw e
            } catch {
                display.finish()
                StandardError.write("await-logs: \(error)\n")
                // Settings and credentials are bad input; a failing call is a runtime failure.
                if let aws = error as? AWSError, aws.isConfigurationProblem { return ExitStatus.badInput }
                return ExitStatus.failure
            }
            display.finish()
            joins = outcome.joins
            summaries = outcome.summaries(plans)
            if outcome.throttles > 0 { StandardError.write("await-logs: \(outcome.throttles) throttled request(s) retried\n") }
        } else {
            var files: [(function: String?, path: String)] = []
            for spec in fromFiles { files.append(Self.splitFrom(spec)) }
            let result = try SavedLogEvents.collect(files, plans: plans, joinToleranceMs: joinTolerance * 1000)
            for (path, lost) in result.lost where lost > 0 {
                StandardError.write("await-logs: \(path): \(lost) REPORT line(s) matched no function, excluded\n")
            }
            joins = result.joins
            summaries = result.summaries
        }
        try LogsNDJSON.write(
            path: output, header: input.header, tool: "await-logs \(RightsizeVersion.current)",
            joins: joins, summaries: summaries)
        for line in WaitText.notes(summaries) { StandardError.write("await-logs: \(line)\n") }
        StandardError.write("await-logs: \(WaitText.done(summaries, fromFiles: !fromFiles.isEmpty))\n")
        let shortfall = WaitText.shortfall(summaries)
        guard shortfall.isEmpty else {
            let why = fromFiles.isEmpty ? "timed out after \(timeout) s" : "the --from files lack some REPORT lines"
            StandardError.write("await-logs: \(why):\n")
            for line in shortfall { StandardError.write("await-logs:   \(line)\n") }
            return ExitStatus.timedOut
        }
        return ExitStatus.success
    }

    /// "fn=path" -> ("fn", "path"); a plain path (even one containing '=' after a '/') -> (nil, path).
    static func splitFrom(_ spec: String) -> (String?, String) {
        guard let eq = spec.firstIndex(of: "="), !spec[..<eq].contains("/") else { return (nil, spec) }
        return (String(spec[..<eq]), String(spec[spec.index(after: eq)...]))
    }
}

extension LogFormat: ExpressibleByArgument {}

/// found/expected per function and time waited, redrawn on one stderr line when it is a terminal.
final class ProgressDisplay {
    let enabled = StandardError.isTerminal
    var lastDrawS = -1.0

    func update(_ functions: [FunctionProgress], _ elapsedS: Double) {
        guard enabled, elapsedS - lastDrawS >= 0.2 else { return }
        lastDrawS = elapsedS
        StandardError.write("\r\u{1B}[Kawait-logs: " + WaitText.progress(functions, elapsedS: elapsedS))
    }

    func finish() { if enabled { StandardError.write("\n") } }
}
