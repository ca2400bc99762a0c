import ArgumentParser
import Invoking
import ToolSupport

/// `merge-shards`: the invocations files of a sharded run -> one invocations.ndjson.
@main
struct MergeShards: RightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "merge-shards",
        abstract: "Merge the invocations files of `invoke --shard I/N` runs into one invocations.ndjson.",
        discussion: """
            Streams the shards' files into one file in seq order with one run line and one invoke_summary that adds \
            them up and lists the shards and hosts. A missing, duplicated or foreign shard is an error naming it \
            (exit 2, nothing written). With --schedule and --allow-missing, a missing shard's calls are recorded \
            as not_sent instead. Per-shard and combined send lag go to stderr. See docs/merge-shards.md.
            """)

    @Argument(help: "The shards' invocations files (any order).")
    var shards: [String] = []

    @Option(name: .shortAndLong, help: "Where to write the merged invocations.ndjson ('-' = standard output).")
    var output: String = "-"

    @Option(help: "The schedule the shards ran: checks every call against it (and fills missing shards with --allow-missing).")
    var schedule: String?

    @Flag(name: .customLong("allow-missing"), help: "With --schedule: merge although shards are missing, their calls as not_sent.")
    var allowMissing = false

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shards' invocations files") }
        if allowMissing && schedule == nil { throw ValidationError("--allow-missing needs --schedule (to know the missing calls)") }
    }

    func run() throws {
        let report = try ShardMerge.merge(paths: shards, output: output, schedulePath: schedule, allowMissing: allowMissing)
        for line in report.lines { StandardError.line("merge-shards", line) }
    }
}
