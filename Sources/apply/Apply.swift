import AWS
import Applying
import ArgumentParser
import CurlHTTP
import Foundation
import History
import ToolSupport

/// `apply`: set each function's memory to a run's recommendation.
@main
struct Apply: AsyncRightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Set each function's memory size to a run's recommendation (shows the changes and asks first).",
        discussion: """
            The run is a run folder or a run of the history (id, latest, latest~N). For every function with a \
            recommendation under --rule, reads its current memory size (GetFunctionConfiguration), shows what \
            will change and asks, unless --yes; then sets each size (UpdateFunctionConfiguration), waits until \
            it is live and records the changes in the history. An alias or version target is never changed \
            silently: it is skipped unless --set-latest. --dry-run shows the changes and changes nothing. \
            Exit 0, 1 on an AWS failure, 2 on bad input or a refused change. See docs/pipeline.md#apply.
            """)

    @Argument(help: "The run whose recommendations to apply: a folder, or a history id / latest / latest~N.")
    var run: String

    @Option(help: "The recommendation to apply: cheapest, balanced, fastest or under_latency_bound.")
    var rule: String = "balanced"

    @Option(name: .customLong("function"), help: "Only this function (repeatable; default: every function of the run).")
    var functions: [String] = []

    @Flag(help: "Apply without asking.")
    var yes = false

    @Flag(name: .customLong("dry-run"), help: "Show what would change; change nothing.")
    var dryRun = false

    @Flag(name: .customLong("set-latest"), help: "For an alias or version target, set $LATEST's memory (the alias is not changed).")
    var setLatest = false

    @Option(help: "The history database (ids, and where the changes are recorded).")
    var history: String = HistoryStore.defaultPath

    @Flag(name: .customLong("no-record"), help: "Do not record the changes in the history.")
    var noRecord = false

    @Option(name: .customLong("memory-timeout"), help: "Seconds to wait for each update to be live.")
    var memoryTimeout: Double = 300

    func validate() throws {
        guard RecommendationRow.rules.contains(rule) else {
            throw ValidationError("--rule must be one of \(RecommendationRow.rules.joined(separator: ", "))")
        }
        guard memoryTimeout > 0 else { throw ValidationError("--memory-timeout must be positive") }
    }

    func run() async throws {
        let snapshot = try RunReference.load(run, historyPath: history)
        for f in functions where !snapshot.functions.contains(f) {
            throw InputError(file: run, field: "function", problem: "\(f) is not a function of this run")
        }
        let http = HTTPClient()
        defer { http.shutdown() }
        var applier = Applier(configuration: .resolve(), http: http)
        applier.timeout = memoryTimeout
        let plan: [PlannedChange]
        do {
            plan = try await applier.readCurrent(ApplyPlan.make(snapshot, rule: rule, only: functions, setLatest: setLatest))
        } catch let e as AWSError {
            StandardError.line("apply", "\(e)")
            throw ExitCode(ExitStatus.failure)
        }
        print(ApplyPlan.text(plan, run: snapshot.meta), terminator: "")
        let refused = plan.filter { $0.refusal != nil }
        let changing = plan.filter(\.changes)
        if dryRun {
            print("dry run: nothing changed (\(changing.count) change\(changing.count == 1 ? "" : "s") would be made)")
            if !refused.isEmpty { throw ExitCode(ExitStatus.badInput) }
            return
        }
        if !changing.isEmpty && !yes {
            print("Apply \(changing.count) change\(changing.count == 1 ? "" : "s")? [y/N] ", terminator: "")
            fflush(nil)
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                print("nothing changed")
                return
            }
        }
        let done: [HistoryStore.AppliedChange]
        do {
            done = try await applier.apply(plan, runID: nil)
        } catch let e as AWSError {
            StandardError.line("apply", "\(e)")
            throw ExitCode(ExitStatus.failure)
        }
        for c in done where c.outcome == "applied" {
            print("apply: \(c.lambdaFunction): \(c.fromMemoryMB.map { "\($0)" } ?? "?") -> \(c.toMemoryMB) MB, live")
        }
        if !noRecord && !done.isEmpty { try record(done, snapshot) }
        if !refused.isEmpty { throw ExitCode(ExitStatus.badInput) }
    }

    /// Records the changes with the run they came from (recording a folder's run first).
    func record(_ done: [HistoryStore.AppliedChange], _ snapshot: RunSnapshot) throws {
        let store = try HistoryStore(path: history)
        let runID = try snapshot.meta.id ?? store.record(snapshot).id
        try store.recordApplied(
            done.map { c in
                var c = c
                c.runID = runID
                return c
            })
        StandardError.line("apply", "recorded \(done.count) change\(done.count == 1 ? "" : "s") of run #\(runID) in \(history)")
    }
}
