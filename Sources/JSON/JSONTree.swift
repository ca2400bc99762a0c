/// A parsed JSON document that remembers the line of every value, so that each problem in
/// a workload or a configuration file can be reported as `file:line: field: problem`.
/// For small documents (workloads, payloads, API request bodies); records are read with
/// `JSONScanner` directly and never held as trees.
public struct JSONNode: Sendable, Equatable {
    public enum Value: Sendable {
        /// Members in document order (keys are unique: the scanner rejects duplicates).
        case object([(key: String, node: JSONNode)])
        case array([JSONNode])
        case string(String)
        /// The number and its text (for exact 64-bit integers such as seeds).
        case number(Double, text: String)
        case bool(Bool)
        case null
    }

    public var value: Value
    /// 1-based line of the value's first byte (0 for nodes built in code).
    public var line: Int

    public init(_ value: Value, line: Int = 0) {
        self.value = value
        self.line = line
    }

    public static let emptyObject = JSONNode(.object([]))

    /// Structural equality: the same values in the same order; lines do not count.
    public static func == (a: JSONNode, b: JSONNode) -> Bool {
        switch (a.value, b.value) {
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.node == $1.node }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.number(let x, _), .number(let y, _)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    public var typeName: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    public subscript(key: String) -> JSONNode? { members?.first { $0.key == key }?.node }
    public var members: [(key: String, node: JSONNode)]? { if case .object(let m) = value { m } else { nil } }
    public var array: [JSONNode]? { if case .array(let a) = value { a } else { nil } }
    public var string: String? { if case .string(let s) = value { s } else { nil } }
    public var double: Double? { if case .number(let d, _) = value { d } else { nil } }
    /// The number when it is a whole number of safe size.
    public var int: Int? { double.flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil } }
    /// A boolean, or a number read as C does (non-zero is true).
    public var bool: Bool? {
        switch value {
        case .bool(let b): b
        case .number(let d, _): d != 0
        default: nil
        }
    }
    public var isNull: Bool { if case .null = value { true } else { false } }

    public func write(to w: inout JSONWriter) {
        switch value {
        case .object(let members):
            w.beginObject()
            for (k, v) in members {
                w.key(k)
                v.write(to: &w)
            }
            w.endObject()
        case .array(let a):
            w.beginArray()
            for v in a { v.write(to: &w) }
            w.endArray()
        case .string(let s): w.string(s)
        case .number(let d, _): w.number(d)
        case .bool(let b): w.bool(b)
        case .null: w.null()
        }
    }
}

/// A JSON syntax problem at a line, inside the field `path` (dotted, with [index] for arrays).
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var path: String
    /// What is wrong, without the position (callers add file, line and field).
    public var problem: String
    public var description: String { problem }
}

public enum JSONTree {
    /// Parses one JSON document. With `allowTrailingCommas`, a comma directly before `}` or `]`
    /// is accepted (FaaSProfiler-derived workloads have one), which plain JSON forbids.
    /// Returns the tree and the bytes it was read from (trailing commas blanked); throws
    /// `JSONSyntaxError` (untyped: Swift 6.3's SILGen crashes on `catch let e as` of a typed throw).
    public static func parse(_ bytes: [UInt8], allowTrailingCommas: Bool) throws -> (JSONNode, [UInt8]) {
        let text = allowTrailingCommas ? removingTrailingCommas(bytes) : bytes
        var failurePath = ""
        var lastLine = 1
        let result: Result<JSONNode, JSONScanner.Failure> = text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do {
                let node = try readNode(&scanner, path: "", failurePath: &failurePath)
                guard scanner.isAtEnd else {
                    lastLine = scanner.line
                    failurePath = ""
                    return .failure(JSONScanner.Failure(problem: "unexpected text after the JSON value"))
                }
                return .success(node)
            } catch let failure as JSONScanner.Failure {
                lastLine = scanner.line
                return .failure(failure)
            } catch {
                lastLine = scanner.line
                return .failure(JSONScanner.Failure(problem: "\(error)"))
            }
        }
        switch result {
        case .success(let node): return (node, text)
        case .failure(let f): throw JSONSyntaxError(line: lastLine, path: failurePath, problem: f.problem)
        }
    }

    /// Parses one strict JSON document. Throws `JSONSyntaxError`.
    public static func parse(_ bytes: [UInt8]) throws -> JSONNode {
        try parse(bytes, allowTrailingCommas: false).0
    }

    private static func readNode(_ s: inout JSONScanner, path: String, failurePath: inout String, depth: Int = 0) throws -> JSONNode {
        failurePath = path
        // Deeper nesting is refused before it can exhaust the stack (a 6 MB body of '[').
        guard depth < JSONScanner.maximumDepth else {
            throw JSONScanner.Failure(problem: "nested deeper than \(JSONScanner.maximumDepth) levels")
        }
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
            return JSONNode(.object(members), line: line)
        case .array:
            var elements: [JSONNode] = []
            try s.readArray { index, s in
                elements.append(try readNode(&s, path: "\(path)[\(index)]", failurePath: &failurePath, depth: depth + 1))
                failurePath = path
            }
            return JSONNode(.array(elements), line: line)
        case .string:
            return JSONNode(.string(try s.readString()), line: line)
        case .number:
            let text = try s.readRaw().text
            guard let d = DecimalNumber.parse(text), d.isFinite else { throw JSONScanner.Failure(problem: "number out of range") }
            return JSONNode(.number(d, text: text), line: line)
        case .bool:
            return JSONNode(.bool(try s.readBool()), line: line)
        case .null:
            guard s.readNull() else { throw JSONScanner.Failure(problem: "invalid literal") }
            return JSONNode(.null, line: line)
        }
    }

    /// Replaces each comma that is followed (after whitespace) by `}` or `]` with a space,
    /// outside strings. Bytes keep their positions, so line numbers stay right.
    static func removingTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var inString = false
        var escaped = false
        var pendingComma: Int? = nil
        var previous: UInt8 = 0  // last significant byte outside strings
        for (i, c) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "\""):
                inString = true
                pendingComma = nil
            case UInt8(ascii: ","):
                // Only a comma after a value can be trailing; "[,]" stays an error.
                let afterValue =
                    previous != UInt8(ascii: "[") && previous != UInt8(ascii: "{") && previous != UInt8(ascii: ",") && previous != 0
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

/// Builds a JSON object body with JSONWriter in one expression.
public func jsonObject(_ build: (inout JSONWriter) -> Void) -> [UInt8] {
    var w = JSONWriter()
    w.beginObject()
    build(&w)
    w.endObject()
    return w.bytes
}
