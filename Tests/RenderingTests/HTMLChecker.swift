import Foundation

/// A small, strict HTML checker for the report's tests: tags balance (void elements
/// aside), attributes are quoted, and every URL-bearing attribute or CSS url() is listed.
struct HTMLChecker {
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr",
    ]
    /// SVG children written self-closing (`<circle/>`) are fine too.
    var problems: [String] = []
    /// Values of src, href, xlink:href, action, poster and every url(...) in attributes or <style>.
    var urls: [String] = []
    var elementCounts: [String: Int] = [:]
    /// Text of every <table> cell, in order (for checking the data equivalents).
    var tags: [(name: String, attributes: [String: String])] = []

    init(_ html: String) {
        let b = Array(html.utf8)
        var i = 0
        var stack: [String] = []
        func text(_ from: Int, _ to: Int) -> String { String(decoding: b[from..<to], as: UTF8.self) }
        while i < b.count {
            guard b[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            if text(i, min(b.count, i + 4)) == "<!--" {
                guard let end = find(b, "-->", i) else {
                    problems.append("unterminated comment")
                    break
                }
                i = end + 3
                continue
            }
            if b[i + 1] == UInt8(ascii: "!") {  // doctype
                while i < b.count, b[i] != UInt8(ascii: ">") { i += 1 }
                i += 1
                continue
            }
            let closing = b[i + 1] == UInt8(ascii: "/")
            var j = i + (closing ? 2 : 1)
            let nameStart = j
            while j < b.count, isNameByte(b[j]) { j += 1 }
            let name = text(nameStart, j).lowercased()
            if name.isEmpty {
                problems.append("stray '<' at byte \(i)")
                i += 1
                continue
            }
            var attributes: [String: String] = [:]
            var selfClosing = false
            while j < b.count, b[j] != UInt8(ascii: ">") {
                if b[j] == 0x20 || b[j] == 0x0A {
                    j += 1
                    continue
                }
                if b[j] == UInt8(ascii: "/") {
                    selfClosing = true
                    j += 1
                    continue
                }
                let a0 = j
                while j < b.count, isNameByte(b[j]) || b[j] == UInt8(ascii: ":") { j += 1 }
                let attr = text(a0, j).lowercased()
                if attr.isEmpty {
                    problems.append("bad attribute in <\(name)> at byte \(j)")
                    j += 1
                    continue
                }
                if j < b.count, b[j] == UInt8(ascii: "=") {
                    j += 1
                    guard j < b.count, b[j] == UInt8(ascii: "\"") else {
                        problems.append("unquoted attribute \(attr) in <\(name)>")
                        continue
                    }
                    let v0 = j + 1
                    j = v0
                    while j < b.count, b[j] != UInt8(ascii: "\"") {
                        if b[j] == UInt8(ascii: "<") { problems.append("'<' inside attribute \(attr) of <\(name)>") }
                        j += 1
                    }
                    attributes[attr] = text(v0, j)
                    j += 1
                } else {
                    attributes[attr] = ""
                }
            }
            i = j + 1
            if closing {
                guard let top = stack.last else {
                    problems.append("</\(name)> with nothing open")
                    continue
                }
                if top != name {
                    problems.append("</\(name)> closes <\(top)>")
                    continue
                }
                stack.removeLast()
                continue
            }
            elementCounts[name, default: 0] += 1
            tags.append((name, attributes))
            for (k, v) in attributes {
                if ["src", "href", "xlink:href", "action", "poster", "srcset", "data"].contains(k) { urls.append(v) }
                urls += Self.cssURLs(v)
            }
            if name == "style" || name == "script" {
                guard let end = find(b, "</\(name)>", i) else {
                    problems.append("unterminated <\(name)>")
                    break
                }
                urls += Self.cssURLs(text(i, end))
                i = end + name.utf8.count + 3
                continue
            }
            if !selfClosing, !Self.voidElements.contains(name) { stack.append(name) }
        }
        if !stack.isEmpty { problems.append("unclosed elements: \(stack.joined(separator: " "))") }
    }

    static func cssURLs(_ s: String) -> [String] {
        var out: [String] = []
        var rest = Substring(s)
        while let r = rest.range(of: "url(") {
            let after = rest[r.upperBound...]
            let end = after.firstIndex(of: ")") ?? after.endIndex
            out.append(String(after[..<end]))
            rest = after[end...]
        }
        return out
    }

    func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    func find(_ b: [UInt8], _ needle: String, _ from: Int) -> Int? {
        let n = Array(needle.utf8)
        var k = from
        while k + n.count <= b.count {
            if b[k] == n[0], Array(b[k..<(k + n.count)]) == n { return k }
            k += 1
        }
        return nil
    }
}
