import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lambda's managed Python runtimes, run here by the host's Python through the official
/// runtime interface client (awslambdaric, PyPI): the same client Lambda's container images
/// use, so the handler string, the event and context objects, `print` reaching the logs and
/// the error shapes (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, an unhandled
/// exception's `errorType`/`errorMessage`/`stackTrace`) are Lambda's own, not imitations.
///
/// Every `python3.x` name runs on the one interpreter found: the host has one Python, and a
/// function's code rarely depends on the minor version. docs/lambda-emulator.md says so.
public enum PythonRuntime {
    public static let runtimes = ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"]

    static func isPython(_ runtime: String) -> Bool { runtime.hasPrefix("python3.") }

    /// The command the gate execs: the interpreter running the client on the handler.
    static func command(interpreter: String, handler: String) -> [String] {
        [interpreter, "-m", "awslambdaric", handler]
    }

    /// Why `handler` cannot start from code whose folders list as `names(in:)` (relative to
    /// the code's root, "" being the root), in Lambda's terms; nil when it can. The module of
    /// `pkg.mod.function` is `pkg/mod.py`, `.pyc`, a compiled `mod.*.so` or a package
    /// `pkg/mod/__init__.py`. Lambda itself accepts such code and fails every call with
    /// `Runtime.ImportModuleError`; saying so at deployment puts the message where the mistake is.
    static func handlerProblem(handler: String, runtime: String, names: (String) -> [String]) -> String? {
        let parts = handler.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains("/") && !$0.contains(" ") }) else {
            return "Handler \"\(handler)\" is not module.function: runtime \(runtime) imports the module and calls the function"
        }
        let module = parts.dropLast()
        let folder = module.dropLast().joined(separator: "/")
        let leaf = module.last!
        let here = names(folder)
        let found =
            here.contains(leaf + ".py") || here.contains(leaf + ".pyc")
            || here.contains { $0.hasPrefix(leaf + ".") && $0.hasSuffix(".so") }
            || (here.contains(leaf) && names(folder.isEmpty ? leaf : folder + "/" + leaf).contains("__init__.py"))
        if found { return nil }
        let file = (folder.isEmpty ? "" : folder + "/") + leaf + ".py"
        return
            "The deployment package has no module \(module.joined(separator: ".")) (\(file)) for handler \"\(handler)\" of runtime \(runtime)"
    }
}

/// The host's Python that can run Lambda functions: `--python`, else the first `python3` on
/// PATH that imports awslambdaric, resolved to the real interpreter (a pyenv or virtualenv
/// shim re-resolves on every start, which would count in Init Duration). Found once, on first use.
final class PythonInterpreter: Sendable {
    private let configured: String?
    private let found = Mutex<Result<String, PythonMissing>?>(nil)

    struct PythonMissing: Error, CustomStringConvertible {
        var description: String
    }

    init(configured: String?) { self.configured = configured }

    func path() -> Result<String, PythonMissing> {
        found.withLock { cached in
            if let cached { return cached }
            let result = Self.find(configured: configured)
            cached = result
            return result
        }
    }

    private static func find(configured: String?) -> Result<String, PythonMissing> {
        var candidates: [String] = []
        if let configured {
            candidates = [configured]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            candidates = path.split(separator: ":").map { $0 + "/python3" }.filter { access($0, X_OK) == 0 }
        }
        for candidate in candidates {
            if let real = realInterpreter(candidate) { return .success(real) }
        }
        let which = configured.map { "--python \($0)" } ?? "no python3 on PATH"
        return .failure(
            PythonMissing(
                description:
                    "lambda-emulator runs python3.x functions with a host Python that has awslambdaric (pip install awslambdaric): \(which) imports it"
            ))
    }

    /// The interpreter's own path (`sys.executable`) if it imports awslambdaric.
    private static func realInterpreter(_ candidate: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: candidate)
        process.arguments = ["-c", "import awslambdaric, sys; print(sys.executable)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.hasPrefix("/") ? path : nil
    }
}
