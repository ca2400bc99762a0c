import Foundation
import TestSupport
import Testing

/// The bad-input catalogue: crafted inputs to every stage and to the emulator's functions
/// file (Fixtures/BadInput, one folder per case, listed in cases.json). Each must give exit
/// status 2, one line on stderr naming the file, the line and the field
/// (`tool: file:line: field: problem`), and leave an existing output file as it was.
struct BadInputCase: Sendable, Decodable, CustomTestStringConvertible {
    var name: String
    var tool: String
    var args: [String]
    var dir: String
    /// The start of the one stderr line: tool, file, line and field.
    var expect: String
    /// A large payload made at run time instead of checked in: `{"x": "aaa..."}`.
    var generate: Generated?
    /// models.json made by fit from good-logs.ndjson, then cut or edited.
    var models: ModelsEdit?

    struct Generated: Sendable, Decodable {
        var file: String
        var bytesOfA: Int
        enum CodingKeys: String, CodingKey {
            case file
            case bytesOfA = "bytes_of_a"
        }
    }

    struct ModelsEdit: Sendable, Decodable {
        var truncate: Int?
        var replace: String?
        var with: String?
    }

    var testDescription: String { "\(tool): \(name)" }
}

enum BadInputCatalogue {
    static let root = PackageRoot.path + "/Tests/EndToEndTests/Fixtures/BadInput"

    static let cases: [BadInputCase] = {
        // The manifest is checked in; a decoding failure is a broken checkout.
        let data = try! Data(contentsOf: URL(fileURLWithPath: root + "/cases.json"))
        return try! JSONDecoder().decode([BadInputCase].self, from: data)
    }()

    /// models.json from the good logs, made once.
    static let goodModels: String = {
        let dir = try! TemporaryDirectory("bad-input-models")
        defer { dir.remove() }
        let result = try! Tools.run("fit", [root + "/good-logs.ndjson", "-o", dir.file("models.json")])
        precondition(result.status == 0, "fit failed on the catalogue's good logs: \(result.stderr)")
        return try! String(contentsOfFile: dir.file("models.json"), encoding: .utf8)
    }()
}

@Suite("Bad-input catalogue")
struct BadInputCatalogueTests {
    @Test func theCatalogueCoversEveryStageAndTheEmulator() {
        let tools = Set(BadInputCatalogue.cases.map(\.tool))
        #expect(tools.isSuperset(of: ["plan", "invoke", "await-logs", "fit", "report", "lambda-emulator"]))
        #expect(BadInputCatalogue.cases.count >= 60)
    }

    @Test(arguments: BadInputCatalogue.cases)
    func rejectedWithOneLineAndNothingWritten(_ c: BadInputCase) throws {
        let dir = try TemporaryDirectory("bad-input")
        defer { dir.remove() }
        let source = BadInputCatalogue.root + "/" + c.dir
        // A case with no input file at all (a missing --config) has no folder: git keeps no empty ones.
        for file in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: dir.file(file))
        }
        if let g = c.generate {
            try (#"{"x": ""# + String(repeating: "a", count: g.bytesOfA) + #""}"#).write(
                toFile: dir.file(g.file), atomically: false, encoding: .utf8)
        }
        if let edit = c.models {
            var text = BadInputCatalogue.goodModels
            if let n = edit.truncate { text = String(text.prefix(n)) }
            if let old = edit.replace, let new = edit.with {
                let range = try #require(text.range(of: old), "models.json has no \(old)")
                text.replaceSubrange(range, with: new)
            }
            try text.write(toFile: dir.file("m.json"), atomically: false, encoding: .utf8)
        }
        let sentinel = "an earlier run's output\n"
        try sentinel.write(toFile: dir.file("out"), atomically: false, encoding: .utf8)

        let result = try Tools.run(c.tool, c.args, currentDirectory: dir.path)

        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(c.expect), "\(result.stderr)")
        #expect(try String(contentsOfFile: dir.file("out"), encoding: .utf8) == sentinel, "the existing output changed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty, "temporaries left: \(leftovers)")
    }
}
