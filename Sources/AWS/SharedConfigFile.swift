import Foundation

/// The AWS CLI's INI files (~/.aws/credentials and ~/.aws/config), parsed as botocore does:
/// `[name]` sections, `key = value` lines, `#`/`;` comment lines, and indented
/// sub-settings (e.g. `s3 =` blocks), which belong to the key above and are skipped here.
struct SharedConfigFile {
    /// Section name as written between brackets (e.g. "default", "profile dev") -> settings.
    var sections: [String: [String: String]] = [:]

    init(text: String) {
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t" { continue }  // nested sub-setting
            if trimmed.hasPrefix("["), let close = trimmed.lastIndex(of: "]") {
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                    .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let eq = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // botocore strips inline comments only after whitespace ("v # c").
            if let hash = value.range(of: " #") ?? value.range(of: "\t#") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            sections[section]?[key] = value
        }
    }

    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    /// A profile in ~/.aws/config: `[profile name]`, or `[default]` for the default profile.
    func configProfile(_ name: String) -> [String: String]? {
        if name == "default" { return sections["default"] ?? sections["profile default"] }
        return sections["profile \(name)"]
    }

    /// A profile in ~/.aws/credentials: `[name]`.
    func credentialsProfile(_ name: String) -> [String: String]? { sections[name] }
}
