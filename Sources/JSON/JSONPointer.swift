/// An RFC 6901 JSON Pointer (`/stat/inst_id`, `/items/0`, `/a~1b` for the key `a/b`): how a
/// workload names a field of a function's JSON response to keep (docs/workload.md).
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The pointer as written.
    public let text: String
    /// Its reference tokens, unescaped (`~1` → `/`, `~0` → `~`); empty for the whole document.
    public let tokens: [String]

    public var description: String { text }

    /// Why a text is not a pointer.
    public struct SyntaxError: Error, Sendable {
        public let problem: String
    }

    public init(_ text: String) throws(SyntaxError) {
        self.text = text
        guard !text.isEmpty else {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw SyntaxError(problem: "a JSON pointer starts with \"/\" (RFC 6901), got \"\(text)\"")
        }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var escape = false
            for c in raw {
                if escape {
                    switch c {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: throw SyntaxError(problem: "\"~\(c)\" is not an escape in a JSON pointer (only ~0 and ~1 are)")
                    }
                    escape = false
                } else if c == "~" {
                    escape = true
                } else {
                    token.append(c)
                }
            }
            if escape { throw SyntaxError(problem: "a JSON pointer may not end in \"~\" (write ~0 for a tilde)") }
            tokens.append(token)
        }
        self.tokens = tokens
    }

    /// The value the pointer names in `root`, or nil when it names nothing there. An array
    /// index is a decimal without leading zeros, as RFC 6901 requires.
    public func resolve(in root: JSONNode) -> JSONNode? {
        var node = root
        for token in tokens {
            switch node.value {
            case .object(let members):
                guard let next = members.first(where: { $0.key == token })?.node else { return nil }
                node = next
            case .array(let elements):
                guard let index = Self.arrayIndex(token), index < elements.count else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        return node
    }

    static func arrayIndex(_ token: String) -> Int? {
        guard let first = token.utf8.first, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            first != UInt8(ascii: "0") || token.utf8.count == 1, token.utf8.count <= 9
        else { return nil }
        return Int(token)
    }
}
