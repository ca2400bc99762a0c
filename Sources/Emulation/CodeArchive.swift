import Foundation
import Hashing
import ZIPFoundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deployment package (`Code.ZipFile` of CreateFunction and UpdateFunctionCode), checked
/// and unpacked as Lambda would before it runs it.
///
/// ZIPFoundation reads the archive in-process (rather than the system's `unzip`): every
/// entry's path and size is checked before anything is written, nothing depends on a tool on
/// PATH, and a bad archive is an error value, not an exit status to interpret.
enum CodeArchive {
    /// What Lambda accepts as a direct upload: 50 MB of zip...
    static let maxZipBytes = 52_428_800
    /// ...in a request body of at most this many bytes (the base64 of 50 MB and the rest).
    static let maxRequestBytes = 69_905_067
    /// Lambda's limit on the unpacked code.
    static let maxUnzippedBytes = 262_144_000

    struct Unpacked: Sendable {
        var directory: String
        var codeSize: Int
        /// Base64 of the zip's SHA-256, as Lambda's `CodeSha256`.
        var codeSha256: String
    }

    enum Failure: Error, Equatable {
        /// 400 `InvalidParameterValueException`, in Lambda's words.
        case invalid(String)
        /// 413 `RequestEntityTooLargeException`.
        case tooLarge
    }

    static let unreadable = "Could not unzip uploaded file. Please check your file, then try to upload again."

    /// Unpacks `zip` into `directory` (which must not exist), all or nothing, once it is a
    /// package `runtime` can start `handler` from.
    static func unpack(_ zip: [UInt8], runtime: String, handler: String, into directory: String) throws(Failure) -> Unpacked {
        let archive = try check(zip, runtime: runtime, handler: handler)
        let partial = directory + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
            for entry in archive {
                _ = try archive.extract(entry, to: URL(fileURLWithPath: partial + "/" + entry.path))
            }
            guard rename(partial, directory) == 0 else {
                throw Failure.invalid("cannot store the code: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw .invalid(unreadable)
        }
        return Unpacked(directory: directory, codeSize: zip.count, codeSha256: sha256(zip))
    }

    /// Base64 of the zip's SHA-256, as Lambda's `CodeSha256`.
    static func sha256(_ zip: [UInt8]) -> String { Data(SHA256.digest(zip)).base64EncodedString() }

    /// The archive, once its size, its entries' paths and its entry point are what Lambda
    /// would run: nothing is written before this has passed.
    static func check(_ zip: [UInt8], runtime: String, handler: String) throws(Failure) -> Archive {
        guard zip.count <= maxZipBytes else { throw .tooLarge }
        let archive: Archive
        do { archive = try Archive(data: Data(zip), accessMode: .read) } catch { throw .invalid(unreadable) }
        var total: UInt64 = 0
        // Each folder's entries (relative to the root, "" the root itself), for the entry-point check.
        var names: [String: Set<String>] = [:]
        var bootstrapIsFile = false
        for entry in archive {
            let components = entry.path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.map(String.init)
            // No entry may land outside the code directory.
            guard !entry.path.hasPrefix("/"), !components.contains(".."), !components.isEmpty else { throw .invalid(unreadable) }
            total += entry.uncompressedSize
            for i in components.indices { names[components[..<i].joined(separator: "/"), default: []].insert(components[i]) }
            if components == ["bootstrap"] && entry.type != .directory { bootstrapIsFile = true }
        }
        guard total <= UInt64(maxUnzippedBytes) else {
            throw .invalid("Unzipped size must be smaller than \(maxUnzippedBytes) bytes")
        }
        // Lambda itself accepts a package without its entry point and fails every invocation
        // (Runtime.InvalidEntrypoint, Runtime.ImportModuleError); refusing it at deployment
        // says so where the mistake is made.
        if FunctionCode.providedRuntimes.contains(runtime) {
            guard bootstrapIsFile else { throw .invalid(FunctionCode.noBootstrap(runtime)) }
        } else if let problem = PythonRuntime.handlerProblem(handler: handler, runtime: runtime, names: { Array(names[$0] ?? []) }) {
            throw .invalid(problem)
        }
        return archive
    }
}
