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

    @Option(
        name: .customLong("max-in-flight"),
        help: "Calls in flight at most (connections opened at most); a due call waits for a free slot and its lag records the wait.")
    var maxInFlight = InvokeOptions().maxInFlight

    @Flag(name: .shortAndLong, help: "No progress line on stderr, even on a terminal.")
    var quiet = false

    @Flag(
        name: .customLong("no-realtime"),
        help: "Do not ask for real-time scheduling priority for the sending thread (asked by default, best effort).")
    var noRealtime = false

    @Option(help: "Send only shard I of N (the calls with seq % N == I), at the times of a common --start-at. docs/invoke.md.")
    var shard: String?

    @Option(
        name: .customLong("shard-count"),
        help: "Number of shards, when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job).")
    var shardCount: Int?

    @Option(
        name: .customLong("start-at"),
        help: "Common start of every shard: Unix milliseconds or an RFC 3339 time (required with --shard).")
    var startAt: String?

    @Option(name: .customLong("phase-settle"), help: "Sharded runs: seconds from a phase's memory change to its first call.")
    var phaseSettle: Double = ShardPlan.defaultSettleS

    @Option(name: .customLong("phase-drain"), help: "Sharded runs: seconds from a phase's last call to the next memory change.")
    var phaseDrain: Double = ShardPlan.defaultDrainS

    func validate() throws {
        guard retryThrottled >= 0 else { throw ValidationError("--retry-throttled must be 0 or more") }
        guard timeout > 0, grace >= 0, memoryTimeout > 0 else { throw ValidationError("times must be positive") }
        guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight must be at least 1") }
        guard phaseSettle >= 0, phaseDrain >= 0 else { throw ValidationError("--phase-settle and --phase-drain must be 0 or more") }
    }

    /// --shard, or the job engine's variables; a shard needs the common --start-at.
    func shardPlan() throws -> ShardPlan? {
        let environment = ProcessInfo.processInfo.environment
        guard
            let (index, count) = try shard.map({ try ShardPlan.parse(shard: $0) })
                ?? ShardPlan.fromEnvironment(environment, count: shardCount)
        else {
            if startAt != nil { throw InputError(file: "--start-at", problem: "given without --shard (or a job engine's shard index)") }
            return nil
        }
        guard let startAt else {
            throw InputError(
                file: "--shard", problem: "shard \(index)/\(count) needs --start-at (the same Unix ms or RFC 3339 time for every shard)")
        }
        return ShardPlan(
            index: index, count: count, startAtUnixMs: try ShardPlan.parse(startAt: startAt), settleS: phaseSettle, drainS: phaseDrain)
    }

    func run() async throws {
        let plan: ShardPlan?
        do {
            plan = try shardPlan()
        } catch {
            Self.complain("\(error)")
            throw ExitCode(ExitStatus.badInput)
        }
        let loaded = try LoadedSchedule.read(path: schedule)
        var options = InvokeOptions()
        options.setMemory = !noSetMemory
        options.retryThrottled = retryThrottled
        options.requestTimeout = timeout
        options.gracePeriod = grace
        options.memoryTimeout = memoryTimeout
        options.maxInFlight = maxInFlight

        let http = HTTPClient(maxInFlight: maxInFlight, realtime: !noRealtime)
        defer { http.shutdown() }
        let invoker: ScheduleInvoker
        do {
            invoker = try ScheduleInvoker(schedule: loaded, options: options, configuration: .resolve(), http: http, shard: plan)
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
        var summary = statistics.summary(interrupted: interrupted, startedUnixMs: startedUnixMs, endedUnixMs: endedUnixMs)
        if let plan {
            summary.shards = [
                ShardInfo(
                    index: plan.index, count: plan.count, host: ProcessInfo.processInfo.hostName,
                    startAtUnixMs: plan.startAtUnixMs, scheduled: statistics.scheduled, sent: statistics.sent)
            ]
        }
        do {
            try InvocationsWriter.write(
                path: output, header: loaded.header, tool: "invoke \(RightsizeVersion.current)",
                invocations: invocations, summary: summary)
        } catch {
            Self.complain("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
        Self.complain(statistics.line(interrupted: interrupted, seconds: (endedUnixMs - startedUnixMs) / 1000))
        if let shortfall = statistics.shortfall(heldForSlot: http.requestsHeldForSlot, maxInFlight: maxInFlight) {
            Self.complain(shortfall)
        }
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
