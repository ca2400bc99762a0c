import Records

/// A small JSON tree that remembers the line of every value, so that each problem in a
/// workload can be reported as `file:line: field: problem`. Workloads are small; the
/// schedule itself is never held in memory.
struct JSONNode {
    enum Value {
        /// Members in file order (keys are unique: the scanner rejects duplicates).
        case object([(key: String, node: JSONNode)])
        case array([JSONNode])
        case string(String)
        /// The number and its text (for exact 64-bit integers such as seeds).
        case number(Double, text: String)
        case bool(Bool)
        case null
    }

    var value: Value
    var line: Int

    var typeName: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A JSON syntax problem at a line, inside the field `path` (dotted, with [index] for arrays).
struct JSONSyntaxError: Error {
    var line: Int
    var path: String
    var problem: String
}

struct TreeFailure: Error {
    var problem: String
}

enum JSONTree {
    /// Parses one JSON document. With `allowTrailingCommas`, a comma directly before `}` or `]`
    /// is accepted (FaaSProfiler-derived examples have one), which plain JSON forbids.
    static func parse(_ bytes: [UInt8], allowTrailingCommas: Bool) throws -> (JSONNode, [UInt8]) {
        let text = allowTrailingCommas ? removingTrailingCommas(bytes) : bytes
        var failurePath = ""
        var lastLine = 1
        let result: Result<JSONNode, TreeFailure> = text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do {
                let node = try readNode(&scanner, path: "", failurePath: &failurePath)
                guard scanner.isAtEnd else {
                    lastLine = scanner.line
                    failurePath = ""
                    return .failure(TreeFailure(problem: "unexpected text after the JSON value"))
                }
                return .success(node)
            } catch let failure as JSONScanner.Failure {
                lastLine = scanner.line
                return .failure(TreeFailure(problem: failure.problem))
            } catch let failure as TreeFailure {
                lastLine = scanner.line
                return .failure(failure)
            } catch {
                lastLine = scanner.line
                return .failure(TreeFailure(problem: "\(error)"))
            }
        }
        switch result {
        case .success(let node): return (node, text)
        case .failure(let f): throw JSONSyntaxError(line: lastLine, path: failurePath, problem: "not valid JSON: \(f.problem)")
        }
    }

    /// Deeper nesting is refused before it can exhaust the stack; workloads need about 4 levels.
    static let maximumDepth = 200

    private static func readNode(_ s: inout JSONScanner, path: String, failurePath: inout String, depth: Int = 0) throws -> JSONNode {
        failurePath = path
        guard depth < maximumDepth else { throw TreeFailure(problem: "nested more than \(maximumDepth) levels deep") }
        _ = s.peek()
        let line = s.line
        switch try s.nextKind() {
        case .object:
            var members: [(key: String, node: JSONNode)] = []
            try s.readObject { key, s in
                let child = path.isEmpty ? key : path + "." + key
                members.append((key, try readNode(&s, path: child, failurePath: &failurePath, depth: depth + 1)))
                failurePath = path
            }
            return JSONNode(value: .object(members), line: line)
        case .array:
            var elements: [JSONNode] = []
            try s.readArray { index, s in
                elements.append(try readNode(&s, path: "\(path)[\(index)]", failurePath: &failurePath, depth: depth + 1))
                failurePath = path
            }
            return JSONNode(value: .array(elements), line: line)
        case .string:
            return JSONNode(value: .string(try s.readString()), line: line)
        case .number:
            let text = try s.readRaw().text
            guard let d = Double(text), d.isFinite else { throw TreeFailure(problem: "number out of range") }
            return JSONNode(value: .number(d, text: text), line: line)
        case .bool:
            return JSONNode(value: .bool(try s.readBool()), line: line)
        case .null:
            guard s.readNull() else { throw TreeFailure(problem: "invalid literal") }
            return JSONNode(value: .null, line: line)
        }
    }

    /// Replaces each comma that is followed (after whitespace) by `}` or `]` with a space,
    /// outside strings. Bytes keep their positions, so line numbers stay right.
    static func removingTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var inString = false, escaped = false
        var pendingComma: Int? = nil
        var previous: UInt8 = 0  // last significant byte outside strings
        for (i, c) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "\""): inString = true; pendingComma = nil
            case UInt8(ascii: ","):
                // Only a comma after a value can be trailing; "[,]" stays an error.
                let afterValue = previous != UInt8(ascii: "[") && previous != UInt8(ascii: "{") && previous != UInt8(ascii: ",") && previous != 0
                pendingComma = afterValue ? i : nil
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let p = pendingComma { out[p] = UInt8(ascii: " ") }
                pendingComma = nil
            default: pendingComma = nil
            }
            previous = c
        }
        return out
    }
}
