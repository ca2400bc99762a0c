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

    /// The config file's profiles by name: `[profile name]`, and `[default]` for "default".
    var configProfiles: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for (section, settings) in sections where section.hasPrefix("profile ") {
            out[String(section.dropFirst("profile ".count))] = settings
        }
        // `[default]` wins over `[profile default]`.
        if let settings = sections["default"] { out["default", default: [:]].merge(settings) { _, new in new } }
        return out
    }

    /// The config file's `[sso-session name]` sections by name.
    var ssoSessions: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for (section, settings) in sections where section.hasPrefix("sso-session ") {
            out[String(section.dropFirst("sso-session ".count))] = settings
        }
        return out
    }
}

/// Both shared files' profiles. Like botocore, a profile's settings are the config file's
/// with the credentials file's on top, so `region`, `role_arn` or `credential_process` count
/// in either file; static keys are looked up per file, in the chain's order.
struct AWSProfiles: Sendable {
    var config: [String: [String: String]] = [:]
    var credentials: [String: [String: String]] = [:]
    var ssoSessions: [String: [String: String]] = [:]
    var configPath = "~/.aws/config"
    var credentialsPath = "~/.aws/credentials"

    init(configPath: String, credentialsPath: String) {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
        if let file = SharedConfigFile(path: configPath) {
            config = file.configProfiles
            ssoSessions = file.ssoSessions
        }
        if let file = SharedConfigFile(path: credentialsPath) { credentials = file.sections }
    }

    /// The merged settings of profile `name` (empty values count as unset); nil when neither file has it.
    func settings(_ name: String) -> [String: String]? {
        guard config[name] != nil || credentials[name] != nil else { return nil }
        var merged = config[name] ?? [:]
        merged.merge(credentials[name] ?? [:]) { _, new in new }
        return merged.filter { !$0.value.isEmpty }
    }

    func exists(_ name: String) -> Bool { config[name] != nil || credentials[name] != nil }
}
