import Hashing

/// The canonical forms of Signature Version 4 (AWS's "Create a canonical request").
enum Canonical {
    /// RFC 3986 unreserved characters, which SigV4 never percent-encodes.
    static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "~")
    }

    static func uriEncode<S: Sequence>(_ bytes: S, keepSlash: Bool) -> String where S.Element == UInt8 {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Canonical URI: dot segments and repeated slashes removed (unless `normalize` is off, as
    /// for S3), then every byte but unreserved ones and '/' percent-encoded. Applied to the wire
    /// path, this is the "double encoding" that AWS services other than S3 expect.
    static func path(_ raw: String, normalize: Bool) -> String {
        var path = raw.isEmpty ? "/" : raw
        if normalize {
            var segments: [Substring] = []
            for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
                if segment == "." { continue }
                if segment == ".." {
                    if !segments.isEmpty { segments.removeLast() }
                    continue
                }
                segments.append(segment)
            }
            let trailing = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
            path = "/" + segments.joined(separator: "/")
            if trailing, path != "/" { path += "/" }
        }
        return uriEncode(path.utf8, keepSlash: true)
    }

    /// Canonical query: each name and value decoded then re-encoded, sorted by name then value.
    static func query(_ raw: String) -> String {
        guard !raw.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = part.firstIndex(of: "=")
            let name = eq.map { part[..<$0] } ?? part
            let value = eq.map { part[part.index(after: $0)...] } ?? ""
            pairs.append(
                (
                    uriEncode(PercentEncoding.decodeBytes(name), keepSlash: false),
                    uriEncode(PercentEncoding.decodeBytes(value), keepSlash: false)
                ))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Trims and collapses runs of whitespace (including folded lines) to one space.
    static func headerValue(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for ch in value {
            if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" || ch == "\r\n" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace {
                    out.append(" ")
                    pendingSpace = false
                }
                out.append(ch)
            }
        }
        return out
    }

    /// Canonical headers block and the signed-headers list, over the headers named in `names`
    /// (lowercase), or all of them when `names` is nil. Repeated headers join with ','.
    static func headers(_ headers: [(name: String, value: String)], only names: Set<String>?) -> (block: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if let names, !names.contains(lower) { continue }
            merged[lower, default: []].append(headerValue(value))
        }
        let sortedNames = merged.keys.sorted()
        let block = sortedNames.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (block, sortedNames.joined(separator: ";"))
    }

    static func request(
        _ r: SignableRequest, signedNames: Set<String>?, payloadHash: String, normalize: Bool
    ) -> (text: String, signedHeaders: String) {
        let (block, signed) = headers(r.headers, only: signedNames)
        let text = [r.method.uppercased(), path(r.path, normalize: normalize), query(r.query), block, signed, payloadHash]
            .joined(separator: "\n")
        return (text, signed)
    }
}

/// %XX decoding of URI paths and query parts ('+' is kept as is, as AWS paths do).
/// Shared by signing (canonical query) and the emulator's routing.
public enum PercentEncoding {
    public static func decodeBytes<S: StringProtocol>(_ s: S) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
                let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    public static func decode<S: StringProtocol>(_ s: S) -> String {
        s.contains("%") ? String(decoding: decodeBytes(s), as: UTF8.self) : String(s)
    }
}
