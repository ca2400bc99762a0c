import JSON

/// The workload JSON from the run header, flattened for display: top-level settings
/// and one row per instance. Values are shown as compact JSON text (strings unquoted).
struct WorkloadView {
    var settings: [(key: String, value: String)] = []
    var instances: [(name: String, fields: [String: String])] = []

    init(_ raw: RawJSON) {
        var text = raw.text
        text.withUTF8 { buf in
            var s = JSONScanner(buf)
            guard (try? s.nextKind()) == .object else { return }
            try? s.readObject { key, s in
                if key == "instances", (try? s.nextKind()) == .object {
                    try s.readObject { name, s in
                        var fields: [String: String] = [:]
                        if (try? s.nextKind()) == .object {
                            try s.readObject { k, s in fields[k] = try Self.display(&s, key: k) }
                        } else {
                            try s.skipValue()
                        }
                        instances.append((name, fields))
                    }
                } else {
                    settings.append((key, try Self.display(&s, key: key)))
                }
            }
        }
    }

    /// Strings without quotes; long arrays summarised (an interarrival list can be huge).
    static func display(_ s: inout JSONScanner, key: String) throws -> String {
        switch try s.nextKind() {
        case .string: return try s.readString()
        case .array:
            var items: [String] = []
            var n = 0
            try s.readArray(allowTrailingComma: true) { _, s in
                n += 1
                let v = try s.readRaw().text
                if items.count < 8 { items.append(v) }
            }
            return n > 8 ? "[" + items.joined(separator: ", ") + ", … (\(n) values)]" : "[" + items.joined(separator: ", ") + "]"
        default:
            let v = try s.readRaw().text
            return v.count > 160 ? String(v.prefix(160)) + "…" : v
        }
    }
}
