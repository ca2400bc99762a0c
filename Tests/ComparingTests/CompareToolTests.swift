import Foundation
import History
import JSON
import SyntheticData
import TestSupport
import Testing

/// The compare executable: table, --json, the --fail-on gate's exit status, history ids.
@Suite struct CompareToolTests {
    @Test func theGateExitsFourOnSlowerAndZeroOtherwise() throws {
        let dir = try TemporaryDirectory("compare-tool")
        defer { dir.remove() }
        let f = SyntheticFunction.cpuBound()
        let d = f.duration
        let slow = SyntheticFunction(
            name: f.name, payload: f.payload, duration: { 1.2 * d($0) }, initDuration: f.initDuration,
            maxMemoryMB: f.maxMemoryMB, noise: f.noise)
        let a = try RunFolders.synthetic([f], sizes: [128, 1024], perSize: 50, seed: 1, folder: dir.file("a"))
        let b = try RunFolders.synthetic([slow], sizes: [128, 1024], perSize: 50, seed: 2, folder: dir.file("b"))
        let table = try Tools.run("compare", [a, b, "--fail-on", "slower"])
        #expect(table.status == 4, "\(table.stderr)")
        #expect(table.stdout.contains("slower"))
        #expect(table.stdout.contains("[+"))
        #expect(table.stderr.contains("--fail-on"))
        let reverse = try Tools.run("compare", [b, a, "--fail-on", "slower"])
        #expect(reverse.status == 0)
        #expect(reverse.stdout.contains("faster"))

        let json = try Tools.run("compare", [a, b, "--json"])
        #expect(json.status == 0)
        let tree = try JSONTree.parse(Array(json.stdout.utf8))
        #expect(tree["format"]?.string == "rightsize.compare/1")
        let rows = try #require(tree["rows"]?.array)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["duration_verdict"]?.string == "slower" })
        #expect(rows.allSatisfy { ($0["duration_ci_lo_pct"]?.double ?? 0) > 0 })

        // History ids name the same runs.
        let db = dir.file("history.db")
        for folder in [a, b] { #expect(try Tools.run("history", ["record", folder, "--db", db]).status == 0) }
        let byID = try Tools.run("compare", ["1", "latest", "--history", db, "--json"])
        #expect(byID.status == 0, "\(byID.stderr)")
        #expect(try JSONTree.parse(Array(byID.stdout.utf8))["rows"]?.array?.count == 2)
    }

    @Test func badArgumentsAreOneLineAndStatusTwo() throws {
        let dir = try TemporaryDirectory("compare-tool")
        defer { dir.remove() }
        let r = try Tools.run("compare", [dir.file("none"), "latest", "--history", dir.file("h.db")])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1)
        let g = try Tools.run("compare", ["a", "b", "--fail-on", "worse"])
        #expect(g.status == 2)
        #expect(g.stderr.contains("unknown verdict"))
    }
}
