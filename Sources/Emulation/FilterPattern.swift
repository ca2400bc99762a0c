/// CloudWatch's plain-term filter patterns: every term must occur (`ERROR Exception`),
/// `"quoted phrases"` count as one term, `-term` excludes, `?term` terms match any-of.
/// JSON (`{...}`) and space-delimited (`[...]`) patterns are not supported.
struct FilterPattern: Sendable {
    var all: [String] = []
    var none: [String] = []
    var any: [String] = []

    init(_ text: String) throws {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") || trimmed.hasPrefix("%") {
            throw Router.LogsFailure.invalid("Invalid filter pattern: lambda-emulator supports plain terms and quoted phrases only")
        }
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for c in trimmed {
            if c == "\"" {
                quoted.toggle()
                continue
            }
            if c == " " && !quoted {
                if !current.isEmpty {
                    tokens.append(current)
                    current = ""
                }
                continue
            }
            current.append(c)
        }
        if quoted { throw Router.LogsFailure.invalid("Invalid filter pattern: unbalanced quote") }
        if !current.isEmpty { tokens.append(current) }
        for t in tokens {
            if t.hasPrefix("?") && t.count > 1 {
                any.append(String(t.dropFirst()))
            } else if t.hasPrefix("-") && t.count > 1 {
                none.append(String(t.dropFirst()))
            } else {
                all.append(t)
            }
        }
    }
}
