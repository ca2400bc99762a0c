import AWS
import ArgumentParser
import Clocks
import CurlHTTP
import Foundation
import Invoking
import NDJSONIO
import RecordSchema
import ToolSupport

@main
struct Invoke: AsyncRightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Fire a schedule at Lambda functions or HTTP endpoints, open-loop, and record every call.",
        discussion: """
            For each phase in order, sets the memory of the phase's functions, waits until the change is live, \
            then sends each call at phase start + at_s however slow earlier responses are. Writes one invocation \
            line per schedule line (success, function error, throttle, timeout, transport error or not sent), then \
            a summary line. Ctrl-C stops sending and still writes a complete file, marked interrupted. \
            AWS settings come from the environment and ~/.aws as the AWS CLI reads them (docs/aws.md).
            """,
        version: RightsizeVersion.current
    )

    @Argument(help: "Schedule written by plan (schedule.ndjson); '-' or omitted reads standard input.")
    var schedule: String?

    @Option(name: .shortAndLong, help: "Where to write invocations.ndjson; '-' or omitted writes standard output.")
    var output: String?

    @Flag(
        name: .customLong("no-set-memory"),
        help: "Do not change memory sizes: run every phase on the functions as they are.")
    var noSetMemory = false

    @Option(name: .customLong("retry-throttled"), help: "Extra attempts for a throttled (429) invocation, counted in attempts.")
    var retryThrottled = InvokeOptions().retryThrottled

    @Option(help: "Per-request timeout in seconds; a call without a response by then is recorded as timeout.")
    var timeout: Double = InvokeOptions().requestTimeout

    @Option(help: "After Ctrl-C, seconds to wait for requests in flight before abandoning them.")
    var grace: Double = InvokeOptions().gracePeriod

    @Option(name: .customLong("memory-timeout"), help: "Seconds to wait for a memory change to become live before failing.")
    var memoryTimeout: Double = InvokeOptions().memoryTimeout

    @Flag(name: .shortAndLong, help: "No progress line on stderr, even on a terminal.")
    var quiet = false

    @Flag(
        name: .customLong("no-realtime"),
        help: "Do not ask for real-time scheduling priority for the sending thread (asked by default, best effort).")
    var noRealtime = false

    func validate() throws {
        guard retryThrottled >= 0 else { throw ValidationError("--retry-throttled must be 0 or more") }
        guard timeout > 0, grace >= 0, memoryTimeout > 0 else { throw ValidationError("times must be positive") }
    }

    func run() async throws {
        let loaded = try LoadedSchedule.read(path: schedule)
        var options = InvokeOptions()
        options.setMemory = !noSetMemory
        options.retryThrottled = retryThrottled
        options.requestTimeout = timeout
        options.gracePeriod = grace
        options.memoryTimeout = memoryTimeout

        let http = HTTPClient(realtime: !noRealtime)
        defer { http.shutdown() }
        let invoker: OpenLoopInvoker
        do {
            invoker = try OpenLoopInvoker(schedule: loaded, options: options, configuration: .resolve(), http: http)
        } catch {
            Self.complain("\(error)")
            throw ExitCode(Self.status(of: error))
        }

        let signals = InterruptSignals { _ in invoker.interrupt() }
        defer { signals.cancel() }
        let progress = ProgressLine(enabled: !quiet && StandardError.isTerminal) {
            let p = invoker.progress()
            let lag = (p.recentLagMs * 100).rounded() / 100
            return "invoke: phase \(p.phase + 1)/\(p.phases) (\(p.memoryMB) MB): sent \(p.sent)/\(p.scheduled), "
                + "done \(p.done), errors \(p.errors), lag \(lag) ms"
        }
        let startedUnixMs = WallClock.unixMilliseconds()
        let invocations: [Invocation]
        do {
            invocations = try await invoker.run()
        } catch {
            progress.stop()
            Self.complain("\(error)")
            throw ExitCode(Self.status(of: error))
        }
        progress.stop()
        let endedUnixMs = WallClock.unixMilliseconds()
        let statistics = RunStatistics(invocations)
        let interrupted = invoker.isInterrupted
        do {
            try InvocationsWriter.write(
                path: output, header: loaded.header, tool: "invoke \(RightsizeVersion.current)",
                invocations: invocations,
                summary: statistics.summary(
                    interrupted: interrupted, startedUnixMs: startedUnixMs,
                    endedUnixMs: endedUnixMs))
        } catch {
            Self.complain("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
        Self.complain(statistics.line(interrupted: interrupted, seconds: (endedUnixMs - startedUnixMs) / 1000))
        if interrupted { throw ExitCode(ExitStatus.failure) }
    }

    static func complain(_ text: String) { StandardError.line("invoke", text) }

    /// Bad input and settings (the schedule, credentials, region) exit 2; anything else 1.
    static func status(of error: any Error) -> Int32 {
        if error is InputError { return ExitStatus.badInput }
        if let aws = error as? AWSError, aws.isConfigurationProblem { return ExitStatus.badInput }
        return ExitStatus.failure
    }
}
