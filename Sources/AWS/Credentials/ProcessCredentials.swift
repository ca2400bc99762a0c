import Foundation
import JSON
import SigV4

#if canImport(Glibc)
import Glibc
#endif

/// `credential_process`: runs the profile's command (split as a POSIX shell would split
/// words, without a shell) and reads its JSON (Version 1: AccessKeyId, SecretAccessKey,
/// SessionToken, Expiration). Run again when the credentials near their Expiration.
struct ProcessCredentials: CredentialProvider {
    let command: String
    let profile: String
    var name: String { "credential_process of profile [\(profile)]" }

    func fetch() throws(AWSError) -> ExpiringCredentials {
        let words = Self.split(command)
        guard !words.isEmpty else { throw .credentialsFailed(provider: name, problem: "the command is empty") }
        let run: (status: Int32, stdout: [UInt8], stderr: [UInt8])
        do {
            run = try ChildProcess.run(words)
        } catch {
            throw .credentialsFailed(provider: name, problem: "cannot run \(words[0]): \(error)")
        }
        guard run.status == 0 else {
            let last = String(decoding: run.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            throw .credentialsFailed(
                provider: name,
                problem: "\(words[0]) exited with status \(run.status)" + (last.isEmpty ? "" : ": \(ErrorBody.oneLine(last))"))
        }
        guard let json = try? JSONTree.parse(run.stdout), json.members != nil else {
            throw .credentialsFailed(provider: name, problem: "its output is not a JSON object")
        }
        guard json["Version"]?.int == 1 else {
            let version = json["Version"].map { $0.int.map(String.init) ?? $0.typeName } ?? "missing"
            throw .credentialsFailed(provider: name, problem: "its output has Version \(version), not 1")
        }
        guard let key = json["AccessKeyId"]?.string, let secret = json["SecretAccessKey"]?.string else {
            throw .credentialsFailed(provider: name, problem: "its output lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let text = json["Expiration"]?.string {
            guard let date = CredentialFields.date(text) else {
                throw .credentialsFailed(provider: name, problem: "Expiration \"\(text)\" is not an ISO 8601 time")
            }
            expiration = date
        }
        return ExpiringCredentials(
            AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: json["SessionToken"]?.string),
            expiration: expiration)
    }

    /// Words as a POSIX shell splits them: blanks separate, '…' is literal, "…" allows \" \\ \$ \`,
    /// and a backslash outside quotes escapes the next character.
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for ch in line {
            if escaped {
                if quote == "\"" && !"\"\\$`".contains(ch) { word.append("\\") }
                word.append(ch)
                escaped = false
                inWord = true
                continue
            }
            switch (quote, ch) {
            case (nil, "\\"), ("\"", "\\"): escaped = true
            case (nil, "'"), (nil, "\""):
                quote = ch
                inWord = true
            case ("'", "'"), ("\"", "\""): quote = nil
            case (nil, _) where ch == " " || ch == "\t" || ch == "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(ch)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }
}

/// A child process run to completion with its output captured (posix_spawn, not
/// Foundation's Process, whose waitUntilExit can hang off the main thread).
enum ChildProcess {
    struct SpawnError: Error, CustomStringConvertible { var description: String }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        guard pipe(&out) == 0 else { throw SpawnError(description: String(cString: strerror(errno))) }
        guard pipe(&err) == 0 else {
            close(out[0])
            close(out[1])
            throw SpawnError(description: String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        for fd in [out[0], out[1], err[0], err[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var child: pid_t = 0
        let rc = posix_spawnp(&child, arguments[0], &actions, nil, &argv, environ)
        for a in argv { free(a) }
        posix_spawn_file_actions_destroy(&actions)
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            close(out[0])
            close(err[0])
            throw SpawnError(description: String(cString: strerror(rc)))
        }
        // Read both pipes as they fill, so a chatty stderr cannot block the child.
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var fds = [pollfd(fd: out[0], events: Int16(POLLIN), revents: 0), pollfd(fd: err[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for k in 0..<2 where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = read(fds[k].fd, &buffer, buffer.count)
                if n > 0 {
                    if k == 0 { stdout += buffer[0..<n] } else { stderr += buffer[0..<n] }
                } else if n == 0 || errno != EINTR {
                    close(fds[k].fd)
                    fds[k].fd = -1
                    open -= 1
                }
            }
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, stdout, stderr)
    }
}
