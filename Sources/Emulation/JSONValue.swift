import Records

/// A parsed JSON document, for the small request bodies the emulator reads.
/// Object members keep their order (faas_measure runs its commands in order).
enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    struct TrailingText: Error, CustomStringConvertible {
        var description: String { "unexpected text after the JSON value" }
    }

    /// Parses one JSON text; throws `JSONScanner.Failure` with the problem.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            let value = try read(&scanner, depth: 0)
            guard scanner.isAtEnd else {
                // Let the scanner describe the unexpected character.
                _ = try scanner.nextKind()
                throw TrailingText()
            }
            return value
        }
    }

    static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    /// Deeper documents are refused: they would exhaust the stack (a 6 MB payload of '[').
    static let maxDepth = 256

    struct TooDeep: Error, CustomStringConvertible {
        var description: String { "JSON nested deeper than \(JSONValue.maxDepth) levels" }
    }

    private static func read(_ s: inout JSONScanner, depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw TooDeep() }
        switch try s.nextKind() {
        case .object:
            var members: [(String, JSONValue)] = []
            try s.readObject { key, inner in members.append((key, try read(&inner, depth: depth + 1))) }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            try s.readArray { _, inner in elements.append(try read(&inner, depth: depth + 1)) }
            return .array(elements)
        case .string: return .string(try s.readString())
        case .number: return .number(try s.readDouble())
        case .bool: return .bool(try s.readBool())
        case .null: _ = s.readNull(); return .null
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var double: Double? { if case .number(let d) = self { return d }; return nil }
    var int: Int? { double.flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil } }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? {
        switch self {
        case .bool(let b): return b
        case .number(let d): return d != 0
        default: return nil
        }
    }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var members: [(String, JSONValue)]? { if case .object(let m) = self { return m }; return nil }

    func write(to w: inout JSONWriter) {
        switch self {
        case .object(let members):
            w.beginObject()
            for (k, v) in members { w.key(k); v.write(to: &w) }
            w.endObject()
        case .array(let a):
            w.beginArray()
            for v in a { v.write(to: &w) }
            w.endArray()
        case .string(let s): w.string(s)
        case .number(let d): w.number(d)
        case .bool(let b): w.bool(b)
        case .null: w.null()
        }
    }
}

/// Builds a JSON object body with JSONWriter in one expression.
func jsonObject(_ build: (inout JSONWriter) -> Void) -> [UInt8] {
    var w = JSONWriter()
    w.beginObject()
    build(&w)
    w.endObject()
    return w.bytes
}
