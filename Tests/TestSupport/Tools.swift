import Foundation

/// Runs the project's built executables from tests, over real pipes and files.
///
/// `swift test` builds the tools (test targets depend on them) next to the test
/// binary, so they are found in the directory of the running executable.
public enum Tools {
    /// Directory holding the built products (`.build/<triple>/debug`).
    public static let productsDirectory: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // On macOS the test bundle is Foo.xctest/Contents/MacOS/Foo.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
            dir.deleteLastPathComponent()
        }
        return dir
    }()

    public static func path(_ tool: String) -> String {
        productsDirectory.appendingPathComponent(tool).path
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `tool` with `arguments`, feeding `stdin`, and waits for it.
    @discardableResult
    public static func run(
        _ tool: String, _ arguments: [String], stdin: String? = nil,
        environment: [String: String]? = nil, currentDirectory: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : path(tool))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        // Drain both pipes concurrently so a chatty tool never blocks on a full pipe.
        let outData = DataBox()
        let errData = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(outPipe, outData), (errPipe, errData)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData.data, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    final class DataBox: @unchecked Sendable { var data = Data() }
}

/// A fresh directory under the system temp dir, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "rightsize-test") throws {
        let p = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        path = p
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    public func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }

    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The package's root folder (for data/ and docs/ in tests).
public enum PackageRoot {
    public static let path: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()
}
