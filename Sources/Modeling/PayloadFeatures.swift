import JSON

/// The numeric leaves of a JSON payload, by dotted path ("cmds.alloc.mb", "sizes[0]").
enum PayloadFeatures {
    static func numericLeaves(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        var copy = text
        copy.withUTF8 { buf in
            var s = JSONScanner(buf)
            try? walk(&s, "", &out)
        }
        return out
    }

    static func walk(_ s: inout JSONScanner, _ path: String, _ out: inout [String: Double]) throws {
        switch try s.nextKind() {
        case .object:
            try s.readObject { key, s in try walk(&s, path.isEmpty ? key : path + "." + key, &out) }
        case .array:
            try s.readArray { i, s in try walk(&s, path + "[\(i)]", &out) }
        case .number:
            let v = try s.readDouble()
            if v.isFinite { out[path] = v }
        default:
            try s.skipValue()
        }
    }
}
