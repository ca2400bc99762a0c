/// A pull parser over the bytes of one JSON text.
///
/// Records are decoded field by field straight from the bytes, without building a
/// tree, so that reading a million-line NDJSON file stays fast and allocation-light.
/// Errors carry the field path being read; callers add file and line.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct JSONScanner: ~Copyable {
    public struct Failure: Error, Sendable {
        public var problem: String
        public init(problem: String) { self.problem = problem }
    }

    @usableFromInline let base: UnsafeBufferPointer<UInt8>
    @usableFromInline var index: Int
    /// 1-based line of the current position inside this text (for multi-line documents).
    public private(set) var line: Int = 1
    /// Open objects/arrays; bounded so hostile input cannot overflow the stack.
    var depth = 0
    public static let maximumDepth = 256

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.base = bytes
        self.index = 0
    }

    public var isAtEnd: Bool {
        mutating get {
            skipWhitespace()
            return index >= base.count
        }
    }

    @inlinable public var position: Int { index }

    @usableFromInline mutating func skipWhitespace() {
        while index < base.count {
            let c = base[index]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                index += 1
            } else if c == 0x0A {
                index += 1
                line += 1
            } else {
                break
            }
        }
    }

    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < base.count ? base[index] : nil
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard index < base.count, base[index] == byte else {
            throw Failure(
                problem: index < base.count
                    ? "expected \(what), found '\(Self.describe(base[index]))'" : "expected \(what), found end of input")
        }
        index += 1
    }

    static func describe(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\u{\(String(b, radix: 16))}"
    }

    /// What kind of value comes next.
    public enum Kind: Sendable { case object, array, string, number, bool, null }

    public mutating func nextKind() throws -> Kind {
        guard let c = peek() else { throw Failure(problem: "expected a value, found end of input") }
        switch c {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw Failure(problem: "expected a value, found '\(Self.describe(c))'")
        }
    }

    /// Reads an object, calling `field` with each key; `field` must consume the value.
    /// Duplicate keys are an error: JSON objects with repeated keys are ambiguous.
    public mutating func readObject(_ field: (String, inout JSONScanner) throws -> Void) throws {
        try readObjectKeys { key, s in try field(key.string, &s) }
    }

    /// Like `readObject`, but hands out each key as bytes with its hash, so hot decoders
    /// can dispatch through a `JSONFieldTable` without making a String per key.
    public mutating func readObjectKeys(_ field: (JSONKey, inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "'{'")
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        // Keys seen so far, by 64-bit FNV-1a hash: duplicate detection without a Set of Strings.
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 64) { seen in
            var seenCount = 0
            var overflow: Set<UInt64> = []
            // A 256-bit filter on the hash's low byte: most keys skip the linear scan.
            var filter: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            while true {
                guard peek() == UInt8(ascii: "\"") else {
                    if peek() == UInt8(ascii: "}") { throw Failure(problem: "trailing comma in object") }
                    throw Failure(problem: "expected a key string")
                }
                let key = try readKey()
                var duplicate = false
                let bit = Int(key.hash & 0xFF)
                let word = UInt64(1) << UInt64(bit & 63)
                let maybeSeen: Bool
                switch bit >> 6 {
                case 0:
                    maybeSeen = filter.0 & word != 0
                    filter.0 |= word
                case 1:
                    maybeSeen = filter.1 & word != 0
                    filter.1 |= word
                case 2:
                    maybeSeen = filter.2 & word != 0
                    filter.2 |= word
                default:
                    maybeSeen = filter.3 & word != 0
                    filter.3 |= word
                }
                if maybeSeen || seenCount >= 64 {
                    for k in 0..<seenCount where seen[k] == key.hash {
                        duplicate = true
                        break
                    }
                }
                if !duplicate {
                    if seenCount < 64 {
                        seen[seenCount] = key.hash
                        seenCount += 1
                    } else {
                        duplicate = !overflow.insert(key.hash).inserted
                    }
                }
                if duplicate { throw Failure(problem: "duplicate key \"\(key.string)\"") }
                try expect(UInt8(ascii: ":"), "':'")
                try field(key, &self)
                guard let c = peek() else { throw Failure(problem: "unterminated object") }
                index += 1
                if c == UInt8(ascii: "}") { return }
                guard c == UInt8(ascii: ",") else { throw Failure(problem: "expected ',' or '}' in object, found '\(Self.describe(c))'") }
            }
        }
    }

    /// Reads a key string; escapes are rare in keys, so they take the slow path.
    mutating func readKey() throws -> JSONKey {
        let quote = index
        index += 1
        let start = index
        var hash = JSONKey.offsetBasis
        while index < base.count {
            let c = base[index]
            if c == UInt8(ascii: "\"") {
                let bytes = UnsafeBufferPointer(rebasing: base[start..<index])
                index += 1
                return JSONKey(bytes: bytes, hash: hash, unescaped: nil)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            hash = (hash ^ UInt64(c)) &* JSONKey.prime
            index += 1
        }
        index = quote
        let text = try readString()
        return JSONKey(unescaped: text)
    }

    /// Reads an array, calling `element` with each element's index.
    public mutating func readArray(allowTrailingComma: Bool = false, _ element: (Int, inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "'['")
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var i = 0
        while true {
            try element(i, &self)
            i += 1
            guard let c = peek() else { throw Failure(problem: "unterminated array") }
            index += 1
            if c == UInt8(ascii: "]") { return }
            guard c == UInt8(ascii: ",") else { throw Failure(problem: "expected ',' or ']' in array, found '\(Self.describe(c))'") }
            if allowTrailingComma, peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
        }
    }

    public mutating func readNull() -> Bool {
        guard peek() == UInt8(ascii: "n"), index + 4 <= base.count,
            base[index + 1] == UInt8(ascii: "u"), base[index + 2] == UInt8(ascii: "l"), base[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw Failure(problem: "expected true or false")
    }

    mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard index + n <= base.count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where base[index + k] != p[k] { return false }
        index += n
        return true
    }

    public mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = index
        // Fast path: no escapes.
        while index < base.count {
            let c = base[index]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: base[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw Failure(problem: "control character in string") }
            index += 1
        }
        var bytes = Array(base[start..<index])
        while index < base.count {
            let c = base[index]
            index += 1
            if c == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
            if c < 0x20 { throw Failure(problem: "control character in string") }
            if c != UInt8(ascii: "\\") {
                bytes.append(c)
                continue
            }
            guard index < base.count else { break }
            let e = base[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard matchLiteral("\\u") else { throw Failure(problem: "unpaired surrogate in string") }
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure(problem: "unpaired surrogate in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw Failure(problem: "invalid \\u escape") }
                bytes.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw Failure(problem: "invalid escape '\\\(Self.describe(e))'")
            }
        }
        throw Failure(problem: "unterminated string")
    }

    mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= base.count else { throw Failure(problem: "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[index]
            index += 1
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw Failure(problem: "invalid \\u escape")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// Returns the bytes of the next number token after validating JSON number syntax.
    mutating func numberToken() throws -> UnsafeBufferPointer<UInt8> {
        skipWhitespace()
        let start = index
        func digits(_ s: inout JSONScanner) -> Int {
            let d0 = s.index
            while s.index < s.base.count, s.base[s.index] >= 0x30, s.base[s.index] <= 0x39 { s.index += 1 }
            return s.index - d0
        }
        if index < base.count, base[index] == UInt8(ascii: "-") { index += 1 }
        let intStart = index
        guard digits(&self) > 0 else { throw Failure(problem: "expected a number") }
        if base[intStart] == UInt8(ascii: "0"), index - intStart > 1 { throw Failure(problem: "leading zero in number") }
        if index < base.count, base[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw Failure(problem: "expected digits after '.'") }
        }
        if index < base.count, base[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < base.count, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw Failure(problem: "expected digits in exponent") }
        }
        return UnsafeBufferPointer(rebasing: base[start..<index])
    }

    public mutating func readDouble() throws -> Double {
        guard peek() != UInt8(ascii: "\"") else { throw Failure(problem: "expected a number, found a string") }
        let token = try numberToken()
        let value = Self.value(of: token)
        // 1e400 is valid JSON but no Double: refused here, so no reader passes on an infinity.
        guard value.isFinite else { throw Failure(problem: "number out of range (beyond ±1.8e308)") }
        return value
    }

    /// A token `numberToken()` has already checked.
    static func value(of token: UnsafeBufferPointer<UInt8>) -> Double { DecimalNumber.parse(token)?.value ?? .nan }

    public mutating func readInt() throws -> Int {
        guard peek() != UInt8(ascii: "\"") else { throw Failure(problem: "expected an integer, found a string") }
        let token = try numberToken()
        if let v = Self.plainInteger(token) { return v }
        // Accept integral values written as 3.0 or 1e3.
        let d = Self.value(of: token)
        if d == d.rounded(), abs(d) < 9.0e15 { return Int(d) }
        throw Failure(problem: "expected an integer")
    }

    public mutating func readUInt64() throws -> UInt64 {
        let token = try numberToken()
        guard token.count <= 20, token[0] != UInt8(ascii: "-") else { throw Failure(problem: "expected a non-negative integer") }
        var v: UInt64 = 0
        for c in token {
            guard c >= 0x30, c <= 0x39 else { throw Failure(problem: "expected a non-negative integer") }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            guard !o1, !o2 else { throw Failure(problem: "integer out of range") }
            v = a
        }
        return v
    }

    /// An optionally signed run of at most 18 digits, else nil.
    static func plainInteger(_ token: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        var negative = false
        if token[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        guard token.count - i <= 18 else { return nil }
        var v = 0
        while i < token.count {
            let c = token[i]
            guard c >= 0x30, c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
            i += 1
        }
        return negative ? -v : v
    }

    /// Skips one value of any kind, checking its syntax.
    public mutating func skipValue() throws {
        switch try nextKind() {
        case .object, .array:
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else { throw Failure(problem: "nested deeper than \(Self.maximumDepth) levels") }
            if try nextKind() == .object {
                try readObjectKeys { _, s in try s.skipValue() }
            } else {
                try readArray { _, s in try s.skipValue() }
            }
        case .string: _ = try readString()
        case .number: _ = try numberToken()
        case .bool: _ = try readBool()
        case .null: guard readNull() else { throw Failure(problem: "invalid literal") }
        }
    }

    /// Reads one value of any kind and returns its exact bytes, compacted when it spans lines.
    public mutating func readRaw() throws -> RawJSON {
        skipWhitespace()
        let start = index
        try skipValue()
        let slice = UnsafeBufferPointer(rebasing: base[start..<index])
        return RawJSON(validated: RawJSON.isCompact(slice) ? String(decoding: slice, as: UTF8.self) : RawJSON.compact(slice))
    }
}
