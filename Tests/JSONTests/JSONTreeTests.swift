import JSON
import Testing

/// The one JSON tree: values, lines and paths for messages, and the limits that keep a
/// hostile document from exhausting the stack.
@Suite struct JSONTreeTests {
    @Test func valuesKeepTheirLinesAndOrder() throws {
        let text = "{\n  \"b\": [1, 2.5, \"x\"],\n  \"a\": {\"t\": true, \"n\": null},\n  \"seed\": 18446744073709551615\n}"
        let root = try JSONTree.parse(Array(text.utf8))
        #expect(root.members?.map(\.key) == ["b", "a", "seed"])
        #expect(root["b"]?.line == 2 && root["a"]?.line == 3)
        #expect(root["b"]?.array?.map(\.double) == [1, 2.5, nil])
        #expect(root["a"]?["t"]?.bool == true && root["a"]?["n"]?.isNull == true)
        guard case .number(_, let digits) = root["seed"]?.value else {
            Issue.record("seed is not a number")
            return
        }
        #expect(digits == "18446744073709551615")
    }

    @Test func writesBackWhatItRead() throws {
        let text = #"{"cmds":{"sleep":5,"cpu":{"n":1}},"l":[true,null,"ü"]}"#
        var w = JSONWriter()
        try JSONTree.parse(Array(text.utf8)).write(to: &w)
        #expect(w.text == text)
    }

    @Test func equalityIgnoresLines() throws {
        let a = try JSONTree.parse(Array("{\"x\":\n[1]}".utf8))
        let b = try JSONTree.parse(Array("{\"x\":[1]}".utf8))
        #expect(a == b)
        #expect(a != JSONNode.emptyObject)
    }

    @Test func errorsSayWhereAndWhat() {
        func failure(_ text: String, trailingCommas: Bool = false) -> JSONSyntaxError? {
            do {
                _ = try JSONTree.parse(Array(text.utf8), allowTrailingCommas: trailingCommas)
                return nil
            } catch { return error as? JSONSyntaxError }
        }
        let inner = failure("{\"a\": {\n\"b\": [1,\n x]}}")
        #expect(inner?.line == 3 && inner?.path == "a.b[1]")
        #expect(failure("{} {}")?.problem == "unexpected text after the JSON value")
        #expect(failure("{\"n\": 1e400}")?.problem == "number out of range")
        #expect(failure(String(repeating: "[", count: 300) + String(repeating: "]", count: 300))?.problem.contains("nested deeper") == true)
        #expect(failure("{\"a\": [1, 2,],}") != nil)
        #expect(failure("{\"a\": [1, 2,],}", trailingCommas: true) == nil)
        #expect(failure("[,]", trailingCommas: true) != nil)
    }
}
